// Regions as the scheduler sees them: numbers, and sets of them for data
// residency (issue 9, "Governance": a job or service restricted to regions,
// the GDPR case). A region's number is its place in `cluster.regions`
// (core/energy.hpp RegionSpec); a cluster that lists none has one region, 0.
#pragma once

#include <cstddef>
#include <cstdint>

namespace capsim {

using RegionId = std::int32_t;
// A RegionSet is a 64-bit mask: a scenario lists at most this many regions.
inline constexpr std::size_t kMaxRegions = 64;

// The regions a job may run in. Empty means any region: no restriction.
class RegionSet {
 public:
  RegionSet() = default;
  static RegionSet any() { return RegionSet(); }
  static RegionSet of(RegionId region) {
    RegionSet set;
    set.add(region);
    return set;
  }
  static RegionSet from_bits(std::uint64_t bits) {
    RegionSet set;
    set.bits_ = bits;
    return set;
  }
  void add(RegionId region) { bits_ |= std::uint64_t{1} << static_cast<unsigned>(region); }
  bool is_any() const { return bits_ == 0; }
  // Whether work restricted to this set may run in `region`.
  bool allows(RegionId region) const { return bits_ == 0 || ((bits_ >> static_cast<unsigned>(region)) & 1u) != 0; }
  // Whether every region this set allows, `outer` allows too.
  bool within(RegionSet outer) const { return outer.bits_ == 0 || (bits_ != 0 && (bits_ & ~outer.bits_) == 0); }
  std::uint64_t bits() const { return bits_; }
  friend bool operator==(const RegionSet&, const RegionSet&) = default;

 private:
  std::uint64_t bits_ = 0;
};

}  // namespace capsim
