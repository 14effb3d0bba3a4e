#include "core/resources.hpp"

#include <cstdio>

namespace capsim {

std::string Resources::to_string() const {
  std::string text;
  char part[96];
  if (is_whole_gpus()) {
    std::snprintf(part, sizeof part, "%lld GPU%s", static_cast<long long>(gpu_milli / kMilliPerGpu),
                  gpu_milli == kMilliPerGpu ? "" : "s");
  } else {
    std::snprintf(part, sizeof part, "%.3f GPUs", static_cast<double>(gpu_milli) / kMilliPerGpu);
  }
  text = part;
  if (gpu_memory_mib) {
    std::snprintf(part, sizeof part, " of %lld MiB", static_cast<long long>(gpu_memory_mib));
    text += part;
  }
  if (cpu_milli) {
    std::snprintf(part, sizeof part, ", %g cores", static_cast<double>(cpu_milli) / 1000);
    text += part;
  }
  if (memory_mib) {
    std::snprintf(part, sizeof part, ", %lld MiB memory", static_cast<long long>(memory_mib));
    text += part;
  }
  return text;
}

}  // namespace capsim
