// The report's building blocks (sim/svg_chart.hpp, sim/report_curves.hpp,
// sim/report_format.hpp): tick placement, CDFs, energy and cost curves
// worked out by hand, numbers for readers, escaping, and the SVG itself.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "sim/report_curves.hpp"
#include "sim/report_format.hpp"
#include "sim/svg_chart.hpp"

using namespace capsim::sim;

namespace {

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("linear ticks step by 1, 2 or 5 x 10^k and round the ends out", "[sim][report][chart]") {
  // 0..97 in about 5 steps: 97/5 = 19.4 -> a step of 20, the axis 0..100.
  const AxisTicks percent = linear_ticks(0, 97);
  CHECK(percent.lo == 0);
  CHECK(percent.hi == 100);
  CHECK(percent.values == std::vector<double>{0, 20, 40, 60, 80, 100});
  // 0.13..0.87: 0.148 -> a step of 0.1, the axis 0.1..0.9.
  const AxisTicks fraction = linear_ticks(0.13, 0.87);
  CHECK(fraction.values.size() == 9);
  CHECK(fraction.lo == Approx(0.1));
  CHECK(fraction.hi == Approx(0.9));
  // Equal ends are widened by half the value: 2.5..7.5 -> steps of 1, 2..8.
  const AxisTicks flat = linear_ticks(5, 5);
  CHECK(flat.lo == 2);
  CHECK(flat.hi == 8);
  // No data: 0..1.
  const AxisTicks none = linear_ticks(std::numeric_limits<double>::infinity(), -1);
  CHECK(none.lo == 0);
  CHECK(none.hi == 1);
}

TEST_CASE("log ticks are the powers of ten around the data", "[sim][report][chart]") {
  const AxisTicks ticks = log_ticks(3, 190'000);
  CHECK(ticks.lo == 1);
  CHECK(ticks.hi == 1e6);
  CHECK(ticks.values.size() == 7);
  // One decade at least.
  CHECK(log_ticks(10, 10).values == std::vector<double>{10, 100});
}

TEST_CASE("tick labels take their decimals from the step and shorten thousands", "[sim][report][chart]") {
  CHECK(format_tick(0, 1) == "0");
  CHECK(format_tick(0.5, 0.1) == "0.5");
  CHECK(format_tick(1500, 500) == "1500");
  CHECK(format_tick(20'000, 5'000) == "20k");
  CHECK(format_tick(2.5e6, 5e5) == "2.5M");
  CHECK(format_tick(100'000, 100'000) == "100k");
}

TEST_CASE("an empirical CDF steps by 1/n at each value, NaNs left out", "[sim][report][chart]") {
  // Finite values sorted: 1, 2, 2, 3 (n = 4): the curve starts at (1, 0),
  // then each rank i reaches (i+1)/4.
  const std::vector<double> values{3, kNaN, 1, 2, 2};
  const Curve cdf = empirical_cdf(values);
  CHECK(cdf.x == std::vector<double>{1, 1, 2, 2, 3});
  CHECK(cdf.y == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
  CHECK(empirical_cdf(std::vector<double>{kNaN}).x.empty());

  // 1000 values kept as 10 evenly spaced ranks: the smallest and the largest
  // among them, the curve ends at 1.
  std::vector<double> many;
  for (int i = 999; i >= 0; --i) many.push_back(i);
  const Curve thin = empirical_cdf(many, 10);
  CHECK(thin.x.size() == 11);
  CHECK(thin.x[1] == 0);
  CHECK(thin.y[1] == Approx(0.001));
  CHECK(thin.x.back() == 999);
  CHECK(thin.y.back() == 1);
}

TEST_CASE("energy sums each interval's power times its length, the last cut at the run's end", "[sim][report][chart]") {
  // 10 kW for 1 h, 20 kW for 1 h, 30 kW for the half hour up to 9000 s:
  // 10, 30, 45 kWh.
  const std::vector<double> time{0, 3600, 7200};
  const std::vector<double> power{10, 20, 30};
  const Curve energy = cumulative_energy_kwh(time, power, 3600, 9000);
  CHECK(energy.x == std::vector<double>{3600, 7200, 9000});
  REQUIRE(energy.y.size() == 3);
  CHECK(energy.y[0] == Approx(10));
  CHECK(energy.y[1] == Approx(30));
  CHECK(energy.y[2] == Approx(45));
}

TEST_CASE("the jobs' cost accrues evenly over each job's span", "[sim][report][chart]") {
  // A: 0..100 s, $10 (10 cents a second). B: starts and ends at 50, $5, at
  // once. C never started: nothing. D: from 80 still running at the end
  // (120), $4 over 40 s.
  const std::vector<double> start{0, 50, kNaN, 80};
  const std::vector<double> end{100, 50, kNaN, kNaN};
  const std::vector<double> cost{10, 5, 7, 4};
  const std::vector<double> at{0, 50, 100, 120};
  const Curve accrued = accrued_cost(start, end, cost, at, 120);
  REQUIRE(accrued.y.size() == 4);
  CHECK(accrued.y[0] == Approx(0));
  CHECK(accrued.y[1] == Approx(5 + 5));       // half of A, all of B
  CHECK(accrued.y[2] == Approx(10 + 5 + 2));  // A, B, half of D
  CHECK(accrued.y[3] == Approx(10 + 5 + 4));  // everything that ran
}

TEST_CASE("numbers for readers: significant digits, thousands, units by name", "[sim][report][format]") {
  CHECK(format_number(61281.12, 1) == "61,281");
  CHECK(format_number(0.004512) == "0.00451");
  CHECK(format_number(3) == "3");
  CHECK(format_number(2.5) == "2.5");
  CHECK(format_number(-1234567) == "-1,234,567");
  CHECK(format_number(kNaN) == "n/a");
  CHECK(format_duration(45) == "45 s");
  CHECK(format_duration(750) == "12.5 min");
  CHECK(format_duration(9931.4) == "2.76 h");
  CHECK(format_duration(750994) == "8.69 days");
  CHECK(format_figure("jct_mean_s", 9931.4) == "2.76 h");
  CHECK(format_figure("cluster_cost_usd", 61281.12) == "$61,281");
  CHECK(format_figure("idle_cost_pct", 51.734) == "51.7 %");
  CHECK(format_figure("gpu_utilisation", 0.48271) == "48.3 %");
  CHECK(format_figure("facility_energy_kwh", 3314.2) == "3,314 kWh");
  CHECK(format_figure("peak_power_kw", 28.8) == "28.8 kW");
  CHECK(format_figure("jobs_completed", 3274) == "3,274");
  CHECK(format_figure("lost", 2, "GPU-h") == "2 GPU-h");
}

TEST_CASE("escaping makes text safe in HTML and SVG", "[sim][report][format]") {
  CHECK(escape_html("<script>alert('x & \"y\"')</script>") ==
        "&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;");
  CHECK(escape_html("plain") == "plain");
}

TEST_CASE("an SVG chart has its title, axes, legend, data and reference lines", "[sim][report][chart]") {
  Chart chart;
  chart.id = "test-1";
  chart.title = "Queue <length>";
  chart.x.label = "time (h)";
  chart.y.label = "waiting jobs";
  ChartSeries line{.name = "fifo & co", .colour = "", .style = ChartSeries::Style::kLine};
  line.x = {0, 1, 2, 3, 4};
  line.y = {1, 2, kNaN, 4, 5};  // the NaN breaks the line in two
  ChartSeries points{.name = "candidates", .colour = "#2ca02c", .style = ChartSeries::Style::kPoints};
  points.x = {1, 2};
  points.y = {3, 4};
  chart.series = {line, points};
  chart.y_lines = {{4.5, "limit 4.5"}};
  const std::string svg = render_svg(chart);

  CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"test-1\""));
  CHECK(svg.find("<title>Queue &lt;length&gt;</title>") != std::string::npos);
  CHECK(svg.find("Queue <length>") == std::string::npos);
  CHECK(svg.find(">time (h)</text>") != std::string::npos);
  CHECK(svg.find(">waiting jobs</text>") != std::string::npos);
  CHECK(svg.find(">fifo &amp; co</text>") != std::string::npos);  // legend
  CHECK(svg.find(">candidates</text>") != std::string::npos);
  CHECK(svg.find(">limit 4.5</text>") != std::string::npos);
  // 4 points of the line (one NaN left out) and 2 circles.
  CHECK(svg.find("data-points=\"6\"") != std::string::npos);
  CHECK(count_of(svg, "<circle") == 2 + 1);  // and the legend's swatch
  // One path, two pieces: two moves.
  const std::size_t path = svg.find("<path d=\"");
  REQUIRE(path != std::string::npos);
  const std::string d = svg.substr(path, svg.find('"', path + 9) - path);
  CHECK(count_of(d, "M") == 2);
  CHECK(svg.ends_with("</svg>\n"));
  // Same chart, same bytes.
  CHECK(render_svg(chart) == svg);
}

TEST_CASE("a log axis leaves out values it cannot show", "[sim][report][chart]") {
  Chart chart;
  chart.id = "log";
  chart.x.log = true;
  ChartSeries cdf{.name = "", .colour = "", .style = ChartSeries::Style::kStep};
  cdf.x = {0, 0, 10, 1000};
  cdf.y = {0, 50, 75, 100};
  chart.series = {cdf};
  const std::string svg = render_svg(chart);
  CHECK(svg.find("data-points=\"2\"") != std::string::npos);
  // Ticks at 10, 100, 1000.
  CHECK(svg.find(">10</text>") != std::string::npos);
  CHECK(svg.find(">100</text>") != std::string::npos);
  CHECK(svg.find(">1000</text>") != std::string::npos);
}
