#include "sim/results_codec.hpp"

#include <cstring>
#include <type_traits>

namespace capsim::sim {

// A new field must be encoded. Every struct below is taken apart with a
// structured binding naming each of its fields, in encode and in decode: a
// field added to one of them makes the binding fail to compile until the
// field is encoded here (and checked in tests/sim/test_isolated.cpp).
// StringColumn keeps its members private, so its size stands guard instead
// (GCC's libstdc++ on x86-64, the toolchain DESIGN.md names).
#if defined(__x86_64__) && defined(__GLIBCXX__)
static_assert(sizeof(StringColumn) == 72, "a new field of StringColumn must be encoded (sim/results_codec.cpp)");
#endif
static_assert(sizeof(GpuTypeSet) == sizeof(std::uint64_t), "a GpuTypeSet travels as its bits()");
static_assert(std::is_same_v<std::underlying_type_t<JobEnd>, std::uint8_t>);

namespace {

class Writer {
 public:
  template <typename T>
  void value(T v) {
    static_assert(std::is_arithmetic_v<T>);
    raw(&v, sizeof v);
  }
  void size(std::size_t n) { value<std::uint64_t>(n); }
  void boolean(bool b) { value<std::uint8_t>(b ? 1 : 0); }
  void string(std::string_view s) {
    size(s.size());
    raw(s.data(), s.size());
  }
  // Numbers as their bytes: doubles keep their exact bits, NaN payloads too.
  template <typename T>
  void array(const std::vector<T>& values) {
    static_assert(std::is_arithmetic_v<T>);
    size(values.size());
    raw(values.data(), values.size() * sizeof(T));
  }
  void strings(const std::vector<std::string>& values) {
    size(values.size());
    for (const std::string& s : values) string(s);
  }
  void raw(const void* data, std::size_t n) { bytes_.append(static_cast<const char*>(data), n); }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

// Reads what Writer wrote; throws InternalError at the first thing that does
// not fit, before reading or allocating past the end.
class Reader {
 public:
  explicit Reader(std::string_view bytes, const char* what) : bytes_(bytes), what_(what) {}

  template <typename T>
  T value(const char* field) {
    static_assert(std::is_arithmetic_v<T>);
    T v;
    raw(&v, sizeof v, field);
    return v;
  }
  // A count of elements of at least `element_bytes` each: more than the
  // bytes left can hold is corrupt.
  std::size_t count(std::size_t element_bytes, const char* field) {
    const std::uint64_t n = value<std::uint64_t>(field);
    if (n > remaining() / element_bytes) fail(std::string(field) + ": " + std::to_string(n) + " entries do not fit");
    return static_cast<std::size_t>(n);
  }
  bool boolean(const char* field) {
    const auto b = value<std::uint8_t>(field);
    if (b > 1) fail(std::string(field) + ": not a boolean (" + std::to_string(b) + ")");
    return b == 1;
  }
  std::string_view string_view(const char* field) {
    const std::size_t n = count(1, field);
    const std::string_view s = bytes_.substr(position_, n);
    position_ += n;
    return s;
  }
  std::string string(const char* field) { return std::string(string_view(field)); }
  template <typename T>
  std::vector<T> array(const char* field) {
    static_assert(std::is_arithmetic_v<T>);
    std::vector<T> values(count(sizeof(T), field));
    raw(values.data(), values.size() * sizeof(T), field);
    return values;
  }
  std::vector<std::string> strings(const char* field) {
    std::vector<std::string> values(count(sizeof(std::uint64_t), field));
    for (std::string& s : values) s = string(field);
    return values;
  }
  void raw(void* out, std::size_t n, const char* field) {
    if (n > remaining()) fail(std::string(field) + ": truncated (" + std::to_string(n) + " bytes needed)");
    if (n) std::memcpy(out, bytes_.data() + position_, n);
    position_ += n;
  }
  void finish() {
    if (remaining() != 0) fail(std::to_string(remaining()) + " bytes left over");
  }
  [[noreturn]] void fail(const std::string& problem) const {
    throw InternalError(std::string("corrupt ") + what_ + " encoding at byte " + std::to_string(position_) + " of " +
                        std::to_string(bytes_.size()) + ": " + problem);
  }

 private:
  std::size_t remaining() const { return bytes_.size() - position_; }

  std::string_view bytes_;
  const char* what_;
  std::size_t position_ = 0;
};

void header(Writer& out) {
  out.raw(kResultsMagic.data(), kResultsMagic.size());
  out.value(kResultsCodecVersion);
}
void header(Reader& in) {
  char magic[kResultsMagic.size()];
  in.raw(magic, sizeof magic, "magic");
  if (std::string_view(magic, sizeof magic) != kResultsMagic) in.fail("not a capsim encoding (wrong magic)");
  const auto version = in.value<std::uint32_t>("version");
  if (version != kResultsCodecVersion) {
    in.fail("version " + std::to_string(version) + ", expected " + std::to_string(kResultsCodecVersion));
  }
}

// StringColumn: the count, then each string. Decoding pushes them back, which
// rebuilds its offsets and max_length() exactly.
void encode(Writer& out, const StringColumn& column) {
  out.size(column.size());
  for (std::size_t i = 0; i < column.size(); ++i) out.string(column[i]);
}
void decode(Reader& in, StringColumn& column, const char* field) {
  const std::size_t n = in.count(sizeof(std::uint64_t), field);
  for (std::size_t i = 0; i < n; ++i) column.push_back(in.string_view(field));
}

void encode(Writer& out, const JobTable& jobs) {
  const auto& [name, user, submit_s, start_s, end_s, queueing_delay_s, jct_s, recorded_duration_s, gpus, nodes, racks,
               requested_gpu_types, gpu_type, gpu_type_names, preemptions, failures, run_time_s, ideal_run_time_s,
               lost_gpu_hours, wasted_gpu_hours, idle_gpu_hours, energy_kwh, cost_usd, tenant, state, region,
               region_names] = jobs;
  encode(out, name);
  encode(out, user);
  out.array(submit_s);
  out.array(start_s);
  out.array(end_s);
  out.array(queueing_delay_s);
  out.array(jct_s);
  out.array(recorded_duration_s);
  out.array(gpus);
  out.array(nodes);
  out.array(racks);
  out.size(requested_gpu_types.size());
  for (const GpuTypeSet& set : requested_gpu_types) out.value(set.bits());
  out.array(gpu_type);
  out.strings(gpu_type_names);
  out.array(preemptions);
  out.array(failures);
  out.array(run_time_s);
  out.array(ideal_run_time_s);
  out.array(lost_gpu_hours);
  out.array(wasted_gpu_hours);
  out.array(idle_gpu_hours);
  out.array(energy_kwh);
  out.array(cost_usd);
  encode(out, tenant);
  out.size(state.size());
  for (JobEnd end : state) out.value(static_cast<std::uint8_t>(end));
  out.array(region);
  out.strings(region_names);
}
void decode(Reader& in, JobTable& jobs) {
  auto& [name, user, submit_s, start_s, end_s, queueing_delay_s, jct_s, recorded_duration_s, gpus, nodes, racks,
         requested_gpu_types, gpu_type, gpu_type_names, preemptions, failures, run_time_s, ideal_run_time_s,
         lost_gpu_hours, wasted_gpu_hours, idle_gpu_hours, energy_kwh, cost_usd, tenant, state, region, region_names] =
      jobs;
  decode(in, name, "jobs.name");
  decode(in, user, "jobs.user");
  submit_s = in.array<double>("jobs.submit_s");
  start_s = in.array<double>("jobs.start_s");
  end_s = in.array<double>("jobs.end_s");
  queueing_delay_s = in.array<double>("jobs.queueing_delay_s");
  jct_s = in.array<double>("jobs.jct_s");
  recorded_duration_s = in.array<double>("jobs.recorded_duration_s");
  gpus = in.array<double>("jobs.gpus");
  nodes = in.array<std::int32_t>("jobs.nodes");
  racks = in.array<std::int32_t>("jobs.racks");
  for (std::uint64_t bits : in.array<std::uint64_t>("jobs.requested_gpu_types")) {
    GpuTypeSet set;
    for (unsigned id = 0; id < kMaxGpuTypes; ++id) {
      if ((bits >> id) & 1u) set.add(static_cast<GpuTypeId>(id));
    }
    requested_gpu_types.push_back(set);
  }
  gpu_type = in.array<GpuTypeId>("jobs.gpu_type");
  gpu_type_names = in.strings("jobs.gpu_type_names");
  preemptions = in.array<std::int32_t>("jobs.preemptions");
  failures = in.array<std::int32_t>("jobs.failures");
  run_time_s = in.array<double>("jobs.run_time_s");
  ideal_run_time_s = in.array<double>("jobs.ideal_run_time_s");
  lost_gpu_hours = in.array<double>("jobs.lost_gpu_hours");
  wasted_gpu_hours = in.array<double>("jobs.wasted_gpu_hours");
  idle_gpu_hours = in.array<double>("jobs.idle_gpu_hours");
  energy_kwh = in.array<double>("jobs.energy_kwh");
  cost_usd = in.array<double>("jobs.cost_usd");
  decode(in, tenant, "jobs.tenant");
  const std::vector<std::uint8_t> ends = in.array<std::uint8_t>("jobs.state");
  state.reserve(ends.size());
  for (std::uint8_t end : ends) {
    // JobEnd's last value: a new one must be added here.
    if (end > static_cast<std::uint8_t>(JobEnd::kReaped)) {
      in.fail("jobs.state: no JobEnd " + std::to_string(end));
    }
    state.push_back(static_cast<JobEnd>(end));
  }
  region = in.array<RegionId>("jobs.region");
  region_names = in.strings("jobs.region_names");
  for (const RegionId r : region) {
    if (r >= static_cast<RegionId>(region_names.size())) in.fail("jobs.region: no region " + std::to_string(r));
  }
}

void encode(Writer& out, const std::vector<TimeSeries::Metric>& metrics) {
  out.size(metrics.size());
  for (const TimeSeries::Metric& metric : metrics) {
    const auto& [name, units, description, values] = metric;
    out.string(name);
    out.string(units);
    out.string(description);
    out.array(values);
  }
}
void decode(Reader& in, std::vector<TimeSeries::Metric>& metrics, const char* what) {
  // A metric is at least its three string lengths and its value count.
  metrics.resize(in.count(4 * sizeof(std::uint64_t), what));
  for (TimeSeries::Metric& metric : metrics) {
    auto& [name, units, description, values] = metric;
    name = in.string(what);
    units = in.string(what);
    description = in.string(what);
    values = in.array<double>(what);
  }
}

void encode(Writer& out, const TimeSeries& series) {
  const auto& [interval, time_s, metrics] = series;
  out.value(interval.count_us());
  out.array(time_s);
  encode(out, metrics);
}
void decode(Reader& in, TimeSeries& series) {
  auto& [interval, time_s, metrics] = series;
  interval = Duration::microseconds(in.value<std::int64_t>("timeseries.interval"));
  time_s = in.array<double>("timeseries.time_s");
  decode(in, metrics, "timeseries.metrics");
}

void encode(Writer& out, const ServiceTable& table) {
  const auto& [names, service, columns] = table;
  out.size(names.size());
  for (const std::string& name : names) out.string(name);
  out.array(service);
  encode(out, columns);
}
void decode(Reader& in, ServiceTable& table) {
  auto& [names, service, columns] = table;
  names.resize(in.count(sizeof(std::uint64_t), "services.names"));
  for (std::string& name : names) name = in.string("services.names");
  service = in.array<std::int32_t>("services.service");
  decode(in, columns, "services.columns");
}

void encode(Writer& out, const std::vector<Metric>& figures) {
  out.size(figures.size());
  for (const Metric& figure : figures) {
    out.string(figure.name);
    out.string(figure.label);
    out.string(figure.units);
    out.value(figure.value);
  }
}
void decode(Reader& in, std::vector<Metric>& figures, const char* what) {
  figures.resize(in.count(4 * sizeof(std::uint64_t), what));
  for (Metric& figure : figures) {
    figure.name = in.string(what);
    figure.label = in.string(what);
    figure.units = in.string(what);
    figure.value = in.value<double>(what);
  }
}

void encode(Writer& out, const ServiceSummary& service) {
  const auto& [name, autoscaler, figures] = service;
  out.string(name);
  out.string(autoscaler);
  encode(out, figures);
}
void decode(Reader& in, ServiceSummary& service) {
  auto& [name, autoscaler, figures] = service;
  name = in.string("summary.services.name");
  autoscaler = in.string("summary.services.autoscaler");
  decode(in, figures, "summary.services.figures");
}

void encode(Writer& out, const Distribution& distribution) {
  const auto& [count, mean, p50, p95, p99, max] = distribution;
  out.size(count);
  for (double v : {mean, p50, p95, p99, max}) out.value(v);
}
void decode(Reader& in, Distribution& distribution) {
  auto& [count, mean, p50, p95, p99, max] = distribution;
  count = in.value<std::uint64_t>("distribution.count");
  for (double* v : {&mean, &p50, &p95, &p99, &max}) *v = in.value<double>("distribution");
}

template <typename T>
void encode_optional(Writer& out, const std::optional<T>& value) {
  out.boolean(value.has_value());
  if (value) out.value(*value);
}
template <typename T>
std::optional<T> decode_optional(Reader& in, const char* field) {
  if (!in.boolean(field)) return std::nullopt;
  return in.value<T>(field);
}

void encode(Writer& out, const TraceSummary& trace) {
  const auto& [format, path, rows, bad_rows, first_bad_rows, cancelled, filtered_out, thinned_out, copies_added, jobs,
               time_origin_unix_s, sampled_from] = trace;
  out.string(format);
  out.string(path);
  out.value(rows);
  out.value(bad_rows);
  out.strings(first_bad_rows);
  out.value(cancelled);
  out.value(filtered_out);
  out.value(thinned_out);
  out.value(copies_added);
  out.value(jobs);
  encode_optional(out, time_origin_unix_s);
  encode_optional(out, sampled_from);
}
void decode(Reader& in, TraceSummary& trace) {
  auto& [format, path, rows, bad_rows, first_bad_rows, cancelled, filtered_out, thinned_out, copies_added, jobs,
         time_origin_unix_s, sampled_from] = trace;
  format = in.string("trace.format");
  path = in.string("trace.path");
  rows = in.value<std::int64_t>("trace.rows");
  bad_rows = in.value<std::int64_t>("trace.bad_rows");
  first_bad_rows = in.strings("trace.first_bad_rows");
  cancelled = in.value<std::int64_t>("trace.cancelled");
  filtered_out = in.value<std::int64_t>("trace.filtered_out");
  thinned_out = in.value<std::int64_t>("trace.thinned_out");
  copies_added = in.value<std::int64_t>("trace.copies_added");
  jobs = in.value<std::int64_t>("trace.jobs");
  time_origin_unix_s = decode_optional<std::int64_t>(in, "trace.time_origin_unix_s");
  sampled_from = decode_optional<std::int64_t>(in, "trace.sampled_from");
}

void encode(Writer& out, const PackingSummary& packing) {
  const auto& [points, requested_percent, allocated_percent, unallocated_percent, jobs_waiting] = packing;
  out.size(points.size());
  for (const PackingPoint& point : points) {
    const auto& [point_requested, point_allocated] = point;
    out.value(point_requested);
    out.value(point_allocated);
  }
  out.value(requested_percent);
  out.value(allocated_percent);
  out.value(unallocated_percent);
  out.value(jobs_waiting);
}
void decode(Reader& in, PackingSummary& packing) {
  auto& [points, requested_percent, allocated_percent, unallocated_percent, jobs_waiting] = packing;
  points.resize(in.count(2 * sizeof(double), "packing.points"));
  for (PackingPoint& point : points) {
    auto& [point_requested, point_allocated] = point;
    point_requested = in.value<double>("packing.points.requested_percent");
    point_allocated = in.value<double>("packing.points.allocated_percent");
  }
  requested_percent = in.value<double>("packing.requested_percent");
  allocated_percent = in.value<double>("packing.allocated_percent");
  unallocated_percent = in.value<double>("packing.unallocated_percent");
  jobs_waiting = in.value<std::int64_t>("packing.jobs_waiting");
}

void encode(Writer& out, const Summary& summary) {
  const auto& [scenario, seed, engine, queue_policy, placement_policy, partial, nodes, gpus, gpus_by_type,
               jobs_submitted, jobs_started, jobs_completed, jobs_failed, jobs_killed, jobs_unfinished, jobs_rejected,
               jobs_running, jobs_pending, simulated_s, makespan_s, jct_s, queueing_delay_s, gpu_hours_allocated,
               gpu_utilisation, preemptions, lost_gpu_hours, gpu_energy_kwh, energy_model, events, trace, packing,
               services, node_groups, energy, regions, cost, pools, tenants, failures, reaping] = summary;
  out.string(scenario);
  out.value(seed);
  out.string(engine);
  out.string(queue_policy);
  out.string(placement_policy);
  out.boolean(partial);
  out.value(nodes);
  out.value(gpus);
  out.string(gpus_by_type);
  for (std::int64_t count : {jobs_submitted, jobs_started, jobs_completed, jobs_failed, jobs_killed, jobs_unfinished,
                             jobs_rejected, jobs_running, jobs_pending}) {
    out.value(count);
  }
  out.value(simulated_s);
  out.value(makespan_s);
  encode(out, jct_s);
  encode(out, queueing_delay_s);
  out.value(gpu_hours_allocated);
  out.value(gpu_utilisation);
  out.value(preemptions);
  out.value(lost_gpu_hours);
  out.value(gpu_energy_kwh);
  out.string(energy_model);
  out.value(events);
  out.boolean(trace.has_value());
  if (trace) encode(out, *trace);
  out.boolean(packing.has_value());
  if (packing) encode(out, *packing);
  out.size(services.size());
  for (const ServiceSummary& service : services) encode(out, service);
  out.size(node_groups.size());
  for (const NodeGroupSummary& group : node_groups) {
    out.string(group.name);
    out.string(group.pool);
    encode(out, group.figures);
  }
  encode(out, energy);
  for (const auto* list : {&regions, &pools, &tenants}) {
    out.size(list->size());
    for (const NamedFigures& one : *list) {
      out.string(one.name);
      encode(out, one.figures);
    }
  }
  encode(out, cost);
  encode(out, failures);
  encode(out, reaping);
}
void decode(Reader& in, Summary& summary) {
  auto& [scenario, seed, engine, queue_policy, placement_policy, partial, nodes, gpus, gpus_by_type, jobs_submitted,
         jobs_started, jobs_completed, jobs_failed, jobs_killed, jobs_unfinished, jobs_rejected, jobs_running,
         jobs_pending, simulated_s, makespan_s, jct_s, queueing_delay_s, gpu_hours_allocated, gpu_utilisation,
         preemptions, lost_gpu_hours, gpu_energy_kwh, energy_model, events, trace, packing, services, node_groups,
         energy, regions, cost, pools, tenants, failures, reaping] = summary;
  scenario = in.string("summary.scenario");
  seed = in.value<std::uint64_t>("summary.seed");
  engine = in.string("summary.engine");
  queue_policy = in.string("summary.queue_policy");
  placement_policy = in.string("summary.placement_policy");
  partial = in.boolean("summary.partial");
  nodes = in.value<std::int64_t>("summary.nodes");
  gpus = in.value<std::int64_t>("summary.gpus");
  gpus_by_type = in.string("summary.gpus_by_type");
  for (std::int64_t* count : {&jobs_submitted, &jobs_started, &jobs_completed, &jobs_failed, &jobs_killed,
                              &jobs_unfinished, &jobs_rejected, &jobs_running, &jobs_pending}) {
    *count = in.value<std::int64_t>("summary.jobs_*");
  }
  simulated_s = in.value<double>("summary.simulated_s");
  makespan_s = in.value<double>("summary.makespan_s");
  decode(in, jct_s);
  decode(in, queueing_delay_s);
  gpu_hours_allocated = in.value<double>("summary.gpu_hours_allocated");
  gpu_utilisation = in.value<double>("summary.gpu_utilisation");
  preemptions = in.value<std::int64_t>("summary.preemptions");
  lost_gpu_hours = in.value<double>("summary.lost_gpu_hours");
  gpu_energy_kwh = in.value<double>("summary.gpu_energy_kwh");
  energy_model = in.string("summary.energy_model");
  events = in.value<std::uint64_t>("summary.events");
  if (in.boolean("summary.trace")) decode(in, trace.emplace());
  if (in.boolean("summary.packing")) decode(in, packing.emplace());
  // A service is at least its two string lengths and its figure count.
  services.resize(in.count(3 * sizeof(std::uint64_t), "summary.services"));
  for (ServiceSummary& service : services) decode(in, service);
  node_groups.resize(in.count(3 * sizeof(std::uint64_t), "summary.node_groups"));
  for (NodeGroupSummary& group : node_groups) {
    group.name = in.string("summary.node_groups.name");
    group.pool = in.string("summary.node_groups.pool");
    decode(in, group.figures, "summary.node_groups.figures");
  }
  decode(in, energy, "summary.energy");
  for (auto* list : {&regions, &pools, &tenants}) {
    list->resize(in.count(2 * sizeof(std::uint64_t), "summary.regions|pools|tenants"));
    for (NamedFigures& one : *list) {
      one.name = in.string("summary.named.name");
      decode(in, one.figures, "summary.named.figures");
    }
  }
  decode(in, cost, "summary.cost");
  decode(in, failures, "summary.failures");
  decode(in, reaping, "summary.reaping");
}

void encode(Writer& out, const EngineStats& stats) {
  const auto& [events, instants, end, interrupted] = stats;
  out.value(events);
  out.value(instants);
  out.value(end.count_us());
  out.boolean(interrupted);
}
void decode(Reader& in, EngineStats& stats) {
  auto& [events, instants, end, interrupted] = stats;
  events = in.value<std::uint64_t>("stats.events");
  instants = in.value<std::uint64_t>("stats.instants");
  end = Time::from_us(in.value<std::int64_t>("stats.end"));
  interrupted = in.boolean("stats.interrupted");
}

}  // namespace

std::string encode_results(const RunResults& results) {
  const auto& [jobs, timeseries, services, summary, stats, scenario_text] = results;
  Writer out;
  header(out);
  encode(out, jobs);
  encode(out, timeseries);
  encode(out, services);
  encode(out, summary);
  encode(out, stats);
  out.string(scenario_text);
  return out.take();
}

RunResults decode_results(std::string_view bytes) {
  RunResults results;
  auto& [jobs, timeseries, services, summary, stats, scenario_text] = results;
  Reader in(bytes, "results");
  header(in);
  decode(in, jobs);
  decode(in, timeseries);
  decode(in, services);
  decode(in, summary);
  decode(in, stats);
  scenario_text = in.string("scenario_text");
  in.finish();
  return results;
}

std::string encode_input_error(const InputError& error) {
  Writer out;
  header(out);
  out.string(error.where().file);
  out.value<std::int32_t>(error.where().line);
  out.value<std::int32_t>(error.where().column);
  out.string(error.field());
  out.string(error.expected());
  out.string(error.got());
  return out.take();
}

InputError decode_input_error(std::string_view bytes) {
  Reader in(bytes, "input error");
  header(in);
  SourceLocation where;
  where.file = in.string("where.file");
  where.line = in.value<std::int32_t>("where.line");
  where.column = in.value<std::int32_t>("where.column");
  std::string field = in.string("field");
  std::string expected = in.string("expected");
  std::string got = in.string("got");
  in.finish();
  return InputError(std::move(where), std::move(field), std::move(expected), std::move(got));
}

}  // namespace capsim::sim
