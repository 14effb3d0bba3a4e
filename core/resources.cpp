#include "core/resources.hpp"

namespace capsim {

std::string Resources::to_string() const {
  std::string text;
  const auto add = [&](const std::string& part) {
    if (!text.empty()) text += ", ";
    text += part;
  };
  if (gpu_milli % kMilliPerGpu == 0) {
    add(std::to_string(gpu_milli / kMilliPerGpu) + " GPU");
  } else {
    add(std::to_string(static_cast<double>(gpu_milli) / kMilliPerGpu) + " GPU");
  }
  if (gpu_memory_mib) add(std::to_string(gpu_memory_mib) + " MiB GPU memory");
  if (cpu_milli) add(std::to_string(static_cast<double>(cpu_milli) / 1000) + " cores");
  if (memory_mib) add(std::to_string(memory_mib) + " MiB memory");
  return text;
}

}  // namespace capsim
