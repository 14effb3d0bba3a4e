// The cluster's network as the SimGrid driver builds it (`cluster.network`):
// inside a node, each GPU's link to the node's switch (NVLink or PCIe); each
// node's network link to its rack's top-of-rack switch; each rack's uplinks
// to the spine switches (leaf-spine), or, in a three-tier fat tree, to its
// pod's aggregation switches and the pods' uplinks to the core. The native
// engine does not read it: its placement factors (PerformanceSpec) stand for
// the network, and `capsim calibrate --network` fits them from this.
#pragma once

#include <cstdint>
#include <string>

#include "core/config_tree.hpp"
#include "core/error.hpp"

namespace capsim {

// One link, each direction: full duplex, `bandwidth` bytes/s each way.
struct LinkSpec {
  double bandwidth = 0;  // bytes per second, each direction
  double latency_s = 0;  // seconds
  friend bool operator==(const LinkSpec&, const LinkSpec&) = default;
};

enum class NetworkTopology : std::uint8_t {
  kLeafSpine,  // racks (leaves) each linked to every spine switch
  kFatTree,    // racks linked to their pod's aggregation layer, pods to the core
};
std::string_view to_string(NetworkTopology topology);

struct NetworkSpec {
  NetworkTopology topology = NetworkTopology::kLeafSpine;
  // Per GPU, to its node's switch (NVLink 4: 450 GB/s each way).
  LinkSpec gpu_link{450e9, 1e-6};
  // Per node, to its rack's switch (one 400 Gb/s NIC).
  LinkSpec node_link{50e9, 2e-6};
  // Per rack and spine (leaf-spine) or per rack to its pod (fat tree): the
  // rack's traffic out of the rack shares `uplinks` such links (ECMP spreads
  // flows over them; the driver aggregates them into one of uplinks x
  // bandwidth).
  LinkSpec rack_uplink{50e9, 1e-6};
  std::int32_t uplinks = 4;
  // Fat tree only: racks per pod, and each pod's links to the core.
  std::int32_t racks_per_pod = 4;
  LinkSpec pod_uplink{200e9, 1e-6};
  std::int32_t pod_uplinks = 4;
  SourceLocation where;
  friend bool operator==(const NetworkSpec& a, const NetworkSpec& b) {
    return a.topology == b.topology && a.gpu_link == b.gpu_link && a.node_link == b.node_link &&
           a.rack_uplink == b.rack_uplink && a.uplinks == b.uplinks && a.racks_per_pod == b.racks_per_pod &&
           a.pod_uplink == b.pod_uplink && a.pod_uplinks == b.pod_uplinks;
  }
};

// `cluster.network` (field: where it stands). Throws InputError.
NetworkSpec parse_network(const ConfigNode& node, const std::string& field);

// A bandwidth such as "400Gbps", "400 Gb/s", "50GBps", "50 GB/s", "900GiB/s"
// in bytes per second; false when it is not one.
bool parse_bandwidth(std::string_view text, double& bytes_per_second);

// A data size such as "1GB", "350 MiB" or "4096" (bytes), in bytes; false
// when it is not one.
bool parse_bytes(std::string_view text, double& bytes);

}  // namespace capsim
