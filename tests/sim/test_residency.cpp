// Data residency end to end (issue 9): scenarios/residency.yaml, built to
// tempt a policy to spill EU-bound work into the idle US (a small, saturated
// EU; a large US; cheaper US spot nodes; EU spot nodes interrupted at
// random), run through the simulator. From the decision log (every start,
// restarts after interruptions included) and the /jobs table: no job of the
// EU class ever ran outside the EU; it waited instead, and the cluster
// autoscaler bought it EU nodes only. The same scenario without the
// restriction does spill, so the temptation is real.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/scenario.hpp"
#include "sim/run.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;

namespace {

struct Observed {
  sim::RunResults results;
  // Per job (the /jobs row), the regions of every node of every start.
  std::map<std::int64_t, std::vector<std::string>> regions_started;
  std::map<std::int64_t, int> starts;
};

Observed run(const Scenario& scenario) {
  std::ostringstream log;
  sim::RunOptions options;
  options.decision_log = &log;
  Observed out{sim::run_scenario(scenario, options), {}, {}};
  const ClusterLayout layout(scenario.cluster);
  // "      12.000000 start  job 7 on H100 node3(rack0)x4 node9(rack1)x4 rate=..."
  std::istringstream lines(log.str());
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string time, verb, job_word;
    std::int64_t job = -1;
    if (!(words >> time >> verb >> job_word >> job) || verb != "start") continue;
    ++out.starts[job];
    for (std::string word; words >> word;) {
      if (word.rfind("node", 0) != 0) continue;
      const auto node = static_cast<NodeId>(std::stol(word.substr(4)));
      out.regions_started[job].push_back(
          scenario.cluster.region_name(static_cast<std::size_t>(layout.region_of(node))));
    }
  }
  return out;
}

bool eu_bound(const sim::RunResults& results, std::size_t job) {
  const std::string_view user = results.jobs.user[job];
  return user == "user-001" || user == "user-004";  // the class gdpr of the scenario
}

}  // namespace

TEST_CASE("residency: EU-bound jobs of scenarios/residency.yaml never leave the EU", "[sim][residency]") {
  const Scenario scenario = load_scenario(capsim::testing::source_dir() / "scenarios/residency.yaml");
  const Observed o = run(scenario);
  const sim::JobTable& jobs = o.results.jobs;
  REQUIRE(jobs.size() > 5'000);
  std::size_t eu_jobs = 0, restarted = 0, waited = 0, others_in_us = 0;
  double eu_delay = 0, other_delay = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    INFO("job " << i << " (" << jobs.name[i] << ")");
    CHECK(jobs.state[i] == sim::JobEnd::kCompleted);
    const auto started = o.regions_started.find(static_cast<std::int64_t>(i));
    REQUIRE(started != o.regions_started.end());
    if (!eu_bound(o.results, i)) {
      other_delay += jobs.queueing_delay_s[i];
      if (started->second.front() == "us") ++others_in_us;
      continue;
    }
    ++eu_jobs;
    for (const std::string& region : started->second) CHECK(region == "eu");
    CHECK(jobs.region_names.at(static_cast<std::size_t>(jobs.region[i])) == "eu");
    restarted += o.starts.at(static_cast<std::int64_t>(i)) > 1 ? 1 : 0;
    waited += jobs.queueing_delay_s[i] > 0 ? 1 : 0;
    eu_delay += jobs.queueing_delay_s[i];
  }
  // The temptation was there: many EU jobs waited (the EU saturated) while
  // the others barely did and most of them ran in the US; EU spot nodes were
  // interrupted, and their jobs restarted, in the EU.
  CHECK(eu_jobs > 2'000);
  CHECK(waited > 500);
  CHECK(restarted > 10);
  CHECK(others_in_us > 5'000);
  CHECK(eu_delay / static_cast<double>(eu_jobs) > 100 * other_delay / static_cast<double>(jobs.size() - eu_jobs));
  // The cluster autoscaler bought EU spot nodes for them, never the cheaper
  // US ones.
  const auto& groups = o.results.summary.node_groups;
  const auto group = [&](const std::string& name) {
    for (const auto& g : groups) {
      if (g.name == name) return g;
    }
    FAIL("no node group " << name);
    return groups.front();
  };
  CHECK(group("eu-spot").figure("nodes_provisioned") > 0);
  CHECK(group("us-spot").figure("nodes_provisioned") == 0);
}

TEST_CASE("residency: without the restriction the same scenario spills EU work into the US", "[sim][residency]") {
  Scenario scenario = load_scenario(capsim::testing::source_dir() / "scenarios/residency.yaml");
  std::vector<JobClassSpec> classes = scenario.workload.job_classes.classes();
  for (JobClassSpec& c : classes) c.regions = RegionSet::any();
  scenario.workload.job_classes = JobClasses(std::move(classes));
  const Observed o = run(scenario);
  std::size_t spilled = 0;
  for (std::size_t i = 0; i < o.results.jobs.size(); ++i) {
    if (!eu_bound(o.results, i)) continue;
    for (const std::string& region : o.regions_started.at(static_cast<std::int64_t>(i))) {
      if (region == "us") {
        ++spilled;
        break;
      }
    }
  }
  CHECK(spilled > 1'000);
}

TEST_CASE("residency: an outage of the EU's fixed nodes never sends EU-bound jobs to the US", "[sim][residency]") {
  // The EU's six fixed nodes fail for 12 hours on the second day: EU-bound
  // jobs running there are stopped and restart from their checkpoints, and
  // new ones arrive, while the US has room. They wait for the EU (its spot
  // nodes, then its fixed nodes back) instead.
  Scenario scenario = load_scenario(capsim::testing::source_dir() / "scenarios/residency.yaml");
  OutageSpec outage;
  outage.at = Time::zero() + Duration::hours(30);
  outage.duration = Duration::hours(12);
  outage.scope = OutageSpec::Scope::kRegion;
  outage.index = 0;
  REQUIRE(scenario.cluster.region_name(0) == "eu");
  scenario.failures.outages.push_back(outage);
  const Observed o = run(scenario);
  const sim::JobTable& jobs = o.results.jobs;
  std::size_t eu_stopped = 0, eu_in_outage = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!eu_bound(o.results, i)) continue;
    INFO("job " << i << " (" << jobs.name[i] << ")");
    CHECK(jobs.state[i] == sim::JobEnd::kCompleted);
    for (const std::string& region : o.regions_started.at(static_cast<std::int64_t>(i))) CHECK(region == "eu");
    eu_stopped += jobs.failures[i] > 0 ? 1 : 0;
    eu_in_outage += jobs.submit_s[i] >= 30 * 3600.0 && jobs.submit_s[i] < 42 * 3600.0 ? 1 : 0;
  }
  // The outage did stop EU-bound jobs, and more arrived during it.
  CHECK(eu_stopped > 5);
  CHECK(eu_in_outage > 100);
  CHECK(sim::figure_of(o.results.summary.failures, "failure_interruptions") >= static_cast<double>(eu_stopped));
}
