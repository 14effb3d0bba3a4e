#include "sim/services.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace capsim::sim {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Requests the series expects over [from, to): each step's rate times its
// overlap with the window, in step order.
double requests_between(const RateSeries& load, Time from, Time to) {
  if (to <= load.start || from >= load.end() || to <= from) return 0;
  const std::int64_t step = load.step.count_us();
  const std::int64_t a = std::max(from, load.start).count_us() - load.start.count_us();
  const std::int64_t b = std::min(to, load.end()).count_us() - load.start.count_us();
  double requests = 0;
  for (std::int64_t i = a / step; i * step < b; ++i) {
    const std::int64_t lo = std::max(a, i * step), hi = std::min(b, (i + 1) * step);
    requests += load.per_second[static_cast<std::size_t>(i)] * static_cast<double>(hi - lo) * 1e-6;
  }
  return requests;
}

}  // namespace

ServiceRunner::ServiceRunner(const ServiceSpec& spec, const GpuCatalog& catalog, RateSeries load,
                             std::unique_ptr<scheduler::AutoscalingPolicy> policy)
    : spec_(spec), catalog_(catalog), load_(std::move(load)), policy_(std::move(policy)) {
  interval_ = policy_ ? policy_->evaluation_period() : Duration::minutes(1);
  CAPSIM_CHECK(interval_ > Duration()) << "service " << spec.name << " has an evaluation period of 0";
}

std::string ServiceRunner::autoscaler() const {
  return policy_ ? std::string(policy_->name()) : "fixed";
}

ServiceQueueModel ServiceRunner::model_on(GpuTypeId type) const {
  // Times measured on measured_on; a type `speed` times as fast divides them.
  const double speed = catalog_.at(type).relative_speed / spec_.model.measured_speed;
  ServiceQueueModel model;
  model.work_s = spec_.model.work_s / speed;
  model.step_s = spec_.model.step_s / speed;
  model.step_per_request_s = spec_.model.step_per_request_s / speed;
  model.max_batch = spec_.model.max_batch;
  model.queue_limit = spec_.model.queue_limit;
  model.prefill_s = spec_.model.prefill_s / speed;
  return model;
}

std::int32_t ServiceRunner::end_interval(Time now, const ReplicaCounts& counts) {
  const double period = interval_.to_seconds();
  const double rate = requests_between(load_, now - interval_, now) / period;
  ServiceObjectives slo;
  if (spec_.slo_latency) slo.latency_s = spec_.slo_latency->to_seconds();
  if (spec_.slo_ttft) slo.ttft_s = spec_.slo_ttft->to_seconds();
  if (spec_.slo_tpot) slo.tpot_s = spec_.slo_tpot->to_seconds();

  // The ready replicas' groups, each with its share of the requests (and of
  // the backlog) in proportion to its capacity.
  std::int32_t ready = 0;
  double capacity = 0;
  for (const auto& [type, n] : counts.ready) {
    ready += n;
    capacity += n * model_on(type).replica_capacity();
  }
  IntervalService total;
  total.arrived = rate * period;
  total.slo_attainment = 0;
  total.p50_latency_s = total.p95_latency_s = total.p99_latency_s = 0;
  double busy = 0, batch_time = 0, latency_mass = 0, tpot_mass = 0;
  if (ready == 0) {
    const IntervalService out = serve_interval(model_on(0), {period, rate, 0, backlog_}, slo);
    total = out;
  } else {
    double met = 0, latency_met = 0, ttft_met = 0, tpot_met = 0;
    for (const auto& [type, n] : counts.ready) {
      const ServiceQueueModel model = model_on(type);
      const double share = n * model.replica_capacity() / capacity;
      const IntervalService out = serve_interval(model, {period, rate * share, n, backlog_ * share}, slo);
      total.served += out.served;
      total.dropped += out.dropped;
      total.backlog += out.backlog;
      total.waiting += out.waiting;
      total.in_flight += out.in_flight;
      busy += out.utilisation * n;
      batch_time += out.mean_batch * out.utilisation * n;
      latency_mass += out.served * out.mean_latency_s;
      met += out.slo_attainment * out.arrived;
      latency_met += out.latency_attainment * out.arrived;
      ttft_met += out.ttft_attainment * out.arrived;
      tpot_met += out.tpot_attainment * out.served;
      tpot_mass += out.mean_tpot_s * out.served;
      if (out.arrived > 0) {
        total.p50_latency_s = std::max(total.p50_latency_s, out.p50_latency_s);
        total.p95_latency_s = std::max(total.p95_latency_s, out.p95_latency_s);
        total.p99_latency_s = std::max(total.p99_latency_s, out.p99_latency_s);
        total.p50_ttft_s = std::max(total.p50_ttft_s, out.p50_ttft_s);
        total.p99_ttft_s = std::max(total.p99_ttft_s, out.p99_ttft_s);
        total.p99_tpot_s = std::max(total.p99_tpot_s, out.p99_tpot_s);
      }
    }
    total.utilisation = busy / ready;
    total.mean_batch = busy > 0 ? batch_time / busy : 0;
    total.mean_latency_s = total.served > 0 ? latency_mass / total.served : 0;
    total.slo_attainment = total.arrived > 0 ? met / total.arrived : 1;
    total.latency_attainment = total.arrived > 0 ? latency_met / total.arrived : 1;
    total.ttft_attainment = total.arrived > 0 ? ttft_met / total.arrived : 1;
    total.tpot_attainment = total.served > 0 ? tpot_met / total.served : 1;
    total.mean_tpot_s = total.served > 0 ? tpot_mass / total.served : 0;
  }
  backlog_ = total.backlog;

  std::int32_t desired = counts.asked;
  if (policy_) {
    scheduler::ServiceMetrics metrics;
    metrics.now = now;
    metrics.current_replicas = counts.asked;
    metrics.ready_replicas = ready;
    metrics.utilisation = total.utilisation;
    metrics.request_rate = rate;
    metrics.queue_length = total.waiting;
    metrics.concurrency = total.in_flight;
    desired = policy_->desired_replicas(metrics);
    CAPSIM_CHECK(desired >= 0) << "autoscaler " << policy_->name() << " answered " << desired << " replicas";
  }

  rows_.push_back(Row{now.to_seconds(),
                      rate,
                      total.arrived,
                      total.served,
                      total.dropped,
                      total.backlog,
                      static_cast<double>(counts.asked),
                      static_cast<double>(counts.waiting),
                      static_cast<double>(counts.starting),
                      static_cast<double>(ready),
                      static_cast<double>(desired),
                      total.utilisation,
                      total.mean_batch,
                      total.mean_latency_s,
                      total.p50_latency_s,
                      total.p95_latency_s,
                      total.p99_latency_s,
                      total.slo_attainment,
                      capacity,
                      total.p50_ttft_s,
                      total.p99_ttft_s,
                      total.mean_tpot_s,
                      total.p99_tpot_s,
                      total.ttft_attainment,
                      total.tpot_attainment});
  return desired;
}

void ServiceRunner::add_held(double gpus, Duration held, double usd_per_gpu_hour) {
  const double seconds = held.to_seconds();
  replica_seconds_ += seconds;
  gpu_seconds_ += gpus * seconds;
  cost_usd_ += gpus * seconds / 3600 * usd_per_gpu_hour;
}

ServiceSummary ServiceRunner::finish(std::int32_t service, ServiceTable& table) const {
  // The columns, in file order, with what each row holds.
  struct Column {
    const char* name;
    const char* units;
    const char* description;
    double Row::*value;
  };
  static const Column kColumns[] = {
      {"time", "s", "end of the interval", &Row::time_s},
      {"arrival_rate", "requests/s", "requests per second that arrived in the interval", &Row::arrival_rate},
      {"arrived", "requests", "requests that arrived in the interval", &Row::arrived},
      {"served", "requests", "requests completed in the interval", &Row::served},
      {"dropped", "requests", "requests dropped (the queue limit was reached)", &Row::dropped},
      {"backlog", "requests", "requests left waiting beyond the steady state at the end", &Row::backlog},
      {"replicas", "replicas", "replicas the service had at the end: waiting, starting or ready", &Row::asked},
      {"replicas_waiting", "replicas", "replicas waiting for GPUs at the end", &Row::waiting},
      {"replicas_starting", "replicas", "replicas placed, in their cold start, at the end", &Row::starting},
      {"replicas_ready", "replicas", "replicas that served the interval", &Row::ready},
      {"replicas_desired", "replicas", "replicas the autoscaler asked for at the end", &Row::desired},
      {"utilisation", "", "busy fraction of the ready replicas", &Row::utilisation},
      {"mean_batch", "requests", "requests per batch step while busy", &Row::mean_batch},
      {"latency_mean", "s", "mean latency of the requests served", &Row::latency_mean_s},
      {"latency_p50", "s", "median latency", &Row::latency_p50_s},
      {"latency_p95", "s", "95th percentile latency", &Row::latency_p95_s},
      {"latency_p99", "s", "99th percentile latency", &Row::latency_p99_s},
      {"slo_attainment", "", "share of the interval's arrivals served within the SLO latency", &Row::slo_attainment},
      {"capacity", "requests/s", "the most requests per second the ready replicas complete", &Row::capacity},
      {"ttft_p50", "s", "median time to first token", &Row::ttft_p50_s},
      {"ttft_p99", "s", "99th percentile time to first token", &Row::ttft_p99_s},
      {"tpot_mean", "s", "mean time per output token", &Row::tpot_mean_s},
      {"tpot_p99", "s", "99th percentile time per output token", &Row::tpot_p99_s},
      {"ttft_attainment", "", "share of the interval's arrivals with their first token within slo.ttft",
       &Row::ttft_attainment},
      {"tpot_attainment", "", "share of the interval's tokens made within slo.tpot", &Row::tpot_attainment},
  };
  if (table.columns.empty()) {
    for (const Column& c : kColumns) table.columns.push_back({c.name, c.units, c.description, {}});
  }
  CAPSIM_CHECK(table.columns.size() == std::size(kColumns)) << "service table columns";
  table.names.push_back(spec_.name);
  for (const Row& row : rows_) {
    table.service.push_back(service);
    for (std::size_t c = 0; c < std::size(kColumns); ++c) table.columns[c].values.push_back(row.*kColumns[c].value);
  }

  // Over the run: requests, SLO attainment, and the time short of capacity
  // (an interval is short when its arrivals exceed what the ready replicas
  // complete at most, or a backlog is left): the longest such stretch is
  // the lag between a surge and enough capacity.
  double arrived = 0, served = 0, dropped = 0, met = 0, latency_mass = 0, ttft_met = 0, tpot_met = 0;
  double short_s = 0, stretch_s = 0, longest_s = 0, peak_replicas = 0, worst_p99 = 0;
  double intervals_ok = 0;
  const double period = interval_.to_seconds();
  const double target = spec_.slo_percentile / 100;
  for (const Row& row : rows_) {
    arrived += row.arrived;
    served += row.served;
    dropped += row.dropped;
    met += row.slo_attainment * row.arrived;
    ttft_met += row.ttft_attainment * row.arrived;
    tpot_met += row.tpot_attainment * row.served;
    if (row.served > 0) latency_mass += row.latency_mean_s * row.served;
    peak_replicas = std::max(peak_replicas, row.asked);
    if (row.arrived > 0 && std::isfinite(row.latency_p99_s)) worst_p99 = std::max(worst_p99, row.latency_p99_s);
    if (row.arrived == 0 || row.slo_attainment >= target) intervals_ok += 1;
    const bool short_of_capacity = row.arrival_rate > row.capacity || row.backlog > 0;
    if (short_of_capacity) {
      short_s += period;
      stretch_s += period;
      longest_s = std::max(longest_s, stretch_s);
    } else {
      stretch_s = 0;
    }
  }
  const double hours = 1.0 / 3600;
  ServiceSummary summary;
  summary.name = spec_.name;
  summary.autoscaler = autoscaler();
  summary.figures = {
      {"requests", "requests", "", arrived},
      {"served", "served", "", served},
      {"dropped", "dropped", "", dropped},
      {"slo_attainment_pct", "SLO attainment", "%", arrived > 0 ? 100 * met / arrived : 100},
      {"slo_target_pct", "SLO target", "%", spec_.slo_percentile},
      {"intervals_meeting_slo_pct", "intervals meeting the SLO", "%",
       rows_.empty() ? 100 : 100 * intervals_ok / static_cast<double>(rows_.size())},
      {"latency_mean_s", "mean latency", "s", served > 0 ? latency_mass / served : 0},
      {"latency_p99_worst_s", "worst interval p99", "s", worst_p99},
      {"replica_hours", "replica-hours", "", replica_seconds_ * hours},
      {"gpu_hours", "service GPU-hours", "", gpu_seconds_ * hours},
      {"cost_usd", "service cost (USD)", "", cost_usd_},
      {"peak_replicas", "peak replicas", "", peak_replicas},
      {"short_of_capacity_s", "time short of capacity", "s", short_s},
      {"capacity_lag_s", "longest lag to capacity", "s", longest_s},
  };
  // The LLM objectives on their own, when set.
  if (spec_.slo_ttft) {
    summary.figures.push_back(
        {"ttft_attainment_pct", "first token within TTFT", "%", arrived > 0 ? 100 * ttft_met / arrived : 100});
  }
  if (spec_.slo_tpot) {
    summary.figures.push_back(
        {"tpot_attainment_pct", "tokens within TPOT", "%", served > 0 ? 100 * tpot_met / served : 100});
  }
  return summary;
}

}  // namespace capsim::sim
