// The built-in autoscaling policies, listed once (the Kubernetes in-tree
// registry pattern: explicit, no static-initialisation order), with the
// reading of their parameters. A test checks that every policy file of
// scheduler/autoscale/ is registered here.
#include <cmath>
#include <limits>
#include <string>

#include "scheduler/autoscale/hpa.hpp"
#include "scheduler/autoscale/keda.hpp"
#include "scheduler/autoscale/knative.hpp"
#include "scheduler/autoscale/predictive.hpp"
#include "scheduler/registry.hpp"

namespace capsim::scheduler {

namespace {

constexpr std::int64_t kMaxReplicas = std::numeric_limits<std::int32_t>::max();

std::int32_t int_or(const MapReader& map, std::string_view key, std::int32_t fallback, std::int64_t min) {
  const ConfigNode* node = map.optional(key);
  return node ? static_cast<std::int32_t>(read_int(*node, map.field(key), min, kMaxReplicas)) : fallback;
}

bool bool_or(const MapReader& map, std::string_view key, bool fallback) {
  const ConfigNode* node = map.optional(key);
  return node ? read_bool(*node, map.field(key)) : fallback;
}

// max_replicas must not be below min_replicas.
void check_replica_range(const MapReader& map, std::string_view min_key, std::int32_t min, std::string_view max_key,
                         std::int32_t max) {
  if (max >= min) return;
  const ConfigNode* node = map.optional(max_key);
  const ConfigNode& at = node ? *node : *map.optional(min_key);
  throw InputError(at.where(), map.field(node ? max_key : min_key),
                   std::string(max_key) + " >= " + std::string(min_key) + " (" + std::to_string(min) + " > " +
                       std::to_string(max) + ")",
                   at.describe());
}

// A direction's behaviour (Kubernetes' HPAScalingRules): {stabilization,
// select: max|min|disabled, policies: [{type: pods|percent, value, period}]};
// what is not given keeps Kubernetes' default for the direction.
HpaScalingRules read_rules(const MapReader& parent, std::string_view key, HpaScalingRules rules) {
  const ConfigNode* node = parent.optional(key);
  if (node == nullptr) return rules;
  const MapReader map(*node, parent.field(key), {"stabilization", "select", "policies"});
  rules.stabilization =
      duration_or(map, "stabilization", rules.stabilization, Duration(), Duration::hours(1));  // Kubernetes: 0..3600 s
  if (const ConfigNode* select = map.optional("select")) {
    rules.select =
        static_cast<HpaScalingRules::Select>(read_choice(*select, map.field("select"), {"max", "min", "disabled"}));
  }
  if (const ConfigNode* list = map.optional("policies")) {
    const std::string field = map.field("policies");
    const auto& items = read_list(*list, field, "policies {type: pods|percent, value, period}");
    if (items.empty()) throw InputError(list->where(), field, "at least one policy", "an empty list");
    rules.policies.clear();
    for (std::size_t i = 0; i < items.size(); ++i) {
      const MapReader item(*items[i], field + "[" + std::to_string(i) + "]", {"type", "value", "period"});
      HpaScalingPolicy policy;
      policy.type = read_choice(item.required("type", "pods or percent"), item.field("type"), {"pods", "percent"}) == 0
                        ? HpaScalingPolicy::Type::kPods
                        : HpaScalingPolicy::Type::kPercent;
      policy.value = static_cast<std::int32_t>(
          read_int(item.required("value", "a positive integer"), item.field("value"), 1, kMaxReplicas));
      item.required("period", "a duration above 0s to 30m");
      policy.period = duration_or(item, "period", {}, Duration(), Duration::minutes(30), /*above_min=*/true);
      rules.policies.push_back(policy);
    }
  }
  return rules;
}

// The HPA behaviour keys every HPA-driven policy takes: tolerance,
// sync_period, scale_up, scale_down.
void read_behaviour(const MapReader& map, HpaBehaviour& behaviour) {
  behaviour.tolerance = number_or(map, "tolerance", behaviour.tolerance, 0, 0.99);
  behaviour.sync_period = duration_or(map, "sync_period", behaviour.sync_period, Duration(), Duration::hours(1), true);
  behaviour.scale_up = read_rules(map, "scale_up", behaviour.scale_up);
  behaviour.scale_down = read_rules(map, "scale_down", behaviour.scale_down);
}

std::unique_ptr<AutoscalingPolicy> make_hpa(const PolicyParams& params) {
  HpaOptions options;
  options.max_replicas = 100;
  const auto map = params.reader({"target_utilisation", "target_rate_per_replica", "min_replicas", "max_replicas",
                                  "tolerance", "sync_period", "scale_up", "scale_down"});
  if (map) {
    if (const ConfigNode* rate = map->optional("target_rate_per_replica")) {
      if (map->has("target_utilisation")) {
        throw InputError(rate->where(), map->field("target_rate_per_replica"),
                         "target_utilisation or target_rate_per_replica, not both", "both");
      }
      options.metric = HpaOptions::Metric::kRequestRate;
      options.target = number_or(*map, "target_rate_per_replica", 0, 0, 1e12, /*above_min=*/true);
    } else {
      // Kubernetes' averageUtilization is a whole percent, up to any value.
      options.target = number_or(*map, "target_utilisation", 0.8, 0.01, 100);
    }
    options.min_replicas = int_or(*map, "min_replicas", 1, 1);
    options.max_replicas = int_or(*map, "max_replicas", 100, 1);
    check_replica_range(*map, "min_replicas", options.min_replicas, "max_replicas", options.max_replicas);
    read_behaviour(*map, options);
  }
  return std::make_unique<HorizontalPodAutoscaler>(std::move(options));
}

std::unique_ptr<AutoscalingPolicy> make_keda(const PolicyParams& params) {
  KedaOptions options;
  const auto map = params.reader({"target_queue_per_replica", "activation_queue_length", "min_replicas", "max_replicas",
                                  "polling_interval", "cooldown_period", "initial_cooldown_period", "tolerance",
                                  "sync_period", "scale_up", "scale_down"});
  if (map) {
    options.target_queue_per_replica = number_or(*map, "target_queue_per_replica", 5, 0, 1e12, /*above_min=*/true);
    options.activation_queue_length = number_or(*map, "activation_queue_length", 0, 0, 1e12);
    options.min_replicas = int_or(*map, "min_replicas", 0, 0);
    options.max_replicas = int_or(*map, "max_replicas", 100, 1);
    check_replica_range(*map, "min_replicas", options.min_replicas, "max_replicas", options.max_replicas);
    options.polling_interval =
        duration_or(*map, "polling_interval", options.polling_interval, Duration(), Duration::hours(1), true);
    options.cooldown_period =
        duration_or(*map, "cooldown_period", options.cooldown_period, Duration(), Duration::days(1));
    options.initial_cooldown_period =
        duration_or(*map, "initial_cooldown_period", Duration(), Duration(), Duration::days(1));
    read_behaviour(*map, options);
  }
  return std::make_unique<KedaQueueScaler>(options);
}

std::unique_ptr<AutoscalingPolicy> make_knative(const PolicyParams& params) {
  KnativeOptions options;
  const auto map =
      params.reader({"target_concurrency", "target_utilisation", "stable_window", "panic_window_percentage",
                     "panic_threshold_percentage", "max_scale_up_rate", "max_scale_down_rate", "scale_down_delay",
                     "tick_interval", "min_scale", "max_scale", "enable_scale_to_zero", "scale_to_zero_grace_period"});
  if (map) {
    options.target_concurrency = number_or(*map, "target_concurrency", 100, 0.01, 1e12);
    options.target_utilisation = number_or(*map, "target_utilisation", 0.7, 0.01, 1);
    options.stable_window =
        duration_or(*map, "stable_window", options.stable_window, Duration::seconds(6), Duration::hours(1));
    options.panic_window_percentage = number_or(*map, "panic_window_percentage", 10, 1, 100);
    options.panic_threshold_percentage = number_or(*map, "panic_threshold_percentage", 200, 110, 1000);
    options.max_scale_up_rate = number_or(*map, "max_scale_up_rate", 1000, 1, 1e9, /*above_min=*/true);
    options.max_scale_down_rate = number_or(*map, "max_scale_down_rate", 2, 1, 1e9, /*above_min=*/true);
    options.scale_down_delay = duration_or(*map, "scale_down_delay", Duration(), Duration(), Duration::hours(1));
    options.tick_interval =
        duration_or(*map, "tick_interval", options.tick_interval, Duration(), Duration::minutes(10), true);
    options.min_scale = int_or(*map, "min_scale", 0, 0);
    options.max_scale = int_or(*map, "max_scale", 0, 0);
    if (options.max_scale != 0) {
      check_replica_range(*map, "min_scale", options.min_scale, "max_scale", options.max_scale);
    }
    options.enable_scale_to_zero = bool_or(*map, "enable_scale_to_zero", true);
    options.scale_to_zero_grace_period = duration_or(
        *map, "scale_to_zero_grace_period", options.scale_to_zero_grace_period, Duration(), Duration::hours(1));
  }
  return std::make_unique<KnativeAutoscaler>(options);
}

std::unique_ptr<AutoscalingPolicy> make_predictive(const PolicyParams& params) {
  PredictiveOptions options;
  const auto map = params.reader({"target_rate_per_replica", "lead_time", "step", "season", "history", "refit_every",
                                  "lags", "harmonics", "headroom", "tolerance", "min_replicas", "max_replicas",
                                  "sync_period", "scale_up", "scale_down"});
  if (map) {
    options.target_rate_per_replica = number_or(*map, "target_rate_per_replica", 10, 0, 1e12, /*above_min=*/true);
    options.lead_time = duration_or(*map, "lead_time", options.lead_time, Duration(), Duration::days(1));
    read_behaviour(*map, options);
    options.step = duration_or(*map, "step", options.step, Duration(), Duration::days(1), true);
    if (options.step.count_us() % options.sync_period.count_us() != 0) {
      throw InputError(map->optional("step") ? map->optional("step")->where() : params.node->where(),
                       map->field("step"),
                       "a whole number of sync periods (" + format_duration(options.sync_period) + ")",
                       format_duration(options.step));
    }
    options.season = duration_or(*map, "season", options.season, Duration(), Duration::days(366));
    if (options.season.count_us() % options.step.count_us() != 0) {
      throw InputError(map->optional("season") ? map->optional("season")->where() : params.node->where(),
                       map->field("season"), "a whole number of steps (" + format_duration(options.step) + ")",
                       format_duration(options.season));
    }
    options.history = duration_or(*map, "history", options.history, Duration(), Duration::days(366), true);
    options.refit_every = duration_or(*map, "refit_every", options.refit_every, Duration(), Duration::days(366), true);
    options.lags = int_or(*map, "lags", options.lags, 0);
    options.harmonics = int_or(*map, "harmonics", options.harmonics, 0);
    options.headroom = number_or(*map, "headroom", options.headroom, 0, 100);
    options.min_replicas = int_or(*map, "min_replicas", 1, 1);
    options.max_replicas = int_or(*map, "max_replicas", 100, 1);
    check_replica_range(*map, "min_replicas", options.min_replicas, "max_replicas", options.max_replicas);
  }
  return std::make_unique<PredictiveAutoscaler>(options);
}

}  // namespace

void register_builtin_autoscaling_policies(PolicyRegistry& registry) {
  registry.add_autoscaling(
      "hpa",
      "Kubernetes' Horizontal Pod Autoscaler (autoscaling/v2): ceil(replicas x metric / target) on "
      "target_utilisation (default 0.8) or target_rate_per_replica, tolerance 0.1, min/max_replicas, "
      "scale_up/scale_down stabilization and rate policies (Kubernetes' defaults), sync_period 15s",
      make_hpa);
  registry.add_autoscaling(
      "keda",
      "KEDA's queue scaler: 0 <-> 1 on activation (queue > activation_queue_length, cooldown_period 300s), "
      "then an HPA on ceil(queue_length / target_queue_per_replica) (default 5), min 0, max 100",
      make_keda);
  registry.add_autoscaling(
      "knative",
      "Knative's KPA: ceil(concurrency averaged over stable_window 60s / (target_concurrency 100 x "
      "target_utilisation 0.7)), panic mode on the 6s window at 200%, scale rates 1000x up / 2x down, "
      "scale to zero after 30s",
      make_knative);
  registry.add_autoscaling(
      "predictive",
      "forecast-ahead scaling: the request rate forecast lead_time (5m) ahead by a seasonal autoregression "
      "fitted with Eigen (step 1m, season 1d, lags 3, harmonics 3, history 7d, refit hourly) plus headroom x "
      "its residual RMS, or the rate now if larger, through an HPA on target_rate_per_replica (10)",
      make_predictive);
}

}  // namespace capsim::scheduler
