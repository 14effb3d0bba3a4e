// The built-in queue policies, listed once (the Kubernetes in-tree registry
// pattern: explicit, no static-initialisation order). A test checks that every
// policy file of scheduler/queue/ is registered here.
#include "scheduler/queue/drf.hpp"
#include "scheduler/queue/easy.hpp"
#include "scheduler/queue/fifo.hpp"
#include "scheduler/queue/priority.hpp"
#include "scheduler/queue/quota.hpp"
#include "scheduler/registry.hpp"

namespace capsim::scheduler {

namespace {

bool optional_bool(const MapReader& map, std::string_view key, bool fallback) {
  const ConfigNode* value = map.optional(key);
  return value ? read_bool(*value, map.field(key)) : fallback;
}

// One of `words`, by its index.
std::size_t read_choice(const ConfigNode& node, const std::string& field,
                        std::initializer_list<std::string_view> words) {
  const std::string text = read_string(node, field);
  std::size_t i = 0;
  std::string expected;
  for (const std::string_view word : words) {
    if (text == word) return i;
    expected += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + std::string(word);
    ++i;
  }
  throw InputError(node.where(), field, expected, quote_for_message(text));
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

}  // namespace

void register_builtin_queue_policies(PolicyRegistry& registry) {
  registry.add_queue("fifo", "jobs in submit order; strict unless skip_blocked: true", [](const PolicyParams& params) {
    bool skip_blocked = false;
    if (const auto map = params.reader({"skip_blocked"})) skip_blocked = optional_bool(*map, "skip_blocked", false);
    return std::make_unique<FifoQueue>(skip_blocked);
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
