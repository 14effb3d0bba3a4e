#include "sim/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "sim/report_format.hpp"

namespace capsim::sim {

AxisTicks linear_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1, {0, 0.2, 0.4, 0.6, 0.8, 1}};
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.5;
    lo -= pad;
    hi += pad;
  }
  const double rough = (hi - lo) / std::max(target, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  const double normalised = rough / magnitude;
  const double step = (normalised < 1.5 ? 1 : normalised < 3 ? 2 : normalised < 7 ? 5 : 10) * magnitude;
  AxisTicks ticks;
  const double first = std::floor(lo / step + 1e-9);
  const double last = std::ceil(hi / step - 1e-9);
  ticks.lo = first * step;
  ticks.hi = last * step;
  for (double k = first; k <= last + 0.5; k += 1) {
    const double value = k * step;
    ticks.values.push_back(std::fabs(value) < step * 1e-9 ? 0.0 : value);
  }
  return ticks;
}

AxisTicks log_ticks(double lo, double hi) {
  if (!(lo > 0) || !(hi > 0) || !std::isfinite(lo) || !std::isfinite(hi)) return {1, 10, {1, 10}};
  if (lo > hi) std::swap(lo, hi);
  double first = std::floor(std::log10(lo) + 1e-9);
  double last = std::ceil(std::log10(hi) - 1e-9);
  if (last <= first) last = first + 1;
  AxisTicks ticks;
  ticks.lo = std::pow(10.0, first);
  ticks.hi = std::pow(10.0, last);
  for (double k = first; k <= last + 0.5; k += 1) ticks.values.push_back(std::pow(10.0, k));
  return ticks;
}

std::string format_tick(double value, double step) {
  if (value == 0) return "0";
  const double magnitude = std::fabs(value);
  double scale = 1;
  const char* suffix = "";
  if (magnitude >= 1e6) {
    scale = 1e6;
    suffix = "M";
  } else if (magnitude >= 1e4) {
    scale = 1e3;
    suffix = "k";
  }
  const double scaled_step = std::fabs(step) / scale;
  const int decimals =
      scaled_step > 0 ? std::clamp(static_cast<int>(-std::floor(std::log10(scaled_step) + 1e-9)), 0, 6) : 0;
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f%s", decimals, value / scale, suffix);
  return buffer;
}

const char* palette_colour(std::size_t n) {
  static constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                             "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return kPalette[n % 10];
}

namespace {

constexpr int kLeft = 72, kRight = 24, kTop = 36, kBottom = 50;
constexpr int kLegendRow = 18;

std::string px(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  std::string text = buffer;
  if (text == "-0.0") text = "0.0";
  return text;
}

bool drawable(const ChartAxis& axis, double value) {
  return std::isfinite(value) && (!axis.log || value > 0);
}

// The axis' range and ticks from the data (and its fixed ends).
AxisTicks axis_ticks(const ChartAxis& axis, const std::vector<double>& values, const std::vector<double>& extra) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const auto* list : {&values, &extra}) {
    for (const double v : *list) {
      if (!drawable(axis, v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (axis.min) lo = *axis.min;
  if (axis.max) hi = *axis.max;
  if (!axis.log && axis.include_zero) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
  }
  AxisTicks ticks = axis.log ? log_ticks(lo, hi) : linear_ticks(lo, hi);
  // Fixed ends stay where they were asked to be.
  if (axis.min) ticks.lo = *axis.min;
  if (axis.max) ticks.hi = *axis.max;
  std::erase_if(ticks.values, [&](double v) { return v < ticks.lo - 1e-12 || v > ticks.hi + 1e-12; });
  return ticks;
}

struct Scale {
  bool log = false;
  double lo = 0, hi = 1;    // data
  double from = 0, to = 1;  // pixels
  double operator()(double v) const {
    const double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (v - lo) / (hi - lo);
    return from + t * (to - from);
  }
};

// Legend entries flow left to right below the plot, wrapping at its width.
struct LegendItem {
  std::size_t series;
  double x;
  int row;
};
std::vector<LegendItem> lay_out_legend(const Chart& chart, double width) {
  std::vector<LegendItem> items;
  double x = 0;
  int row = 0;
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const std::string& name = chart.series[i].name;
    if (name.empty()) continue;
    const double item_width = 28 + 6.5 * static_cast<double>(name.size()) + 14;
    if (x > 0 && x + item_width > width) {
      x = 0;
      ++row;
    }
    items.push_back({i, x, row});
    x += item_width;
  }
  return items;
}

}  // namespace

std::string render_svg(const Chart& chart) {
  const double plot_width = chart.width - kLeft - kRight;
  const double plot_height = chart.height - kTop - kBottom;
  const std::vector<LegendItem> legend = lay_out_legend(chart, plot_width);
  const int legend_rows = legend.empty() ? 0 : legend.back().row + 1;
  const int height = chart.height + legend_rows * kLegendRow + (legend_rows > 0 ? 12 : 0);

  std::vector<double> xs, ys, lines;
  for (const ChartSeries& s : chart.series) {
    xs.insert(xs.end(), s.x.begin(), s.x.end());
    ys.insert(ys.end(), s.y.begin(), s.y.end());
  }
  for (const ReferenceLine& line : chart.y_lines) lines.push_back(line.y);
  const AxisTicks x_ticks = axis_ticks(chart.x, xs, {});
  const AxisTicks y_ticks = axis_ticks(chart.y, ys, lines);
  const Scale sx{chart.x.log, x_ticks.lo, x_ticks.hi, kLeft, kLeft + plot_width};
  const Scale sy{chart.y.log, y_ticks.lo, y_ticks.hi, kTop + plot_height, kTop};
  const double x_step = x_ticks.values.size() > 1 ? x_ticks.values[1] - x_ticks.values[0] : 1;
  const double y_step = y_ticks.values.size() > 1 ? y_ticks.values[1] - y_ticks.values[0] : 1;

  std::string body;
  std::size_t points = 0;
  const std::string clip = "clip-" + escape_html(chart.id);
  // Grid and ticks.
  body += "<g class=\"axes\" font-size=\"11\" fill=\"#333\">\n";
  for (const double v : y_ticks.values) {
    const std::string y = px(sy(v));
    body += "<line x1=\"" + px(kLeft) + "\" x2=\"" + px(kLeft + plot_width) + "\" y1=\"" + y + "\" y2=\"" + y +
            "\" stroke=\"#e4e4e4\"/>";
    body += "<text x=\"" + px(kLeft - 6) + "\" y=\"" + y + "\" text-anchor=\"end\" dominant-baseline=\"middle\">" +
            escape_html(chart.y.log ? format_tick(v, v) : format_tick(v, y_step)) + "</text>\n";
  }
  for (const double v : x_ticks.values) {
    const std::string x = px(sx(v));
    body += "<line x1=\"" + x + "\" x2=\"" + x + "\" y1=\"" + px(kTop + plot_height) + "\" y2=\"" +
            px(kTop + plot_height + 5) + "\" stroke=\"#333\"/>";
    body += "<text x=\"" + x + "\" y=\"" + px(kTop + plot_height + 18) + "\" text-anchor=\"middle\">" +
            escape_html(chart.x.log ? format_tick(v, v) : format_tick(v, x_step)) + "</text>\n";
  }
  body += "<rect x=\"" + px(kLeft) + "\" y=\"" + px(kTop) + "\" width=\"" + px(plot_width) + "\" height=\"" +
          px(plot_height) + "\" fill=\"none\" stroke=\"#999\"/>\n";
  body += "<text x=\"" + px(kLeft + plot_width / 2) + "\" y=\"" + px(kTop + plot_height + 38) +
          "\" text-anchor=\"middle\" font-size=\"12\">" + escape_html(chart.x.label) + "</text>\n";
  body += "<text transform=\"translate(16," + px(kTop + plot_height / 2) +
          ") rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">" + escape_html(chart.y.label) + "</text>\n";
  body += "</g>\n";

  // Reference lines.
  for (const ReferenceLine& line : chart.y_lines) {
    if (!drawable(chart.y, line.y)) continue;
    const std::string y = px(sy(line.y));
    body += "<g class=\"reference\"><line x1=\"" + px(kLeft) + "\" x2=\"" + px(kLeft + plot_width) + "\" y1=\"" + y +
            "\" y2=\"" + y + "\" stroke=\"#c00\" stroke-dasharray=\"6 4\"/>";
    body += "<text x=\"" + px(kLeft + plot_width - 4) + "\" y=\"" + px(sy(line.y) - 4) +
            "\" text-anchor=\"end\" font-size=\"11\" fill=\"#c00\">" + escape_html(line.label) + "</text></g>\n";
  }

  // Data: lines and steps first, then points, then rings over everything.
  body += "<g class=\"data\" clip-path=\"url(#" + clip + ")\">\n";
  for (int pass = 0; pass < 3; ++pass) {
    for (std::size_t i = 0; i < chart.series.size(); ++i) {
      const ChartSeries& s = chart.series[i];
      const bool is_points = s.style == ChartSeries::Style::kPoints;
      const int layer = !is_points ? 0 : s.ring ? 2 : 1;
      if (layer != pass) continue;
      const std::string colour = s.colour.empty() ? palette_colour(i) : escape_html(s.colour);
      const std::size_t n = std::min(s.x.size(), s.y.size());
      if (is_points) {
        for (std::size_t k = 0; k < n; ++k) {
          if (!drawable(chart.x, s.x[k]) || !drawable(chart.y, s.y[k])) continue;
          body += "<circle cx=\"" + px(sx(s.x[k])) + "\" cy=\"" + px(sy(s.y[k])) + "\" r=\"" + px(s.radius) + "\"" +
                  (s.ring ? " fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\"/>\n"
                          : " fill=\"" + colour + "\" fill-opacity=\"0.8\"/>\n");
          ++points;
        }
        continue;
      }
      std::string path;
      bool open = false;
      for (std::size_t k = 0; k < n; ++k) {
        if (!drawable(chart.x, s.x[k]) || !drawable(chart.y, s.y[k])) {
          open = false;
          continue;
        }
        const double x = sx(s.x[k]), y = sy(s.y[k]);
        if (!open) {
          path += "M" + px(x) + " " + px(y);
        } else if (s.style == ChartSeries::Style::kStep) {
          path += "H" + px(x) + "V" + px(y);
        } else {
          path += "L" + px(x) + " " + px(y);
        }
        open = true;
        ++points;
      }
      if (!path.empty()) {
        body += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + colour +
                "\" stroke-width=\"1.6\" stroke-linejoin=\"round\"/>\n";
      }
    }
  }
  body += "</g>\n";

  // Legend.
  for (const LegendItem& item : legend) {
    const ChartSeries& s = chart.series[item.series];
    const std::string colour = s.colour.empty() ? palette_colour(item.series) : escape_html(s.colour);
    const double x = kLeft + item.x;
    const double y = chart.height + 10 + item.row * kLegendRow;
    body += "<g class=\"legend\" font-size=\"11\">";
    if (s.style == ChartSeries::Style::kPoints) {
      body += "<circle cx=\"" + px(x + 10) + "\" cy=\"" + px(y - 4) + "\" r=\"" + px(std::min(s.radius, 6.0)) + "\"" +
              (s.ring ? " fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\"/>" : " fill=\"" + colour + "\"/>");
    } else {
      body += "<line x1=\"" + px(x) + "\" x2=\"" + px(x + 20) + "\" y1=\"" + px(y - 4) + "\" y2=\"" + px(y - 4) +
              "\" stroke=\"" + colour + "\" stroke-width=\"2\"/>";
    }
    body += "<text x=\"" + px(x + 26) + "\" y=\"" + px(y) + "\">" + escape_html(s.name) + "</text></g>\n";
  }

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"" + escape_html(chart.id) +
                    "\" width=\"" + std::to_string(chart.width) + "\" height=\"" + std::to_string(height) +
                    "\" viewBox=\"0 0 " + std::to_string(chart.width) + " " + std::to_string(height) +
                    "\" font-family=\"sans-serif\" role=\"img\" data-points=\"" + std::to_string(points) + "\">\n";
  svg += "<title>" + escape_html(chart.title) + "</title>\n";
  svg += "<defs><clipPath id=\"" + clip + "\"><rect x=\"" + px(kLeft) + "\" y=\"" + px(kTop - 1) + "\" width=\"" +
         px(plot_width) + "\" height=\"" + px(plot_height + 2) + "\"/></clipPath></defs>\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  svg += "<text x=\"" + px(kLeft) + "\" y=\"22\" font-size=\"14\" font-weight=\"bold\">" + escape_html(chart.title) +
         "</text>\n";
  svg += body;
  svg += "</svg>\n";
  return svg;
}

}  // namespace capsim::sim
