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

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<std::int64_t>(year - era * 400);                            // [0, 399]
  const std::int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t day_of_era = days - era * 146097;
  const std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t mp = (5 * day_of_year + 2) / 153;
  day = static_cast<unsigned>(day_of_year - (153 * mp + 2) / 5 + 1);
  month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
}

std::optional<std::int64_t> parse_datetime_us(std::string_view text) {
  if (!text.empty() && text.back() == 'Z') text.remove_suffix(1);
  std::size_t i = 0;
  const auto digits = [&](std::size_t count, std::int64_t& out) {
    if (i + count > text.size()) return false;
    out = 0;
    for (std::size_t k = 0; k < count; ++k) {
      const char c = text[i + k];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    i += count;
    return true;
  };
  const auto literal = [&](char c) {
    if (i >= text.size() || text[i] != c) return false;
    ++i;
    return true;
  };
  std::int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(4, year) || !literal('-') || !digits(2, month) || !literal('-') || !digits(2, day)) return std::nullopt;
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return std::nullopt;
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDaysInMonth[month - 1] + (month == 2 && leap ? 1 : 0)) return std::nullopt;
  std::int64_t fraction_us = 0;
  if (i < text.size()) {
    if (text[i] != ' ' && text[i] != 'T') return std::nullopt;
    ++i;
    if (!digits(2, hour) || !literal(':') || !digits(2, minute) || !literal(':') || !digits(2, second)) {
      return std::nullopt;
    }
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    if (i < text.size()) {
      if (!literal('.')) return std::nullopt;
      const std::size_t start = i;
      std::int64_t nanos = 0;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 9) {
        nanos = nanos * 10 + (text[i] - '0');
        ++i;
      }
      const std::size_t count = i - start;
      if (count == 0 || i != text.size()) return std::nullopt;
      for (std::size_t k = count; k < 9; ++k) nanos *= 10;
      fraction_us = (nanos + 500) / 1000;  // to the nearest microsecond
    }
  }
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute) * 60 * 1'000'000 + second * 1'000'000 + fraction_us;
}

std::string format_datetime(std::int64_t us_since_1970) {
  std::int64_t seconds = us_since_1970 / 1'000'000;
  if (us_since_1970 % 1'000'000 < 0) --seconds;
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  std::int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, year, month, day);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u %02lld:%02lld:%02lld", static_cast<long long>(year), month,
                day, static_cast<long long>(rest / 3600), static_cast<long long>(rest % 3600 / 60),
                static_cast<long long>(rest % 60));
  return buffer;
}

}  // namespace capsim
