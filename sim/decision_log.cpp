#include "sim/decision_log.hpp"

#include <cstdio>

namespace capsim::sim {

void DecisionLog::stamp(Time now) {
  // Seconds with all six decimals, from the integer microseconds: exact.
  char text[48];
  const long long us = now.count_us();
  std::snprintf(text, sizeof text, "%12lld.%06lld ", us / 1'000'000, us % 1'000'000);
  out_ << text;
}

void DecisionLog::on_job_arrived(Time now, JobId job, const JobSpec& spec) {
  stamp(now);
  out_ << "arrive job " << job << " " << spec.name << " gpus=" << spec.gpus();
  if (spec.request.gpu_memory_mib > 0) out_ << " gpu_memory=" << spec.request.gpu_memory_mib << "MiB";
  if (!spec.gpu_types.is_any()) out_ << " type=" << catalog_.names_of(spec.gpu_types);
  out_ << " recorded=" << spec.duration.count_us() << "us\n";
}

void DecisionLog::on_job_started(Time now, JobId job, std::span<const NodeShare> allocation, GpuTypeId gpu_type,
                                 double rate) {
  stamp(now);
  out_ << "start  job " << job << " on " << catalog_.at(gpu_type).name;
  for (const NodeShare& share : allocation) {
    out_ << " node" << share.node << "(rack" << layout_.rack_of(share.node) << ")x" << share.gpus;
  }
  out_ << " rate=" << rate << "\n";
}

void DecisionLog::on_job_ended(Time now, JobId job, JobEnd how) {
  stamp(now);
  out_ << (how == JobEnd::kRejected ? "reject job " : "end    job ") << job << " " << to_string(how) << "\n";
}

void DecisionLog::on_run_end(Time end) {
  stamp(end);
  out_ << "stop\n";
}

}  // namespace capsim::sim
