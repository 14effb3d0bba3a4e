// Sorting a stream of jobs by submit time in bounded memory: jobs are packed
// into a byte buffer; when it fills, the buffer is sorted and spilled to an
// anonymous temporary file (a "run"), and at the end the runs are merged. A
// trace larger than memory sorts with memory bounded by the buffer size; a
// trace that fits stays in memory. The order is stable: jobs with the same
// submit time keep the order they were added in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/job.hpp"

namespace capsim {

class JobSorter {
 public:
  // `buffer_bytes`: the memory for one run. Temporary files go to $TMPDIR
  // (else /tmp) and are unlinked at once, so they vanish with the process.
  explicit JobSorter(std::size_t buffer_bytes = std::size_t{64} << 20);
  ~JobSorter();
  JobSorter(const JobSorter&) = delete;
  JobSorter& operator=(const JobSorter&) = delete;

  // Adds a job (before finish()). All jobs must share their origin's file.
  void add(const JobSpec& job);
  // Ends the input; next() then returns the jobs in order.
  void finish();
  bool next(JobSpec& job);

  std::size_t runs_spilled() const { return runs_.size(); }
  std::int64_t jobs() const { return added_; }

 private:
  struct Key {
    std::int64_t submit_us;
    std::uint64_t offset;  // of the record in the buffer
  };
  struct Run;
  void sort_buffer();
  void spill();
  bool merge_next(JobSpec& job);

  std::size_t buffer_bytes_;
  std::string file_;  // the jobs' origin file
  std::vector<char> buffer_;
  std::vector<Key> keys_;
  std::size_t next_key_ = 0;
  std::vector<std::unique_ptr<Run>> runs_;
  std::vector<std::size_t> heap_;  // indices of runs_ with a head, a min-heap
  bool finished_ = false;
  std::int64_t added_ = 0;
};

}  // namespace capsim
