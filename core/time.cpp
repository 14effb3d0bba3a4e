#include "core/time.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"

namespace capsim {

namespace {
constexpr double kMaxSeconds = 100.0 * 365.25 * 86400.0;  // parse limit: 100 years
}

bool Duration::seconds_fit(double s) {
  return std::isfinite(s) && std::fabs(s) < 9.0e12;  // |s| * 1e6 well inside int64
}

Duration Duration::from_seconds(double s) {
  CAPSIM_CHECK(seconds_fit(s)) << "seconds=" << s;
  return Duration(static_cast<std::int64_t>(std::llround(s * 1e6)));
}

std::optional<Duration> parse_duration(std::string_view text) {
  std::size_t i = 0;
  const auto skip_space = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  skip_space();
  if (i == text.size()) return std::nullopt;
  // A lone "0" needs no unit.
  if (text.substr(i) == "0") return Duration();

  long double total_us = 0;
  int parts = 0;
  while (true) {
    skip_space();
    if (i == text.size()) break;
    // Number: digits with at most one '.', at least one digit.
    std::size_t start = i;
    int digits = 0;
    bool dot = false;
    while (i < text.size()) {
      char c = text[i];
      if (c >= '0' && c <= '9') {
        ++digits;
        ++i;
      } else if (c == '.' && !dot) {
        dot = true;
        ++i;
      } else {
        break;
      }
    }
    if (digits == 0 || digits > 15) return std::nullopt;
    double value = 0;  // from_chars: locale-independent, unlike strtod
    std::from_chars(text.data() + start, text.data() + i, value);
    // Unit: letters.
    std::size_t unit_start = i;
    while (i < text.size() && ((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z'))) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    long double scale;
    if (unit == "w")
      scale = 7 * 86400e6L;
    else if (unit == "d")
      scale = 86400e6L;
    else if (unit == "h")
      scale = 3600e6L;
    else if (unit == "m" || unit == "min")
      scale = 60e6L;
    else if (unit == "s")
      scale = 1e6L;
    else if (unit == "ms")
      scale = 1e3L;
    else if (unit == "us")
      scale = 1.0L;
    else
      return std::nullopt;
    total_us += value * scale;
    ++parts;
    if (total_us > kMaxSeconds * 1e6L) return std::nullopt;
  }
  if (parts == 0) return std::nullopt;
  return Duration::microseconds(static_cast<std::int64_t>(std::llroundl(total_us)));
}

std::string format_duration(Duration d) {
  std::int64_t us = d.count_us();
  std::string sign;
  if (us < 0) {
    sign = "-";
    us = -us;
  }
  char buffer[64];
  const std::int64_t s = us / 1'000'000;
  if (s >= 86400) {
    std::snprintf(buffer, sizeof buffer, "%lldd %02lldh %02lldm", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600), static_cast<long long>(s % 3600 / 60));
  } else if (s >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldh %02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else if (s >= 60) {
    std::snprintf(buffer, sizeof buffer, "%lldm %02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else if (us >= 1'000'000) {
    std::snprintf(buffer, sizeof buffer, "%.1fs", static_cast<double>(us) / 1e6);
  } else if (us == 0) {
    return "0s";
  } else if (us >= 1000) {
    std::snprintf(buffer, sizeof buffer, "%.0fms", static_cast<double>(us) / 1e3);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldus", static_cast<long long>(us));
  }
  return sign + buffer;
}

}  // namespace capsim
