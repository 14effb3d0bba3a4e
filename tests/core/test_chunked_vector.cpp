// ChunkedVector: an append-only array whose elements never move.
#include <catch2/catch.hpp>

#include "core/chunked_vector.hpp"

TEST_CASE("elements keep their values and addresses across chunks", "[core][chunked]") {
  capsim::ChunkedVector<std::uint32_t> values;
  constexpr std::size_t n = 3 * capsim::ChunkedVector<std::uint32_t>::kPerChunk + 17;
  const std::uint32_t* first = &values.emplace_back();
  values[0] = 7;
  for (std::size_t i = 1; i < n; ++i) values.push_back(static_cast<std::uint32_t>(i * 3));
  REQUIRE(values.size() == n);
  CHECK(&values[0] == first);  // never moved
  CHECK(values[0] == 7);
  for (std::size_t i = 1; i < n; ++i) REQUIRE(values[i] == i * 3);
  CHECK(values.back() == (n - 1) * 3);
  capsim::ChunkedVector<std::uint32_t> moved = std::move(values);
  CHECK(moved.size() == n);
  CHECK(values.empty());
  moved.clear();
  CHECK(moved.empty());
}

TEST_CASE("new elements are value-initialised", "[core][chunked]") {
  struct Row {
    int a = 5;
    double b = 0.25;
  };
  capsim::ChunkedVector<Row> rows;
  for (int i = 0; i < 100; ++i) {
    const Row& row = rows.emplace_back();
    REQUIRE(row.a == 5);
    REQUIRE(row.b == 0.25);
  }
}
