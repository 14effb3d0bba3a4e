#include "core/job.hpp"

namespace capsim {

std::string_view to_string(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::kCompleted:
      return "completed";
    case JobOutcome::kFailed:
      return "failed";
    case JobOutcome::kKilled:
      return "killed";
    case JobOutcome::kRunning:
      return "running";
    case JobOutcome::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

std::optional<JobOutcome> parse_job_outcome(std::string_view text) {
  for (const JobOutcome outcome : kAllJobOutcomes) {
    if (text == to_string(outcome)) return outcome;
  }
  return std::nullopt;
}

}  // namespace capsim
