#include "sim/link_contention.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace capsim::sim {

LinkContention::LinkContention(const ClusterLayout& layout, const NetworkSpec& network, double sharing)
    : layout_(layout), sharing_(sharing) {
  const std::size_t nodes = layout.node_count(), racks = layout.rack_count();
  capacity_.assign(nodes, network.node_link.bandwidth);
  capacity_.resize(nodes + racks, network.rack_uplink.bandwidth * network.uplinks);
  if (network.topology == NetworkTopology::kFatTree) {
    racks_per_pod_ = network.racks_per_pod;
    const std::size_t pods = (racks + static_cast<std::size_t>(racks_per_pod_) - 1) / racks_per_pod_;
    capacity_.resize(nodes + racks + pods, network.pod_uplink.bandwidth * network.pod_uplinks);
  }
  for (const double c : capacity_) CAPSIM_CHECK(c > 0) << "a network link without bandwidth";
  flows_.assign(capacity_.size(), 0);
  users_.resize(capacity_.size());
}

bool LinkContention::join(std::uint32_t slot, std::span<const NodeShare> allocation, double isolated) {
  if (allocation.size() < 2) return false;
  if (jobs_.size() <= slot) jobs_.resize(slot + 1);
  Job& job = jobs_[slot];
  CAPSIM_CHECK(job.links.empty()) << "slot " << slot << " joined the network twice";
  const auto nodes = static_cast<std::int32_t>(layout_.node_count());
  const auto racks = static_cast<std::int32_t>(layout_.rack_count());
  const auto add = [&](std::int32_t link) {
    for (Use& use : job.links) {
      if (use.link == link) {
        ++use.flows;
        return;
      }
    }
    job.links.push_back({link, 1});
  };
  // Each hop of the ring between nodes leaves its node by the node's link
  // (and arrives by the next's: the same count each way, a ring enters a
  // node, rack or pod as often as it leaves it), and its rack and pod by
  // their uplinks when it leaves them.
  for (std::size_t i = 0; i < allocation.size(); ++i) {
    const NodeId a = allocation[i].node, b = allocation[(i + 1) % allocation.size()].node;
    if (a == b) continue;
    add(a);
    const RackId ra = layout_.rack_of(a), rb = layout_.rack_of(b);
    if (ra == rb) continue;
    add(nodes + ra);
    if (racks_per_pod_ > 0 && ra / racks_per_pod_ != rb / racks_per_pod_) add(nodes + racks + ra / racks_per_pod_);
  }
  if (job.links.empty()) return false;
  std::sort(job.links.begin(), job.links.end(), [](const Use& x, const Use& y) { return x.link < y.link; });
  job.isolated = isolated;
  job.alone_rate = capacity_[static_cast<std::size_t>(job.links.front().link)];
  for (const Use& use : job.links) {
    const auto l = static_cast<std::size_t>(use.link);
    flows_[l] += use.flows;
    users_[l].push_back(slot);
    job.alone_rate = std::min(job.alone_rate, capacity_[l] / use.flows);
  }
  return true;
}

void LinkContention::leave(std::uint32_t slot) {
  if (!joined(slot)) return;
  Job& job = jobs_[slot];
  for (const Use& use : job.links) {
    const auto l = static_cast<std::size_t>(use.link);
    flows_[l] -= use.flows;
    std::vector<std::uint32_t>& users = users_[l];
    users.erase(std::find(users.begin(), users.end(), slot));
  }
  job.links.clear();
}

const std::vector<std::uint32_t>& LinkContention::neighbours(std::uint32_t slot) {
  scratch_.clear();
  if (!joined(slot)) return scratch_;
  for (const Use& use : jobs_[slot].links) {
    const std::vector<std::uint32_t>& users = users_[static_cast<std::size_t>(use.link)];
    scratch_.insert(scratch_.end(), users.begin(), users.end());
  }
  std::sort(scratch_.begin(), scratch_.end());
  scratch_.erase(std::unique(scratch_.begin(), scratch_.end()), scratch_.end());
  return scratch_;
}

double LinkContention::factor(std::uint32_t slot) const {
  const Job& job = jobs_.at(slot);
  CAPSIM_CHECK(!job.links.empty()) << "slot " << slot << " is not on the network";
  double rate = job.alone_rate;
  for (const Use& use : job.links) {
    const auto l = static_cast<std::size_t>(use.link);
    const double load = use.flows + sharing_ * (flows_[l] - use.flows);
    rate = std::min(rate, capacity_[l] / load);
  }
  const double slowdown = job.alone_rate / rate;
  return 1.0 / (1.0 + (1.0 / job.isolated - 1.0) * slowdown);
}

}  // namespace capsim::sim
