#include "core/job_class.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/network.hpp"
#include "core/random.hpp"

namespace capsim {

namespace {

constexpr double kCatalogSpeed = std::numeric_limits<double>::quiet_NaN();

JobClassSpec default_class() {
  JobClassSpec spec;
  spec.name = "default";
  return spec;
}

std::vector<std::string> read_names(const ConfigNode& node, const std::string& field, std::string_view what) {
  std::vector<std::string> names;
  const auto& items = read_list(node, field, what);
  for (std::size_t i = 0; i < items.size(); ++i) {
    names.push_back(read_name(*items[i], field + "[" + std::to_string(i) + "]"));
  }
  return names;
}

class ClassAssigningSource final : public JobSource {
 public:
  ClassAssigningSource(std::unique_ptr<JobSource> source, const JobClasses& classes, std::uint64_t seed)
      : source_(std::move(source)), classes_(classes), stream_(RandomStream::derive(seed, "job_class")) {}
  bool next(JobSpec& job) override {
    if (!source_->next(job)) return false;
    if (job.job_class == kUnassignedJobClass) job.job_class = classes_.classify(job, stream_);
    return true;
  }

 private:
  std::unique_ptr<JobSource> source_;
  const JobClasses& classes_;
  RandomStream stream_;
};

}  // namespace

JobClasses::JobClasses() : JobClasses(std::vector<JobClassSpec>{}) {}

JobClasses::JobClasses(std::vector<JobClassSpec> classes) : classes_(std::move(classes)) {
  double total = 0;
  for (std::size_t i = 0; i < classes_.size(); ++i) {
    const JobClassSpec& spec = classes_[i];
    for (const double s : spec.speed) has_speeds_ |= !std::isnan(s);
    if (!spec.catch_all() || spec.weight <= 0) continue;
    total += spec.weight;
    catch_all_.push_back(static_cast<JobClassId>(i));
    catch_all_cumulative_.push_back(total);
  }
  if (catch_all_.empty()) {
    fallback_ = static_cast<JobClassId>(classes_.size());
    classes_.push_back(default_class());
  }
  CAPSIM_CHECK(classes_.size() <= std::numeric_limits<JobClassId>::max()) << "too many job classes";
  for (const JobClassSpec& spec : classes_) {
    for (const ColocatedSpeed& pair : spec.colocated) {
      colocation_types_ = std::max(colocation_types_, static_cast<std::size_t>(pair.gpu_type) + 1);
    }
  }
  if (colocation_types_ == 0) return;
  const std::size_t n = classes_.size();
  colocated_.assign(n * n * colocation_types_, kCatalogSpeed);
  for (std::size_t i = 0; i < n; ++i) {
    for (const ColocatedSpeed& pair : classes_[i].colocated) {
      // A partner named by no class (or a name two classes share: the first)
      // is a pair that can never meet, or meets as the first.
      const auto partner = find(pair.partner);
      if (!partner) continue;
      colocated_[(i * n + *partner) * colocation_types_ + static_cast<std::size_t>(pair.gpu_type)] = pair.fraction;
    }
  }
}

bool JobClasses::has_idle_tails() const {
  return std::any_of(classes_.begin(), classes_.end(), [](const JobClassSpec& c) { return c.idle_tail > 0; });
}

double JobClasses::colocated_fraction(JobClassId id, JobClassId partner, GpuTypeId type) const {
  const auto t = static_cast<std::size_t>(type);
  if (t >= colocation_types_) return kCatalogSpeed;
  return colocated_[(std::size_t{id} * classes_.size() + partner) * colocation_types_ + t];
}

std::optional<JobClassId> JobClasses::find(std::string_view name) const {
  for (std::size_t i = 0; i < classes_.size(); ++i) {
    if (classes_[i].name == name) return static_cast<JobClassId>(i);
  }
  return std::nullopt;
}

double JobClasses::speed(JobClassId id, GpuTypeId type, const GpuCatalog& catalog) const {
  const std::vector<double>& speeds = classes_[id].speed;
  const auto t = static_cast<std::size_t>(type);
  if (t < speeds.size() && !std::isnan(speeds[t])) return speeds[t];
  return catalog.at(type).relative_speed;
}

JobClassId JobClasses::classify(const JobSpec& job, RandomStream& stream) const {
  for (std::size_t i = 0; i < classes_.size(); ++i) {
    const JobClassSpec& spec = classes_[i];
    for (const std::string& user : spec.users) {
      if (user == job.user) return static_cast<JobClassId>(i);
    }
    for (const std::string& queue : spec.queues) {
      if (queue == job.queue) return static_cast<JobClassId>(i);
    }
  }
  if (catch_all_.empty()) return fallback_;
  if (catch_all_.size() == 1) return catch_all_.front();
  return catch_all_[stream.categorical(catch_all_cumulative_)];
}

std::vector<JobClassSpec> read_gavel_classes(const std::filesystem::path& path, const SourceLocation& where,
                                             const std::string& field, const GpuCatalog& catalog, bool colocation) {
  const std::string text = read_text_file(path, std::size_t{64} << 20);
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError({path.string(), 0, 0}, field, "a Gavel throughput file (JSON)", e.what());
  }
  const auto bad = [&](const std::string& expected, const std::string& got) {
    throw InputError({path.string(), 0, 0}, field, expected, got);
  };
  if (!root.is_object() || !root.contains("v100")) bad("a JSON object with a \"v100\" key (Gavel throughputs)", "");
  // Gavel's job types are keys such as "('ResNet-50 (batch size 64)', 1)":
  // a name and a scale factor (GPUs). Single-GPU types only.
  const std::string suffix = "', 1)";
  const auto single_gpu_name = [&](const std::string& key) -> std::optional<std::string> {
    if (key.size() < 2 + suffix.size() || key.compare(0, 2, "('") != 0 ||
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0)
      return std::nullopt;
    return key.substr(2, key.size() - 2 - suffix.size());
  };
  const auto alone = [&](const std::string& gpu, const std::string& key) -> double {
    if (!root.contains(gpu) || !root.at(gpu).contains(key)) return kCatalogSpeed;
    const nlohmann::json& entry = root.at(gpu).at(key);
    if (!entry.is_object() || !entry.contains("null") || !entry.at("null").is_number()) {
      bad("a number of steps per second at " + gpu + " -> " + key + " -> null", entry.dump().substr(0, 80));
    }
    return entry.at("null").get<double>();
  };
  constexpr std::pair<const char*, const char*> kGpus[] = {{"k80", "K80"}, {"p100", "P100"}, {"v100", "V100"}};
  std::vector<JobClassSpec> classes;
  for (const auto& [key, value] : root.at("v100").items()) {
    const std::optional<std::string> name = single_gpu_name(key);
    if (!name) continue;
    const double v100 = alone("v100", key);
    if (!(v100 > 0)) continue;  // not measured on the reference GPU
    JobClassSpec spec;
    spec.name = *name;
    spec.where = where;
    spec.speed.assign(catalog.size(), kCatalogSpeed);
    const double reference = catalog.at(*catalog.find("V100")).relative_speed;
    for (const auto& [gpu, catalog_name] : kGpus) {
      const auto type = catalog.find(catalog_name);
      const double steps = alone(gpu, key);
      if (type && steps > 0) spec.speed[static_cast<std::size_t>(*type)] = reference * steps / v100;
    }
    classes.push_back(std::move(spec));
  }
  if (classes.empty()) bad("at least one single-GPU job type measured on v100", "none");
  if (!colocation) return classes;
  // Pairs sharing a GPU: in K's entry on each type, "P": [K's steps per
  // second, P's], next to K's "null" (alone).
  for (JobClassSpec& spec : classes) {
    const std::string key = "('" + spec.name + suffix;
    for (const auto& [gpu, catalog_name] : kGpus) {
      const auto type = catalog.find(catalog_name);
      const double solo = alone(gpu, key);
      if (!type || !(solo > 0)) continue;
      for (const auto& [partner_key, pair] : root.at(gpu).at(key).items()) {
        if (partner_key == "null") continue;
        const std::optional<std::string> partner = single_gpu_name(partner_key);
        if (!partner) continue;
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number() || !pair[1].is_number() ||
            !(pair[0].get<double>() >= 0) || !(pair[1].get<double>() >= 0)) {
          bad("[own, other]: two steps-per-second numbers, at least 0, at " + std::string(gpu) + " -> " + key + " -> " +
                  partner_key,
              pair.dump().substr(0, 80));
        }
        const double own = pair[0].get<double>();
        if (own == 0) continue;  // the pair did not run together
        spec.colocated.push_back({*partner, *type, own / solo});
      }
    }
  }
  return classes;
}

namespace {

// `iteration: {time: 500ms, gradient: 1.4GB}`.
void read_iteration(const ConfigNode& node, const std::string& field, JobClassSpec& spec) {
  MapReader map(node, field, {"time", "gradient"});
  if (const ConfigNode* v = map.optional("time")) {
    spec.iteration_time = read_duration(*v, map.field("time"));
    if (spec.iteration_time < Duration::microseconds(100) || spec.iteration_time > Duration::hours(24)) {
      throw InputError(v->where(), map.field("time"), "an iteration time from 100us to 24h", v->describe());
    }
  }
  if (const ConfigNode* v = map.optional("gradient")) {
    const std::string expected = "a gradient size such as 1.4GB or 350MiB (bytes up to 1 PB)";
    if (v->kind() != ConfigNode::Kind::kScalar || !parse_bytes(v->scalar(), spec.gradient_bytes) ||
        !(spec.gradient_bytes >= 0 && spec.gradient_bytes <= 1e15)) {
      throw InputError(v->where(), map.field("gradient"), expected, v->describe());
    }
  }
}

}  // namespace

RegionSet read_resident_regions(const ConfigNode& node, const std::string& field, const ClusterSpec& cluster) {
  const RegionSet set = read_region_set(node, field, cluster.regions);
  // A region without nodes would reject every job held to it: a scenario's
  // mistake rather than a policy's outcome.
  for (std::size_t r = 0; r < cluster.regions.size(); ++r) {
    const auto region = static_cast<RegionId>(r);
    if (!set.allows(region)) continue;
    const auto& groups = cluster.node_groups;
    if (std::none_of(groups.begin(), groups.end(),
                     [&](const NodeGroupSpec& g) { return g.region == region && g.count > 0; })) {
      throw InputError(node.where(), field, "regions that hold node groups",
                       quote_for_message(cluster.regions[r].name) + ", where the cluster has no nodes");
    }
  }
  return set;
}

JobClasses parse_job_classes(const ConfigNode* node, const std::string& field, const GpuCatalog& catalog,
                             const ClusterSpec& cluster, const std::filesystem::path& base_dir) {
  if (!node) return JobClasses();
  std::vector<JobClassSpec> classes;
  const auto& items = read_list(*node, field, "job classes");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    MapReader map(*items[i], f,
                  {"name", "gavel", "colocation", "users", "queues", "weight", "priority", "preemptible",
                   "checkpoint_interval", "restore_overhead", "restart_limit", "deadline", "slack", "speed", "kernels",
                   "iteration", "regions", "idle_tail"});
    if (const ConfigNode* value = map.optional("gavel")) {
      const ConfigNode* colocation = map.optional("colocation");
      if (map.node().entries().size() != (colocation ? 2u : 1u)) {
        throw InputError(items[i]->where(), f,
                         "gavel: PATH alone, or with colocation: true|false (the classes come from the file)",
                         "other keys beside it");
      }
      std::filesystem::path path = read_string(*value, map.field("gavel"));
      if (path.is_relative()) path = base_dir / path;
      const bool pairs = colocation == nullptr || read_bool(*colocation, map.field("colocation"));
      for (JobClassSpec& spec : read_gavel_classes(path, value->where(), map.field("gavel"), catalog, pairs)) {
        for (const JobClassSpec& other : classes) {
          if (other.name == spec.name) {
            throw InputError(value->where(), map.field("gavel"), "job types no other class names",
                             "a second class " + quote_for_message(spec.name));
          }
        }
        classes.push_back(std::move(spec));
      }
      continue;
    }
    if (const ConfigNode* v = map.optional("colocation")) {
      throw InputError(v->where(), map.field("colocation"), "colocation: only beside gavel: PATH", v->describe());
    }
    JobClassSpec spec;
    spec.where = items[i]->where();
    spec.name = read_name(map.required("name", "the class's name"), map.field("name"));
    if (const ConfigNode* v = map.optional("users")) spec.users = read_names(*v, map.field("users"), "user names");
    if (const ConfigNode* v = map.optional("queues")) spec.queues = read_names(*v, map.field("queues"), "queue names");
    if (const ConfigNode* v = map.optional("weight")) spec.weight = read_number(*v, map.field("weight"), 0, 1e12);
    if (const ConfigNode* v = map.optional("priority")) {
      spec.priority = static_cast<std::int32_t>(read_int(*v, map.field("priority"), -1'000'000, 1'000'000));
    }
    if (const ConfigNode* v = map.optional("preemptible")) spec.preemptible = read_bool(*v, map.field("preemptible"));
    if (const ConfigNode* v = map.optional("checkpoint_interval")) {
      spec.checkpoint_interval = read_duration(*v, map.field("checkpoint_interval"));
    }
    if (const ConfigNode* v = map.optional("restore_overhead")) {
      spec.restore_overhead = read_duration(*v, map.field("restore_overhead"));
    }
    if (const ConfigNode* v = map.optional("restart_limit")) {
      spec.restart_limit = static_cast<std::int32_t>(read_int(*v, map.field("restart_limit"), 0, 1'000'000));
    }
    for (const auto& [key, out] : {std::pair{"deadline", &spec.deadline}, {"slack", &spec.slack}}) {
      const ConfigNode* v = map.optional(key);
      if (v == nullptr) continue;
      const Duration d = read_duration(*v, map.field(key));
      if (d <= Duration() || d > Duration::hours(24 * 365)) {
        throw InputError(v->where(), map.field(key), "a duration above 0s, at most a year", format_duration(d));
      }
      *out = d;
    }
    if (spec.deadline && spec.slack) {
      throw InputError(map.optional("slack")->where(), map.field("slack"),
                       "deadline or slack, not both (a deadline after submission, or slack beyond the run)", "both");
    }
    if (const ConfigNode* v = map.optional("speed")) {
      spec.speed.assign(catalog.size(), kCatalogSpeed);
      if (v->kind() != ConfigNode::Kind::kMap) {
        throw InputError(v->where(), map.field("speed"),
                         "a map of GPU type to relative speed, e.g. {V100: 1, K80: 0.3}", v->describe());
      }
      for (const auto& entry : v->entries()) {
        const std::string ef = map.field("speed") + "." + entry.key;
        const auto type = catalog.find(entry.key);
        if (!type) {
          throw InputError(entry.value->where(), ef, "a GPU type of the catalog: " + catalog.names(),
                           quote_for_message(entry.key));
        }
        spec.speed[static_cast<std::size_t>(*type)] = read_number(*entry.value, ef, 1e-9, 1e9);
      }
    }
    if (const ConfigNode* v = map.optional("kernels")) spec.kernels = parse_kernel_mix(*v, map.field("kernels"));
    if (const ConfigNode* v = map.optional("iteration")) read_iteration(*v, map.field("iteration"), spec);
    if (const ConfigNode* v = map.optional("regions"))
      spec.regions = read_resident_regions(*v, map.field("regions"), cluster);
    if (const ConfigNode* v = map.optional("idle_tail")) {
      // Below 1: a job that is all tail would never compute, and never hold
      // its GPUs for a reason.
      const std::string expected = "a share of the run time from 0 up to (not including) 1, such as 0.4";
      if (v->kind() != ConfigNode::Kind::kScalar || v->quoted() || !parse_number(v->scalar(), spec.idle_tail) ||
          !(spec.idle_tail >= 0 && spec.idle_tail < 1)) {
        throw InputError(v->where(), map.field("idle_tail"), expected, v->describe());
      }
    }
    for (const JobClassSpec& other : classes) {
      if (other.name == spec.name) {
        throw InputError(map.node().find("name")->value->where(), map.field("name"), "a name no other class has",
                         quote_for_message(spec.name));
      }
    }
    classes.push_back(std::move(spec));
  }
  return JobClasses(std::move(classes));
}

std::unique_ptr<JobSource> assign_job_classes(std::unique_ptr<JobSource> source, const JobClasses& classes,
                                              std::uint64_t seed) {
  return std::make_unique<ClassAssigningSource>(std::move(source), classes, seed);
}

}  // namespace capsim
