// The built-in queue policies, listed once (the Kubernetes in-tree registry
// pattern: explicit, no static-initialisation order). A test checks that every
// policy file of scheduler/queue/ is registered here.
#include <cmath>
#include <limits>
#include <string>

#include "scheduler/queue/drf.hpp"
#include "scheduler/queue/easy.hpp"
#include "scheduler/queue/fifo.hpp"
#include "scheduler/queue/gavel.hpp"
#include "scheduler/queue/helios.hpp"
#include "scheduler/queue/preemption.hpp"
#include "scheduler/queue/priority.hpp"
#include "scheduler/queue/quota.hpp"
#include "scheduler/queue/sjf.hpp"
#include "scheduler/queue/srtf.hpp"
#include "scheduler/queue/themis.hpp"
#include "scheduler/queue/tiresias.hpp"
#include "scheduler/registry.hpp"

namespace capsim::scheduler {

namespace {

bool optional_bool(const MapReader& map, std::string_view key, bool fallback) {
  const ConfigNode* value = map.optional(key);
  return value ? read_bool(*value, map.field(key)) : fallback;
}

// A map of tenant name to a number in [min, max] ("default" for the others),
// or, where `scalar_as_default`, one number for every tenant.
std::map<std::string, double, std::less<>> read_tenant_numbers(const ConfigNode& node, const std::string& field,
                                                               double min, double max, bool scalar_as_default) {
  std::map<std::string, double, std::less<>> result;
  if (scalar_as_default && node.kind() == ConfigNode::Kind::kScalar) {
    result["default"] = read_number(node, field, min, max);
    return result;
  }
  if (node.kind() != ConfigNode::Kind::kMap) {
    throw InputError(node.where(), field,
                     scalar_as_default ? "a number, or a map of tenant name to number (default: for the others)"
                                       : "a map of tenant name to number (default: for the others)",
                     node.describe());
  }
  for (const ConfigNode::Entry& entry : node.entries()) {
    result[entry.key] = read_number(*entry.value, field + "." + entry.key, min, max);
  }
  return result;
}

bool read_skip_blocked(const std::optional<MapReader>& map) {
  if (!map) return false;
  const ConfigNode* value = map->optional("skip_blocked");
  return value != nullptr && read_bool(*value, map->field("skip_blocked"));
}

bool read_by_gpu_time(const std::optional<MapReader>& map) {
  return read_choice(map, "by", {"time", "gpu_time"}, 0) == 1;
}

// A positive duration.
Duration read_positive_duration(const MapReader& map, std::string_view key) {
  const ConfigNode& value = *map.optional(key);
  const Duration d = read_duration(value, map.field(key));
  if (d <= Duration()) throw InputError(value.where(), map.field(key), "a positive duration", value.describe());
  return d;
}

// Tiresias' thresholds: increasing positive GPU-seconds, given as numbers
// (GPU-seconds) or durations (1h: one GPU-hour).
std::vector<double> read_thresholds(const MapReader& map) {
  const std::string field = map.field("queue_thresholds");
  const ConfigNode& list = *map.optional("queue_thresholds");
  std::vector<double> thresholds;
  const auto& items = read_list(list, field, "GPU-seconds (numbers) or GPU-time (durations such as 1h)");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const ConfigNode& item = *items[i];
    const std::string item_field = field + "[" + std::to_string(i) + "]";
    double seconds = 0;
    if (item.kind() != ConfigNode::Kind::kScalar || !parse_number(item.scalar(), seconds)) {
      seconds = read_duration(item, item_field).to_seconds();
    }
    const bool increasing = thresholds.empty() || seconds > thresholds.back();
    if (!(seconds > 0) || !std::isfinite(seconds) || !increasing) {
      throw InputError(item.where(), item_field, "a positive GPU-time, larger than the threshold before it",
                       item.describe());
    }
    thresholds.push_back(seconds);
  }
  return thresholds;
}

}  // namespace

void register_builtin_queue_policies(PolicyRegistry& registry) {
  registry.add_queue("fifo", "jobs in submit order; strict unless skip_blocked: true", [](const PolicyParams& params) {
    return std::make_unique<FifoQueue>(read_skip_blocked(params.reader({"skip_blocked"})));
  });
  registry.add_queue("sjf",
                     "shortest job first, non-preemptive: duration oracle|estimate, by time|gpu_time; strict unless "
                     "skip_blocked: true",
                     [](const PolicyParams& params) {
                       const auto map = params.reader({"duration", "missing_estimate", "by", "skip_blocked"});
                       return std::make_unique<SjfQueue>(SjfQueue::Options{.duration = read_duration_choice(map),
                                                                           .gpu_time = read_by_gpu_time(map),
                                                                           .skip_blocked = read_skip_blocked(map)});
                     });
  registry.add_queue(
      "srtf",
      "shortest remaining time first, preemptive (stops only strictly longer jobs): duration oracle|estimate, "
      "by time|gpu_time",
      [](const PolicyParams& params) {
        const auto map = params.reader({"duration", "missing_estimate", "by"});
        return std::make_unique<SrtfQueue>(
            SrtfQueue::Options{.duration = read_duration_choice(map), .gpu_time = read_by_gpu_time(map)});
      });
  registry.add_queue(
      "tiresias",
      "Tiresias' discretized 2D-LAS (NSDI'19): queues by attained GPU-time (queue_thresholds, default [1h]), "
      "preemptive across queues, starvation guard starve_limit (default 8)",
      [](const PolicyParams& params) {
        TiresiasQueue::Options options;
        if (const auto map = params.reader({"queue_thresholds", "starve_limit", "starve_basis"})) {
          options.starve_since_promotion = read_choice(map, "starve_basis", {"last_run", "since_promotion"}, 0) == 1;
          if (map->has("queue_thresholds")) options.thresholds_gpu_seconds = read_thresholds(*map);
          if (const ConfigNode* value = map->optional("starve_limit")) {
            options.starve_limit = read_number(*value, map->field("starve_limit"), 0, 1e9);
          }
        }
        return std::make_unique<TiresiasQueue>(std::move(options));
      });
  registry.add_queue("helios",
                     "Helios' quasi-shortest-service-first (SC'21): estimated GPU time from the user's ended jobs, "
                     "non-preemptive; strict unless skip_blocked: true",
                     [](const PolicyParams& params) {
                       HeliosQueue::Options options;
                       if (const auto map = params.reader({"default_duration", "skip_blocked"})) {
                         if (map->has("default_duration"))
                           options.default_duration = read_positive_duration(*map, "default_duration");
                         options.skip_blocked = read_skip_blocked(map);
                       }
                       return std::make_unique<HeliosQueue>(options);
                     });
  registry.add_queue("themis",
                     "Themis' finish-time fairness (NSDI'20): worst rho first, leases (default 10min) after which "
                     "a job may be stopped for one of higher rho; duration oracle|estimate",
                     [](const PolicyParams& params) {
                       ThemisQueue::Options options;
                       if (const auto map = params.reader({"duration", "lease"})) {
                         options.duration = read_duration_choice(map, /*with_missing=*/false);
                         if (map->has("lease")) options.lease = read_positive_duration(*map, "lease");
                       }
                       return std::make_unique<ThemisQueue>(options);
                     });
  registry.add_queue("gavel",
                     "Gavel's heterogeneity-aware max-min fairness (OSDI'20): time shares per GPU type from the "
                     "job class x GPU type throughputs, realised in rounds (default 6min) by preemption and "
                     "migration",
                     [](const PolicyParams& params) {
                       GavelQueue::Options options;
                       if (const auto map = params.reader({"round"})) {
                         if (map->has("round")) options.round = read_positive_duration(*map, "round");
                       }
                       return std::make_unique<GavelQueue>(options, params.job_classes, params.catalog);
                     });
  registry.add_queue("priority",
                     "strict priority classes (job class priority, then FIFO); a job that does not fit preempts "
                     "lower-priority jobs (preemption: true), strict unless skip_blocked: true",
                     [](const PolicyParams& params) {
                       bool preemption = true, skip_blocked = false;
                       if (const auto map = params.reader({"preemption", "skip_blocked"})) {
                         preemption = optional_bool(*map, "preemption", true);
                         skip_blocked = optional_bool(*map, "skip_blocked", false);
                       }
                       return std::make_unique<PriorityQueue>(preemption, skip_blocked);
                     });
  registry.add_queue(
      "quota",
      "per-tenant nominal GPU quotas (quota: or share:, with default:), borrowing of idle quota up to "
      "borrowing_limit, reclaim by preemption of borrowed jobs (Kueue, YARN capacity scheduler)",
      [](const PolicyParams& params) {
        QuotaConfig config;
        if (const auto map = params.reader({"quota", "share", "borrowing_limit", "reclaim", "order", "queueing"})) {
          if (const ConfigNode* v = map->optional("quota")) {
            config.quota_gpus = read_tenant_numbers(*v, map->field("quota"), 0, 1e9, false);
          }
          if (const ConfigNode* v = map->optional("share")) {
            if (!config.quota_gpus.empty()) {
              throw InputError(v->where(), map->field("share"), "quota: or share:, not both", "both");
            }
            config.share = read_tenant_numbers(*v, map->field("share"), 0, 1, false);
          }
          if (const ConfigNode* v = map->optional("borrowing_limit")) {
            config.borrowing_limit_gpus = read_tenant_numbers(*v, map->field("borrowing_limit"), 0, 1e9, true);
          }
          config.reclaim = optional_bool(*map, "reclaim", true);
          if (const ConfigNode* v = map->optional("order")) {
            config.priority_order = read_choice(*v, map->field("order"), {"fifo", "priority"}) == 1;
          }
          if (const ConfigNode* v = map->optional("queueing")) {
            config.strict_fifo = read_choice(*v, map->field("queueing"), {"best_effort_fifo", "strict_fifo"}) == 1;
          }
        }
        return std::make_unique<QuotaQueue>(std::move(config));
      });
  registry.add_queue("drf",
                     "Dominant Resource Fairness over GPUs, CPU and memory: the user (by: user) or tenant "
                     "(by: tenant) with the lowest dominant share first; non-preemptive",
                     [](const PolicyParams& params) {
                       DrfQueue::By by = DrfQueue::By::kUser;
                       if (const auto map = params.reader({"by"})) {
                         if (const ConfigNode* v = map->optional("by")) {
                           if (read_choice(*v, map->field("by"), {"user", "tenant"}) == 1) by = DrfQueue::By::kTenant;
                         }
                       }
                       return std::make_unique<DrfQueue>(by);
                     });
  registry.add_queue("easy",
                     "EASY backfilling: FIFO, the first blocked job reserves the earliest time enough GPUs free "
                     "up (user estimates; no_estimate: recorded or a duration), later jobs start only if they "
                     "do not delay it",
                     [](const PolicyParams& params) {
                       std::optional<Duration> default_estimate;
                       if (const auto map = params.reader({"no_estimate"})) {
                         if (const ConfigNode* v = map->optional("no_estimate")) {
                           if (v->kind() == ConfigNode::Kind::kScalar && !v->quoted() && v->scalar() == "recorded") {
                             default_estimate.reset();
                           } else {
                             default_estimate = read_duration(*v, map->field("no_estimate"));
                           }
                         }
                       }
                       return std::make_unique<EasyBackfillQueue>(default_estimate);
                     });
}

}  // namespace capsim::scheduler
