// The GPU catalog: per GPU type its memory, relative training speed, power and
// price. A built-in catalog covers the common data-centre GPUs; a scenario can
// add types or override figures (scenario key `gpu_catalog`).
// Every built-in figure names its public source in gpu_catalog.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capsim {

// Index of a GPU type in its catalog; stable for the catalog's lifetime.
using GpuTypeId = std::int32_t;
inline constexpr GpuTypeId kAnyGpuType = -1;
// A catalog holds at most this many types, so that a set of them is one word.
inline constexpr std::size_t kMaxGpuTypes = 64;

// The GPU types a job may run on: a set of catalog ids, where the empty set
// means "any type" (the common case, and the default).
class GpuTypeSet {
 public:
  GpuTypeSet() = default;
  static GpuTypeSet any() { return GpuTypeSet(); }
  static GpuTypeSet of(GpuTypeId id) {
    GpuTypeSet set;
    set.add(id);
    return set;
  }
  static GpuTypeSet from_bits(std::uint64_t bits) {
    GpuTypeSet set;
    set.bits_ = bits;
    return set;
  }
  void add(GpuTypeId id) { bits_ |= std::uint64_t{1} << static_cast<unsigned>(id); }
  bool is_any() const { return bits_ == 0; }
  // Whether a GPU of type `id` may serve the job.
  bool allows(GpuTypeId id) const { return bits_ == 0 || ((bits_ >> static_cast<unsigned>(id)) & 1u) != 0; }
  // The one type when the set names exactly one, else kAnyGpuType.
  GpuTypeId single() const {
    if (bits_ == 0 || (bits_ & (bits_ - 1)) != 0) return kAnyGpuType;
    return static_cast<GpuTypeId>(__builtin_ctzll(bits_));
  }
  std::uint64_t bits() const { return bits_; }
  friend bool operator==(const GpuTypeSet&, const GpuTypeSet&) = default;

 private:
  std::uint64_t bits_ = 0;
};

// Multi-Instance GPU (NVIDIA A100, H100, H200): a GPU splits into up to
// seven isolated instances. It has 7 compute slices and 8 memory slices; an
// instance of a profile takes `compute_slices` and a run of `memory_slices`
// memory slices starting at one of the profile's allowed starts (NVML's
// placements, `nvidia-smi mig -lgipp`), and instances never overlap.
inline constexpr std::int32_t kMigComputeSlices = 7;
inline constexpr std::int32_t kMigMemorySlices = 8;

struct MigProfile {
  std::string name;  // "3g.40gb"
  std::int32_t compute_slices = 0;
  std::int32_t memory_slices = 0;
  std::int64_t memory_mib = 0;
  std::uint8_t starts = 0;  // bit s: an instance may start at memory slice s

  // The memory slices an instance starting at `start` takes, as a bit mask.
  std::uint8_t mask_at(std::int32_t start) const {
    return static_cast<std::uint8_t>(((1u << static_cast<unsigned>(memory_slices)) - 1u)
                                     << static_cast<unsigned>(start));
  }
  friend bool operator==(const MigProfile&, const MigProfile&) = default;
};

// The thousandths of a GPU that `compute_slices` of its 7 are: what a share
// of the GPU may ask for and still fit an instance with that many slices
// (rounded down, so that ceil(milli * 7 / 1000) gives the slices back).
constexpr std::int32_t mig_milli(std::int32_t compute_slices) {
  return compute_slices * 1000 / kMigComputeSlices;
}
// The compute slices a share of `gpu_milli` thousandths needs.
constexpr std::int32_t mig_slices_for(std::int32_t gpu_milli) {
  return (gpu_milli * kMigComputeSlices + 999) / 1000;
}

struct GpuType {
  std::string name;             // canonical name, e.g. "A100-80GB"
  std::int64_t memory_mib = 0;  // GPU memory
  // Training throughput relative to a V100 (1.0) for a typical mixed-precision
  // training job: the native engine's speed factor for the GPU type.
  double relative_speed = 1.0;
  double idle_watts = 0;    // powered on, no work
  double peak_watts = 0;    // board power at full load (TDP)
  double usd_per_hour = 0;  // on-demand price of one GPU-hour
  std::string source;       // where the figures come from
  // Its MIG profiles, smallest first (fewest compute slices, then fewest
  // memory slices); empty for a type without MIG.
  std::vector<MigProfile> mig_profiles;

  // The index of the profile named `name` (ignoring case), or -1.
  std::int32_t find_mig_profile(std::string_view name) const;
  // The profile names, comma-separated, for error messages.
  std::string mig_profile_names() const;

  friend bool operator==(const GpuType&, const GpuType&) = default;
};

class GpuCatalog {
 public:
  // An empty catalog.
  GpuCatalog() = default;
  // The built-in catalog (K80, P100, V100, V100-32GB, T4, L4, A100-40GB,
  // A100-80GB, H100, H200).
  static GpuCatalog builtin();

  // Looks a type up by name, ignoring case ("a100-80gb" finds "A100-80GB").
  std::optional<GpuTypeId> find(std::string_view name) const;
  const GpuType& at(GpuTypeId id) const { return types_.at(static_cast<std::size_t>(id)); }
  std::size_t size() const { return types_.size(); }
  const std::vector<GpuType>& types() const { return types_; }

  // Adds a type, or replaces the one with the same name (ignoring case).
  GpuTypeId upsert(GpuType type);
  // Comma-separated names, for error messages.
  std::string names() const;
  // "A100-40GB|A100-80GB": the names of a set's types joined by '|', or ""
  // for any type.
  std::string names_of(GpuTypeSet set) const;

  friend bool operator==(const GpuCatalog&, const GpuCatalog&) = default;

 private:
  std::vector<GpuType> types_;
};

}  // namespace capsim
