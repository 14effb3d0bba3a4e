// Job classes: parsing, matching by user or queue, seeded draws among the
// catch-all classes, and the Gavel throughput loader.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "core/job_class.hpp"
#include "core/random.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;

namespace {
const char* kCluster =
    "cluster:\n  node_groups:\n    - {name: v, gpu: V100, gpus_per_node: 4, count: 1}\n"
    "workload:\n  jobs:\n    - {submit: 0s, gpus: 1, duration: 1s}\n";

JobClasses classes_of(const std::string& yaml, const GpuCatalog& catalog = GpuCatalog::builtin()) {
  const ConfigNodePtr root = parse_config_text(yaml, "classes.yaml");
  return parse_job_classes(root.get(), "workload.job_classes", catalog, ClusterSpec(), ".");
}
}  // namespace

TEST_CASE("no classes: every job is in the default class", "[core][job_class]") {
  const JobClasses classes;
  REQUIRE(classes.size() == 1);
  CHECK(classes.at(0).name == "default");
  CHECK(classes.at(0).preemptible);
  CHECK(classes.at(0).checkpoint_interval == Duration());
  CHECK(classes.at(0).restore_overhead == Duration::seconds(30));
  CHECK_FALSE(classes.has_speeds());
  RandomStream stream = RandomStream::derive(1, "test");
  CHECK(classes.classify(JobSpec{}, stream) == 0);
}

TEST_CASE("a job takes the first class naming its user or queue", "[core][job_class]") {
  const JobClasses classes = classes_of(
      "- {name: prod, queues: [vc1, vc2], priority: 10, preemptible: false}\n"
      "- {name: alice, users: [alice], priority: 5}\n");
  REQUIRE(classes.size() == 3);  // no catch-all: "default" is added for the others
  RandomStream stream = RandomStream::derive(1, "test");
  JobSpec job;
  job.queue = "vc2";
  job.user = "alice";
  CHECK(classes.classify(job, stream) == 0);  // prod is listed first
  job.queue = "vc9";
  CHECK(classes.classify(job, stream) == 1);
  job.user = "bob";
  CHECK(classes.classify(job, stream) == 2);
  CHECK(classes.at(2).name == "default");
  CHECK(classes.at(0).priority == 10);
  CHECK_FALSE(classes.at(0).preemptible);
}

TEST_CASE("jobs no class names are drawn among the catch-alls by weight, seeded", "[core][job_class]") {
  const JobClasses classes = classes_of("- {name: small, weight: 3}\n- {name: large, weight: 1}\n");
  REQUIRE(classes.size() == 2);
  RandomStream a = RandomStream::derive(7, "job_class");
  RandomStream b = RandomStream::derive(7, "job_class");
  int small = 0;
  for (int i = 0; i < 4000; ++i) {
    const JobClassId x = classes.classify(JobSpec{}, a);
    CHECK(x == classes.classify(JobSpec{}, b));  // same seed, same draws
    small += x == 0;
  }
  CHECK(small == Approx(3000).margin(150));  // 3:1, within ~5 standard deviations
}

TEST_CASE("class speeds form the throughput matrix", "[core][job_class]") {
  const GpuCatalog catalog = GpuCatalog::builtin();
  const JobClasses classes = classes_of("- {name: cnn, speed: {K80: 0.25, v100: 1.5}}\n- {name: other}\n", catalog);
  CHECK(classes.has_speeds());
  const GpuTypeId k80 = *catalog.find("K80");
  const GpuTypeId h100 = *catalog.find("H100");
  CHECK(classes.speed(0, k80, catalog) == 0.25);
  CHECK(classes.speed(0, *catalog.find("V100"), catalog) == 1.5);
  CHECK(classes.speed(0, h100, catalog) == catalog.at(h100).relative_speed);  // not given: the catalog's
  CHECK(classes.speed(1, k80, catalog) == catalog.at(k80).relative_speed);
}

TEST_CASE("bad job classes are refused with their field", "[core][job_class]") {
  auto e = input_error_of([] { classes_of("- {name: a, speed: {Z80: 1}}\n"); });
  CHECK(e.field() == "workload.job_classes[0].speed.Z80");
  e = input_error_of([] { classes_of("- {name: a}\n- {name: a}\n"); });
  CHECK(e.field() == "workload.job_classes[1].name");
  CHECK(e.where().line == 2);
  e = input_error_of([] { classes_of("- {name: a, priorty: 3}\n"); });
  CHECK(e.field() == "workload.job_classes[0].priorty");
  e = input_error_of([] { classes_of("- {gavel: x.json, name: a}\n"); });
  CHECK(e.field() == "workload.job_classes[0]");
  e = input_error_of([] {
    capsim::testing::scenario_from(std::string(kCluster) + "    - {submit: 0s, gpus: 1, duration: 1s, class: nope}\n");
  });
  CHECK(e.field() == "workload.jobs[1].class");
  CHECK(e.expected() == "a class of workload.job_classes: default");
}

TEST_CASE("Gavel's throughputs become classes with measured speeds", "[core][job_class]") {
  // A two-type extract in Gavel's shape: steps per second alone ("null")
  // per GPU type; ResNet-50 runs 4x faster on a V100 than on a K80.
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "capsim_gavel_test.json";
  std::ofstream(path) << R"json({
    "v100": {"('ResNet-50 (batch size 64)', 1)": {"null": 8.0},
             "('LM (batch size 5)', 1)": {"null": 2.0},
             "('LM (batch size 5)', 2)": {"null": 3.5}},
    "k80":  {"('ResNet-50 (batch size 64)', 1)": {"null": 2.0},
             "('LM (batch size 5)', 1)": {"null": 1.5}}
  })json";
  const GpuCatalog catalog = GpuCatalog::builtin();
  const auto classes = read_gavel_classes(path, {}, "workload.job_classes[0].gavel", catalog);
  std::filesystem::remove(path);
  REQUIRE(classes.size() == 2);  // scale factor 2 is left out
  const GpuTypeId k80 = *catalog.find("K80");
  const GpuTypeId v100 = *catalog.find("V100");
  const double reference = catalog.at(v100).relative_speed;
  for (const JobClassSpec& c : classes) {
    CHECK(c.speed[static_cast<std::size_t>(v100)] == reference);
    if (c.name == "ResNet-50 (batch size 64)") CHECK(c.speed[static_cast<std::size_t>(k80)] == 0.25 * reference);
    if (c.name == "LM (batch size 5)") CHECK(c.speed[static_cast<std::size_t>(k80)] == 0.75 * reference);
    CHECK(std::isnan(c.speed[static_cast<std::size_t>(*catalog.find("H100"))]));
  }
}

TEST_CASE("the real Gavel file loads", "[core][job_class][traces]") {
  const auto traces = capsim::testing::shared_traces();
  if (!traces) return;  // the traces tests cover it where the data is
  const GpuCatalog catalog = GpuCatalog::builtin();
  const auto classes =
      read_gavel_classes(*traces / "gavel-throughputs" / "simulation_throughputs.json", {}, "gavel", catalog);
  CHECK(classes.size() == 26);  // the single-GPU job types measured on a V100
  const auto k80_speed = [&](std::string_view name) {
    for (const JobClassSpec& c : classes) {
      if (c.name == name) return c.speed[static_cast<std::size_t>(*catalog.find("K80"))];
    }
    FAIL("no class " << name);
    return 0.0;
  };
  // The heterogeneity Gavel exploits: ResNet-50 runs 7x slower on a K80
  // than on a V100 (0.62 vs 4.39 steps/s), the recommendation model faster
  // (32.86 vs 23.32).
  CHECK(k80_speed("ResNet-50 (batch size 64)") == Approx(0.62 / 4.39).epsilon(0.01));
  CHECK(k80_speed("Recommendation (batch size 512)") == Approx(32.86 / 23.32).epsilon(0.01));
}

TEST_CASE("Gavel's co-location throughputs become pair fractions", "[core][job_class]") {
  // K's entry "P": [K's steps/s, P's steps/s] while the two share a GPU.
  // ResNet-50 alone: 8 steps/s on a V100; next to LM, 6 (0.75); LM alone 2,
  // next to ResNet-50, 1 (0.5). [0, 0]: the pair did not run together. A
  // 2-GPU partner is not a class and is left out.
  const capsim::testing::TempDir dir;
  const auto path = dir.write("pairs.json", R"json({
    "v100": {"('ResNet-50 (batch size 64)', 1)": {"null": 8.0, "('LM (batch size 5)', 1)": [6.0, 1.0],
                                                  "('ResNet-50 (batch size 64)', 1)": [0.0, 0.0],
                                                  "('LM (batch size 5)', 2)": [7.0, 1.0]},
             "('LM (batch size 5)', 1)": {"null": 2.0, "('ResNet-50 (batch size 64)', 1)": [1.0, 6.0]}},
    "k80":  {"('ResNet-50 (batch size 64)', 1)": {"null": 2.0, "('LM (batch size 5)', 1)": [1.5, 0.5]}}
  })json");
  const GpuCatalog catalog = GpuCatalog::builtin();
  const GpuTypeId k80 = *catalog.find("K80"), v100 = *catalog.find("V100"), p100 = *catalog.find("P100");
  std::vector<JobClassSpec> specs = read_gavel_classes(path, {}, "gavel", catalog);
  REQUIRE(specs.size() == 2);
  const JobClasses classes(specs);
  REQUIRE(classes.has_colocation());
  const JobClassId resnet = *classes.find("ResNet-50 (batch size 64)"), lm = *classes.find("LM (batch size 5)");
  CHECK(classes.colocated_fraction(resnet, lm, v100) == 0.75);
  CHECK(classes.colocated_fraction(lm, resnet, v100) == 0.5);
  CHECK(classes.colocated_fraction(resnet, lm, k80) == 0.75);           // 1.5 of 2 alone on the K80
  CHECK(std::isnan(classes.colocated_fraction(lm, resnet, k80)));       // LM's K80 entry is missing
  CHECK(std::isnan(classes.colocated_fraction(resnet, resnet, v100)));  // [0, 0]
  CHECK(std::isnan(classes.colocated_fraction(resnet, lm, p100)));
  CHECK(std::isnan(classes.colocated_fraction(resnet, lm, *catalog.find("H100"))));
  // colocation: false: speeds only.
  specs = read_gavel_classes(path, {}, "gavel", catalog, /*colocation=*/false);
  CHECK_FALSE(JobClasses(specs).has_colocation());
  CHECK_FALSE(JobClasses().has_colocation());
}

TEST_CASE("bad Gavel co-location entries are refused with file, field and what was expected", "[core][job_class]") {
  const capsim::testing::TempDir dir;
  const auto path = dir.write("bad.json", R"json({"v100": {
    "('A', 1)": {"null": 8.0, "('B', 1)": [6.0]}, "('B', 1)": {"null": 2.0}}})json");
  const auto e = input_error_of([&] { classes_of("- {gavel: " + path.string() + "}\n"); });
  CHECK(e.where().file == path.string());
  CHECK(e.field() == "workload.job_classes[0].gavel");
  CHECK(e.expected() == "[own, other]: two steps-per-second numbers, at least 0, at v100 -> ('A', 1) -> ('B', 1)");
  CHECK(e.got() == "[6.0]");
  // colocation: only beside gavel:, and a boolean.
  CHECK(input_error_of([] { classes_of("- {name: a, colocation: true}\n"); }).field() ==
        "workload.job_classes[0].colocation");
  const auto flag = input_error_of([&] { classes_of("- {gavel: " + path.string() + ", colocation: maybe}\n"); });
  CHECK(flag.field() == "workload.job_classes[0].colocation");
  // Two files of the same job types would make two classes of one name.
  const auto good = dir.write("good.json", R"json({"v100": {"('A', 1)": {"null": 8.0}}})json");
  CHECK(input_error_of([&] {
          classes_of("- {gavel: " + good.string() + "}\n- {gavel: " + good.string() + "}\n");
        }).field() == "workload.job_classes[1].gavel");
}

TEST_CASE("the real Gavel file's co-location pairs load", "[core][job_class][traces]") {
  const auto traces = capsim::testing::shared_traces();
  if (!traces) return;
  const GpuCatalog catalog = GpuCatalog::builtin();
  const JobClasses classes(
      read_gavel_classes(*traces / "gavel-throughputs" / "simulation_throughputs.json", {}, "gavel", catalog));
  REQUIRE(classes.has_colocation());
  const GpuTypeId v100 = *catalog.find("V100");
  const JobClassId resnet = *classes.find("ResNet-50 (batch size 64)");
  const JobClassId rec = *classes.find("Recommendation (batch size 512)");
  // Two ResNet-50s on one V100 each keep half their pace (2.189 of 4.395
  // steps/s): space sharing gains nothing over time slicing for them...
  CHECK(classes.colocated_fraction(resnet, resnet, v100) == Approx(2.1891480555950134 / 4.394774823323071));
  // ...while next to a recommendation model ResNet-50 keeps 0.61 of its pace
  // (2.68 of 4.39), and ResNet-50 with batch size 128 does not fit beside it.
  CHECK(classes.colocated_fraction(resnet, rec, v100) == Approx(2.682499438515087 / 4.394774823323071));
  CHECK(std::isnan(classes.colocated_fraction(resnet, *classes.find("ResNet-50 (batch size 128)"), v100)));
}
