// Text for the HTML report (sim/report.hpp): escaping for HTML and SVG, and
// numbers written for a reader, with their units ("2.8 h", "$61,281",
// "48.3 %"). Deterministic: the same value gives the same bytes everywhere
// (printf formatting, no locale).
#pragma once

#include <string>
#include <string_view>

namespace capsim::sim {

// Escapes & < > " ' so that `text` is safe in HTML, SVG or XML (JUnit
// reports) text and in attribute values (quoted with either quote).
std::string escape_html(std::string_view text);

// `value` with `significant` significant digits, thousands separated and no
// exponent below 1e15: 61281.12 -> "61,281", 0.004512 -> "0.00451",
// 3 -> "3". NaN -> "n/a", infinities -> "inf" / "-inf".
std::string format_number(double value, int significant = 3);

// A duration in seconds in the unit that reads best: "45 s", "12.5 min",
// "2.76 h", "3.1 days".
std::string format_duration(double seconds);

// A summary figure named the way summary.json names them, formatted by its
// suffix: "_s" a duration, "_usd" dollars, "_pct" percent, "_kwh" kWh,
// "_kw" kW, "gpu_utilisation" a fraction shown as percent; anything else a
// plain number. `units`, when given, is appended to plain numbers.
std::string format_figure(std::string_view name, double value, std::string_view units = {});

}  // namespace capsim::sim
