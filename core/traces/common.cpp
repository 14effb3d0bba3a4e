#include "core/traces/common.hpp"

#include <cmath>

#include "core/config_tree.hpp"

namespace capsim::traces {

std::optional<std::int64_t> gpu_milli_of(double gpus, bool allow_zero) {
  if (!std::isfinite(gpus) || gpus < 0 || gpus > static_cast<double>(kMaxGpusPerJob)) return std::nullopt;
  if (gpus == 0) return allow_zero ? std::optional<std::int64_t>(0) : std::nullopt;
  if (gpus < 1) {
    const auto milli = std::llround(gpus * kMilliPerGpu);
    if (milli < 1 || std::fabs(gpus * kMilliPerGpu - static_cast<double>(milli)) > 1e-6) return std::nullopt;
    return milli;
  }
  if (gpus != std::floor(gpus)) return std::nullopt;
  return static_cast<std::int64_t>(gpus) * kMilliPerGpu;
}

std::optional<GpuTypeSet> gpu_types_of(std::string_view text, const TraceSpec& spec, const GpuCatalog& catalog) {
  GpuTypeSet set;
  while (true) {
    const std::size_t bar = text.find('|');
    const std::string name(text.substr(0, bar));
    if (name.empty()) return std::nullopt;
    if (const auto mapped = spec.gpu_types.find(name); mapped != spec.gpu_types.end()) {
      set.add(mapped->second);
    } else if (const auto id = catalog.find(name)) {
      set.add(*id);
    } else {
      return std::nullopt;
    }
    if (bar == std::string_view::npos) return set;
    text.remove_prefix(bar + 1);
  }
}

std::string gpu_types_expected(const GpuCatalog& catalog) {
  return "GPU types of the catalog (" + catalog.names() +
         "), or models mapped to them by the trace's gpu_types, joined by '|'";
}

// Work in reference GPU-us: run time x GPUs (a share of one GPU as that
// fraction) x the speed of the type it was recorded on, so that the native
// engine runs the job exactly its recorded time on that type. A CPU-only job
// (no GPU) has no GPU-us: its work is its run time in us, which the engine
// does at rate 1.
void set_work(JobSpec& job, const TraceSpec& spec, const GpuCatalog& catalog) {
  if (job.request.gpu_milli == 0) {
    job.work = static_cast<double>(job.duration.count_us());
    return;
  }
  const GpuTypeId single = job.gpu_types.single();
  const double speed = catalog.at(single != kAnyGpuType ? single : spec.recorded_on).relative_speed;
  job.work = static_cast<double>(job.duration.count_us()) * static_cast<double>(job.request.gpu_milli) /
             static_cast<double>(kMilliPerGpu) * speed;
}

HeaderedCsv::HeaderedCsv(const std::string& path, std::initializer_list<std::string_view> required,
                         std::initializer_list<std::string_view> optional, bool strict)
    : reader_(path) {
  std::string known;
  for (const auto list : {required, optional}) {
    for (const std::string_view name : list) {
      if (!known.empty()) known += ", ";
      known += name;
    }
  }
  if (!reader_.next(fields_)) {
    throw InputError({path, 0, 0}, "", "a header line naming the columns (" + known + ")", "an empty file");
  }
  header_size_ = fields_.size();
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const std::string name(fields_[i]);
    bool wanted = false;
    for (const auto list : {required, optional}) {
      for (const std::string_view w : list) wanted = wanted || w == name;
    }
    if (!wanted) {
      if (strict) throw InputError(reader_.where(i), "header", "one of the columns " + known, quote_for_message(name));
      continue;
    }
    if (!columns_.emplace(name, static_cast<int>(i)).second) {
      throw InputError(reader_.where(i), "header", "each column once", "a second " + quote_for_message(name));
    }
  }
  for (const std::string_view name : required) {
    if (!columns_.count(name)) {
      throw InputError(reader_.where(0), "header", "a column named " + std::string(name) + " (columns: " + known + ")",
                       "a header without it");
    }
  }
}

bool HeaderedCsv::next() {
  if (!reader_.next(fields_)) return false;
  ++rows_;
  if (fields_.size() != header_size_) {
    throw InputError(row(), "", std::to_string(header_size_) + " fields as in the header",
                     std::to_string(fields_.size()));
  }
  return true;
}

int HeaderedCsv::index(std::string_view name) const {
  const auto it = columns_.find(name);
  return it == columns_.end() ? -1 : it->second;
}

std::string_view HeaderedCsv::field(std::string_view name) const {
  const int i = index(name);
  return i < 0 ? std::string_view() : fields_[static_cast<std::size_t>(i)];
}

void HeaderedCsv::fail(std::string_view name, const std::string& expected) const {
  const int i = index(name);
  throw InputError(i < 0 ? row() : reader_.where(static_cast<std::size_t>(i)), std::string(name), expected,
                   quote_for_message(field(name)));
}

double number_field(const HeaderedCsv& csv, std::string_view name, double min, double max, std::string_view expected) {
  double value = 0;
  if (!parse_number(csv.field(name), value) || !(value >= min) || !(value <= max))
    csv.fail(name, std::string(expected));
  return value;
}

}  // namespace capsim::traces
