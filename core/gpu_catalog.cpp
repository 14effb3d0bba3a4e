#include "core/gpu_catalog.hpp"

#include <algorithm>
#include <cctype>

namespace capsim {

namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

constexpr std::int64_t kGiB = 1024;  // in MiB

}  // namespace

// Sources of the built-in figures:
// - memory_mib, peak_watts: NVIDIA's datasheet of each product (board power /
//   TDP of the form factor named in `source`).
// - relative_speed: K80 and P100 are the geometric means, over the 83 job types
//   of Gavel's measured single-job throughputs (Narayanan et al., OSDI'20;
//   ../shared/traces/gavel-throughputs/simulation_throughputs.json), of the
//   type's throughput divided by the V100's: 0.226 and 0.738. A100-40GB is the
//   middle of Lambda's published FP16 language-model estimate of 1.95x to 2.5x
//   over V100 ("NVIDIA A100 GPU Benchmarks for Deep Learning", 2020). The
//   others are estimates from peak tensor throughput and memory bandwidth,
//   marked "estimate" below: calibrate them (issue 6) or override them in a
//   scenario for decisions that depend on them.
// - idle_watts: estimates of an idle board with a CUDA context (typically 10%
//   to 20% of TDP on nvidia-smi); override them for energy studies.
// - usd_per_hour: on-demand list prices of the named cloud instance divided by
//   its GPU count (us-east-1 / us-central1, 2024); prices move, override them.
GpuCatalog GpuCatalog::builtin() {
  GpuCatalog catalog;
  catalog.types_ = {
      {"K80",
       12 * kGiB,
       0.226,
       25,
       150,
       0.90,
       "one GK210 of a Tesla K80 (300 W board / 2); speed: Gavel; price: AWS p2.xlarge",
       {}},
      {"P100",
       16 * kGiB,
       0.738,
       30,
       250,
       1.46,
       "Tesla P100 PCIe 16GB; speed: Gavel; price: Google Cloud P100 GPU-hour",
       {}},
      {"V100", 16 * kGiB, 1.0, 40, 300, 3.06, "Tesla V100 SXM2 16GB; speed reference; price: AWS p3.2xlarge", {}},
      {"V100-32GB", 32 * kGiB, 1.0, 40, 300, 3.90, "Tesla V100 SXM2 32GB; price: AWS p3dn.24xlarge / 8", {}},
      {"T4",
       16 * kGiB,
       0.35,
       10,
       70,
       0.526,
       "Tesla T4; speed estimate (65 vs 125 FP16 tensor TFLOPS, 320 vs 900 GB/s); "
       "price: AWS g4dn.xlarge",
       {}},
      {"L4",
       24 * kGiB,
       0.55,
       16,
       72,
       0.805,
       "L4; speed estimate (121 vs 125 FP16 tensor TFLOPS, 300 vs 900 GB/s); "
       "price: AWS g6.xlarge",
       {}},
      {"A100-40GB",
       40 * kGiB,
       2.2,
       50,
       400,
       4.10,
       "A100 SXM4 40GB; speed: Lambda's 1.95-2.5x estimate; price: AWS p4d.24xlarge / 8",
       {}},
      {"A100-80GB",
       80 * kGiB,
       2.4,
       55,
       400,
       5.12,
       "A100 SXM4 80GB; speed estimate (A100-40GB with 2.0 vs 1.6 TB/s); "
       "price: AWS p4de.24xlarge / 8",
       {}},
      {"H100",
       80 * kGiB,
       4.4,
       70,
       700,
       12.29,
       "H100 SXM5 80GB; speed estimate (about 2x A100 in MLPerf Training per GPU); "
       "price: AWS p5.48xlarge / 8",
       {}},
      {"H200",
       141 * kGiB,
       5.0,
       75,
       700,
       13.52,
       "H200 SXM 141GB; speed estimate (H100 with 4.8 vs 3.35 TB/s); price: H100's x 1.10, "
       "the H200/H100 ratio of AWS EC2 Capacity Block rates",
       {}},
  };
  // MIG profiles: NVIDIA's MIG User Guide, "Supported MIG Profiles" (names,
  // fractions of compute and memory), and NVML's placements of each profile
  // (nvmlDeviceGetGpuInstancePossiblePlacements: `nvidia-smi mig -lgipp`).
  // A 1g profile with two memory slices (1g.10gb on A100-40GB, 1g.20gb on
  // the 80 GB parts) starts on even slices; a 3g instance takes four memory
  // slices, at 0 or 4.
  const auto mig = [](std::int64_t memory_mib, std::string_view m1, std::string_view m2, std::string_view m4,
                      std::string_view m8) {
    const std::int64_t slice = memory_mib / kMigMemorySlices;
    return std::vector<MigProfile>{
        {"1g." + std::string(m1), 1, 1, slice, 0b0111'1111},
        {"1g." + std::string(m2), 1, 2, 2 * slice, 0b0101'0101},
        {"2g." + std::string(m2), 2, 2, 2 * slice, 0b0001'0101},
        {"3g." + std::string(m4), 3, 4, 4 * slice, 0b0001'0001},
        {"4g." + std::string(m4), 4, 4, 4 * slice, 0b0000'0001},
        {"7g." + std::string(m8), 7, 8, 8 * slice, 0b0000'0001},
    };
  };
  catalog.types_[static_cast<std::size_t>(*catalog.find("A100-40GB"))].mig_profiles =
      mig(40 * kGiB, "5gb", "10gb", "20gb", "40gb");
  catalog.types_[static_cast<std::size_t>(*catalog.find("A100-80GB"))].mig_profiles =
      mig(80 * kGiB, "10gb", "20gb", "40gb", "80gb");
  catalog.types_[static_cast<std::size_t>(*catalog.find("H100"))].mig_profiles =
      mig(80 * kGiB, "10gb", "20gb", "40gb", "80gb");
  catalog.types_[static_cast<std::size_t>(*catalog.find("H200"))].mig_profiles =
      mig(141 * kGiB, "18gb", "35gb", "71gb", "141gb");
  return catalog;
}

std::int32_t GpuType::find_mig_profile(std::string_view profile) const {
  for (std::size_t i = 0; i < mig_profiles.size(); ++i) {
    if (equal_ignoring_case(mig_profiles[i].name, profile)) return static_cast<std::int32_t>(i);
  }
  return -1;
}

std::string GpuType::mig_profile_names() const {
  std::string text;
  for (const MigProfile& profile : mig_profiles) {
    if (!text.empty()) text += ", ";
    text += profile.name;
  }
  return text;
}

std::optional<GpuTypeId> GpuCatalog::find(std::string_view name) const {
  for (std::size_t i = 0; i < types_.size(); ++i) {
    if (equal_ignoring_case(types_[i].name, name)) return static_cast<GpuTypeId>(i);
  }
  return std::nullopt;
}

GpuTypeId GpuCatalog::upsert(GpuType type) {
  if (auto id = find(type.name)) {
    types_[static_cast<std::size_t>(*id)] = std::move(type);
    return *id;
  }
  types_.push_back(std::move(type));
  return static_cast<GpuTypeId>(types_.size() - 1);
}

std::string GpuCatalog::names_of(GpuTypeSet set) const {
  std::string text;
  if (set.is_any()) return text;
  for (std::size_t i = 0; i < types_.size(); ++i) {
    if (!set.allows(static_cast<GpuTypeId>(i))) continue;
    if (!text.empty()) text += '|';
    text += types_[i].name;
  }
  return text;
}

std::string GpuCatalog::names() const {
  std::string text;
  for (const auto& type : types_) {
    if (!text.empty()) text += ", ";
    text += type.name;
  }
  return text;
}

}  // namespace capsim
