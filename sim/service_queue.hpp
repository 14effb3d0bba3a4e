// How an inference service's replicas serve an interval's requests (issue 8):
// a queueing model the engine evaluates per interval, exact for its
// assumptions, and a request-level simulation of the same service that
// checks it (tests/sim/test_service_queue.cpp).
//
// A replica batches continuously (as vLLM, TGI or TensorRT-LLM do): up to
// `max_batch` requests run at once, each advancing one step per batch step,
// and a step with k requests takes
//   t(k) = step_s + step_per_request_s x (k - 1)
// so a replica's throughput k / t(k) grows with the batch towards
// 1 / step_per_request_s while each request slows down. A request needs
// `work_s` seconds alone (its steps x t(1)), exponentially distributed;
// requests beyond the batch wait FIFO at their replica. The load balancer
// sends each request to a replica at random (Kubernetes' round robin is
// close; join-shortest-queue would do better): each of n replicas sees
// Poisson arrivals at lambda / n and the replicas are independent.
//
// One replica is then a birth-death chain on the requests it holds, N:
// arrivals at lambda / n, completions at c(N) = min(N, B) t(1) / (t(min(N, B))
// work_s). Its stationary distribution is exact at every utilisation: the
// states up to the batch B explicitly, a geometric tail beyond (c is constant
// there). From it: the mean latency (Little), the probability of waiting for
// a slot and the wait's exact exponential tail (rate c(B) - lambda / n), the
// time in service (mean exact by Little; its distribution taken exponential);
// latency = wait + service, whose CDF is the hypoexponential's.
// Beyond a replica's capacity c(B) the chain has no steady state: requests
// queue as a fluid (the backlog grows at lambda - n c(B), each request
// waiting backlog / (n c(B))), and a backlog beyond queue_limit is dropped.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace capsim::sim {

struct ServiceQueueModel {
  double work_s = 0.5;                // a request's mean run time alone (batch of 1)
  double step_s = 0.02;               // t(1)
  double step_per_request_s = 0.002;  // each further request in the batch
  std::int32_t max_batch = 32;
  double queue_limit = 1e12;  // requests waiting across the service beyond which new ones are dropped
  // LLM serving: the time from taking a slot to the first token (the
  // prompt's prefill, part of work_s).
  double prefill_s = 0;

  double step_time_s(std::int32_t batch) const { return step_s + step_per_request_s * (batch - 1); }
  // Requests per second one replica completes holding `held` requests.
  double completion_rate(std::int64_t held) const;
  double replica_capacity() const { return completion_rate(max_batch); }
};

// One replica in steady state at `arrival_rate` (requests/s to it), below
// its capacity.
struct ReplicaSteadyState {
  double mean_held = 0;         // requests in the replica, waiting or served
  double mean_waiting = 0;      // waiting for a slot
  double wait_probability = 0;  // P(all slots busy) seen by an arrival (PASTA)
  double wait_tail_rate = 0;    // 1/s: P(wait > t) = wait_probability e^{-rate t}
  double mean_service_s = 0;    // time in a slot
  double mean_latency_s = 0;
  double busy_probability = 0;  // P(N > 0)
  double mean_batch = 0;        // requests in service, given busy
  // P(latency <= x).
  double latency_cdf(double x) const;
  double latency_quantile(double q) const;
  // LLM serving. Time to first token: the wait for a slot, then the prefill.
  double ttft_cdf(double x, double prefill_s) const;
  // Time per output token: a token made in a step of batch k takes t(k).
  // token_share[k]: the share of tokens made in steps of batch k (the time
  // spent at batch k x k / t(k), normalised); step_s[k] = t(k).
  std::vector<double> token_share;
  std::vector<double> step_s;
  double mean_tpot_s = 0;
  double tpot_cdf(double x) const;  // the share of tokens made in steps of at most x
  double tpot_quantile(double q) const;
};
ReplicaSteadyState replica_steady_state(const ServiceQueueModel& model, double arrival_rate);

// One interval: `seconds` long, `arrival_rate` requests/s, `replicas`
// ready, after `backlog` requests left waiting.
struct IntervalLoad {
  double seconds = 60;
  double arrival_rate = 0;
  std::int32_t replicas = 0;
  double backlog = 0;
};

struct IntervalService {
  double arrived = 0;
  double served = 0;  // requests completed (in the fluid: at capacity)
  double dropped = 0;
  double backlog = 0;      // waiting beyond the steady state at the end
  double waiting = 0;      // at the end: requests waiting for a slot (backlog included)
  double in_flight = 0;    // at the end: requests waiting or served
  double utilisation = 0;  // P(a replica is busy), time-averaged
  double mean_batch = 0;
  double mean_latency_s = 0;
  double p50_latency_s = 0;
  double p95_latency_s = 0;
  double p99_latency_s = 0;
  // LLM serving: time to first token and time per output token.
  double p50_ttft_s = 0;
  double p99_ttft_s = 0;
  double mean_tpot_s = 0;
  double p99_tpot_s = 0;
  double latency_attainment = 1;  // of the arrivals: answered within slo.latency_s (drops miss it)
  double ttft_attainment = 1;     // of the arrivals: first token within slo.ttft_s
  double tpot_attainment = 1;     // of the tokens: made within slo.tpot_s of the previous one
  // Of the arrivals: meeting every objective set. Latency and TTFT share the
  // wait: the smaller of the two; TPOT taken independent of them.
  double slo_attainment = 1;
};

// What a service promises (each infinite when not promised).
struct ServiceObjectives {
  double latency_s = std::numeric_limits<double>::infinity();
  double ttft_s = std::numeric_limits<double>::infinity();
  double tpot_s = std::numeric_limits<double>::infinity();
};

IntervalService serve_interval(const ServiceQueueModel& model, const IntervalLoad& load, const ServiceObjectives& slo);
// The latency objective alone.
inline IntervalService serve_interval(const ServiceQueueModel& model, const IntervalLoad& load, double slo_s) {
  return serve_interval(model, load, ServiceObjectives{.latency_s = slo_s});
}

// Request-level simulation of one replica of the same service: Poisson
// arrivals at `arrival_rate` for `seconds`, exponential work, continuous
// batching as above, seeded. Every request's latency (arrival to
// completion), in completion order.
// `trace`, when given, also gets each admitted request's wait for a slot
// (in admission order) and the time spent at each batch size.
struct ReplicaTrace {
  std::vector<double> waits;
  std::vector<double> time_at_batch;  // index k: seconds with k requests in slots
};
std::vector<double> simulate_replica(const ServiceQueueModel& model, double arrival_rate, double seconds,
                                     std::uint64_t seed, ReplicaTrace* trace = nullptr);

}  // namespace capsim::sim
