#include "scheduler/queue/max_min_fairness.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace capsim::scheduler {

namespace {

constexpr double kEps = 1e-9;

// A simplex tableau: `rows` constraint rows of `width` entries (the
// columns, then the right-hand side), the reduced costs d (d_j = c_B B^-1
// A_j - c_j, optimal when none is negative) and the basic column of each row.
class Tableau {
 public:
  Tableau(std::size_t rows, std::size_t cols) : rows_(rows), cols_(cols), t_(rows * (cols + 1)), d_(cols + 1) {}
  double& at(std::size_t i, std::size_t j) { return t_[i * (cols_ + 1) + j]; }
  double& rhs(std::size_t i) { return at(i, cols_); }
  double& reduced(std::size_t j) { return d_[j]; }
  double& value() { return d_[cols_]; }
  std::vector<std::size_t> basis;

  // Sets the reduced costs for the objective `c` (one per column).
  void price(const std::vector<double>& c) {
    for (std::size_t j = 0; j <= cols_; ++j) d_[j] = j < cols_ ? -c[j] : 0.0;
    for (std::size_t i = 0; i < rows_; ++i) {
      const double cb = c[basis[i]];
      if (cb == 0) continue;
      for (std::size_t j = 0; j <= cols_; ++j) d_[j] += cb * at(i, j);
    }
  }

  void pivot(std::size_t r, std::size_t e) {
    const double p = at(r, e);
    for (std::size_t j = 0; j <= cols_; ++j) at(r, j) /= p;
    at(r, e) = 1;
    for (std::size_t i = 0; i < rows_; ++i) {
      if (i == r) continue;
      const double f = at(i, e);
      if (f == 0) continue;
      for (std::size_t j = 0; j <= cols_; ++j) at(i, j) -= f * at(r, j);
      at(i, e) = 0;
    }
    const double f = d_[e];
    if (f != 0) {
      for (std::size_t j = 0; j <= cols_; ++j) d_[j] -= f * at(r, j);
      d_[e] = 0;
    }
    basis[r] = e;
  }

  // Maximises over the columns below `usable`. Dantzig's rule (the most
  // negative reduced cost) while pivots make progress; after a run of
  // degenerate pivots, Bland's rule (the lowest column), which cannot cycle.
  void optimise(std::size_t usable) {
    const std::size_t limit = 50 * (rows_ + cols_) + 1000;
    std::size_t degenerate = 0;
    for (std::size_t step = 0;; ++step) {
      CAPSIM_CHECK(step < limit) << "simplex: no optimum after " << limit << " pivots";
      const bool bland = degenerate > rows_;
      std::size_t e = usable;
      for (std::size_t j = 0; j < usable; ++j) {
        if (d_[j] >= -kEps) continue;
        if (e == usable || (!bland && d_[j] < d_[e])) e = j;
        if (bland) break;
      }
      if (e == usable) return;
      std::size_t r = rows_;
      double best = 0;
      for (std::size_t i = 0; i < rows_; ++i) {
        const double a = at(i, e);
        if (a <= kEps) continue;
        const double ratio = std::max(0.0, rhs(i)) / a;
        if (r == rows_ || ratio < best - kEps || (ratio <= best + kEps && basis[i] < basis[r])) {
          r = i;
          best = ratio;
        }
      }
      CAPSIM_CHECK(r < rows_) << "simplex: the program is unbounded";
      degenerate = best <= kEps ? degenerate + 1 : 0;
      pivot(r, e);
    }
  }

 private:
  std::size_t rows_, cols_;
  std::vector<double> t_;
  std::vector<double> d_;
};

}  // namespace

LinearProgramSolution solve_linear_program(const LinearProgram& lp) {
  const std::size_t m = lp.rows, n = lp.cols;
  CAPSIM_CHECK(lp.a.size() == m * n && lp.b.size() == m && lp.c.size() == n) << "simplex: malformed program";
  // Columns: the n variables, a slack per row, an artificial per row whose
  // right-hand side is negative (that row is negated, so every right-hand
  // side is >= 0 and the slacks and artificials make a first basis).
  std::size_t artificials = 0;
  for (const double b : lp.b) artificials += b < 0;
  const std::size_t cols = n + m + artificials;
  Tableau t(m, cols);
  t.basis.resize(m);
  std::size_t next_artificial = n + m;
  for (std::size_t i = 0; i < m; ++i) {
    const double sign = lp.b[i] < 0 ? -1.0 : 1.0;
    for (std::size_t j = 0; j < n; ++j) t.at(i, j) = sign * lp.a[i * n + j];
    t.at(i, n + i) = sign;
    t.rhs(i) = sign * lp.b[i];
    if (lp.b[i] < 0) {
      t.at(i, next_artificial) = 1;
      t.basis[i] = next_artificial++;
    } else {
      t.basis[i] = n + i;
    }
  }
  LinearProgramSolution solution;
  std::vector<double> objective(cols, 0.0);
  if (artificials > 0) {
    // Phase 1: drive the artificials to zero (maximise minus their sum).
    for (std::size_t j = n + m; j < cols; ++j) objective[j] = -1;
    t.price(objective);
    t.optimise(cols);
    double scale = 1;
    for (const double b : lp.b) scale = std::max(scale, std::abs(b));
    if (t.value() < -1e-7 * scale) return solution;  // infeasible
    // An artificial still basic (at zero) leaves the basis through any other
    // column of its row; a row with none is redundant and stays as it is.
    for (std::size_t i = 0; i < m; ++i) {
      if (t.basis[i] < n + m) continue;
      for (std::size_t j = 0; j < n + m; ++j) {
        if (std::abs(t.at(i, j)) > kEps) {
          t.pivot(i, j);
          break;
        }
      }
    }
    std::fill(objective.begin(), objective.end(), 0.0);
  }
  // Phase 2: the objective, artificials out of bounds.
  std::copy(lp.c.begin(), lp.c.end(), objective.begin());
  t.price(objective);
  t.optimise(n + m);
  solution.feasible = true;
  solution.objective = t.value();
  solution.x.assign(n, 0.0);
  for (std::size_t i = 0; i < m; ++i) {
    if (t.basis[i] < n) solution.x[t.basis[i]] = std::max(0.0, t.rhs(i));
  }
  // The dual price of row i is the reduced cost of its slack (for a negated
  // row, the negated slack of the negated row: the same number).
  solution.dual.resize(m);
  for (std::size_t i = 0; i < m; ++i) solution.dual[i] = std::max(0.0, t.reduced(n + i));
  return solution;
}

FairShares max_min_fair_shares(std::span<const FairShareGroup> groups, std::span<const double> capacity) {
  const std::size_t types = capacity.size();
  FairShares result;
  result.level.assign(groups.size(), 0.0);
  result.share.assign(groups.size() * types, 0.0);
  // Variables: x[g][t] where group g can run on t, then the level L.
  struct Var {
    std::size_t group, type;
  };
  std::vector<Var> vars;
  std::vector<std::size_t> active;  // groups that can run somewhere
  for (std::size_t g = 0; g < groups.size(); ++g) {
    CAPSIM_CHECK(groups[g].rate.size() == types && groups[g].jobs > 0 && groups[g].gpus > 0)
        << "max-min fairness: group " << g << " is malformed";
    bool runs = false;
    for (std::size_t t = 0; t < types; ++t) {
      if (groups[g].rate[t] > 0 && capacity[t] > 0) {
        vars.push_back({g, t});
        runs = true;
      }
    }
    if (runs) active.push_back(g);
  }
  if (active.empty()) return result;
  const std::size_t level_var = vars.size();
  // Rows: a utility row per active group (u >= L, or u >= its level once
  // frozen), a time row per active group, a capacity row per type.
  const std::size_t a_rows = active.size();
  LinearProgram lp;
  lp.rows = 2 * a_rows + types;
  lp.cols = vars.size() + 1;
  std::vector<double> frozen(groups.size(), std::numeric_limits<double>::quiet_NaN());
  std::vector<std::size_t> row_of(groups.size(), 0);
  for (std::size_t k = 0; k < a_rows; ++k) row_of[active[k]] = k;
  std::size_t unfrozen = a_rows;
  LinearProgramSolution solution;
  while (unfrozen > 0) {
    lp.a.assign(lp.rows * lp.cols, 0.0);
    lp.b.assign(lp.rows, 0.0);
    lp.c.assign(lp.cols, 0.0);
    lp.c[level_var] = 1;
    for (std::size_t v = 0; v < vars.size(); ++v) {
      const FairShareGroup& group = groups[vars[v].group];
      const std::size_t k = row_of[vars[v].group];
      lp.a[k * lp.cols + v] = -group.rate[vars[v].type];  // L - u <= 0, or -u <= -level
      lp.a[(a_rows + k) * lp.cols + v] = 1;               // sum of time <= 1
      lp.a[(2 * a_rows + vars[v].type) * lp.cols + v] = group.jobs * group.gpus;
    }
    for (std::size_t k = 0; k < a_rows; ++k) {
      const double level = frozen[active[k]];
      if (std::isnan(level)) {
        lp.a[k * lp.cols + level_var] = 1;
      } else {
        // A hair below the level found, so that rounding never makes the
        // program infeasible.
        lp.b[k] = -level * (1 - 1e-9);
      }
      lp.b[a_rows + k] = 1;
    }
    for (std::size_t t = 0; t < types; ++t) lp.b[2 * a_rows + t] = capacity[t];
    solution = solve_linear_program(lp);
    ++result.linear_programs;
    CAPSIM_CHECK(solution.feasible) << "max-min fairness: the frozen levels became infeasible";
    const double level = solution.x[level_var];
    std::size_t froze = 0;
    for (std::size_t k = 0; k < a_rows; ++k) {
      if (!std::isnan(frozen[active[k]]) || solution.dual[k] <= 1e-9) continue;
      frozen[active[k]] = level;
      ++froze;
    }
    if (froze == 0) {  // rounding hid the prices: every group left is at the level
      for (const std::size_t g : active) {
        if (std::isnan(frozen[g])) frozen[g] = level;
      }
      froze = unfrozen;
    }
    unfrozen -= froze;
  }
  for (std::size_t v = 0; v < vars.size(); ++v) {
    result.share[vars[v].group * types + vars[v].type] = solution.x[v];
  }
  for (const std::size_t g : active) {
    double u = 0;
    for (std::size_t t = 0; t < types; ++t) u += groups[g].rate[t] * result.share[g * types + t];
    result.level[g] = u;
  }
  return result;
}

}  // namespace capsim::scheduler
