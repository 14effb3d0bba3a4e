// What the trace readers share: turning a trace's GPU figures and run times
// into a JobSpec the same way for every format. Internal to core/.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/csv.hpp"
#include "core/gpu_catalog.hpp"
#include "core/job.hpp"
#include "core/trace.hpp"

namespace capsim::traces {

inline constexpr std::int64_t kMaxGpusPerJob = 1'000'000;

// GPUs of a request in thousandths: a whole number from 1 to kMaxGpusPerJob,
// or a fraction of one GPU (0 < gpus < 1, to the thousandth); 0 when
// `allow_zero` (a CPU-only job). Nothing for anything else.
std::optional<std::int64_t> gpu_milli_of(double gpus, bool allow_zero);

// A GPU model or a set of them ("V100M16|V100M32") as a trace writes it:
// each name mapped by `spec.gpu_types`, else looked up in the catalog.
// Nothing when a name is unknown.
std::optional<GpuTypeSet> gpu_types_of(std::string_view text, const TraceSpec& spec, const GpuCatalog& catalog);
// What gpu_types_of accepts, for messages.
std::string gpu_types_expected(const GpuCatalog& catalog);

// Sets job.work from job.duration and job.request: the recorded run time on
// the GPUs the job had, in reference GPU-microseconds (a share of a GPU counts
// as its fraction). The run time counts as measured on the job's GPU type
// when it names exactly one, else on spec.recorded_on. A CPU-only job's work
// is its run time in microseconds (it runs at rate 1).
void set_work(JobSpec& job, const TraceSpec& spec, const GpuCatalog& catalog);

// A comma-separated trace with a header line: finds the columns a reader
// needs by name (in any order; others are ignored) and checks each row has
// as many fields as the header.
class HeaderedCsv {
 public:
  // `required` columns must be present; `optional` ones may be. Throws
  // InputError naming the header when a required column is missing.
  // With `strict`, a column that is neither is an error (capsim's own
  // format); otherwise it is ignored (public traces grow columns).
  HeaderedCsv(const std::string& path, std::initializer_list<std::string_view> required,
              std::initializer_list<std::string_view> optional = {}, bool strict = false);
  // The next row; throws InputError (after consuming it) when its field
  // count differs from the header's.
  bool next();
  // Field of column `name` (one given to the constructor; "" when an
  // optional column is absent).
  std::string_view field(std::string_view name) const;
  bool has(std::string_view name) const { return index(name) >= 0; }
  // Throws InputError for column `name` of the current row.
  [[noreturn]] void fail(std::string_view name, const std::string& expected) const;
  SourceLocation row() const { return {reader_.file(), reader_.line(), 0}; }
  std::int64_t rows() const { return rows_; }
  const std::string& file() const { return reader_.file(); }

 private:
  int index(std::string_view name) const;

  CsvReader reader_;
  std::map<std::string, int, std::less<>> columns_;
  std::vector<std::string_view> fields_;
  std::size_t header_size_ = 0;
  std::int64_t rows_ = 0;
};

// What the readers of comma-separated formats share: the trace's spec (a
// copy), the catalog and the rows. A subclass reads a row in next().
class CsvTraceReader : public TraceReader {
 public:
  TraceClock clock() const override { return {}; }
  std::int64_t rows() const override { return csv_.rows(); }

 protected:
  CsvTraceReader(const TraceSpec& spec, const GpuCatalog& catalog, std::initializer_list<std::string_view> required,
                 std::initializer_list<std::string_view> optional = {}, bool strict = false)
      : spec_(spec), catalog_(catalog), csv_(spec.path.string(), required, optional, strict) {}

  TraceSpec spec_;
  const GpuCatalog& catalog_;
  HeaderedCsv csv_;
};

// Numbers of a row's fields, failing with the column's name.
double number_field(const HeaderedCsv& csv, std::string_view name, double min, double max, std::string_view expected);

std::unique_ptr<TraceReader> open_csv_trace(const TraceSpec& spec, const GpuCatalog& catalog);
std::unique_ptr<TraceReader> open_philly(const TraceSpec& spec, const GpuCatalog& catalog);
std::unique_ptr<TraceReader> open_alibaba_openb(const TraceSpec& spec, const GpuCatalog& catalog);
std::unique_ptr<TraceReader> open_azure_llm(const TraceSpec& spec, const GpuCatalog& catalog);
std::unique_ptr<TraceReader> open_swf(const TraceSpec& spec, const GpuCatalog& catalog);

}  // namespace capsim::traces
