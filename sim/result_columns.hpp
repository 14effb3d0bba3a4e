// The job table as the columns a user sees: the names, units and
// descriptions that results.h5 stores and that Python's DataFrames carry,
// defined once for both.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/results.hpp"

namespace capsim::sim {

struct ResultColumn {
  std::string name;   // "submit_time"
  std::string units;  // "s", "GPUs", "" for none
  std::string description;
  // Numbers view the job table; strings view it or the columns' own storage.
  std::variant<std::span<const double>, std::span<const std::int32_t>, std::vector<std::string_view>> values;
};

// Views into a job table (which must outlive them), in file order. Not
// copyable: the derived columns view storage held here (moving keeps it).
class JobColumns {
 public:
  explicit JobColumns(const JobTable& jobs);
  JobColumns(JobColumns&&) = default;
  JobColumns(const JobColumns&) = delete;
  JobColumns& operator=(const JobColumns&) = delete;

  const std::vector<ResultColumn>& columns() const { return columns_; }

 private:
  std::vector<std::int32_t> id_;
  std::map<std::uint64_t, std::string> set_names_;  // a set of GPU types -> "V100|T4"
  std::vector<ResultColumn> columns_;
};

}  // namespace capsim::sim
