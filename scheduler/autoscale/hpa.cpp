#include "scheduler/autoscale/hpa.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace capsim::scheduler {

namespace {

// Replica counts are int32 in Kubernetes; proposals are computed wider and
// brought back into range.
std::int32_t to_replicas(double value) {
  if (!(value < static_cast<double>(std::numeric_limits<std::int32_t>::max())))
    return std::numeric_limits<std::int32_t>::max();
  if (!(value > static_cast<double>(std::numeric_limits<std::int32_t>::min())))
    return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int32_t>(value);
}

// Replicas added or removed by the events of the last `period`
// (getReplicasChangePerPeriod: events strictly after now - period).
template <typename Events>
std::int64_t change_within(Time now, Duration period, const Events& events) {
  std::int64_t replicas = 0;
  for (const auto& event : events) {
    if (event.at > now - period) replicas += event.change;
  }
  return replicas;
}

Duration longest_period(const HpaScalingRules& rules) {
  Duration longest;
  for (const HpaScalingPolicy& policy : rules.policies) longest = std::max(longest, policy.period);
  return longest;
}

void check_rules(const HpaScalingRules& rules, const char* direction) {
  CAPSIM_CHECK(rules.stabilization >= Duration() && rules.stabilization <= Duration::hours(1))
      << "hpa " << direction << " stabilization out of range";
  CAPSIM_CHECK(!rules.policies.empty()) << "hpa " << direction << " has no scaling policy";
  for (const HpaScalingPolicy& policy : rules.policies) {
    CAPSIM_CHECK(policy.value > 0) << "hpa " << direction << " policy value " << policy.value;
    CAPSIM_CHECK(policy.period > Duration() && policy.period <= Duration::minutes(30))
        << "hpa " << direction << " policy period out of range";
  }
}

}  // namespace

HpaScalingRules HpaScalingRules::default_scale_up() {
  return {Duration(),
          Select::kMax,
          {{HpaScalingPolicy::Type::kPercent, 100, Duration::seconds(15)},
           {HpaScalingPolicy::Type::kPods, 4, Duration::seconds(15)}}};
}

HpaScalingRules HpaScalingRules::default_scale_down() {
  return {Duration::seconds(300), Select::kMax, {{HpaScalingPolicy::Type::kPercent, 100, Duration::seconds(15)}}};
}

HpaOptions driven_hpa_options(const HpaBehaviour& behaviour, HpaOptions::Metric metric, double target,
                              std::int32_t min_replicas, std::int32_t max_replicas) {
  HpaOptions options;
  static_cast<HpaBehaviour&>(options) = behaviour;
  options.metric = metric;
  options.target = target;
  options.min_replicas = min_replicas;
  options.max_replicas = max_replicas;
  return options;
}

HorizontalPodAutoscaler::HorizontalPodAutoscaler(HpaOptions options) : options_(std::move(options)) {
  CAPSIM_CHECK(options_.target > 0 && std::isfinite(options_.target)) << "hpa target " << options_.target;
  if (options_.metric == HpaOptions::Metric::kUtilisation) {
    CAPSIM_CHECK(std::llround(options_.target * 100) >= 1) << "hpa target utilisation under 1%";
  }
  CAPSIM_CHECK(options_.tolerance >= 0 && options_.tolerance < 1) << "hpa tolerance " << options_.tolerance;
  CAPSIM_CHECK(options_.min_replicas >= 1 && options_.min_replicas <= options_.max_replicas)
      << "hpa replicas " << options_.min_replicas << ".." << options_.max_replicas;
  CAPSIM_CHECK(options_.sync_period > Duration()) << "hpa sync period must be positive";
  check_rules(options_.scale_up, "scale_up");
  check_rules(options_.scale_down, "scale_down");
}

std::optional<std::int32_t> HorizontalPodAutoscaler::metric_proposal(const ServiceMetrics& m) const {
  const std::int32_t current = m.current_replicas;
  const double tolerance = options_.tolerance;
  if (options_.metric == HpaOptions::Metric::kUtilisation) {
    // GetResourceReplicas: the mean utilisation of the ready replicas as an
    // integer percent (Kubernetes divides integer milli-CPU totals) against
    // the target percent.
    if (m.ready_replicas == 0) return std::nullopt;  // "no metrics for any ready pods"
    const double utilisation_percent = std::floor(m.utilisation * 100 + 1e-9);
    const double target_percent = static_cast<double>(std::llround(options_.target * 100));
    const double ratio = utilisation_percent / target_percent;
    const std::int32_t starting = current - m.ready_replicas;
    if (!(starting > 0 && ratio > 1.0)) {
      if (std::abs(1.0 - ratio) <= tolerance) return current;
      return to_replicas(std::ceil(ratio * m.ready_replicas));
    }
    // Scaling up with replicas still starting: count them as idle, and give
    // up when that reverses the direction or falls within the tolerance.
    // (Kubernetes recomputes the integer percent from the raw totals.)
    const double with_starting = std::floor(m.utilisation * 100 * m.ready_replicas / current + 1e-9) / target_percent;
    if (std::abs(1.0 - with_starting) <= tolerance || with_starting < 1.0) return current;
    const std::int32_t proposal = to_replicas(std::ceil(with_starting * current));
    if (proposal < current) return current;
    return proposal;
  }
  // GetExternalPerPodMetricReplicas: the total over the target per replica.
  const double total = options_.metric == HpaOptions::Metric::kRequestRate ? m.request_rate : m.queue_length;
  const double ratio = total / (options_.target * current);  // +inf (or NaN) at 0 replicas
  if (std::abs(1.0 - ratio) <= tolerance) return current;
  return to_replicas(std::ceil(total / options_.target));
}

std::int32_t HorizontalPodAutoscaler::desired_replicas(const ServiceMetrics& m) {
  CAPSIM_CHECK(!last_evaluation_ || m.now > *last_evaluation_) << "hpa evaluated out of time order";
  CAPSIM_CHECK(m.current_replicas >= 0 && m.ready_replicas >= 0 && m.ready_replicas <= m.current_replicas)
      << "hpa: replicas " << m.ready_replicas << " ready of " << m.current_replicas;
  CAPSIM_CHECK(m.utilisation >= 0 && m.request_rate >= 0 && m.queue_length >= 0 && std::isfinite(m.utilisation) &&
               std::isfinite(m.request_rate) && std::isfinite(m.queue_length))
      << "hpa: metrics must be finite and not negative";
  last_evaluation_ = m.now;
  const std::int32_t current = m.current_replicas;
  // recordInitialRecommendation: the replicas at the first reconcile hold a
  // scale-down for one stabilization window.
  if (recommendations_.empty()) recommendations_.push_back({m.now, current});

  std::int32_t desired = 0;
  if (current == 0 && options_.min_replicas != 0) {
    return 0;  // scaled to zero by someone else: autoscaling disabled
  } else if (current > options_.max_replicas) {
    desired = options_.max_replicas;
  } else if (current < options_.min_replicas) {
    desired = options_.min_replicas;
  } else {
    const std::optional<std::int32_t> proposal = metric_proposal(m);
    if (!proposal) return current;  // no metric: no scaling
    desired = limit_rate(m.now, current, stabilize(m.now, current, std::max(0, *proposal)));
  }
  if (desired != current) record_scale_event(m.now, current, desired);
  return desired;
}

std::int32_t HorizontalPodAutoscaler::stabilize(Time now, std::int32_t current, std::int32_t proposal) {
  // stabilizeRecommendationWithBehaviors: scale up no further than the
  // lowest, and down no further than the highest, recommendation made
  // strictly within each direction's window (this one included).
  const Time up_cutoff = now - options_.scale_up.stabilization;
  const Time down_cutoff = now - options_.scale_down.stabilization;
  std::int32_t up = proposal, down = proposal;
  for (const Recommendation& rec : recommendations_) {
    if (rec.at > up_cutoff) up = std::min(up, rec.replicas);
    if (rec.at > down_cutoff) down = std::max(down, rec.replicas);
  }
  std::int32_t recommendation = current;
  if (recommendation < up) recommendation = up;
  if (recommendation > down) recommendation = down;
  // Forget what no window can see again, then remember this proposal.
  const Time oldest = std::min(up_cutoff, down_cutoff);
  std::erase_if(recommendations_, [&](const Recommendation& rec) { return rec.at <= oldest; });
  recommendations_.push_back({now, proposal});
  return recommendation;
}

std::int32_t HorizontalPodAutoscaler::limit_rate(Time now, std::int32_t current, std::int32_t desired) const {
  // convertDesiredReplicasWithBehaviorRate with
  // calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors:
  // each policy limits the change relative to the replicas at the start of
  // its period (current, less what was added, plus what was removed, by the
  // scale events strictly within it).
  const auto period_start = [&](Duration period) {
    return static_cast<std::int64_t>(current) - change_within(now, period, scale_up_events_) +
           change_within(now, period, scale_down_events_);
  };
  if (desired > current) {
    const HpaScalingRules& rules = options_.scale_up;
    std::int64_t limit = current;
    if (rules.select != HpaScalingRules::Select::kDisabled) {
      const bool max = rules.select == HpaScalingRules::Select::kMax;
      limit = max ? std::numeric_limits<std::int32_t>::min() : std::numeric_limits<std::int32_t>::max();
      for (const HpaScalingPolicy& policy : rules.policies) {
        const std::int64_t start = period_start(policy.period);
        const std::int64_t proposed =
            policy.type == HpaScalingPolicy::Type::kPods
                ? start + policy.value
                : static_cast<std::int64_t>(std::ceil(static_cast<double>(start) * (1 + policy.value / 100.0)));
        limit = max ? std::max(limit, proposed) : std::min(limit, proposed);
      }
    }
    limit = std::max<std::int64_t>(limit, current);  // no scale-up until old events age out
    const std::int64_t allowed = std::min<std::int64_t>(options_.max_replicas, limit);
    return desired > allowed ? static_cast<std::int32_t>(allowed) : desired;
  }
  if (desired < current) {
    const HpaScalingRules& rules = options_.scale_down;
    std::int64_t limit = current;
    if (rules.select != HpaScalingRules::Select::kDisabled) {
      // For scaling down, the largest change is the lowest count.
      const bool max = rules.select == HpaScalingRules::Select::kMax;
      limit = max ? std::numeric_limits<std::int32_t>::max() : std::numeric_limits<std::int32_t>::min();
      for (const HpaScalingPolicy& policy : rules.policies) {
        const std::int64_t start = period_start(policy.period);
        // Kubernetes truncates the percent limit toward zero.
        const std::int64_t proposed =
            policy.type == HpaScalingPolicy::Type::kPods
                ? start - policy.value
                : static_cast<std::int64_t>(static_cast<double>(start) * (1 - policy.value / 100.0));
        limit = max ? std::min(limit, proposed) : std::max(limit, proposed);
      }
    }
    limit = std::min<std::int64_t>(limit, current);
    const std::int64_t allowed = std::max<std::int64_t>(options_.min_replicas, limit);
    return desired < allowed ? static_cast<std::int32_t>(allowed) : desired;
  }
  return desired;
}

void HorizontalPodAutoscaler::record_scale_event(Time now, std::int32_t from, std::int32_t to) {
  // storeScaleEvent: events older than the direction's longest policy period
  // no longer count and are dropped.
  const bool up = to > from;
  auto& events = up ? scale_up_events_ : scale_down_events_;
  const Duration keep = longest_period(up ? options_.scale_up : options_.scale_down);
  std::erase_if(events, [&](const ScaleEvent& event) { return event.at <= now - keep; });
  events.push_back({now, up ? to - from : from - to});
}

}  // namespace capsim::scheduler
