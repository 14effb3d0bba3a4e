// The built-in placement policies, listed once (the Kubernetes in-tree
// registry pattern). A test checks that every policy file of
// scheduler/placement/ is registered here.
#include "scheduler/placement/best_fit.hpp"
#include "scheduler/placement/first_fit.hpp"
#include "scheduler/registry.hpp"

namespace capsim::scheduler {

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
}

}  // namespace capsim::scheduler
