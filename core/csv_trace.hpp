// capsim's native CSV trace format: one job per line, in submit order.
//
//   job_id,submit_s,gpus,duration_s,gpu_type,user,state,cpus,memory_mib,gpu_memory_mib
//
// submit_s, gpus and duration_s are required; the other columns are optional
// and may come in any order (the header line names them). Times are seconds
// since the start of the trace (decimals allowed), `gpus` a whole number,
// `gpu_type` a catalog name or empty for any, `state` completed, failed or
// killed (a failed job runs its recorded duration and is recorded as failed),
// `gpu_memory_mib` the memory each of the job's GPUs must have.
// Lines starting with '#' are comments. The README documents the format.
#pragma once

#include <string>
#include <vector>

#include "core/csv.hpp"
#include "core/gpu_catalog.hpp"
#include "core/job.hpp"

namespace capsim {

class CsvTraceSource : public JobSource {
 public:
  // Opens the trace and reads its header. `recorded_on` is the GPU type the
  // durations were measured on (its speed turns durations into work).
  // Throws InputError.
  CsvTraceSource(const std::string& path, const GpuCatalog& catalog, GpuTypeId recorded_on);

  bool next(JobSpec& job) override;

 private:
  enum Column { kJobId, kSubmit, kGpus, kDuration, kGpuType, kUser, kState, kCpus, kMemory, kGpuMemory, kColumnCount };

  CsvReader reader_;
  const GpuCatalog& catalog_;
  double recorded_speed_;
  int column_index_[kColumnCount];
  std::size_t header_size_ = 0;
  std::vector<std::string_view> fields_;
  Time last_submit_;
  int last_submit_line_ = 0;
};

}  // namespace capsim
