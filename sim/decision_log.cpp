#include "sim/decision_log.hpp"

#include <cstdio>
#include <string>

namespace capsim::sim {

namespace {
// GPUs from thousandths: "4" for whole GPUs (as logs always showed them),
// "0.25" for a share of one.
std::string gpus_text(std::int64_t gpu_milli) {
  if (gpu_milli % kMilliPerGpu == 0) return std::to_string(gpu_milli / kMilliPerGpu);
  char text[32];
  std::snprintf(text, sizeof text, "%g", static_cast<double>(gpu_milli) / kMilliPerGpu);
  return text;
}
}  // namespace

void DecisionLog::stamp(Time now) {
  // Seconds with all six decimals, from the integer microseconds: exact.
  char text[48];
  const long long us = now.count_us();
  std::snprintf(text, sizeof text, "%12lld.%06lld ", us / 1'000'000, us % 1'000'000);
  out_ << text;
}

void DecisionLog::on_job_arrived(Time now, JobId job, const JobSpec& spec) {
  stamp(now);
  out_ << "arrive job " << job << " " << spec.name << " gpus=" << gpus_text(spec.request.gpu_milli);
  if (spec.request.cpu_milli > 0) out_ << " cpus=" << static_cast<double>(spec.request.cpu_milli) / 1000;
  if (spec.request.gpu_memory_mib > 0) out_ << " gpu_memory=" << spec.request.gpu_memory_mib << "MiB";
  if (!spec.gpu_types.is_any()) out_ << " type=" << catalog_.names_of(spec.gpu_types);
  out_ << " recorded=" << spec.duration.count_us() << "us\n";
}

void DecisionLog::on_job_started(Time now, JobId job, std::span<const NodeShare> allocation, GpuTypeId gpu_type,
                                 double rate) {
  stamp(now);
  out_ << "start  job " << job << " on " << (gpu_type == kAnyGpuType ? "CPU" : catalog_.at(gpu_type).name);
  for (const NodeShare& share : allocation) {
    out_ << " node" << share.node << "(rack" << layout_.rack_of(share.node) << ")";
    if (share.is_gpu_share()) {
      out_ << "gpu" << share.gpu << "x" << gpus_text(share.gpu_milli);
      if (share.is_mig()) {
        const MigProfile& profile = catalog_.at(gpu_type).mig_profiles[static_cast<std::size_t>(share.mig_profile)];
        out_ << "[mig " << profile.name << "@" << int{share.mig_start} << "]";
      }
    } else if (share.gpus > 0) {
      out_ << "x" << share.gpus;
    }
  }
  out_ << " rate=" << rate << "\n";
}

void DecisionLog::on_job_idle(Time now, JobId job) {
  stamp(now);
  out_ << "idle   job " << job << "\n";
}

void DecisionLog::on_job_rejected(Time now, JobId job, RejectReason reason) {
  stamp(now);
  out_ << "reject job " << job << " rejected";
  // Too large is what a rejection meant before there were other reasons: the
  // line stays as it was.
  if (reason != RejectReason::kTooLarge) out_ << ": " << scheduler::describe(reason);
  out_ << "\n";
}

void DecisionLog::on_job_ended(Time now, JobId job, JobEnd how) {
  if (how == JobEnd::kRejected) return;  // on_job_rejected wrote the line
  stamp(now);
  out_ << "end    job " << job << " " << to_string(how) << "\n";
}

void DecisionLog::on_run_end(Time end) {
  stamp(end);
  out_ << "stop\n";
}

}  // namespace capsim::sim
