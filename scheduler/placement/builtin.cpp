// The built-in placement policies, listed once (the Kubernetes in-tree
// registry pattern). A test checks that every policy file of
// scheduler/placement/ is registered here.
#include "scheduler/placement/best_fit.hpp"
#include "scheduler/placement/first_fit.hpp"
#include "scheduler/placement/gavel.hpp"
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
}

}  // namespace capsim::scheduler
