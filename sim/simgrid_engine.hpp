// The SimGrid driver (DESIGN.md): the same scheduler core over SimGrid's s4u
// API, for what the native engine's factors hide. The cluster becomes a
// SimGrid platform (each GPU a host; its link to the node's switch, NVLink or
// PCIe; each node's link to its rack's switch; the racks' uplinks to the
// spine, or to their pod and the pods' to the core in a fat tree), and a
// data-parallel job runs as iterations: compute on each of its GPUs, then a
// ring all-reduce of its class's gradient between them over those links,
// where it shares bandwidth with every other job's flows. Power comes from
// SimGrid's host energy plugin (idle and peak watts of the GPU catalog).
//
// Time model. A job's work is in reference GPU-us as for the native engine,
// whose rate (GPUs x speed x scaling) stands for the job on its best links:
// all its GPUs on one node's switch. One iteration then takes
// iteration_time / (speed x scaling), of which the all-reduce on those
// links takes comm_ideal; the rest is compute. So a job alone on one node
// ends exactly when the native engine says, and any other placement or any
// neighbour on its links costs what SimGrid's flow model says. The
// iterations are simulated in at most `steps` steps (RunSpec::simgrid_steps),
// each the compute of several iterations followed by their all-reduces as one
// ring of flows whose bytes are theirs together, plus the latency of the
// ring's 2 (g - 1) hops per iteration (a flow pays its route's latency once).
//
// SimGrid runs one simulation per process (its clock never resets): run it in
// a process of its own (sim::run_scenario forks for it).
#pragma once

#include <vector>

#include "core/cluster.hpp"
#include "core/gpu_catalog.hpp"
#include "core/job.hpp"
#include "core/network.hpp"
#include "scheduler/scheduler_core.hpp"
#include "sim/engine.hpp"
#include "sim/observer.hpp"

namespace capsim::sim {

struct SimGridOptions {
  EngineOptions engine;
  NetworkSpec network;
  std::int32_t steps = 20;  // RunSpec::simgrid_steps
};

// What the energy plugin measured, per GPU type (joules, over the run).
struct SimGridEnergy {
  std::vector<double> joules_by_type;  // by GpuTypeId
  double total_joules = 0;
};

class SimGridEngine {
 public:
  // Everything passed in must outlive the engine.
  SimGridEngine(const ClusterLayout& layout, const GpuCatalog& catalog, scheduler::SchedulerCore& scheduler,
                JobSource& source, SimGridOptions options);
  ~SimGridEngine();
  SimGridEngine(const SimGridEngine&) = delete;
  SimGridEngine& operator=(const SimGridEngine&) = delete;

  void add_observer(EngineObserver& observer);
  // Builds the platform and runs the simulation to its end. Once per
  // process: a second call throws InternalError.
  EngineStats run();
  const SimGridEnergy& energy() const;

  class Impl;

 private:
  Impl* impl_;
};

// The closed-form time of one ring all-reduce of `bytes` among `gpus` GPUs
// whose every hop crosses links of `bandwidth` (bytes/s each way) and
// `latency_s` in all: 2 (g - 1) hops of bytes / g each, in parallel around
// the ring. 0 for one GPU.
double ring_allreduce_s(std::int64_t gpus, double bytes, double bandwidth, double latency_s);

}  // namespace capsim::sim
