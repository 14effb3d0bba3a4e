// The built-in placement policies, listed once (the Kubernetes in-tree
// registry pattern). A test checks that every policy file of
// scheduler/placement/ is registered here.
#include "scheduler/placement/best_fit.hpp"
#include "scheduler/placement/best_fit_cpu_gpu.hpp"
#include "scheduler/placement/dot_product.hpp"
#include "scheduler/placement/fgd.hpp"
#include "scheduler/placement/first_fit.hpp"
#include "scheduler/placement/gavel.hpp"
#include "scheduler/placement/gpu_clustering.hpp"
#include "scheduler/placement/gpu_packing.hpp"
#include "scheduler/placement/random.hpp"
#include "scheduler/placement/scored_choice.hpp"
#include "scheduler/placement/spread.hpp"
#include "scheduler/placement/topology.hpp"
#include "scheduler/placement/worst_fit.hpp"
#include "scheduler/registry.hpp"

namespace capsim::scheduler {

namespace {
// A scoring policy (scored_choice.hpp): its one parameter is nodes_to_score.
template <typename Policy>
PolicyRegistry::PlacementFactory scoring() {
  return [](const PolicyParams& params) {
    return std::make_unique<Policy>(read_nodes_to_score(params.reader({"nodes_to_score"})));
  };
}
}  // namespace

void register_builtin_placement_policies(PolicyRegistry& registry) {
  registry.add_placement("first_fit",
                         "the lowest-numbered node with room; large jobs take whole nodes; shares of a GPU "
                         "pack onto the lowest shared GPU with room",
                         [](const PolicyParams& params) {
                           params.reader({});  // no parameters: reject any given
                           return std::make_unique<FirstFitPlacement>();
                         });
  registry.add_placement("best_fit",
                         "the node left with the fewest free GPUs; large jobs take whole nodes; shares of a GPU "
                         "go to the fullest shared GPU they fit",
                         [](const PolicyParams& params) {
                           params.reader({});
                           return std::make_unique<BestFitPlacement>();
                         });
  registry.add_placement(
      "gavel",
      "heterogeneity-aware (Gavel, OSDI'20): the GPU type where the job's class is fastest "
      "relative to the workload's mean there (rank: advantage, or speed), best fit within it, "
      "falling back to the other types (fallback_min_speed: 0)",
      [](const PolicyParams& params) {
        auto rank = GavelPlacement::Rank::kAdvantage;
        double fallback_min_speed = 0;
        if (const auto map = params.reader({"rank", "fallback_min_speed"})) {
          if (const ConfigNode* v = map->optional("rank")) {
            const std::string word = read_string(*v, map->field("rank"));
            if (word == "speed") {
              rank = GavelPlacement::Rank::kSpeed;
            } else if (word != "advantage") {
              throw InputError(v->where(), map->field("rank"), "advantage or speed", quote_for_message(word));
            }
          }
          if (const ConfigNode* v = map->optional("fallback_min_speed")) {
            fallback_min_speed = read_number(*v, map->field("fallback_min_speed"), 0, 1);
          }
        }
        return std::make_unique<GavelPlacement>(params.job_classes, params.catalog, rank, fallback_min_speed);
      });
  registry.add_placement("worst_fit",
                         "spread: the node left with the most free GPUs; shares of a GPU go to the emptiest GPU, "
                         "CPU-only jobs to the node with the most free CPU",
                         [](const PolicyParams& params) {
                           params.reader({});
                           return std::make_unique<WorstFitPlacement>();
                         });
  registry.add_placement("random", "a uniformly random node that can take the job (seeded by the run's seed)",
                         [](const PolicyParams& params) {
                           params.reader({});
                           return std::make_unique<RandomPlacement>(params.seed);
                         });
  registry.add_placement("topology",
                         "topology-aware packing: fill a node, then a partly used rack; gangs within the tightest "
                         "rack that holds them, across as few racks as possible otherwise",
                         [](const PolicyParams& params) {
                           params.reader({});
                           return std::make_unique<TopologyPlacement>();
                         });
  registry.add_placement("spread",
                         "the opposite of topology: a job's GPUs from as many nodes as possible, dealt round-robin "
                         "across racks, at most per_node (default 1) per node unless it fits no other way",
                         [](const PolicyParams& params) {
                           std::int32_t per_node = 1;
                           if (const auto map = params.reader({"per_node"})) {
                             if (const ConfigNode* v = map->optional("per_node")) {
                               per_node = static_cast<std::int32_t>(read_int(*v, map->field("per_node"), 1, 1024));
                             }
                           }
                           return std::make_unique<SpreadPlacement>(per_node);
                         });
  registry.add_placement("fgd",
                         "fragmentation gradient descent (Weng et al., ATC'23): the node and GPU where the "
                         "expected GPU fragmentation of the workload seen so far grows least; nodes_to_score",
                         scoring<FgdPlacement>());
  registry.add_placement("dot_product",
                         "the node whose free (CPU, GPU) vector has the smallest dot product with the request "
                         "(Tetris; a baseline of Weng et al., ATC'23); nodes_to_score",
                         scoring<DotProductPlacement>());
  registry.add_placement("gpu_clustering",
                         "jobs of the same GPU request packed together (a baseline of Weng et al., ATC'23); "
                         "nodes_to_score",
                         scoring<GpuClusteringPlacement>());
  registry.add_placement("gpu_packing",
                         "occupied GPUs first, then occupied nodes, then idle nodes (a baseline of Weng et al., "
                         "ATC'23); nodes_to_score",
                         scoring<GpuPackingPlacement>());
  registry.add_placement("best_fit_cpu_gpu",
                         "best fit as Weng et al. (ATC'23) define it: the node left with the least free CPU and "
                         "GPU, equally weighted; nodes_to_score",
                         scoring<BestFitCpuGpuPlacement>());
}

}  // namespace capsim::scheduler
