// The request-rate series of inference services (core/load_series.hpp) from
// the real Azure LLM inference trace: binned per minute it carries every
// request and every token of the trace, and its per-minute means are those
// pandas computes independently (the one-liners are quoted beside them).
// Runs under the traces.azure ctest entry, skipped without ../shared/traces.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/config_tree.hpp"
#include "core/load_series.hpp"
#include "tests/support/helpers.hpp"

using namespace capsim;

namespace {
std::filesystem::path azure(const std::string& file) {
  const auto dir = capsim::testing::shared_traces();
  REQUIRE(dir.has_value());
  return *dir / ("azure-llm-2023/AzureLLMInferenceTrace_" + file + ".csv");
}

struct Sums {
  std::int64_t requests = 0;
  double context_tokens = 0;
  double generated_tokens = 0;
};

// Requests per step back from the rates, and the tokens back from the means.
Sums sums_of(const RateSeries& series) {
  Sums sums;
  const double step_s = series.step.to_seconds();
  for (std::size_t i = 0; i < series.per_second.size(); ++i) {
    const double count = series.per_second[i] * step_s;
    sums.requests += std::llround(count);
    sums.context_tokens += series.mean_context_tokens[i] * count;
    sums.generated_tokens += series.mean_generated_tokens[i] * count;
  }
  return sums;
}
}  // namespace

TEST_CASE("azure-llm load: per-minute series carry every request and token of the trace", "[traces][azure]") {
  // a = pd.read_csv(f); s = (pd.to_datetime(a.TIMESTAMP) - ...min()).dt.total_seconds()
  // len(a), a.ContextTokens.sum(), a.GeneratedTokens.sum(), int(s.max() // 60) + 1
  struct Expected {
    const char* file;
    std::int64_t requests;
    double context_tokens;
    double generated_tokens;
    std::size_t minutes;
    // g = a.groupby(s // 60): g.size()[0], g.ContextTokens.mean()[0]
    double first_minute_requests;
    double first_minute_context_mean;
    // sorted(set(range(minutes)) - set(s // 60)): the code trace's requests
    // pause in 12 of its minutes.
    std::size_t empty_minutes;
  };
  for (const Expected& e : {Expected{"code", 8'819, 18'059'974, 245'896, 58, 63, 2'342.5079365079364, 12},
                            Expected{"conv", 19'366, 22'361'870, 4'088'665, 59, 191, 900.5183246073299, 0}}) {
    INFO(e.file);
    AzureLoadTrace trace;
    trace.path = azure(e.file);
    const RateSeries series = azure_llm_rate_series(trace, Duration::minutes(1));
    CHECK(series.per_second.size() == e.minutes);
    CHECK(series.requests() == Approx(static_cast<double>(e.requests)).epsilon(1e-12));
    const Sums sums = sums_of(series);
    CHECK(sums.requests == e.requests);
    CHECK(sums.context_tokens == Approx(e.context_tokens).epsilon(1e-12));
    CHECK(sums.generated_tokens == Approx(e.generated_tokens).epsilon(1e-12));
    CHECK(series.per_second[0] * 60 == Approx(e.first_minute_requests).epsilon(1e-12));
    CHECK(series.mean_context_tokens[0] == Approx(e.first_minute_context_mean).epsilon(1e-12));
    // Plausible per minute: a minute with requests has at least 15 (code)
    // or 37 (conv) of them; code prompts are long and answers short (means
    // 1,216 to 2,828 and 17 to 45 tokens), conversations the other way (778
    // to 1,451 and 114 to 307); an empty minute has no token figures.
    std::size_t empty = 0;
    for (std::size_t i = 0; i < series.per_second.size(); ++i) {
      INFO("minute " << i);
      if (series.per_second[i] == 0) {
        ++empty;
        CHECK(series.mean_context_tokens[i] == 0);
        CHECK(series.mean_generated_tokens[i] == 0);
        continue;
      }
      CHECK(series.per_second[i] * 60 >= 15);
      CHECK(series.mean_context_tokens[i] > 700);
      CHECK(series.mean_context_tokens[i] < 3'000);
      CHECK(series.mean_generated_tokens[i] > 15);
      CHECK(series.mean_generated_tokens[i] < 310);
    }
    CHECK(empty == e.empty_minutes);
  }
}

TEST_CASE("azure-llm load: a window and a scale from the load block", "[traces][azure]") {
  // The conv trace from 10m for 20m: w = a[(s >= 600) & (s < 1800)];
  // len(w) == 7,241, w.ContextTokens.sum() == 9,279,370. With scale 2 the
  // series carries 14,482 requests over 20 one-minute steps.
  const auto root = parse_config_text(
      "load:\n  trace: {path: " + azure("conv").string() + ", format: azure-llm, scale: 2, start: 10m, span: 20m}\n",
      "services.yaml");
  const RateSeries series = parse_load(*root->find("load")->value, "load", ".", 1, "load.conv");
  CHECK(series.per_second.size() == 20);
  CHECK(series.requests() == Approx(14'482).epsilon(1e-12));
  double context_tokens = 0;
  for (std::size_t i = 0; i < series.per_second.size(); ++i) {
    context_tokens += series.mean_context_tokens[i] * series.per_second[i] * 60 / 2;
  }
  CHECK(context_tokens == Approx(9'279'370).epsilon(1e-12));
}

TEST_CASE("azure-llm load: repeat tiles the window's steps to a day", "[traces][azure]") {
  // The conv window of 20 minutes from 10m, repeated to 1d: 1,440 steps,
  // step i the window's step i mod 20, 72 times the window's requests.
  const std::string trace = "{path: " + azure("conv").string() + ", format: azure-llm, start: 10m, span: 20m";
  const auto once = parse_config_text("load:\n  trace: " + trace + "}\n", "services.yaml");
  const auto day = parse_config_text("load:\n  trace: " + trace + ", repeat: 1d}\n", "services.yaml");
  const RateSeries window = parse_load(*once->find("load")->value, "load", ".", 1, "load.conv");
  const RateSeries tiled = parse_load(*day->find("load")->value, "load", ".", 1, "load.conv");
  REQUIRE(window.per_second.size() == 20);
  REQUIRE(tiled.per_second.size() == 1440);
  CHECK(tiled.span() == Duration::days(1));
  for (std::size_t i = 0; i < tiled.per_second.size(); ++i) {
    CHECK(tiled.per_second[i] == window.per_second[i % 20]);
    CHECK(tiled.mean_generated_tokens[i] == window.mean_generated_tokens[i % 20]);
  }
  CHECK(tiled.requests() == Approx(72 * 7'241).epsilon(1e-12));
  // More steps than a series may have is an error naming the field.
  const auto huge = parse_config_text("load:\n  step: 1ms\n  trace: " + trace + ", repeat: 1w}\n", "services.yaml");
  const InputError e =
      capsim::testing::input_error_of([&] { parse_load(*huge->find("load")->value, "load", ".", 1, "load.conv"); });
  CHECK(e.field() == "load.trace.repeat");
}
