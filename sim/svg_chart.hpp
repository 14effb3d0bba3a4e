// Charts as inline SVG for the HTML report (sim/report.hpp): lines, steps
// and points on linear or logarithmic axes, with ticks, axis labels, a title,
// a legend and horizontal reference lines. A chart is a value (its data and
// labels); render_svg turns it into markup with no script, no external
// resource and no randomness, so the same chart gives the same bytes.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace capsim::sim {

struct ChartAxis {
  std::string label;               // with its units: "time (h)", "JCT (s)"
  bool log = false;                // base 10; values <= 0 are left out
  bool include_zero = false;       // linear only: stretch the range to 0
  std::optional<double> min, max;  // fixed ends (otherwise the data's, rounded to ticks)
};

struct ChartSeries {
  enum class Style { kLine, kStep, kPoints };
  std::string name;    // legend entry ("" = none)
  std::string colour;  // CSS colour ("" = the palette's, by series index)
  Style style = Style::kLine;
  double radius = 3;  // kPoints: circle radius (px)
  bool ring = false;  // kPoints: an outline, drawn over the others
  // Equal lengths. A NaN in y breaks a line; kStep holds each y until the next x.
  std::vector<double> x = {};
  std::vector<double> y = {};
};

struct ReferenceLine {
  double y = 0;
  std::string label;  // drawn at the line's right end
};

struct Chart {
  std::string id;  // unique in the page: names the clip path
  std::string title;
  ChartAxis x, y;
  std::vector<ChartSeries> series;
  std::vector<ReferenceLine> y_lines;
  int width = 720, height = 320;  // px, legend rows excluded
};

// Where an axis runs and where its ticks are.
struct AxisTicks {
  double lo = 0, hi = 1;
  std::vector<double> values;
};
// Linear: steps of 1, 2 or 5 x 10^k, about `target` of them, the ends
// rounded out to whole steps. Equal ends are widened. Non-finite ends give
// the range [0, 1].
AxisTicks linear_ticks(double lo, double hi, int target = 5);
// Logarithmic: the powers of ten covering [lo, hi] (lo, hi > 0).
AxisTicks log_ticks(double lo, double hi);
// A tick's label: 0.5, 20, 1.5k, 300k, 2M (the step decides the decimals).
std::string format_tick(double value, double step);

// The n-th colour of a 10-colour palette (Tableau 10), cycling.
const char* palette_colour(std::size_t n);

// The chart as an <svg> element (class "chart", data-points = number of
// points drawn). Series with no drawable point still get a legend entry.
std::string render_svg(const Chart& chart);

}  // namespace capsim::sim
