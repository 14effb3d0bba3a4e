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
  }
  return "unknown";
}

}  // namespace capsim
