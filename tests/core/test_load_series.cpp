// The request load of an inference service (core/load_series.hpp): each shape
// at the values worked out by hand, the on/off process at its long-run share,
// the Poisson noise at its mean and variance, seeds that reproduce and differ,
// a small trace binned by hand, and the YAML block with its errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <tuple>

#include "core/config_tree.hpp"
#include "core/load_series.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;
using capsim::testing::input_error_of;
using capsim::testing::TempDir;

namespace {
Time at(Duration d) {
  return Time::zero() + d;
}
constexpr Duration kMinute = Duration::minutes(1);

// The `load:` node of a YAML document.
struct LoadNode {
  ConfigNodePtr root;
  explicit LoadNode(const std::string& yaml) : root(parse_config_text(yaml, "services.yaml")) {}
  const ConfigNode& node() const { return *root->find("load")->value; }
};
}  // namespace

TEST_CASE("a constant rate: its value inside, 0 outside, and an exact integral", "[core][load]") {
  // 200 requests/s for 2 days in 1-minute steps: 2,880 steps of 200 x 60 =
  // 12,000 requests, 34,560,000 in all (every partial sum is an integer, so
  // the double sum is exact).
  const RateSeries series = constant_rate(Time::zero(), kMinute, Duration::days(2), 200);
  CHECK(series.per_second.size() == 2'880);
  CHECK(series.span() == Duration::days(2));
  CHECK(series.requests() == 34'560'000.0);
  CHECK(series.at(Time::zero()) == 200);
  CHECK(series.at(at(Duration::days(2)) - Duration::microseconds(1)) == 200);
  CHECK(series.at(at(Duration::days(2))) == 0);
  CHECK(series.at(Time::from_us(-1)) == 0);
  CHECK_FALSE(series.has_tokens());
  // A span of 90 s is rounded up to two whole minutes.
  CHECK(constant_rate(Time::zero(), kMinute, Duration::seconds(90), 1).span() == Duration::minutes(2));
}

TEST_CASE("diurnal: base x (1 + a) at the peak, base x (1 - a) twelve hours later", "[core][load]") {
  // base 100, amplitude 0.6, peak 14h: 160 at 14:00, 40 at 02:00, 100 at
  // 20:00 and 08:00 (cos = 0); the cosine sums to 0 over whole days, so a day
  // carries 100 x 86,400 = 8,640,000 requests.
  RateSeries series = constant_rate(Time::zero(), kMinute, Duration::days(2), 100);
  apply_diurnal(series, {0.6, Duration::hours(14)});
  CHECK(series.at(at(Duration::hours(14))) == Approx(160).epsilon(1e-15));
  CHECK(series.at(at(Duration::hours(2))) == Approx(40).epsilon(1e-15));
  CHECK(series.at(at(Duration::hours(26))) == Approx(40).epsilon(1e-15));  // the next night too
  CHECK(series.at(at(Duration::hours(38))) == Approx(160).epsilon(1e-15));
  CHECK(series.at(at(Duration::hours(20))) == Approx(100).epsilon(1e-12));
  CHECK(series.at(at(Duration::hours(8))) == Approx(100).epsilon(1e-12));
  CHECK(series.requests() == Approx(2 * 8'640'000.0).epsilon(1e-12));
}

TEST_CASE("weekly: t = 0 is Monday 00:00, Saturday and Sunday take the weekend factor", "[core][load]") {
  // 10 requests/s for 8 days in hours, weekend 0.5: Friday 23:00 is 10,
  // Saturday 12:00 and Sunday 23:00 are 5, the next Monday is 10 again.
  // The first week: 10 x 3,600 x (5 x 24 + 2 x 24 x 0.5) = 5,184,000 requests.
  RateSeries series = constant_rate(Time::zero(), Duration::hours(1), Duration::days(8), 10);
  apply_weekly(series, {1.0, 0.5});
  CHECK(series.at(at(Duration::days(4) + Duration::hours(23))) == 10);
  CHECK(series.at(at(Duration::days(5) + Duration::hours(12))) == 5);
  CHECK(series.at(at(Duration::days(6) + Duration::hours(23))) == 5);
  CHECK(series.at(at(Duration::days(7))) == 10);
  CHECK(series.requests() == 5'184'000.0 + 10 * 86'400.0);
}

TEST_CASE("a spike ramps to x10 in a minute, holds, and decays back to the base", "[core][load]") {
  // base 100 in 1-minute steps; a spike at 30m: x10 within 1m, held 20m,
  // back over 10m. Each step takes the factor at its start:
  //   30m: 1 (the ramp starts)      31m: 10 (ramp over)      51m: 10 (decay starts)
  //   56m: 10 - 9 x 5/10 = 5.5      60m: 10 - 9 x 9/10 = 1.9 61m: 1 (ramp + hold + decay later)
  const Spike spike{at(Duration::minutes(30)), 10, kMinute, Duration::minutes(20), Duration::minutes(10)};
  CHECK(spike.factor_at(at(Duration::minutes(30) + Duration::seconds(30))) == 5.5);
  RateSeries series = constant_rate(Time::zero(), kMinute, Duration::hours(2), 100);
  const std::vector<Spike> spikes = {spike};
  apply_spikes(series, spikes);
  CHECK(series.at(at(Duration::minutes(29))) == 100);
  CHECK(series.at(at(Duration::minutes(30))) == 100);
  CHECK(series.at(at(Duration::minutes(31))) == 1000);
  CHECK(series.at(at(Duration::minutes(50) + Duration::seconds(59))) == 1000);
  CHECK(series.at(at(Duration::minutes(51))) == 1000);
  CHECK(series.at(at(Duration::minutes(56))) == Approx(550).epsilon(1e-15));
  CHECK(series.at(at(Duration::minutes(60))) == Approx(190).epsilon(1e-14));
  CHECK(series.at(at(Duration::minutes(61))) == 100);
  CHECK(series.at(at(Duration::minutes(119))) == 100);
}

TEST_CASE("bursts: the on/off process is on mean_on / (mean_on + mean_off) of the time", "[core][load]") {
  // mean_on 5m, mean_off 1h: on 5 / 65 = 0.0769 of the time. Over 1,000 days
  // (about 22,000 on/off cycles) the on-time's standard deviation is
  // sqrt(T x 2 mean_on^2 mean_off^2 / (mean_on + mean_off)^3) = sqrt(1.44e6 min
  // x 0.655 min) = 971 min, 0.00067 of T; the tolerance 0.003 is 4.5 of them.
  // With factor 3 each step's rate is 10 x (1 + 2 x its on-share).
  RateSeries series = constant_rate(Time::zero(), kMinute, Duration::days(1'000), 10);
  RandomStream random = RandomStream::derive(42, "load.test", 0);
  const std::vector<double> on_share = apply_bursts(series, {3.0, Duration::minutes(5), Duration::hours(1)}, random);
  REQUIRE(on_share.size() == series.per_second.size());
  double on = 0;
  for (std::size_t i = 0; i < on_share.size(); ++i) {
    REQUIRE(on_share[i] >= 0);
    REQUIRE(on_share[i] <= 1);
    REQUIRE(series.per_second[i] == 10 * (1 + 2 * on_share[i]));
    on += on_share[i];
  }
  CHECK(on / static_cast<double>(on_share.size()) == Approx(5.0 / 65).margin(0.003));
}

TEST_CASE("Poisson noise keeps each step's mean and has variance equal to it", "[core][load]") {
  // Means of 120 per step (rejection sampler) and 3 (inversion), 20,000 steps
  // each: the sample mean's standard deviation is sqrt(120 / 20,000) = 0.077
  // and sqrt(3 / 20,000) = 0.012; the sample variance's about mean x
  // sqrt(2 / 20,000) = 1.2 and 0.03. Tolerances are 5 of them or more.
  for (const auto& [rate, mean_margin, variance_margin] : {std::tuple{2.0, 0.4, 8.0}, std::tuple{0.05, 0.06, 0.2}}) {
    const double mean = rate * 60;
    INFO("mean " << mean);
    RateSeries series = constant_rate(Time::zero(), kMinute, Duration::minutes(20'000), rate);
    RandomStream random = RandomStream::derive(3, "load.noise", 1);
    apply_poisson_noise(series, random);
    double sum = 0;
    double sum_squares = 0;
    for (const double r : series.per_second) {
      const double count = r * 60;
      REQUIRE(std::fabs(count - std::round(count)) < 1e-9);  // whole requests in each step
      sum += count;
      sum_squares += count * count;
    }
    const double n = static_cast<double>(series.per_second.size());
    const double sample_mean = sum / n;
    CHECK(sample_mean == Approx(mean).margin(mean_margin));
    CHECK(sum_squares / n - sample_mean * sample_mean == Approx(mean).margin(variance_margin));
  }
}

TEST_CASE("same seed, same load; another seed, another; noise leaves the bursts' stream alone", "[core][load]") {
  LoadSpec spec;
  spec.step = kMinute;
  spec.span = Duration::days(2);
  spec.base_per_second = 50;
  spec.diurnal = DiurnalShape{0.5, Duration::hours(15)};
  spec.bursts = BurstShape{4, Duration::minutes(10), Duration::hours(2)};
  spec.noise = LoadNoise::kPoisson;
  const RateSeries a = generate_load(spec, 7, "load.chat");
  CHECK(a == generate_load(spec, 7, "load.chat"));
  CHECK_FALSE(a == generate_load(spec, 8, "load.chat"));
  CHECK_FALSE(a == generate_load(spec, 7, "load.code"));

  // Without noise, the bursts are those of stream (7, "load.chat", 0) alone.
  spec.noise = LoadNoise::kNone;
  RateSeries expected = constant_rate(Time::zero(), kMinute, Duration::days(2), 50);
  apply_diurnal(expected, *spec.diurnal);
  RandomStream bursts = RandomStream::derive(7, "load.chat", 0);
  apply_bursts(expected, *spec.bursts, bursts);
  CHECK(generate_load(spec, 7, "load.chat") == expected);
}

TEST_CASE("a trace binned by hand: requests per step and their mean tokens", "[core][load]") {
  // Rows out of order; the first request is at 18:00:00.5, so with 1-minute
  // steps the offsets 0, 59.4 s, 89.5 s and 189.5 s fall in steps 0, 0, 1, 3:
  //   counts 2, 1, 0, 1 -> rates 2/60, 1/60, 0, 1/60 requests/s
  //   mean prompt tokens (100 + 300) / 2 = 200, 50, 0, 70; generated 20, 5, 0, 7.
  TempDir dir;
  const auto path = dir.write("trace.csv",
                              "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                              "2023-11-16 18:01:30.5000000,50,5\n"
                              "2023-11-16 18:00:00.5000000,100,10\n"
                              "2023-11-16 18:00:59.9000000,300,30\n"
                              "2023-11-16 18:03:10.0000000,70,7\n");
  AzureLoadTrace trace;
  trace.path = path;
  const RateSeries series = azure_llm_rate_series(trace, kMinute);
  REQUIRE(series.per_second.size() == 4);
  CHECK(series.per_second == std::vector<double>{2.0 / 60, 1.0 / 60, 0, 1.0 / 60});
  CHECK(series.mean_context_tokens == std::vector<double>{200, 50, 0, 70});
  CHECK(series.mean_generated_tokens == std::vector<double>{20, 5, 0, 7});
  CHECK(series.requests() == Approx(4).epsilon(1e-15));

  // scale 2 doubles the rate, not the tokens.
  trace.scale = 2;
  const RateSeries doubled = azure_llm_rate_series(trace, kMinute);
  CHECK(doubled.requests() == Approx(8).epsilon(1e-15));
  CHECK(doubled.mean_context_tokens == series.mean_context_tokens);

  // A window from 1m for 2m: from 18:01:00.5, only the 18:01:30.5 request
  // (offset 30 s, step 0) is inside; 18:03:10 is at 129.5 s, past 2 steps.
  trace.scale = 1;
  trace.start = kMinute;
  trace.span = Duration::minutes(2);
  const RateSeries window = azure_llm_rate_series(trace, kMinute);
  CHECK(window.per_second == std::vector<double>{1.0 / 60, 0});
  CHECK(window.mean_context_tokens == std::vector<double>{50, 0});

  // A bad row names its line and column.
  const auto bad = dir.write("bad.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:00:00,-5,1\n");
  trace = AzureLoadTrace();
  trace.path = bad;
  const InputError e = input_error_of([&] { azure_llm_rate_series(trace, kMinute); });
  CHECK(e.where().line == 2);
  CHECK(e.field() == "ContextTokens");
}

TEST_CASE("the load block: every key read, shapes applied in order", "[core][load]") {
  const LoadNode yaml(
      "load:\n"
      "  step: 1m\n"
      "  span: 2d\n"
      "  base: 200\n"
      "  diurnal: {amplitude: 0.6, peak: 14h}\n"
      "  weekly: {weekend: 0.5}\n"
      "  bursts: {factor: 3, mean_on: 5m, mean_off: 1h}\n"
      "  spikes: [{at: 6h, factor: 10, ramp: 1m, hold: 20m, decay: 10m}]\n"
      "  noise: poisson\n");
  const LoadSpec spec = parse_load_spec(yaml.node(), "services[0].load", ".");
  CHECK(spec.step == kMinute);
  CHECK(spec.span == Duration::days(2));
  CHECK(spec.base_per_second == 200);
  CHECK_FALSE(spec.trace.has_value());
  CHECK(spec.diurnal == DiurnalShape{0.6, Duration::hours(14)});
  CHECK(spec.weekly == WeeklyShape{1, 0.5});
  CHECK(spec.bursts == BurstShape{3, Duration::minutes(5), Duration::hours(1)});
  CHECK(spec.spikes ==
        std::vector<Spike>{{at(Duration::hours(6)), 10, kMinute, Duration::minutes(20), Duration::minutes(10)}});
  CHECK(spec.noise == LoadNoise::kPoisson);
  const RateSeries series = parse_load(yaml.node(), "services[0].load", ".", 1, "load.chat");
  CHECK(series.per_second.size() == 2'880);
  CHECK(series == generate_load(spec, 1, "load.chat"));

  // Defaults: a 1-minute step, peak at 14h, no noise.
  const LoadNode minimal("load: {span: 1h, base: 5, diurnal: {amplitude: 0.2}}\n");
  const LoadSpec defaults = parse_load_spec(minimal.node(), "load", ".");
  CHECK(defaults.step == kMinute);
  CHECK(defaults.diurnal->peak == Duration::hours(14));
  CHECK(defaults.noise == LoadNoise::kNone);
  CHECK(parse_load(minimal.node(), "load", ".", 1, "x").per_second.size() == 60);
}

TEST_CASE("the load block with a trace: path relative to the scenario's folder", "[core][load]") {
  TempDir dir;
  dir.write("llm.csv",
            "TIMESTAMP,ContextTokens,GeneratedTokens\n"
            "2023-11-16 18:00:00.0000000,100,10\n"
            "2023-11-16 18:00:30.0000000,300,30\n");
  const LoadNode yaml("load:\n  step: 30s\n  trace: {path: llm.csv, format: azure-llm, scale: 3}\n");
  const RateSeries series = parse_load(yaml.node(), "services[0].load", dir.path(), 1, "load.chat");
  // Two steps of one request each, x3: 3/30 = 0.1 requests/s.
  CHECK(series.per_second == std::vector<double>{0.1, 0.1});
  CHECK(series.mean_context_tokens == std::vector<double>{100, 300});
}

TEST_CASE("load block errors name the file, line and field and say what was expected", "[core][load]") {
  const auto error = [](const std::string& yaml) {
    const LoadNode load(yaml);
    return input_error_of([&] { parse_load_spec(load.node(), "services[0].load", "."); });
  };
  SECTION("a bad value in the second spike") {
    const InputError e = error(
        "load:\n"
        "  span: 1d\n"
        "  base: 10\n"
        "  spikes:\n"
        "    - {at: 1h, factor: 10, hold: 5m}\n"
        "    - {at: 2h, factor: -2, hold: 5m}\n");
    CHECK(e.field() == "services[0].load.spikes[1].factor");
    CHECK(e.where().file == "services.yaml");
    CHECK(e.where().line == 6);
    CHECK_THAT(e.expected(), Catch::Contains("a number from 0"));
    CHECK_THAT(std::string(e.what()), Catch::Contains("services.yaml:6"));
  }
  SECTION("an unknown key, with the closest one suggested") {
    const InputError e = error("load:\n  span: 1d\n  base: 10\n  bursts: {factor: 3, mean_on: 5m, mean_of: 1h}\n");
    CHECK(e.field() == "services[0].load.bursts.mean_of");
    CHECK(e.where().line == 4);
    CHECK_THAT(e.expected(), Catch::Contains("mean_off"));
  }
  SECTION("an amplitude over 1") {
    const InputError e = error("load: {span: 1d, base: 10, diurnal: {amplitude: 1.5}}\n");
    CHECK(e.field() == "services[0].load.diurnal.amplitude");
    CHECK_THAT(e.expected(), Catch::Contains("from 0 to 1"));
  }
  SECTION("neither base nor trace, or both") {
    CHECK(error("load: {span: 1d}\n").field() == "services[0].load.base");
    CHECK(error("load: {span: 1d, base: 1, trace: {path: x.csv, format: azure-llm}}\n").field() ==
          "services[0].load.trace");
  }
  SECTION("a base without a span, a zero step, an unknown noise") {
    CHECK(error("load: {base: 1}\n").expected().find("length of the series") != std::string::npos);
    CHECK(error("load: {step: 0s, span: 1d, base: 1}\n").field() == "services[0].load.step");
    const InputError noise = error("load: {span: 1d, base: 1, noise: gaussian}\n");
    CHECK(noise.field() == "services[0].load.noise");
    CHECK(noise.expected() == "poisson or none");
  }
  SECTION("a trace that is not there, or of another format") {
    CHECK(error("load: {trace: {path: missing.csv, format: azure-llm}}\n").field() == "services[0].load.trace.path");
    CHECK(error("load: {trace: {path: x.csv, format: philly}}\n").field() == "services[0].load.trace.format");
  }
  SECTION("too many steps") {
    const InputError e = error("load: {step: 1s, span: 1000d, base: 1}\n");
    CHECK(e.field() == "services[0].load.span");
  }
}
