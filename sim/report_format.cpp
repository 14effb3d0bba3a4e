#include "sim/report_format.hpp"

#include <cmath>
#include <cstdio>

namespace capsim::sim {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

// "1234567.8" -> "1,234,567.8" (the integer part only).
std::string group_thousands(const std::string& digits) {
  const std::size_t sign = (!digits.empty() && digits[0] == '-') ? 1 : 0;
  std::size_t point = digits.find('.');
  if (point == std::string::npos) point = digits.size();
  std::string out = digits.substr(0, sign);
  for (std::size_t i = sign; i < point; ++i) {
    if (i > sign && (point - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  out += digits.substr(point);
  return out;
}

}  // namespace

std::string format_number(double value, int significant) {
  if (std::isnan(value)) return "n/a";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0) return "0";
  if (std::fabs(value) >= 1e15) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.*g", significant, value);
    return buffer;
  }
  // Decimals so that `significant` digits show, none for whole numbers past them.
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  const int decimals = std::max(0, significant - 1 - magnitude);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  if (text.find('.') != std::string::npos) {
    // 2.50 -> 2.5, 3.00 -> 3: trailing zeros say nothing here.
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return group_thousands(text);
}

std::string format_duration(double seconds) {
  if (std::isnan(seconds)) return "n/a";
  const double magnitude = std::fabs(seconds);
  if (magnitude < 120) return format_number(seconds) + " s";
  if (magnitude < 3600) return format_number(seconds / 60) + " min";
  if (magnitude < 2 * 86400) return format_number(seconds / 3600) + " h";
  return format_number(seconds / 86400) + " days";
}

namespace {
bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}
}  // namespace

std::string format_figure(std::string_view name, double value, std::string_view units) {
  if (std::isnan(value)) return "n/a";
  if (ends_with(name, "_s") || units == "s") return format_duration(value);
  if (ends_with(name, "_usd") || units == "USD" || units == "$") {
    return (value < 0 ? "-$" : "$") + format_number(std::fabs(value), std::fabs(value) >= 1000 ? 1 : 3);
  }
  if (ends_with(name, "_pct") || units == "%") return format_number(value) + " %";
  if (name == "gpu_utilisation") return format_number(value * 100) + " %";
  if (ends_with(name, "_kwh")) return format_number(value) + " kWh";
  if (ends_with(name, "_kw")) return format_number(value) + " kW";
  const std::string number = format_number(value, std::fabs(value) >= 1000 ? 1 : 3);
  return units.empty() ? number : number + " " + std::string(units);
}

}  // namespace capsim::sim
