// Idle reaping (issue 9, "Cost"): jobs of a class with an idle tail compute
// the rest of their work and then hold their GPUs idle (a notebook left
// open); policies.reaping stops them after `idle`. A hand-worked notebook
// in closed form (times, energy to the joule, GPU-hours and cost
// recovered), the same without the policy, a job waiting behind a
// notebook, a tail that faster GPUs do not shorten, preemption and node
// failure in the idle phase, compare:, determinism and the errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>

#include "sim/compare.hpp"
#include "sim/results_codec.hpp"
#include "sim/summary.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::run_yaml;
using capsim::testing::scenario_from;

namespace {

double reaping_figure(const sim::Summary& s, std::string_view name) {
  return sim::figure_of(s.reaping, name);
}

// The summary's reaping row, figure by figure.
void check_reaping(const sim::Summary& s, double jobs_reaped, double idle_gpu_hours, double gpu_hours_recovered,
                   double cost_recovered_usd) {
  CHECK(reaping_figure(s, "jobs_reaped") == jobs_reaped);
  CHECK(reaping_figure(s, "idle_gpu_hours") == idle_gpu_hours);
  CHECK(reaping_figure(s, "gpu_hours_recovered") == gpu_hours_recovered);
  CHECK(reaping_figure(s, "cost_recovered_usd") == cost_recovered_usd);
}

// Replaces the line of `text` that begins with `start` (its newline kept).
void replace_line(std::string& text, std::string_view start, std::string_view with) {
  const std::size_t at = text.find(start);
  REQUIRE(at != std::string::npos);
  text.replace(at, text.find('\n', at) - at, with);
}

double joules(const sim::Summary& s) {
  return s.energy_figure("facility_energy_kwh") * 3.6e6;
}

// One node of one V100 (40 W idle, 300 W peak) at $2 a GPU-hour. Users'
// notebooks leave half their recorded run idle at the end; job n, a 4-hour
// notebook, arrives at 0.
const std::string kNotebook =
    "cluster:\n"
    "  node_groups: [{name: v, gpu: V100, gpus_per_node: 1, count: 1, usd_per_gpu_hour: 2}]\n"
    "workload:\n"
    "  job_classes:\n"
    "    - {name: notebook, users: [ana], idle_tail: 0.5}\n"
    "    - {name: training}\n"
    "  jobs:\n"
    "    - {id: n, submit: 0s, gpus: 1, duration: 4h, user: ana}\n";

}  // namespace

TEST_CASE("a reaped notebook: times, energy, GPU-hours and cost recovered in closed form", "[sim][reaping]") {
  // n computes 2h of its 4h (0-2h at 300 W), then idles from 2h at 40 W;
  // the reaper stops it 30 minutes later, at 2h30m. It would have held its
  // GPU 1h30m more: 1.5 GPU-hours, $3, recovered. The run ends at 2h30m:
  // 300 W x 7,200 s + 40 W x 1,800 s = 2,160,000 + 72,000 = 2,232,000 J.
  const auto results = run_yaml(kNotebook + "policies: {reaping: {idle: 30m}}\n");
  const sim::JobTable& jobs = results.jobs;
  REQUIRE(jobs.size() == 1);
  CHECK(jobs.state[0] == sim::JobEnd::kReaped);
  CHECK(jobs.end_s[0] == 9'000);
  CHECK(jobs.jct_s[0] == 9'000);
  CHECK(jobs.run_time_s[0] == 9'000);
  CHECK(jobs.idle_gpu_hours[0] == 0.5);
  CHECK(jobs.ideal_run_time_s[0] == 14'400);  // 2h of work + its 2h tail
  CHECK(jobs.cost_usd[0] == Approx(5.0));     // 2.5 GPU-hours held at $2
  CHECK(jobs.energy_kwh[0] == Approx((300 * 7'200 + 40 * 1'800) / 3.6e6));
  const sim::Summary& s = results.summary;
  CHECK(s.simulated_s == 9'000);
  CHECK(std::fabs(joules(s) - 2'232'000) < 1e-3);
  CHECK(s.jobs_completed == 0);
  check_reaping(s, 1, 0.5, 1.5, 3.0);
  CHECK(sim::summary_to_json(s)["metrics"]["cost_recovered_usd"] == 3.0);
  CHECK(sim::format_summary(s).find("1 submitted, 0 completed, 1 reaped (stopped idle, their work done)") !=
        std::string::npos);
  CHECK(sim::format_summary(s).find("1 jobs reaped, 0.50 GPU-hours held idle, 1.50 GPU-hours ($3) recovered") !=
        std::string::npos);
  CHECK(sim::to_string(sim::JobEnd::kReaped) == "reaped");
  // The reaped state and the idle column survive the isolated codec.
  const sim::RunResults decoded = sim::decode_results(sim::encode_results(results));
  CHECK(decoded.jobs.state[0] == sim::JobEnd::kReaped);
  CHECK(decoded.jobs.idle_gpu_hours[0] == 0.5);
  CHECK(reaping_figure(decoded.summary, "cost_recovered_usd") == 3.0);
}

TEST_CASE("without reaping an idle notebook holds its GPU to the end of its tail", "[sim][reaping]") {
  // n computes 0-2h, idles 2h-4h and completes at 4h:
  // 300 W x 7,200 s + 40 W x 7,200 s = 2,448,000 J.
  const auto results = run_yaml(kNotebook);
  const sim::JobTable& jobs = results.jobs;
  CHECK(jobs.state[0] == sim::JobEnd::kCompleted);
  CHECK(jobs.jct_s[0] == 14'400);
  CHECK(jobs.run_time_s[0] == 14'400);
  CHECK(jobs.idle_gpu_hours[0] == 2.0);
  CHECK(jobs.cost_usd[0] == Approx(8.0));
  const sim::Summary& s = results.summary;
  CHECK(std::fabs(joules(s) - 2'448'000) < 1e-3);
  CHECK(s.jobs_completed == 1);
  // Idle tails alone show the row: nothing reaped, what was held idle.
  check_reaping(s, 0, 2.0, 0, 0);

  // A reaping idle time as long as the tail recovers nothing: the job ends
  // its tail as it would have.
  const auto as_long = run_yaml(kNotebook + "policies: {reaping: {idle: 2h}}\n");
  CHECK(as_long.jobs.state[0] == sim::JobEnd::kCompleted);
  CHECK(as_long.jobs.jct_s[0] == 14'400);
  CHECK(reaping_figure(as_long.summary, "gpu_hours_recovered") == 0);
}

TEST_CASE("jobs of a class without an idle tail are untouched, and wait less behind a reaped notebook",
          "[sim][reaping]") {
  // t, a 1-hour training job (no tail), arrives at 1h while n holds the GPU.
  // Without reaping t starts when n's tail ends, at 4h; with reaping 30m n
  // is stopped at 2h30m and t starts then.
  const std::string yaml = kNotebook + "    - {id: t, submit: 1h, gpus: 1, duration: 1h, user: bo}\n";
  const auto held = run_yaml(yaml);
  const auto reaped = run_yaml(yaml + "policies: {reaping: {idle: 30m}}\n");
  CHECK(held.jobs.start_s[1] == 14'400);
  CHECK(held.jobs.queueing_delay_s[1] == 10'800);
  CHECK(reaped.jobs.start_s[1] == 9'000);
  CHECK(reaped.jobs.queueing_delay_s[1] == 5'400);
  for (const auto* run : {&held, &reaped}) {
    CHECK(run->jobs.state[1] == sim::JobEnd::kCompleted);
    CHECK(run->jobs.run_time_s[1] == 3'600);
    CHECK(run->jobs.idle_gpu_hours[1] == 0);
    CHECK(run->jobs.energy_kwh[1] == Approx(300 * 3'600 / 3.6e6));
  }
  CHECK(reaped.summary.makespan_s == 12'600);
  CHECK(held.summary.makespan_s == 18'000);
  // The summary shows no reaping row when nothing can idle.
  const auto plain = run_yaml(
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]}\n"
      "workload: {jobs: [{submit: 0s, gpus: 1, duration: 1h}]}\n");
  CHECK(plain.summary.reaping.empty());
  CHECK(plain.jobs.idle_gpu_hours[0] == 0);
}

TEST_CASE("an idle notebook no longer slows the share of its GPU", "[sim][reaping]") {
  // Halves of one V100, each slowed 10% by the other: both compute at 0.9.
  // n's 2h of work take 8,000 s; then it idles, and t, with 7,200 s of its
  // 4h done, runs the other 7,200 s alone: it ends at 15,200 s (16,000 s
  // if the idle share went on slowing it). n idles 2h, to 15,200 s too.
  const auto results = run_yaml(
      "cluster:\n"
      "  node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]\n"
      "  performance: {share_interference: 0.1}\n"
      "workload:\n"
      "  job_classes: [{name: notebook, users: [ana], idle_tail: 0.5}, {name: training}]\n"
      "  jobs:\n"
      "    - {id: n, submit: 0s, gpus: 0.5, duration: 4h, user: ana}\n"
      "    - {id: t, submit: 0s, gpus: 0.5, duration: 4h, user: bo}\n");
  CHECK(results.jobs.jct_s[0] == 15'200);
  CHECK(results.jobs.jct_s[1] == 15'200);
  CHECK(results.jobs.idle_gpu_hours[0] == 1.0);  // half a GPU for 2h
}

TEST_CASE("faster GPUs shorten a notebook's work, not its idle tail", "[sim][reaping]") {
  // The notebook class runs twice a V100's pace: its 2h of work take 1h,
  // then it idles its 2h tail of wall-clock time and ends at 3h.
  std::string yaml = kNotebook;
  replace_line(yaml, "    - {name: notebook", "    - {name: notebook, users: [ana], idle_tail: 0.5, speed: {V100: 2}}");
  const auto results = run_yaml(yaml);
  CHECK(results.jobs.jct_s[0] == 10'800);
  CHECK(results.jobs.idle_gpu_hours[0] == 2.0);
  CHECK(results.jobs.ideal_run_time_s[0] == 10'800);
}

TEST_CASE("a notebook preempted in its idle phase loses nothing and resumes with its idle time left",
          "[sim][reaping]") {
  // Under the priority policy, p (priority 10, 1h) arrives at 3h and
  // preempts n, idle since 2h with 1h of its tail left. p runs 3h-4h; n
  // resumes idle at 4h (nothing to restore: its class's 30 s restore
  // overhead is not paid) with 1h to hold, and ends at
  // 5h: 2 GPU-hours held idle in all, no work lost.
  std::string with_prod = kNotebook +
                          "    - {id: p, submit: 3h, gpus: 1, duration: 1h, class: prod}\n"
                          "policies:\n"
                          "  queue: priority\n";
  replace_line(with_prod, "    - {name: training}", "    - {name: prod, priority: 10}");
  const auto results = run_yaml(with_prod);
  const sim::JobTable& jobs = results.jobs;
  CHECK(jobs.preemptions[0] == 1);
  CHECK(jobs.lost_gpu_hours[0] == 0);
  CHECK(jobs.wasted_gpu_hours[0] == 0);
  CHECK(jobs.state[0] == sim::JobEnd::kCompleted);
  CHECK(jobs.jct_s[0] == 18'000);
  CHECK(jobs.run_time_s[0] == 14'400);
  CHECK(jobs.idle_gpu_hours[0] == 2.0);
  CHECK(jobs.start_s[1] == 10'800);
  CHECK(jobs.jct_s[1] == 3'600);

  // With reaping after 90 minutes the resumed notebook starts a fresh idle
  // spell: its hour left is shorter, and it completes at 5h as before.
  const auto fresh = run_yaml(with_prod + "  reaping: {idle: 90m}\n");
  CHECK(fresh.jobs.state[0] == sim::JobEnd::kCompleted);
  CHECK(fresh.jobs.jct_s[0] == 18'000);
  // With reaping after 30 minutes it is stopped at 2h30m, before p comes.
  const auto early = run_yaml(with_prod + "  reaping: {idle: 30m}\n");
  CHECK(early.jobs.state[0] == sim::JobEnd::kReaped);
  CHECK(early.jobs.preemptions[0] == 0);
  CHECK(early.jobs.jct_s[0] == 9'000);
  CHECK(early.jobs.start_s[1] == 10'800);
}

TEST_CASE("a node failure in the idle phase stops the notebook at the detection; it resumes elsewhere",
          "[sim][reaping][failures]") {
  // Two nodes (groups a and b). n runs on a, idle from 2h with its tail to
  // 4h. a fails at 3h; the failure is seen at 3h10m, n still idle there: it
  // is stopped, having held 1h10m idle, and restarts on b at once with 50
  // minutes to hold. It ends at 4h, as it would have: no work lost.
  std::string yaml = kNotebook;
  replace_line(yaml, "  node_groups:",
               "  node_groups:\n"
               "    - {name: a, gpu: V100, gpus_per_node: 1, count: 1}\n"
               "    - {name: b, gpu: V100, gpus_per_node: 1, count: 1}");
  const auto results = run_yaml(yaml + "failures: {detection: 10m, outages: [{at: 3h, duration: 2h, node: 0}]}\n");
  const sim::JobTable& jobs = results.jobs;
  CHECK(jobs.state[0] == sim::JobEnd::kCompleted);
  CHECK(jobs.jct_s[0] == 14'400);
  CHECK(jobs.failures[0] == 1);
  CHECK(jobs.lost_gpu_hours[0] == 0);
  CHECK(jobs.wasted_gpu_hours[0] == 0);
  CHECK(jobs.idle_gpu_hours[0] == 2.0);
  CHECK(jobs.run_time_s[0] == 14'400);
  CHECK(sim::figure_of(results.summary.failures, "failure_interruptions") == 1);

  // A failure whose detection comes after the tail's end stops nothing:
  // the notebook ends at 4h on the failed node, as its tail says.
  const auto late = run_yaml(yaml + "failures: {detection: 10m, outages: [{at: 3h55m, duration: 2h, node: 0}]}\n");
  CHECK(late.jobs.state[0] == sim::JobEnd::kCompleted);
  CHECK(late.jobs.jct_s[0] == 14'400);
  CHECK(late.jobs.failures[0] == 0);
  CHECK(sim::figure_of(late.summary.failures, "failure_interruptions") == 0);

  // The reaper stops it on the failed node before the detection.
  const auto reaped = run_yaml(yaml + "policies: {reaping: {idle: 1h}}\n" +
                               "failures: {detection: 2h, outages: [{at: 2h30m, duration: 4h, node: 0}]}\n");
  CHECK(reaped.jobs.state[0] == sim::JobEnd::kReaped);
  CHECK(reaped.jobs.jct_s[0] == 10'800);
  CHECK(reaped.jobs.failures[0] == 0);
}

TEST_CASE("compare: reaping settings side by side", "[sim][reaping][compare]") {
  const std::string yaml = kNotebook + "    - {id: t, submit: 1h, gpus: 1, duration: 1h, user: bo}\n" +
                           "compare: {reaping: [none, {idle: 30m}]}\n";
  const auto variants = sim::expand_variants(scenario_from(yaml));
  REQUIRE(variants.size() == 2);
  CHECK(variants[0].label == "fifo+best_fit+no-reaping/seed-1");
  CHECK(variants[1].label == "fifo+best_fit+reap-30m/seed-1");
  const sim::Comparison comparison = sim::run_comparison(variants, {});
  REQUIRE(comparison.columns.size() == 2);
  const auto figure = [&](std::size_t column, std::string_view name) {
    return sim::figure_of(comparison.columns[column].mean, name);
  };
  CHECK(figure(0, "jobs_reaped") == 0);
  CHECK(figure(0, "gpu_hours_recovered") == 0);
  CHECK(figure(1, "jobs_reaped") == 1);
  CHECK(figure(1, "gpu_hours_recovered") == 1.5);
  CHECK(figure(1, "cost_recovered_usd") == 3.0);
}

TEST_CASE("reaping is deterministic on a synthetic mix of notebooks and training", "[sim][reaping]") {
  // A day of synthetic jobs on 16 V100s; a third of the users' jobs are
  // notebooks with long tails, reaped after an hour.
  const std::string yaml =
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 8, count: 2}]}\n"
      "workload:\n"
      "  synthetic: {span: 1d, jobs_per_hour: 6, gpus: {1: 0.8, 2: 0.2}, users: 6,\n"
      "              durations: [{max_gpus: 8, median: 2h, sigma: 1}]}\n"
      "  job_classes:\n"
      "    - {name: notebook, weight: 1, idle_tail: 0.6}\n"
      "    - {name: training, weight: 2}\n"
      "policies: {reaping: {idle: 1h}}\n"
      "run: {seed: 7}\n";
  const auto a = run_yaml(yaml);
  const auto b = run_yaml(yaml);
  CHECK(sim::encode_results(a) == sim::encode_results(b));
  CHECK(reaping_figure(a.summary, "jobs_reaped") > 0);
  CHECK(reaping_figure(a.summary, "gpu_hours_recovered") > 0);
  // Recovered GPU-hours are those reaped jobs would still have held: their
  // tails less what they held idle.
  double held_idle = 0;
  for (std::size_t i = 0; i < a.jobs.size(); ++i) held_idle += a.jobs.idle_gpu_hours[i];
  CHECK(reaping_figure(a.summary, "idle_gpu_hours") == Approx(held_idle));
  // The reaped run gives back GPU-time: less is held than without reaping.
  std::string unreaped = yaml;
  replace_line(unreaped, "policies: {reaping", "");
  const auto c = run_yaml(unreaped);
  CHECK(a.summary.gpu_hours_allocated + reaping_figure(a.summary, "gpu_hours_recovered") ==
        Approx(c.summary.gpu_hours_allocated));
}

TEST_CASE("bad idle tails and reaping settings are refused with their field", "[sim][reaping][errors]") {
  const std::string cluster =
      "cluster: {node_groups: [{gpu: V100, gpus_per_node: 1, count: 1}]}\n"
      "workload:\n"
      "  jobs: [{submit: 0s, gpus: 1, duration: 1h}]\n";
  for (const char* bad : {"1", "1.5", "-0.1", "lots", "'0.5'", "[0.5]"}) {
    INFO(bad);
    const auto e = input_error_of(
        [&] { scenario_from(cluster + "  job_classes: [{name: nb, idle_tail: " + bad + "}]\n", "nb.yaml"); });
    CHECK(e.field() == "workload.job_classes[0].idle_tail");
    CHECK(e.where().file == "nb.yaml");
    CHECK(e.where().line == 4);
    CHECK(e.expected() == "a share of the run time from 0 up to (not including) 1, such as 0.4");
  }
  CHECK(scenario_from(cluster + "  job_classes: [{name: nb, idle_tail: 0}]\n").workload.job_classes.at(0).idle_tail ==
        0);

  auto e = input_error_of([&] { scenario_from(cluster + "policies: {reaping: {idle: 0s}}\n"); });
  CHECK(e.field() == "policies.reaping.idle");
  CHECK(e.expected() == "a positive duration");
  e = input_error_of([&] { scenario_from(cluster + "policies: {reaping: {idle: soon}}\n"); });
  CHECK(e.field() == "policies.reaping.idle");
  e = input_error_of([&] { scenario_from(cluster + "policies: {reaping: {}}\n"); });
  CHECK(e.field() == "policies.reaping.idle");
  e = input_error_of([&] { scenario_from(cluster + "policies: {reaping: {idle: 1h, after: 2h}}\n"); });
  CHECK(e.field() == "policies.reaping.after");
  e = input_error_of([&] { scenario_from(cluster + "policies: {reaping: 1h}\n"); });
  CHECK(e.field() == "policies.reaping");
  CHECK(e.expected() == "none, or {idle: DURATION}: stop a job whose GPUs have been idle that long");
  e = input_error_of([&] { scenario_from(cluster + "policies: {reeping: {idle: 1h}}\n"); });
  CHECK(e.field() == "policies.reeping");
  e = input_error_of([&] { scenario_from(cluster + "compare: {reaping: [none, {idle: -1h}]}\n"); });
  CHECK(e.field() == "compare.reaping[1].idle");
  CHECK_FALSE(scenario_from(cluster + "policies: {reaping: none}\n").reaping.has_value());
  CHECK(scenario_from(cluster + "policies: {reaping: {idle: 45m}}\n").reaping->idle == Duration::minutes(45));

  // Native engine only, as the other engines have no idle jobs.
  e = input_error_of([&] { scenario_from(cluster + "policies: {reaping: {idle: 1h}}\nrun: {engine: simgrid}\n"); });
  CHECK(e.field() == "policies.reaping");
  e = input_error_of([&] {
    scenario_from(cluster + "  job_classes: [{name: a}, {name: nb, idle_tail: 0.5}]\nrun: {engine: simgrid}\n");
  });
  CHECK(e.field() == "workload.job_classes[1].idle_tail");
  e = input_error_of([&] { scenario_from(cluster + "compare: {reaping: [none]}\nrun: {engine: simgrid}\n"); });
  CHECK(e.field() == "compare.reaping");
}
