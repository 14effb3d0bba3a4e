#include "sim/service_queue.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <queue>
#include <utility>

#include "core/error.hpp"
#include "core/random.hpp"

namespace capsim::sim {
namespace {

// P(X <= x) for X ~ Exp(rate).
double exponential_cdf(double rate, double x) {
  return x <= 0 ? 0.0 : 1 - std::exp(-rate * x);
}

// P(A + B <= x) for independent A ~ Exp(a), B ~ Exp(b) (hypoexponential).
double hypoexponential_cdf(double a, double b, double x) {
  if (x <= 0) return 0;
  if (std::abs(a - b) <= 1e-9 * std::max(a, b)) return 1 - std::exp(-a * x) * (1 + a * x);
  return 1 - (b * std::exp(-a * x) - a * std::exp(-b * x)) / (b - a);
}

// The smallest x with cdf(x) >= q (cdf increasing to 1).
template <typename Cdf>
double quantile_of(const Cdf& cdf, double q) {
  double low = 0, high = 1e-3;
  while (cdf(high) < q && high < 1e12) high *= 2;
  for (int i = 0; i < 200 && high - low > 1e-12 * high; ++i) {
    const double mid = (low + high) / 2;
    (cdf(mid) >= q ? high : low) = mid;
  }
  return high;
}

// Requests that arrived while a backlog stood: waits spread evenly between
// two values (the backlog falls or grows linearly), then a slot at full
// batch. P(latency <= x), averaged over the waits.
double backlog_latency_cdf(double wait_low, double wait_high, double service_rate, double x) {
  constexpr int kPoints = 64;
  double sum = 0;
  for (int i = 0; i < kPoints; ++i) {
    const double wait = wait_low + (wait_high - wait_low) * (i + 0.5) / kPoints;
    sum += exponential_cdf(service_rate, x - wait);
  }
  return sum / kPoints;
}

}  // namespace

double ServiceQueueModel::completion_rate(std::int64_t held) const {
  const auto k = static_cast<std::int32_t>(std::min<std::int64_t>(held, max_batch));
  if (k <= 0) return 0;
  return k * step_time_s(1) / (step_time_s(k) * work_s);
}

double ReplicaSteadyState::latency_cdf(double x) const {
  const double service_rate = 1 / mean_service_s;
  double p = (1 - wait_probability) * exponential_cdf(service_rate, x);
  if (wait_probability > 0) p += wait_probability * hypoexponential_cdf(wait_tail_rate, service_rate, x);
  return p;
}

double ReplicaSteadyState::latency_quantile(double q) const {
  return quantile_of([this](double x) { return latency_cdf(x); }, q);
}

double ReplicaSteadyState::ttft_cdf(double x, double prefill_s) const {
  if (x < prefill_s) return 0;
  return 1 - wait_probability * std::exp(-wait_tail_rate * (x - prefill_s));
}

double ReplicaSteadyState::tpot_cdf(double x) const {
  double p = 0;
  for (std::size_t k = 1; k < token_share.size(); ++k) {
    if (step_s[k] <= x) p += token_share[k];
  }
  return p;
}

double ReplicaSteadyState::tpot_quantile(double q) const {
  double p = 0;
  for (std::size_t k = 1; k < token_share.size(); ++k) {
    p += token_share[k];
    if (p >= q - 1e-12) return step_s[k];
  }
  return step_s.empty() ? 0.0 : step_s.back();
}

ReplicaSteadyState replica_steady_state(const ServiceQueueModel& model, double arrival_rate) {
  const double capacity = model.replica_capacity();
  CAPSIM_CHECK(arrival_rate > 0 && arrival_rate < capacity)
      << "a replica's steady state at " << arrival_rate << " requests/s of " << capacity;
  // Unnormalised P(N = k): p_k = p_{k-1} lambda / c(k) up to the batch;
  // beyond it p_B r^j with r = lambda / c(B).
  const std::int32_t batch = model.max_batch;
  std::vector<double> p(static_cast<std::size_t>(batch) + 1);
  p[0] = 1;
  for (std::int32_t k = 1; k <= batch; ++k) p[k] = p[k - 1] * arrival_rate / model.completion_rate(k);
  const double r = arrival_rate / capacity;
  const double pb = p[batch];
  double total = pb * r / (1 - r);
  double held = pb * (batch * r / (1 - r) + r / ((1 - r) * (1 - r)));
  double serving = pb * batch * r / (1 - r);
  for (std::int32_t k = 0; k <= batch; ++k) {
    total += p[k];
    held += k * p[k];
    serving += k * p[k];
  }
  ReplicaSteadyState s;
  s.mean_held = held / total;
  s.mean_waiting = pb * r / ((1 - r) * (1 - r)) / total;
  s.wait_probability = pb / (1 - r) / total;
  s.wait_tail_rate = capacity - arrival_rate;
  s.mean_latency_s = s.mean_held / arrival_rate;
  s.mean_service_s = (s.mean_held - s.mean_waiting) / arrival_rate;
  s.busy_probability = 1 - p[0] / total;
  s.mean_batch = serving / total / s.busy_probability;
  // Tokens by the batch of their step: at batch k < B the chain is in state
  // k; at B in any state from B on (mass p_B / (1 - r)).
  s.token_share.assign(static_cast<std::size_t>(batch) + 1, 0.0);
  s.step_s.assign(static_cast<std::size_t>(batch) + 1, 0.0);
  double tokens = 0, token_time = 0;
  for (std::int32_t k = 1; k <= batch; ++k) {
    const double time_at_k = k < batch ? p[k] : pb / (1 - r);
    s.step_s[k] = model.step_time_s(k);
    s.token_share[k] = time_at_k * k / s.step_s[k];
    tokens += s.token_share[k];
    token_time += time_at_k * k;
  }
  for (double& share : s.token_share) share /= tokens;
  s.mean_tpot_s = token_time / tokens;
  return s;
}

IntervalService serve_interval(const ServiceQueueModel& model, const IntervalLoad& load, const ServiceObjectives& slo) {
  CAPSIM_CHECK(load.seconds > 0 && load.arrival_rate >= 0 && load.replicas >= 0 && load.backlog >= 0)
      << "an interval of " << load.seconds << " s at " << load.arrival_rate << " requests/s";
  IntervalService out;
  const double lambda = load.arrival_rate, period = load.seconds;
  const double capacity = load.replicas * model.replica_capacity();
  const double full_service_rate = model.replica_capacity() / model.max_batch;  // 1 / a request's time at full batch
  out.arrived = lambda * period;
  // The requests of the interval: those that met a backlog (`backlog_mass`,
  // waits between two values) and those that met the steady state.
  double backlog_mass = 0, wait_low = 0, wait_high = 0;
  double steady_mass = 0;
  ReplicaSteadyState steady;
  double backlog_time = 0;
  if (lambda >= capacity) {
    backlog_time = period;
    const double grown = load.backlog + (lambda - capacity) * period;
    out.backlog = std::min(grown, model.queue_limit);
    out.dropped = std::max(0.0, grown - model.queue_limit);
    out.served = capacity * period;
    backlog_mass = out.arrived - out.dropped;
    if (capacity > 0) {
      wait_low = load.backlog / capacity;
      wait_high = out.backlog / capacity;
    } else {
      wait_low = wait_high = std::numeric_limits<double>::infinity();
    }
    out.mean_batch = load.replicas > 0 ? model.max_batch : 0.0;
  } else {
    backlog_time = std::min(period, load.backlog / (capacity - lambda));
    out.backlog = std::max(0.0, load.backlog - (capacity - lambda) * backlog_time);
    out.served = capacity * backlog_time + lambda * (period - backlog_time);
    backlog_mass = lambda * backlog_time;
    wait_low = out.backlog / capacity;
    wait_high = load.backlog / capacity;
    steady_mass = lambda * (period - backlog_time);
    if (lambda > 0) steady = replica_steady_state(model, lambda / load.replicas);
    const double busy_time = backlog_time + (period - backlog_time) * steady.busy_probability;
    out.mean_batch =
        busy_time > 0
            ? (backlog_time * model.max_batch + (period - backlog_time) * steady.busy_probability * steady.mean_batch) /
                  busy_time
            : 0.0;
  }
  out.utilisation =
      load.replicas > 0 ? (backlog_time + (period - backlog_time) * steady.busy_probability) / period : 0.0;
  // At the interval's end: a backlog fills every slot; otherwise the steady
  // state holds.
  if (out.backlog > 0 || lambda >= capacity) {
    out.waiting = out.backlog;
    out.in_flight = out.backlog + static_cast<double>(load.replicas) * model.max_batch;
  } else {
    out.waiting = load.replicas * steady.mean_waiting;
    out.in_flight = load.replicas * steady.mean_held;
  }
  const double mass = backlog_mass + steady_mass;
  if (mass <= 0) return out;
  if (!std::isfinite(wait_low)) {
    // No replica: nothing is served.
    out.mean_latency_s = out.p50_latency_s = out.p95_latency_s = out.p99_latency_s = out.p50_ttft_s = out.p99_ttft_s =
        std::numeric_limits<double>::infinity();
    out.latency_attainment = out.ttft_attainment = out.slo_attainment = 0;
    return out;
  }
  // Served requests with latency at most x, as a fraction of those kept.
  const auto cdf = [&](double x) {
    double n = 0;
    if (backlog_mass > 0) n += backlog_mass * backlog_latency_cdf(wait_low, wait_high, full_service_rate, x);
    if (steady_mass > 0) n += steady_mass * steady.latency_cdf(x);
    return n / mass;
  };
  out.mean_latency_s =
      (backlog_mass * ((wait_low + wait_high) / 2 + 1 / full_service_rate) + steady_mass * steady.mean_latency_s) /
      mass;
  out.p50_latency_s = quantile_of(cdf, 0.50);
  out.p95_latency_s = quantile_of(cdf, 0.95);
  out.p99_latency_s = quantile_of(cdf, 0.99);
  // Time to first token: the wait (spread evenly between two values behind
  // a backlog), then the prefill.
  const auto ttft_cdf = [&](double x) {
    double n = 0;
    if (backlog_mass > 0) {
      const double w = x - model.prefill_s;
      double below = w >= wait_high ? 1.0 : 0.0;
      if (w > wait_low && w < wait_high) below = (w - wait_low) / (wait_high - wait_low);
      n += backlog_mass * below;
    }
    if (steady_mass > 0) n += steady_mass * steady.ttft_cdf(x, model.prefill_s);
    return n / mass;
  };
  out.p50_ttft_s = quantile_of(ttft_cdf, 0.50);
  out.p99_ttft_s = quantile_of(ttft_cdf, 0.99);
  // Time per output token: behind a backlog every step is at full batch.
  const double full_step = model.step_time_s(model.max_batch);
  const auto tpot_cdf = [&](double x) {
    double n = 0;
    if (backlog_mass > 0 && full_step <= x) n += backlog_mass;
    if (steady_mass > 0) n += steady_mass * steady.tpot_cdf(x);
    return n / mass;
  };
  out.mean_tpot_s = (backlog_mass * full_step + steady_mass * steady.mean_tpot_s) / mass;
  out.p99_tpot_s = steady_mass > 0 && backlog_mass == 0 ? steady.tpot_quantile(0.99) : full_step;
  if (steady_mass > 0 && backlog_mass > 0 && steady_mass / mass > 0.99) {
    out.p99_tpot_s = steady.tpot_quantile(1 - 0.01 * mass / steady_mass);
  }
  const double kept = mass / out.arrived;  // the share not dropped
  const auto share_within = [&](const auto& f, double limit) { return std::isinf(limit) ? 1.0 : f(limit); };
  out.latency_attainment = kept * share_within(cdf, slo.latency_s);
  out.ttft_attainment = kept * share_within(ttft_cdf, slo.ttft_s);
  out.tpot_attainment = share_within(tpot_cdf, slo.tpot_s);
  out.slo_attainment = std::min(out.latency_attainment, out.ttft_attainment) * out.tpot_attainment;
  return out;
}

std::vector<double> simulate_replica(const ServiceQueueModel& model, double arrival_rate, double seconds,
                                     std::uint64_t seed, ReplicaTrace* trace) {
  CAPSIM_CHECK(arrival_rate > 0 && seconds > 0) << "a request simulation needs load";
  RandomStream arrivals = RandomStream::derive(seed, "service.arrivals");
  RandomStream work = RandomStream::derive(seed, "service.work");
  // Processor sharing in virtual time: every request in a slot advances by
  // dv = dt x t(1) / t(k) units of work alone; one finishes when v reaches
  // its admission's v plus its work.
  using Slot = std::pair<double, double>;  // (v at which it finishes, arrival time)
  std::priority_queue<Slot, std::vector<Slot>, std::greater<>> serving;
  std::deque<std::pair<double, double>> waiting;  // (arrival time, work)
  std::vector<double> latencies;
  double now = 0, v = 0;
  double next_arrival = arrivals.exponential(1 / arrival_rate);
  const auto admit = [&](double arrived, double w) {
    serving.emplace(v + w, arrived);
    if (trace) trace->waits.push_back(now - arrived);
  };
  if (trace) trace->time_at_batch.assign(static_cast<std::size_t>(model.max_batch) + 1, 0.0);
  while (next_arrival < seconds || !serving.empty()) {
    const auto k = static_cast<std::int32_t>(serving.size());
    const double speed = k > 0 ? model.step_time_s(1) / model.step_time_s(k) : 0.0;
    const double next_done = k > 0 ? now + (serving.top().first - v) / speed : std::numeric_limits<double>::infinity();
    if (next_arrival < seconds && next_arrival < next_done) {
      if (trace) trace->time_at_batch[static_cast<std::size_t>(k)] += next_arrival - now;
      v += (next_arrival - now) * speed;
      now = next_arrival;
      const double w = work.exponential(model.work_s);
      if (k < model.max_batch) {
        admit(now, w);
      } else if (static_cast<double>(waiting.size()) < model.queue_limit) {
        waiting.emplace_back(now, w);
      }
      next_arrival += arrivals.exponential(1 / arrival_rate);
    } else {
      if (trace) trace->time_at_batch[static_cast<std::size_t>(k)] += next_done - now;
      v = serving.top().first;
      now = next_done;
      latencies.push_back(now - serving.top().second);
      serving.pop();
      if (!waiting.empty()) {
        admit(waiting.front().first, waiting.front().second);
        waiting.pop_front();
      }
    }
  }
  return latencies;
}

}  // namespace capsim::sim
