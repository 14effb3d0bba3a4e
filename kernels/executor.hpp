// The real executor (DESIGN.md, "kernels/"): the third driver of the
// scheduler core. It runs a scenario's jobs for real on this machine's
// devices, against the wall clock: each device is a node of the core's
// cluster and each of its slots a GPU (kernels/ops/ops.hpp's lanes: CUDA
// streams sharing a GPU, or CPU threads). A job is a number of iterations of
// its class's kernel mix on each of its slots, with a barrier after every
// iteration (a data-parallel step); preemption stops it between iterations
// and a later start resumes where it stopped. Results go through the same
// observers and writer as a simulation, so a real run writes the same
// results.h5 and summary.json.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/scenario.hpp"
#include "kernels/ops/ops.hpp"
#include "scheduler/registry.hpp"
#include "sim/results.hpp"

namespace capsim::kernels {

// A job as the executor runs it.
struct RealJob {
  JobSpec spec;  // submit scaled by executor.time_scale; a request of whole slots
  std::int32_t slots = 1;
  std::int64_t iterations = 1;
  std::size_t mix = 0;      // index into RealWorkload::mixes
  double iteration_us = 0;  // one iteration alone on one slot of an idle device, as estimated
};

struct RealWorkload {
  std::vector<RealJob> jobs;  // in submit order; index = the core's job id
  std::vector<KernelMix> mixes;
  // Where each mix comes from, for messages ("workload.job_classes[1].kernels").
  std::vector<std::string> mix_fields;
};

// The scenario's jobs (run.engine: real), converted: a job's GPUs become
// slots (a share of one GPU, or none, takes one slot); its submit time and
// its work per slot are scaled by executor.time_scale, and the work becomes
// iterations = max(1, round(work per slot / estimate(mix))), where estimate
// gives an iteration's microseconds alone on one slot. Throws InputError
// (a job that never ends cannot run for real).
RealWorkload prepare_real_workload(const Scenario& scenario,
                                   const std::function<double(const KernelMix&, std::size_t)>& estimate_us);

// Microseconds of one iteration of `mix` on `lane` alone: `warmup` untimed
// iterations, then the median of `repeats` timed ones. The lane must have
// been reserved for the mix.
double measure_mix_us(Lane& lane, const KernelMix& mix, int warmup, int repeats);

struct ExecutorOptions {
  std::ostream* notice = nullptr;     // one line when the backend falls back to the CPU
  std::function<bool()> should_stop;  // polled; true stops the run (results marked partial)
  std::ostream* decision_log = nullptr;
  const scheduler::PolicyRegistry* registry = nullptr;  // null: the built-in policies
};

struct RealRun {
  sim::RunResults results;
  RealWorkload workload;
  std::string backend;                        // "cpu" or "cuda"
  std::string device;                         // device 0's name
  std::vector<std::int64_t> iterations_done;  // per job
};

// Runs a scenario of run.engine real: opens the backend (executor.backend),
// estimates each mix's iteration time (from the scenario's calibration
// profile, or measured alone on one slot before the run), and executes.
// Throws InputError for bad input, std::runtime_error for a device failure.
RealRun execute_scenario(const Scenario& scenario, const ExecutorOptions& options = {});

// Executes a prepared workload on `backend` under the scenario's policies
// (the scenario's cluster must be its executor cluster).
RealRun execute_workload(const Scenario& scenario, RealWorkload workload, Backend& backend,
                         const ExecutorOptions& options = {});

}  // namespace capsim::kernels
