#include "sim/plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "core/csv.hpp"
#include "core/text.hpp"
#include "sim/batch.hpp"
#include "sim/run.hpp"
#include "sim/summary.hpp"

namespace capsim::sim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kHoursPerMonth = 365.25 / 12 * 24;

using Index = std::vector<std::int64_t>;  // per dimension: which of its values

// A figure as people read it: durations for seconds, else grouped digits.
std::string figure_text(const std::string& metric, double value) {
  const bool seconds = metric.size() > 2 && metric.compare(metric.size() - 2, 2, "_s") == 0;
  return metric_text({metric, "", seconds ? "s" : "", value});
}

// One quarter's search (see plan.hpp): candidates are run once each,
// remembered by their index vector.
class QuarterSearch {
 public:
  QuarterSearch(const Scenario& base, const PlanSpec& spec, const PlanQuarter& quarter, const PlanOptions& options,
                QuarterPlan& out)
      : base_(base),
        spec_(spec),
        quarter_(quarter),
        options_(options),
        out_(out),
        builtins_(scheduler::PolicyRegistry::with_builtins()),
        registry_(options.registry ? *options.registry : builtins_) {
    out_.quarter = quarter.name;
    out_.grid_simulations = spec.grid_size() * static_cast<double>(spec.seeds.size());
    // The quarter's scenario (its fields set), read once to check them and
    // to price its fixed cluster.
    const Scenario scenario = scenario_with(base, quarter.settings, "plan quarter " + quarter.name);
    static_prices_ = spec.objective == "cost_per_month_usd";
    for (const NodeGroupSpec& group : scenario.cluster.node_groups) {
      if (group.autoscaling || group.spot) static_prices_ = false;
      const double per_node = group.gpus_per_node * group.price_per_gpu_hour(scenario.catalog) * kHoursPerMonth;
      const auto d = std::find_if(spec.dimensions.begin(), spec.dimensions.end(),
                                  [&](const PlanDimension& dim) { return dim.node_group == group.name; });
      if (d == spec.dimensions.end()) {
        fixed_cost_ += per_node * static_cast<double>(group.count);
      } else {
        node_cost_.resize(spec.dimensions.size());
        node_cost_[static_cast<std::size_t>(d - spec.dimensions.begin())] = per_node;
      }
    }
  }

  bool stopped() const { return stopped_; }

  // The cost a month of the cluster at `x`, known without running it when
  // the cluster is fixed; NaN otherwise.
  double known_cost(const Index& x) const {
    if (!static_prices_) return kNaN;
    double cost = fixed_cost_;
    for (std::size_t d = 0; d < x.size(); ++d) {
      cost += node_cost_[d] * static_cast<double>(spec_.dimensions[d].count_at(x[d]));
    }
    return cost;
  }

  // Runs the candidates not run yet (all their seeds in one batch) and
  // returns every one's record.
  std::vector<const PlanCandidate*> evaluate(const std::vector<Index>& xs, const char* found_by) {
    std::vector<Index> fresh;
    for (const Index& x : xs) {
      if (!memo_.count(x) && std::find(fresh.begin(), fresh.end(), x) == fresh.end()) fresh.push_back(x);
    }
    if (!fresh.empty() && !stopped_) run(fresh, found_by);
    std::vector<const PlanCandidate*> out;
    for (const Index& x : xs) {
      const auto it = memo_.find(x);
      out.push_back(it == memo_.end() ? nullptr : &out_.evaluated[it->second]);
    }
    return out;
  }
  const PlanCandidate* evaluate_one(const Index& x, const char* found_by) {
    return evaluate(std::vector<Index>{x}, found_by).front();
  }

  // Whether the service constraints (those more nodes help) hold on every seed.
  bool serves(const PlanCandidate* c) const {
    if (c == nullptr) return false;
    for (std::size_t k = 0; k < spec_.constraints.size(); ++k) {
      if (!grows_with_capacity(spec_.constraints[k].metric) && !holds(k, c->worst[k])) return false;
    }
    return true;
  }

  const PlanCandidate* best() const {
    const PlanCandidate* best = nullptr;
    for (const PlanCandidate& c : out_.evaluated) {
      if (c.feasible && (best == nullptr || c.objective < best->objective)) best = &c;
    }
    return best;
  }

  Index index_of(const PlanCandidate& c) const {
    Index x(c.counts.size());
    for (std::size_t d = 0; d < x.size(); ++d)
      x[d] = (c.counts[d] - spec_.dimensions[d].min) / spec_.dimensions[d].step;
    return x;
  }

 private:
  bool holds(std::size_t k, double value) const {
    const PlanConstraint& c = spec_.constraints[k];
    if (std::isnan(value)) return false;
    return c.at_most ? value <= c.limit : value >= c.limit;
  }

  void run(const std::vector<Index>& xs, const char* found_by) {
    const std::size_t seeds = spec_.seeds.size();
    std::vector<Scenario> scenarios;
    scenarios.reserve(xs.size() * seeds);
    std::vector<std::vector<std::int64_t>> counts;
    std::vector<std::string> invalid(xs.size());  // why a candidate is no cluster at all
    std::vector<std::size_t> first(xs.size());    // its first scenario
    for (std::size_t n = 0; n < xs.size(); ++n) {
      const Index& x = xs[n];
      std::vector<FieldSetting> settings = quarter_.settings;
      std::vector<std::int64_t> c;
      for (std::size_t d = 0; d < x.size(); ++d) {
        const PlanDimension& dim = spec_.dimensions[d];
        c.push_back(dim.count_at(x[d]));
        settings.push_back({"cluster.node_groups[" + dim.node_group + "].count",
                            make_config_scalar(std::to_string(c.back()), dim.where)});
      }
      counts.push_back(c);
      first[n] = scenarios.size();
      try {
        for (const std::uint64_t seed : spec_.seeds) {
          std::vector<FieldSetting> with_seed = settings;
          with_seed.push_back({"run.seed", make_config_scalar(std::to_string(seed), spec_.where)});
          scenarios.push_back(scenario_with(base_, with_seed, "plan candidate"));
          check_scenario(scenarios.back(), registry_);
        }
      } catch (const InputError& e) {
        // Counts that make no valid cluster (no GPUs at all; a job no node
        // can hold): not a candidate that serves the load.
        invalid[n] = e.what();
        scenarios.resize(first[n]);
      }
    }
    std::vector<const Scenario*> pointers;
    for (const Scenario& s : scenarios) pointers.push_back(&s);
    std::vector<std::optional<PointFigures>> figures(scenarios.size());
    BatchOptions batch;
    batch.threads = options_.threads;
    batch.registry = options_.registry;
    batch.should_stop = options_.should_stop;
    stopped_ =
        run_batch(pointers, batch,
                  [&](std::size_t i, const RunResults& results) { figures[i] = point_figures(i, results.summary); }) ||
        stopped_;
    out_.simulations += scenarios.size();
    for (std::size_t n = 0; n < xs.size(); ++n) {
      PlanCandidate c;
      c.counts = counts[n];
      c.found_by = found_by;
      if (!invalid[n].empty()) {
        c.found_by += " (no valid cluster)";
        c.objective = c.cost_per_month_usd = kNaN;
        c.worst.assign(spec_.constraints.size(), kNaN);
        memo_.emplace(xs[n], out_.evaluated.size());
        out_.evaluated.push_back(std::move(c));
        continue;
      }
      bool complete = true;
      for (std::size_t s = 0; s < seeds; ++s) {
        const auto& f = figures[first[n] + s];
        if (!f || f->status != "complete") {
          complete = false;
          continue;
        }
        c.runs.push_back(*f);
      }
      if (!complete) continue;  // interrupted: not a candidate
      if (!checked_names_) check_names(c.runs.front());
      double objective = 0, cost = 0;
      for (const PointFigures& f : c.runs) {
        objective += f.figure(spec_.objective);
        cost += f.figure("cost_per_month_usd");
      }
      c.objective = objective / static_cast<double>(seeds);
      c.cost_per_month_usd = cost / static_cast<double>(seeds);
      c.feasible = true;
      for (std::size_t k = 0; k < spec_.constraints.size(); ++k) {
        const PlanConstraint& constraint = spec_.constraints[k];
        double worst =
            constraint.at_most ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
        for (const PointFigures& f : c.runs) {
          const double v = f.figure(constraint.metric);
          worst = std::isnan(v) ? v : (constraint.at_most ? std::max(worst, v) : std::min(worst, v));
          if (std::isnan(worst)) break;
        }
        c.worst.push_back(worst);
        if (!holds(k, worst)) c.feasible = false;
      }
      // The price known beforehand must be what the run billed, or the
      // search must not lean on it.
      const double known = known_cost(index_of(c));
      if (!std::isnan(known) && std::fabs(known - c.cost_per_month_usd) > 1e-6 * std::max(1.0, known)) {
        static_prices_ = false;
      }
      memo_.emplace(xs[n], out_.evaluated.size());
      out_.evaluated.push_back(std::move(c));
    }
    if (options_.progress) {
      options_.progress("quarter " + quarter_.name + ": " + std::to_string(out_.evaluated.size()) + " candidates, " +
                        std::to_string(out_.simulations) + " simulations");
    }
  }

  // Every figure the plan names must be one the runs report.
  void check_names(const PointFigures& f) {
    checked_names_ = true;
    std::vector<std::string_view> names;
    for (const auto& [name, value] : f.figures) names.push_back(name);
    const auto check = [&](const std::string& metric, const SourceLocation& where, const std::string& field) {
      if (std::find(names.begin(), names.end(), metric) != names.end()) return;
      const std::string close = closest_word(metric, names);
      throw InputError(where, field,
                       "a figure the runs report (summary.json's metrics, cost_per_month_usd, "
                       "<service>.<figure>" +
                           (close.empty() ? std::string(")") : "; did you mean " + close + "?)"),
                       quote_for_message(metric));
    };
    check(spec_.objective, spec_.objective_where, "plan.objective");
    for (const PlanConstraint& c : spec_.constraints) check(c.metric, c.where, c.field + ".metric");
  }

  const Scenario& base_;
  const PlanSpec& spec_;
  const PlanQuarter& quarter_;
  const PlanOptions& options_;
  QuarterPlan& out_;
  scheduler::PolicyRegistry builtins_;
  const scheduler::PolicyRegistry& registry_;
  std::map<Index, std::size_t> memo_;
  bool stopped_ = false;
  bool checked_names_ = false;
  bool static_prices_ = false;
  double fixed_cost_ = 0;
  std::vector<double> node_cost_;
};

void exhaustive(const PlanSpec& spec, QuarterSearch& search) {
  std::vector<Index> all;
  Index x(spec.dimensions.size(), 0);
  while (true) {
    all.push_back(x);
    std::size_t d = x.size();
    while (d-- > 0) {
      if (++x[d] < spec.dimensions[d].values()) break;
      x[d] = 0;
    }
    if (d == static_cast<std::size_t>(-1)) break;
  }
  search.evaluate(all, "grid");
}

// The smallest value of dimension d in [lo, hi] at which `x` still meets the
// service constraints, given that it does at hi (monotone in d).
std::int64_t bisect(QuarterSearch& search, Index x, std::size_t d, std::int64_t lo, std::int64_t hi,
                    const char* found_by) {
  while (lo < hi && !search.stopped()) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    x[d] = mid;
    if (search.serves(search.evaluate_one(x, found_by))) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return hi;
}

void search_quarter(const PlanSpec& spec, QuarterSearch& search) {
  const std::size_t k = spec.dimensions.size();
  Index top(k);
  for (std::size_t d = 0; d < k; ++d) top[d] = spec.dimensions[d].values() - 1;
  // 1. The largest cluster: if it cannot serve the load, nothing here can.
  if (!search.serves(search.evaluate_one(top, "largest"))) return;
  // 2. Bisection, one group at a time, each group first in turn.
  for (std::size_t r = 0; r < k && !search.stopped(); ++r) {
    Index x = top;
    for (std::size_t step = 0; step < k; ++step) {
      const std::size_t d = (r + step) % k;
      x[d] = bisect(search, x, d, 0, x[d], "bisection");
    }
  }
  // 3. Local search from the best feasible cluster found.
  const PlanCandidate* best = search.best();
  if (best == nullptr) return;
  Index x = search.index_of(*best);
  std::int64_t widest = 1;
  for (const PlanDimension& d : spec.dimensions) widest = std::max(widest, d.values() - 1);
  std::int64_t h = std::max<std::int64_t>(1, widest / 8);
  while (!search.stopped()) {
    const double incumbent = search.best()->objective;
    // Shrink one group.
    std::vector<Index> moves;
    for (std::size_t d = 0; d < k; ++d) {
      if (x[d] == 0) continue;
      Index y = x;
      y[d] = std::max<std::int64_t>(0, x[d] - h);
      moves.push_back(y);
    }
    search.evaluate(moves, "local search");
    // Shrink one, grow another by the least that serves the load again.
    for (std::size_t i = 0; i < k && !search.stopped(); ++i) {
      if (x[i] == 0) continue;
      for (std::size_t j = 0; j < k && !search.stopped(); ++j) {
        if (j == i) continue;
        Index y = x;
        y[i] = std::max<std::int64_t>(0, x[i] - h);
        if (search.serves(search.evaluate_one(y, "local search"))) continue;  // shrinking alone was enough
        // Grow j at most to the top, or, when prices are known, to the
        // largest count still cheaper than the best so far.
        Index z = y;
        z[j] = spec.dimensions[j].values() - 1;
        while (z[j] > x[j] && search.known_cost(z) >= incumbent) --z[j];  // NaN (unknown) compares false
        const std::int64_t upper = z[j];
        if (upper <= x[j]) continue;
        if (!search.serves(search.evaluate_one(z, "local search"))) continue;
        z[j] = bisect(search, y, j, x[j] + 1, upper, "local search");
        search.evaluate_one(z, "local search");
      }
    }
    const PlanCandidate* now = search.best();
    if (now->objective < incumbent) {
      x = search.index_of(*now);
      continue;
    }
    if (h == 1) break;
    h = std::max<std::int64_t>(1, h / 2);
  }
  // 4. The alternatives a planner weighs next: one node more of a group,
  // or one node of a group traded for one of another.
  std::vector<Index> around;
  for (std::size_t i = 0; i < k; ++i) {
    if (x[i] + 1 < spec.dimensions[i].values()) {
      Index y = x;
      ++y[i];
      around.push_back(y);
    }
    for (std::size_t j = 0; j < k; ++j) {
      if (j == i || x[i] == 0 || x[j] + 1 >= spec.dimensions[j].values()) continue;
      Index y = x;
      --y[i];
      ++y[j];
      around.push_back(y);
    }
  }
  search.evaluate(around, "runner-up");
}

void rank(QuarterPlan& plan) {
  std::vector<std::size_t> feasible;
  for (std::size_t i = 0; i < plan.evaluated.size(); ++i) {
    if (plan.evaluated[i].feasible) feasible.push_back(i);
  }
  std::stable_sort(feasible.begin(), feasible.end(), [&](std::size_t a, std::size_t b) {
    const PlanCandidate& x = plan.evaluated[a];
    const PlanCandidate& y = plan.evaluated[b];
    if (x.objective != y.objective) return x.objective < y.objective;
    return x.counts < y.counts;
  });
  if (feasible.empty()) return;
  plan.recommended = feasible.front();
  for (std::size_t r = 1; r < feasible.size() && plan.runner_ups.size() < 3; ++r) {
    plan.runner_ups.push_back(feasible[r]);
  }
}

std::string counts_text(const PlanSpec& spec, const PlanCandidate& c) {
  std::string out;
  for (std::size_t d = 0; d < c.counts.size(); ++d) {
    out += (d ? ", " : "") + spec.dimensions[d].node_group + " " + std::to_string(c.counts[d]);
  }
  return out;
}

// How far a candidate's worst value is inside (positive) or outside its limit.
double margin(const PlanConstraint& c, double worst) {
  return c.at_most ? c.limit - worst : worst - c.limit;
}

}  // namespace

bool grows_with_capacity(std::string_view metric) {
  for (const char* word : {"power", "energy", "kwh", "emissions", "co2", "cost", "usd"}) {
    if (metric.find(word) != std::string_view::npos) return true;
  }
  return false;
}

PlanResult run_plan(const Scenario& base, const PlanSpec& spec, const PlanOptions& options) {
  PlanResult result;
  for (const PlanQuarter& quarter : spec.quarters) {
    QuarterPlan plan;
    QuarterSearch search(base, spec, quarter, options, plan);
    if (options.exhaustive) {
      exhaustive(spec, search);
    } else {
      search_quarter(spec, search);
    }
    rank(plan);
    result.interrupted = result.interrupted || search.stopped();
    result.quarters.push_back(std::move(plan));
    if (result.interrupted) break;
  }
  return result;
}

std::string plan_csv(const PlanSpec& spec, const PlanResult& result) {
  std::string out = "quarter,candidate";
  for (const PlanDimension& d : spec.dimensions) out += "," + csv_field(d.node_group + ".count");
  out += ",cost_per_month_usd";
  if (spec.objective != "cost_per_month_usd") out += "," + csv_field(spec.objective);
  for (const PlanConstraint& c : spec.constraints) out += "," + csv_field(c.metric);
  out += ",feasible,recommended,found_by\n";
  for (const QuarterPlan& q : result.quarters) {
    for (std::size_t i = 0; i < q.evaluated.size(); ++i) {
      const PlanCandidate& c = q.evaluated[i];
      out += csv_field(q.quarter) + "," + std::to_string(i);
      for (const std::int64_t n : c.counts) out += "," + std::to_string(n);
      out += "," + csv_number(c.cost_per_month_usd);
      if (spec.objective != "cost_per_month_usd") out += "," + csv_number(c.objective);
      for (const double w : c.worst) out += "," + csv_number(w);
      out += std::string(",") + (c.feasible ? "1" : "0") + "," + (q.recommended == i ? "1" : "0") + "," + c.found_by +
             "\n";
    }
  }
  return out;
}

std::string plan_json(const PlanSpec& spec, const PlanResult& result) {
  using json = nlohmann::ordered_json;
  const auto value = [](double v) { return std::isnan(v) ? json() : json(v); };
  json root;
  root["objective"] = {{"metric", spec.objective}, {"sense", "min"}};
  json constraints = json::array();
  for (const PlanConstraint& c : spec.constraints) {
    constraints.push_back({{"metric", c.metric}, {"op", c.at_most ? "<=" : ">="}, {"limit", c.limit}});
  }
  root["constraints"] = constraints;
  root["seeds"] = spec.seeds;
  json search = json::array();
  for (const PlanDimension& d : spec.dimensions) {
    search.push_back({{"node_group", d.node_group}, {"min", d.min}, {"max", d.max}, {"step", d.step}});
  }
  root["node_groups"] = search;
  root["interrupted"] = result.interrupted;
  const auto candidate = [&](const PlanCandidate& c) {
    json j;
    json counts;
    for (std::size_t d = 0; d < c.counts.size(); ++d) counts[spec.dimensions[d].node_group] = c.counts[d];
    j["node_counts"] = counts;
    j["cost_per_month_usd"] = value(c.cost_per_month_usd);
    j["objective"] = value(c.objective);
    json margins = json::array();
    for (std::size_t k = 0; k < spec.constraints.size(); ++k) {
      const PlanConstraint& con = spec.constraints[k];
      const double m = margin(con, c.worst[k]);
      margins.push_back({{"metric", con.metric},
                         {"worst", value(c.worst[k])},
                         {"limit", con.limit},
                         {"margin", value(m)},
                         {"margin_pct", value(con.limit != 0 ? 100 * m / std::fabs(con.limit) : kNaN)}});
    }
    j["constraints"] = margins;
    return j;
  };
  json quarters = json::array();
  for (const QuarterPlan& q : result.quarters) {
    json j;
    j["name"] = q.quarter;
    j["recommended"] = q.recommended ? candidate(q.evaluated[*q.recommended]) : json();
    json runner_ups = json::array();
    for (const std::size_t r : q.runner_ups) runner_ups.push_back(candidate(q.evaluated[r]));
    j["runner_ups"] = runner_ups;
    j["candidates"] = q.evaluated.size();
    j["simulations"] = q.simulations;
    j["grid_simulations"] = q.grid_simulations;
    quarters.push_back(j);
  }
  root["quarters"] = quarters;
  return root.dump(2) + "\n";
}

std::string format_plan(const Scenario& base, const PlanSpec& spec, const PlanResult& result) {
  std::string out = "  plan " + base.name + ": minimise " + spec.objective;
  if (!spec.constraints.empty()) {
    out += " subject to ";
    for (std::size_t k = 0; k < spec.constraints.size(); ++k) {
      const PlanConstraint& c = spec.constraints[k];
      out += (k ? ", " : "") + c.metric + (c.at_most ? " <= " : " >= ") + figure_text(c.metric, c.limit);
    }
  }
  out += "\n  every candidate on seeds";
  for (std::size_t s = 0; s < spec.seeds.size(); ++s) out += (s ? ", " : " ") + std::to_string(spec.seeds[s]);
  out += " (constraints must hold on each)\n";
  for (const QuarterPlan& q : result.quarters) {
    out += "\n  quarter " + q.quarter + ": " + std::to_string(q.evaluated.size()) + " candidates, " +
           thousands(static_cast<std::int64_t>(q.simulations)) +
           " simulations (the whole grid: " + thousands(static_cast<std::int64_t>(std::llround(spec.grid_size()))) +
           " candidates x " + std::to_string(spec.seeds.size()) +
           " seeds = " + thousands(static_cast<std::int64_t>(std::llround(q.grid_simulations))) + ")\n";
    if (!q.recommended) {
      out += "    no candidate meets every constraint on every seed";
      const auto largest =
          std::max_element(q.evaluated.begin(), q.evaluated.end(),
                           [](const PlanCandidate& a, const PlanCandidate& b) { return a.counts < b.counts; });
      if (largest != q.evaluated.end()) {
        out += "; the largest cluster (" + counts_text(spec, *largest) + ") gives";
        for (std::size_t k = 0; k < spec.constraints.size(); ++k) {
          out += " " + spec.constraints[k].metric + " " + figure_text(spec.constraints[k].metric, largest->worst[k]);
        }
      }
      out += "\n";
      continue;
    }
    const PlanCandidate& r = q.evaluated[*q.recommended];
    out += "    recommended    " + counts_text(spec, r) + " nodes   $" +
           metric_text({"", "", "", r.cost_per_month_usd}) + " a month";
    if (spec.objective != "cost_per_month_usd")
      out += "   " + spec.objective + " " + figure_text(spec.objective, r.objective);
    out += "\n";
    for (std::size_t k = 0; k < spec.constraints.size(); ++k) {
      const PlanConstraint& c = spec.constraints[k];
      const double m = margin(c, r.worst[k]);
      char pct[32];
      std::snprintf(pct, sizeof pct, "%.1f%%", c.limit != 0 ? 100 * m / std::fabs(c.limit) : 0.0);
      out += "      " + c.metric + ": worst " + figure_text(c.metric, r.worst[k]) + ", limit " +
             figure_text(c.metric, c.limit) + ", margin " + figure_text(c.metric, m) + " (" + pct + ")\n";
    }
    for (std::size_t n = 0; n < q.runner_ups.size(); ++n) {
      const PlanCandidate& u = q.evaluated[q.runner_ups[n]];
      char delta[32];
      std::snprintf(delta, sizeof delta, "%+.1f%%", 100 * (u.objective - r.objective) / std::fabs(r.objective));
      out += std::string(n == 0 ? "    runner-ups     " : "                   ") + counts_text(spec, u) + " nodes   $" +
             metric_text({"", "", "", u.cost_per_month_usd}) + " a month (" + spec.objective + " " + delta + ")\n";
    }
  }
  return out;
}

}  // namespace capsim::sim
