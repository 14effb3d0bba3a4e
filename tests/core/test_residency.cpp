// Data residency in the scenario (issue 9): job classes' and services'
// `regions:`, resolved against cluster.regions, and the errors that name
// the file, line, field and the regions known.
#include <catch2/catch.hpp>

#include <string>

#include "core/scenario.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::scenario_from;

namespace {

// Line 3 is eu's, 4 us's, 5 asia's (no nodes).
const char* kCluster =
    "cluster:\n"
    "  regions:\n"
    "    - {name: eu}\n"
    "    - {name: us}\n"
    "    - {name: asia}\n"
    "  node_groups:\n"
    "    - {name: eu, gpu: V100, gpus_per_node: 4, count: 2, region: eu}\n"
    "    - {name: us, gpu: V100, gpus_per_node: 8, count: 8, region: us}\n"
    "workload:\n";

const char* kService =
    "      model: {work: 100ms}\n"
    "      slo: {latency: 1s}\n"
    "      load: {base: 1, span: 1h}\n";

InputError error_of(const std::string& workload) {
  return input_error_of([&] { scenario_from(std::string(kCluster) + workload, "r.yaml"); });
}

}  // namespace

TEST_CASE("residency: job classes name their regions; services inherit or narrow them", "[core][residency]") {
  const Scenario s = scenario_from(std::string(kCluster) +
                                   "  job_classes:\n"
                                   "    - {name: gdpr, queues: [gdpr], regions: [eu]}\n"
                                   "    - {name: west, users: [ann], regions: [eu, us]}\n"
                                   "    - {name: one, users: [bob], regions: us}\n"
                                   "    - {name: default}\n"
                                   "  jobs: [{submit: 0s, gpus: 1, duration: 1h, class: gdpr}]\n"
                                   "  services:\n"
                                   "    - name: chat\n"
                                   "      class: gdpr\n" +
                                   kService +
                                   "    - name: search\n"
                                   "      class: west\n"
                                   "      regions: [us]\n" +
                                   kService + "    - name: free\n" + kService);
  const JobClasses& classes = s.workload.job_classes;
  CHECK(classes.at(*classes.find("gdpr")).regions == RegionSet::of(0));
  RegionSet west = RegionSet::of(0);
  west.add(1);
  CHECK(classes.at(*classes.find("west")).regions == west);
  CHECK(classes.at(*classes.find("one")).regions == RegionSet::of(1));  // one name, not a list
  CHECK(classes.at(*classes.find("default")).regions.is_any());
  REQUIRE(s.workload.services.size() == 3);
  CHECK(s.workload.services[0].regions == RegionSet::of(0));  // its class's
  CHECK(s.workload.services[1].regions == RegionSet::of(1));  // its own, within its class's
  CHECK(s.workload.services[2].regions.is_any());
}

TEST_CASE("residency: errors name the file, line, field and the regions known", "[core][residency]") {
  InputError e = error_of(
      "  job_classes:\n"
      "    - {name: gdpr, regions: [eu, mars]}\n"
      "  jobs: [{submit: 0s, gpus: 1, duration: 1h}]\n");
  CHECK(e.where().file == "r.yaml");
  CHECK(e.where().line == 11);
  CHECK(e.field() == "workload.job_classes[0].regions[1]");
  CHECK(e.expected() == "one of the cluster's regions (eu, us, asia)");
  CHECK(e.got() == "\"mars\"");

  // A region without nodes would reject every job of the class.
  e = error_of(
      "  job_classes: [{name: gdpr, regions: asia}]\n"
      "  jobs: [{submit: 0s, gpus: 1, duration: 1h}]\n");
  CHECK(e.field() == "workload.job_classes[0].regions");
  CHECK(e.expected() == "regions that hold node groups");
  CHECK(e.got().find("asia") != std::string::npos);

  e = error_of(
      "  job_classes: [{name: gdpr, regions: []}]\n"
      "  jobs: [{submit: 0s, gpus: 1, duration: 1h}]\n");
  CHECK(e.field() == "workload.job_classes[0].regions");

  // A cluster that lists no regions has none to name.
  e = input_error_of([] {
    scenario_from(
        "cluster: {node_groups: [{gpu: V100, gpus_per_node: 4, count: 1}]}\n"
        "workload:\n"
        "  job_classes: [{name: gdpr, regions: [eu]}]\n"
        "  jobs: [{submit: 0s, gpus: 1, duration: 1h}]\n");
  });
  CHECK(e.field() == "workload.job_classes[0].regions[0]");
  CHECK(e.expected() == "a region listed under cluster.regions");

  // A service may narrow its class's regions, never leave them.
  e = error_of(std::string("  job_classes: [{name: gdpr, regions: [eu]}, {name: default}]\n"
                           "  services:\n"
                           "    - name: chat\n"
                           "      class: gdpr\n"
                           "      regions: [us]\n") +
               kService);
  CHECK(e.field() == "workload.services[0].regions");
  CHECK(e.where().line == 14);
  CHECK(e.expected() == "regions within its class \"gdpr\"'s (eu)");

  // A job held to the EU cannot ask for more than the EU's 8 V100s, however
  // many the US has.
  e = error_of(
      "  job_classes: [{name: gdpr, regions: [eu]}, {name: default}]\n"
      "  jobs: [{submit: 0s, gpus: 16, duration: 1h, class: gdpr}]\n");
  CHECK(e.field() == "workload.jobs[0].gpus");
  CHECK(e.expected().find("at most 8 GPUs") == 0);
  CHECK(e.expected().find("in eu") != std::string::npos);

  // More regions than a region set holds.
  std::string many = "cluster:\n  regions:\n";
  for (int r = 0; r <= 64; ++r) many += "    - {name: r" + std::to_string(r) + "}\n";
  e = input_error_of([&] {
    scenario_from(many +
                  "  node_groups: [{gpu: V100, gpus_per_node: 4, count: 1, region: r0}]\n"
                  "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1h}]}\n");
  });
  CHECK(e.field() == "cluster.regions");
  CHECK(e.expected() == "at most 64 regions");
}
