// bench/engine: events per second of the native engine with about 100,000
// pending events (DESIGN.md's speed reference: a bare binary heap does about
// 6 million events/s at that size).
//
// The workload keeps a 100,000-GPU cluster (12,500 nodes of 8 GPUs) nearly
// full of 1-GPU jobs: Poisson arrivals at 97% of the cluster's service rate,
// exponential run times with a mean of one hour. Once filled, about 97,000 job
// ends are pending at any time. The figure counts every event the engine
// handles (arrivals and job ends) through the whole stack: scheduler core
// (FIFO, best fit through the free-capacity index), engine and recorders.
// A second line times the event queue alone in the classic hold model.
// With --shares F, a fraction F of the jobs ask for a quarter of one GPU
// instead (arrivals scaled to keep the GPUs 97% busy): shares pack onto
// shared GPUs through the share index, never a scan of the nodes.
//
// Usage: bench/engine [--jobs N] [--repeat R] [--engine-only] [--shares F]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "core/random.hpp"
#include "scheduler/registry.hpp"
#include "sim/engine.hpp"
#include "sim/job_recorder.hpp"
#include "sim/timeseries_recorder.hpp"

namespace {

using namespace capsim;

// The jobs are drawn before the clock starts and replayed from memory, so
// that the figure is the engine's, not the random-variate generator's.
class SteadyLoad final : public JobSource {
 public:
  SteadyLoad(std::int64_t jobs, double arrivals_per_s, double mean_run_s, double shares) {
    RandomStream stream = RandomStream::derive(7, "bench.engine");
    RandomStream share_stream = RandomStream::derive(7, "bench.engine.shares");
    double now_s = 0;
    jobs_.reserve(static_cast<std::size_t>(jobs));
    for (std::int64_t i = 0; i < jobs; ++i) {
      now_s += stream.exponential(1.0 / arrivals_per_s);
      const bool share = shares > 0 && share_stream.uniform01() < shares;
      jobs_.push_back({Time::zero() + Duration::from_seconds(now_s),
                       Duration::from_seconds(stream.exponential(mean_run_s)), share ? 250 : kMilliPerGpu});
    }
  }
  bool next(JobSpec& job) override {
    if (next_ == jobs_.size()) return false;
    const Drawn& drawn = jobs_[next_++];
    job.submit = drawn.submit;
    job.request = Resources{drawn.gpu_milli, 0, 0, 0};
    job.duration = drawn.run;
    // On a V100, speed 1.
    job.work = static_cast<double>(drawn.run.count_us()) * static_cast<double>(drawn.gpu_milli) / kMilliPerGpu;
    return true;
  }

 private:
  struct Drawn {
    Time submit;
    Duration run;
    std::int64_t gpu_milli;
  };
  std::vector<Drawn> jobs_;
  std::size_t next_ = 0;
};

struct Figure {
  double events_per_s;
  std::size_t max_pending;
};

Figure run_engine(std::int64_t jobs, double shares) {
  ClusterSpec spec;
  NodeGroupSpec group;
  group.name = "bench";
  group.gpu_type = *GpuCatalog::builtin().find("V100");  // speed 1: run times as drawn
  group.gpus_per_node = 8;
  group.count = 12'500;
  spec.node_groups.push_back(group);
  const GpuCatalog catalog = GpuCatalog::builtin();
  const ClusterLayout layout(spec);
  const auto registry = scheduler::PolicyRegistry::with_builtins();
  PolicySpec fifo{"fifo", nullptr, {}, "policies.queue"};
  PolicySpec best_fit{"best_fit", nullptr, {}, "policies.placement"};
  scheduler::SchedulerCore core(layout, catalog, registry.make_queue(fifo), registry.make_placement(best_fit));
  const double mean_run_s = 3600;
  // GPUs a job asks for on average: arrivals keep 97% of them busy.
  const double mean_gpus = 1 - shares + shares * 0.25;
  SteadyLoad load(jobs, 0.97 * 100'000 / mean_run_s / mean_gpus, mean_run_s, shares);
  std::size_t running_peak = 0;
  sim::EngineOptions options;
  options.on_progress = [&](const sim::EngineProgress&) { running_peak = std::max(running_peak, core.running_jobs()); };
  options.poll_every = 4096;
  sim::NativeEngine engine(layout, catalog, core, load, options);
  sim::JobRecorder recorder(catalog);
  sim::TimeSeriesRecorder series(Duration::hours(1), layout.total_gpus());
  engine.add_observer(recorder);
  engine.add_observer(series);
  const auto start = std::chrono::steady_clock::now();
  const sim::EngineStats stats = engine.run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {static_cast<double>(stats.events) / seconds, running_peak};
}

// The hold model: pop the earliest event, push one a random time later;
// with capsim's event queue, and with a plain binary heap for reference.
double run_hold(std::size_t pending, std::size_t operations, bool binary_heap) {
  RandomStream stream = RandomStream::derive(7, "bench.hold");
  std::vector<double> delays(operations + pending);
  for (double& d : delays) d = stream.exponential(3600);
  std::uint64_t checksum = 0;
  double seconds = 0;
  if (binary_heap) {
    using Entry = std::pair<std::int64_t, std::uint64_t>;  // (time, sequence)
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
    std::uint64_t sequence = 0;
    for (std::size_t i = 0; i < pending; ++i) heap.emplace(Duration::from_seconds(delays[i]).count_us(), sequence++);
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < operations; ++i) {
      const Entry top = heap.top();
      heap.pop();
      checksum += top.second;
      heap.emplace(top.first + Duration::from_seconds(delays[pending + i]).count_us(), sequence++);
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } else {
    sim::EventQueue queue;
    for (std::size_t i = 0; i < pending; ++i) {
      queue.push(Time::zero() + Duration::from_seconds(delays[i]), sim::EventClass::kJobEnd,
                 static_cast<std::uint32_t>(i));
    }
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < operations; ++i) {
      const sim::Event event = queue.top();
      queue.pop();
      checksum += event.payload;
      queue.push(event.time + Duration::from_seconds(delays[pending + i]), sim::EventClass::kJobEnd, event.payload);
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  if (checksum == 42) std::puts("");  // keep the loop observable
  return static_cast<double>(operations) / seconds;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t jobs = 2'000'000;
  int repeat = 5;
  bool engine_only = false;
  double shares = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) {
      jobs = std::atoll(argv[++i]);
    } else if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--engine-only") == 0) {
      engine_only = true;
    } else if (std::strcmp(argv[i], "--shares") == 0 && i + 1 < argc) {
      shares = std::clamp(std::atof(argv[++i]), 0.0, 1.0);
    }
  }
  std::vector<double> engine_rates;
  std::vector<double> hold_rates;
  std::vector<double> heap_rates;
  std::size_t pending = 0;
  for (int r = 0; r < repeat; ++r) {
    const Figure figure = run_engine(jobs, shares);
    engine_rates.push_back(figure.events_per_s);
    pending = figure.max_pending;
    if (engine_only) continue;
    hold_rates.push_back(run_hold(100'000, 4'000'000, false));
    heap_rates.push_back(run_hold(100'000, 4'000'000, true));
  }
  std::printf(
      "engine: %.0f events/s (median of %d runs; %lld jobs, up to %zu pending job ends, "
      "FIFO + best fit on 100,000 GPUs)\n",
      median(engine_rates), repeat, static_cast<long long>(jobs), pending);
  if (shares > 0) std::printf("  %.0f%% of the jobs ask for a quarter of one GPU\n", 100 * shares);
  if (engine_only) return 0;
  std::printf(
      "event queue alone: %.0f events/s; a plain binary heap (std::priority_queue): %.0f events/s "
      "(hold model, 100,000 pending, medians of %d runs)\n",
      median(hold_rates), median(heap_rates), repeat);
  return 0;
}
