#include "scheduler/placement/fgd.hpp"

#include <algorithm>

#include "scheduler/placement/node_choice.hpp"

namespace capsim::scheduler {

void FgdPlacement::on_job_arrived(const JobRequest& job, const ClusterState& /*cluster*/) {
  ++total_;
  dirty_ = true;
  if (job.is_cpu_only()) return;  // the same growth everywhere: not compared
  const Resources& r = job.request;
  const Shape shape{
      job.is_gpu_share() ? static_cast<std::int32_t>(r.gpu_milli) : static_cast<std::int32_t>(kMilliPerGpu),
      job.is_gpu_share() ? 1 : job.gpus(), job.gpu_types.bits(), r.gpu_memory_mib, job.regions.bits()};
  ++counts_[shape][r.cpu_milli];
}

void FgdPlacement::compile(const ClusterState& cluster) {
  dirty_ = false;
  shapes_.clear();
  usable_by_pool_.assign(static_cast<std::size_t>(cluster.pool_count()), {});
  for (const auto& [shape, by_cpu] : counts_) {
    const auto& [milli, gpus, types, gpu_memory, regions] = shape;
    GpuShape compiled;
    compiled.milli = milli;
    compiled.gpus = gpus;
    double sum = 0;
    for (const auto& [cpu, count] : by_cpu) {
      sum += static_cast<double>(count);
      compiled.cpu.push_back(cpu);
      compiled.count_up_to.push_back(sum);
    }
    const auto index = static_cast<std::uint32_t>(shapes_.size());
    shapes_.push_back(std::move(compiled));
    // The pools where tasks of this shape may run (ClusterState::pool_serves).
    JobRequest probe;
    probe.gpu_types = GpuTypeSet::from_bits(types);
    probe.request.gpu_memory_mib = gpu_memory;
    probe.regions = RegionSet::from_bits(regions);
    for (PoolId p = 0; p < cluster.pool_count(); ++p) {
      if (cluster.pool_serves(p, probe)) usable_by_pool_[static_cast<std::size_t>(p)].push_back(index);
    }
  }
}

double FgdPlacement::fragmentation(const ClusterState& cluster, PoolId p, const NodeView& view) {
  if (dirty_) compile(cluster);
  // F_n(M) = total x (free GPU thousandths) - sum over the shapes that can
  // run here of (their requests whose CPU fits) x (the thousandths they can
  // use): everything is a fragment except what a task that fits could take.
  const NodeGpus& g = view.gpus;
  const std::int64_t whole = std::int64_t{g.free_gpus} * kMilliPerGpu;
  double fragment = static_cast<double>(total_) * static_cast<double>(g.total_milli());
  for (const std::uint32_t index : usable_by_pool_[static_cast<std::size_t>(p)]) {
    const GpuShape& shape = shapes_[index];
    std::int64_t usable = 0;
    if (shape.milli >= kMilliPerGpu) {
      if (g.free_gpus < shape.gpus) continue;  // not enough whole GPUs: all of it is a fragment
      usable = whole;
    } else {
      usable = whole;
      for (const std::int32_t room : g.room) {
        if (room >= shape.milli) usable += room;
      }
      if (usable == 0) continue;
    }
    double fitting = shape.count_up_to.back();
    if (view.models_cpu) {
      const auto it = std::upper_bound(shape.cpu.begin(), shape.cpu.end(), view.free_cpu_milli);
      if (it == shape.cpu.begin()) continue;
      fitting = shape.count_up_to[static_cast<std::size_t>(it - shape.cpu.begin()) - 1];
    }
    fragment -= fitting * static_cast<double>(usable);
  }
  return fragment;
}

void FgdPlacement::begin_node(const JobRequest& /*job*/, const ClusterState& cluster, NodeId node) {
  before_.gpus.read(cluster, node);
  before_.models_cpu = cluster.models_cpu(node);
  before_.free_cpu_milli = cluster.free_cpu_milli(node);
  before_fragmentation_ = fragmentation(cluster, cluster.pool_of(node), before_);
}

Score FgdPlacement::score(const JobRequest& job, const ClusterState& cluster, const Candidate& candidate) {
  NodeView& after = after_;
  after = before_;  // keeps after_'s storage: no allocation per candidate
  after.free_cpu_milli -= job.request.cpu_milli;
  if (job.is_gpu_share()) {
    const auto milli = static_cast<std::int32_t>(job.request.gpu_milli);
    if (candidate.gpu_used == 0) {
      --after.gpus.free_gpus;
      after.gpus.room.push_back(static_cast<std::int32_t>(kMilliPerGpu) - milli);
    } else {
      const std::int32_t room = static_cast<std::int32_t>(kMilliPerGpu) - candidate.gpu_used;
      const auto it = std::find(after.gpus.room.begin(), after.gpus.room.end(), room);
      if (it != after.gpus.room.end()) *it -= milli;
    }
  } else {
    after.gpus.free_gpus -= job.gpus();
  }
  return {fragmentation(cluster, cluster.pool_of(candidate.node), after) - before_fragmentation_, 0};
}

bool FgdPlacement::place(const JobRequest& job, const ClusterState& cluster, std::vector<NodeShare>& out) {
  return place_remembering_failures(failures_, job, cluster, out,
                                    [&] { return choice_.place(job, cluster, *this, out); });
}

}  // namespace capsim::scheduler
