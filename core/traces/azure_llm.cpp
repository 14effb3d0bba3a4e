// Azure LLM inference trace (Splitwise, ISCA'24):
//   TIMESTAMP,ContextTokens,GeneratedTokens
// Each request becomes a job that holds `request_gpus` GPUs for
// ContextTokens / prefill_tokens_per_s + GeneratedTokens / decode_tokens_per_s
// seconds (the trace records tokens, not run times: the scenario's token
// model says how fast a replica serves). Inference services with batching
// and autoscaling are modelled separately (DESIGN.md, "Inference services").
#include "core/config_tree.hpp"
#include "core/traces/common.hpp"

namespace capsim::traces {

namespace {

class AzureLlmReader : public CsvTraceReader {
 public:
  AzureLlmReader(const TraceSpec& spec, const GpuCatalog& catalog)
      : CsvTraceReader(spec, catalog, {"TIMESTAMP", "ContextTokens", "GeneratedTokens"}) {
    const auto milli = gpu_milli_of(spec.azure.gpus, false);
    if (!milli) {
      throw InputError(spec.where, "request_gpus", "a whole number of GPUs or a fraction of one in thousandths",
                       std::to_string(spec.azure.gpus));
    }
    gpu_milli_ = *milli;
    if (!(spec.azure.prefill_tokens_per_s > 0) || !(spec.azure.decode_tokens_per_s > 0)) {
      throw InputError(spec.where, "prefill_tokens_per_s", "positive token rates for azure-llm requests", "none set");
    }
  }

  bool next(JobSpec& job) override {
    if (!csv_.next()) return false;
    job = JobSpec();
    job.origin = csv_.row();
    job.name = "request-" + std::to_string(csv_.rows());
    const auto submit = parse_datetime_us(csv_.field("TIMESTAMP"));
    if (!submit) csv_.fail("TIMESTAMP", std::string(kDatetimeExpected) + " (with a fraction of a second)");
    job.submit = Time::from_us(*submit);
    const auto tokens = [&](std::string_view column) {
      std::int64_t value = 0;
      if (!parse_int(csv_.field(column), value) || value < 0 || value > 100'000'000) {
        csv_.fail(column, "a whole number of tokens from 0 to 100000000");
      }
      return static_cast<double>(value);
    };
    const double seconds = tokens("ContextTokens") / spec_.azure.prefill_tokens_per_s +
                           tokens("GeneratedTokens") / spec_.azure.decode_tokens_per_s;
    job.duration = Duration::from_seconds(seconds);
    job.request.gpu_milli = gpu_milli_;
    set_work(job, spec_, catalog_);
    return true;
  }

  TraceClock clock() const override { return {0, 0}; }

 private:
  std::int64_t gpu_milli_ = kMilliPerGpu;
};

}  // namespace

std::unique_ptr<TraceReader> open_azure_llm(const TraceSpec& spec, const GpuCatalog& catalog) {
  return std::make_unique<AzureLlmReader>(spec, catalog);
}

}  // namespace capsim::traces
