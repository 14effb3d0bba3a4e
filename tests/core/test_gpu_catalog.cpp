// The built-in GPU catalog: the types the issue asks for, sane figures with
// sources, and lookups that ignore case.
#include <catch2/catch.hpp>

#include "core/gpu_catalog.hpp"

using namespace capsim;

TEST_CASE("the built-in catalog has the common data-centre GPUs", "[core][catalog]") {
  const GpuCatalog catalog = GpuCatalog::builtin();
  for (const char* name : {"V100", "A100-40GB", "A100-80GB", "H100", "H200", "L4", "T4", "P100", "K80"}) {
    INFO(name);
    const auto id = catalog.find(name);
    REQUIRE(id.has_value());
    const GpuType& type = catalog.at(*id);
    CHECK(type.memory_mib > 0);
    CHECK(type.relative_speed > 0);
    CHECK(type.idle_watts > 0);
    CHECK(type.idle_watts < type.peak_watts);
    CHECK(type.usd_per_hour > 0);
    CHECK_FALSE(type.source.empty());
  }
  CHECK(catalog.at(*catalog.find("V100")).relative_speed == 1.0);  // the reference
  CHECK(catalog.at(*catalog.find("H100")).relative_speed > catalog.at(*catalog.find("A100-80GB")).relative_speed);
  CHECK(catalog.at(*catalog.find("H200")).memory_mib == 141 * 1024);
}

TEST_CASE("lookups ignore case; upsert replaces or adds", "[core][catalog]") {
  GpuCatalog catalog = GpuCatalog::builtin();
  CHECK(catalog.find("a100-80gb") == catalog.find("A100-80GB"));
  CHECK_FALSE(catalog.find("A100").has_value());
  const std::size_t size = catalog.size();
  GpuType t4 = catalog.at(*catalog.find("T4"));
  t4.usd_per_hour = 0.35;
  CHECK(catalog.upsert(t4) == *catalog.find("T4"));
  CHECK(catalog.size() == size);
  CHECK(catalog.at(*catalog.find("t4")).usd_per_hour == 0.35);
  CHECK(catalog.upsert(GpuType{"X1", 1024, 0.5, 1, 2, 3, "test", {}}) == static_cast<GpuTypeId>(size));
}
