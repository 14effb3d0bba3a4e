#include "core/trace_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <queue>

#include <nlohmann/json.hpp>

#include "core/text.hpp"

namespace capsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kUsPerHour = 3'600'000'000;
constexpr std::int64_t kSecondsPerWeek = 7 * 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
  return a - floor_div(a, b) * b;
}

// The values at the given ranks (ascending, each < values.size()) of the
// values in sorted order. Sorts each chunk in place, then walks the chunks in
// merged order, so that no second copy of the values is needed.
std::vector<double> values_at_ranks(ChunkedVector<double>& values, const std::vector<std::size_t>& ranks) {
  constexpr std::size_t kPerChunk = ChunkedVector<double>::kPerChunk;
  const std::size_t n = values.size();
  struct Cursor {
    std::size_t at;
    std::size_t end;
  };
  std::vector<Cursor> cursors;
  for (std::size_t begin = 0; begin < n; begin += kPerChunk) {
    const std::size_t end = std::min(n, begin + kPerChunk);
    double* first = &values[begin];
    std::sort(first, first + (end - begin));
    cursors.push_back({begin, end});
  }
  std::vector<double> result(ranks.size());
  if (cursors.size() == 1) {
    for (std::size_t i = 0; i < ranks.size(); ++i) result[i] = values[ranks[i]];
    return result;
  }
  const auto later = [&](std::size_t a, std::size_t b) {
    const double va = values[cursors[a].at], vb = values[cursors[b].at];
    return va != vb ? va > vb : a > b;
  };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> heads(later);
  for (std::size_t c = 0; c < cursors.size(); ++c) heads.push(c);
  std::size_t next = 0;
  for (std::size_t rank = 0; next < ranks.size(); ++rank) {
    const std::size_t c = heads.top();
    heads.pop();
    const double value = values[cursors[c].at];
    while (next < ranks.size() && ranks[next] == rank) result[next++] = value;
    if (++cursors[c].at < cursors[c].end) heads.push(c);
  }
  return result;
}

// 978,078.5: one decimal, thousands separated.
std::string thousands_1(double value) {
  if (!std::isfinite(value)) return "-";
  const auto tenths = std::llround(std::fabs(value) * 10);
  return (value < 0 ? "-" : "") + thousands(tenths / 10) + "." + std::to_string(tenths % 10);
}

// GPU-hours: one decimal, two below 100 (a small trace's share shows).
std::string gpu_hours_text(double hours) {
  if (hours >= 100 || !std::isfinite(hours)) return thousands_1(hours);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", hours);
  return buffer;
}

// "1 job", "1,511 jobs".
std::string jobs_text(std::int64_t jobs) {
  return thousands(jobs) + (jobs == 1 ? " job" : " jobs");
}

// Seconds for the duration table: whole seconds with separators, decimals
// below 1,000 s (inference requests last a second or two).
std::string seconds_text(double s) {
  if (std::isnan(s)) return "-";
  char buffer[32];
  if (s == std::floor(s) && s < 1e15) return thousands(static_cast<std::int64_t>(s));
  if (s < 10) {
    std::snprintf(buffer, sizeof buffer, "%.2f", s);
  } else if (s < 1000) {
    std::snprintf(buffer, sizeof buffer, "%.1f", s);
  } else {
    return thousands(std::llround(s));
  }
  return buffer;
}

std::string duration_text(double s) {
  if (std::isnan(s) || !Duration::seconds_fit(s)) return "-";
  return format_duration(Duration::from_seconds(s));
}

// "UTC+01:00" for a clock offset.
std::string offset_text(std::int32_t offset_s) {
  char buffer[16];
  const std::int32_t minutes = std::abs(offset_s) / 60;
  std::snprintf(buffer, sizeof buffer, "UTC%c%02d:%02d", offset_s < 0 ? '-' : '+', minutes / 60, minutes % 60);
  return buffer;
}

// A submit time as a date on the trace's local clock, or nothing when the
// trace has no dates.
std::optional<std::string> date_of(const TraceStatsSummary& s, std::optional<double> submit_s) {
  if (!submit_s || !s.clock.unix_origin_s) return std::nullopt;
  const double local_s = static_cast<double>(*s.clock.unix_origin_s + s.clock.utc_offset_s) + *submit_s;
  return format_datetime(static_cast<std::int64_t>(std::floor(local_s)) * 1'000'000);
}

nlohmann::ordered_json number_or_null(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

nlohmann::ordered_json names_json(const TraceStatsNames& names) {
  nlohmann::ordered_json j;
  j["distinct"] = names.distinct;
  j["jobs_without"] = names.jobs_without;
  j["top_by_gpu_hours"] = nlohmann::ordered_json::array();
  for (const TraceStatsShare& share : names.top) {
    nlohmann::ordered_json entry;
    entry["name"] = share.name;
    entry["jobs"] = share.jobs;
    entry["gpu_hours"] = share.gpu_hours;
    j["top_by_gpu_hours"].push_back(entry);
  }
  return j;
}

}  // namespace

// --- ArrivalCalendar ---------------------------------------------------------

ArrivalCalendar::ArrivalCalendar(TraceClock clock) : clock_(clock), dated_(clock.unix_origin_s.has_value()) {
  if (dated_) {
    by_hour_.assign(168, 0);
  } else {
    by_second_.assign(kSecondsPerWeek, 0);
  }
}

void ArrivalCalendar::add(Time submit) {
  if (dated_) {
    const std::int64_t local_us = (*clock_.unix_origin_s + clock_.utc_offset_s) * 1'000'000 + submit.count_us();
    // 1970-01-01 was a Thursday: 72 hours after a Monday 00:00.
    ++by_hour_[static_cast<std::size_t>(floor_mod(floor_div(local_us, kUsPerHour) + 72, 168))];
    return;
  }
  const std::int64_t second = floor_div(submit.count_us(), 1'000'000);
  if (!first_second_ || second < *first_second_) first_second_ = second;
  ++by_second_[static_cast<std::size_t>(floor_mod(second, kSecondsPerWeek))];
}

std::vector<std::int64_t> ArrivalCalendar::hours_of_week() const {
  if (dated_) return by_hour_;
  std::vector<std::int64_t> hours(168, 0);
  if (!first_second_) return hours;
  for (std::int64_t s = 0; s < kSecondsPerWeek; ++s) {
    const std::int64_t count = by_second_[static_cast<std::size_t>(s)];
    if (count == 0) continue;
    hours[static_cast<std::size_t>(floor_mod(s - *first_second_, kSecondsPerWeek) / 3600)] += count;
  }
  return hours;
}

std::vector<std::int64_t> ArrivalCalendar::hours_of_day() const {
  std::vector<std::int64_t> day(24, 0);
  const std::vector<std::int64_t> week = hours_of_week();
  for (std::size_t h = 0; h < week.size(); ++h) day[h % 24] += week[h];
  return day;
}

std::vector<std::int64_t> ArrivalCalendar::days_of_week() const {
  std::vector<std::int64_t> days(7, 0);
  const std::vector<std::int64_t> week = hours_of_week();
  for (std::size_t h = 0; h < week.size(); ++h) days[h / 24] += week[h];
  return days;
}

// --- TraceStats --------------------------------------------------------------

TraceStats::TraceStats(std::string trace, std::string format, TraceClock clock) : arrivals_(clock) {
  summary_.trace = std::move(trace);
  summary_.format = std::move(format);
  summary_.clock = clock;
  summary_.dated = arrivals_.dated();
}

void TraceStats::add(const JobSpec& job) {
  TraceStatsSummary& s = summary_;
  ++s.jobs;
  switch (job.outcome) {
    case JobOutcome::kCompleted:
      ++s.completed;
      break;
    case JobOutcome::kFailed:
      ++s.failed;
      break;
    case JobOutcome::kKilled:
      ++s.killed;
      break;
    case JobOutcome::kRunning:
      ++s.running;
      break;
    case JobOutcome::kCancelled:
      ++s.cancelled;
      break;
  }
  const double seconds = job.duration.to_seconds();
  const double gpu_seconds = seconds * static_cast<double>(job.request.gpu_milli) / kMilliPerGpu;
  gpu_seconds_ += gpu_seconds;  // in file order: the same sum on every run
  ++gpu_requests_[job.request.gpu_milli];
  if (job.outcome != JobOutcome::kCancelled) {
    durations_s_.push_back(seconds);
    duration_sum_s_ += seconds;
  }
  const auto count = [&](std::map<std::string, NameTotals, std::less<>>& totals, const std::string& name,
                         std::int64_t& without) {
    if (name.empty()) {
      ++without;
      return;
    }
    auto it = totals.find(name);
    if (it == totals.end()) it = totals.emplace(name, NameTotals{}).first;
    ++it->second.jobs;
    it->second.gpu_seconds += gpu_seconds;
  };
  count(users_, job.user, without_user_);
  count(queues_, job.queue, without_queue_);
  arrivals_.add(job.submit);
  if (!first_submit_ || job.submit < *first_submit_) first_submit_ = job.submit;
  if (!last_submit_ || job.submit > *last_submit_) last_submit_ = job.submit;
}

void TraceStats::add_bad_row(const std::string& message) {
  ++summary_.bad_rows;
  if (summary_.first_bad_rows.size() < kBadRowsKept) summary_.first_bad_rows.push_back(message);
}

TraceStatsNames TraceStats::top_of(const std::map<std::string, NameTotals, std::less<>>& totals,
                                   std::int64_t jobs_without) {
  TraceStatsNames names;
  names.distinct = static_cast<std::int64_t>(totals.size());
  names.jobs_without = jobs_without;
  std::vector<TraceStatsShare> all;
  all.reserve(totals.size());
  for (const auto& [name, t] : totals) all.push_back({name, t.jobs, t.gpu_seconds / 3600.0});
  const std::size_t keep = std::min(kTop, all.size());
  // Largest first; the map's name order breaks ties.
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                    [](const TraceStatsShare& a, const TraceStatsShare& b) {
                      return a.gpu_hours != b.gpu_hours ? a.gpu_hours > b.gpu_hours : a.name < b.name;
                    });
  all.resize(keep);
  names.top = std::move(all);
  return names;
}

TraceStatsSummary TraceStats::finish() {
  TraceStatsSummary s = summary_;
  s.gpu_hours = gpu_seconds_ / 3600.0;
  s.gpus_per_job.assign(gpu_requests_.begin(), gpu_requests_.end());
  s.users = top_of(users_, without_user_);
  s.queues = top_of(queues_, without_queue_);
  s.arrivals_by_hour = arrivals_.hours_of_day();
  if (first_submit_) s.first_submit_s = first_submit_->to_seconds();
  if (last_submit_) s.last_submit_s = last_submit_->to_seconds();

  TraceStatsDurations& d = s.duration_s;
  const std::size_t n = durations_s_.size();
  d.jobs = static_cast<std::int64_t>(n);
  if (n == 0) {
    d.mean = d.p50 = d.p90 = d.p99 = d.max = kNaN;
    return s;
  }
  d.mean = duration_sum_s_ / static_cast<double>(n);
  // The ranks numpy's linear percentile reads, and the largest value.
  const double percents[] = {50, 90, 99};
  std::vector<std::size_t> ranks = {n - 1};
  for (const double p : percents) {
    const auto lower = static_cast<std::size_t>(std::floor(p / 100.0 * static_cast<double>(n - 1)));
    ranks.push_back(lower);
    ranks.push_back(std::min(lower + 1, n - 1));
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  const std::vector<double> at = values_at_ranks(durations_s_, ranks);
  const auto value_at = [&](std::size_t rank) {
    return at[static_cast<std::size_t>(std::lower_bound(ranks.begin(), ranks.end(), rank) - ranks.begin())];
  };
  const auto percentile = [&](double p) {
    // As percentile_of_sorted, from the two ranks it reads.
    const double position = p / 100.0 * static_cast<double>(n - 1);
    const auto lower = static_cast<std::size_t>(std::floor(position));
    const double low = value_at(lower);
    const double high = value_at(std::min(lower + 1, n - 1));
    return low + (position - static_cast<double>(lower)) * (high - low);
  };
  d.p50 = percentile(50);
  d.p90 = percentile(90);
  d.p99 = percentile(99);
  d.max = value_at(n - 1);
  return s;
}

TraceStatsSummary trace_stats(const TraceSpec& spec, const GpuCatalog& catalog) {
  const std::unique_ptr<TraceReader> reader = open_trace_reader(spec, catalog);
  TraceStats stats(spec.path.string(), std::string(to_string(spec.format)), reader->clock());
  JobSpec job;
  while (true) {
    try {
      if (!reader->next(job)) break;
    } catch (const InputError& e) {
      if (!spec.skip_bad_rows) throw;
      stats.add_bad_row(e.what());
      continue;
    }
    stats.add(job);
  }
  stats.set_rows(reader->rows());
  return stats.finish();
}

std::string format_gpus(std::int64_t gpu_milli) {
  std::string text = std::to_string(gpu_milli / kMilliPerGpu);
  if (const std::int64_t rest = gpu_milli % kMilliPerGpu; rest != 0) {
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, "%03lld", static_cast<long long>(rest));
    std::string digits = fraction;
    while (digits.back() == '0') digits.pop_back();
    text += "." + digits;
  }
  return text;
}

// --- output ------------------------------------------------------------------

std::string trace_stats_json(const TraceStatsSummary& s) {
  nlohmann::ordered_json j;
  j["trace"] = s.trace;
  j["format"] = s.format;
  j["rows"] = s.rows;
  j["bad_rows"] = s.bad_rows;
  j["first_bad_rows"] = s.first_bad_rows;
  j["jobs"] = s.jobs;
  nlohmann::ordered_json states;
  states["completed"] = s.completed;
  states["failed"] = s.failed;
  states["killed"] = s.killed;
  states["running"] = s.running;
  states["cancelled"] = s.cancelled;
  j["states"] = states;
  j["users"] = names_json(s.users);
  j["queues"] = names_json(s.queues);
  j["gpu_hours"] = s.gpu_hours;
  nlohmann::ordered_json gpus = nlohmann::ordered_json::object();
  for (const auto& [milli, jobs] : s.gpus_per_job) gpus[format_gpus(milli)] = jobs;
  j["gpus_per_job"] = gpus;
  nlohmann::ordered_json d;
  d["jobs"] = s.duration_s.jobs;
  d["mean"] = number_or_null(s.duration_s.mean);
  d["p50"] = number_or_null(s.duration_s.p50);
  d["p90"] = number_or_null(s.duration_s.p90);
  d["p99"] = number_or_null(s.duration_s.p99);
  d["max"] = number_or_null(s.duration_s.max);
  j["duration_s"] = d;
  j["arrivals_by_hour"] = s.arrivals_by_hour;
  j["hours"] = s.dated ? "trace clock" : "since first submit";
  nlohmann::ordered_json span;
  const auto optional_number = [](std::optional<double> v) -> nlohmann::ordered_json {
    if (!v) return nullptr;
    return *v;
  };
  const auto optional_text = [](std::optional<std::string> v) -> nlohmann::ordered_json {
    if (!v) return nullptr;
    return *v;
  };
  span["first_submit_s"] = optional_number(s.first_submit_s);
  span["last_submit_s"] = optional_number(s.last_submit_s);
  span["seconds"] =
      s.first_submit_s ? nlohmann::ordered_json(*s.last_submit_s - *s.first_submit_s) : nlohmann::ordered_json();
  span["first_submit"] = optional_text(date_of(s, s.first_submit_s));
  span["last_submit"] = optional_text(date_of(s, s.last_submit_s));
  span["unix_origin_s"] = s.clock.unix_origin_s ? nlohmann::ordered_json(*s.clock.unix_origin_s) : nullptr;
  span["utc_offset_s"] = s.clock.utc_offset_s;
  j["span"] = span;
  return j.dump(2) + "\n";
}

std::string format_trace_stats(const TraceStatsSummary& s) {
  std::string out;
  const auto line = [&](const std::string& label, const std::string& text) {
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "  %-19s", label.c_str());
    out += buffer + text + "\n";
  };
  const std::string indent(21, ' ');
  out += "capsim trace stats  " + s.trace + "  (" + s.format + ")\n\n";

  line("rows",
       thousands(s.rows) + " read, " + (s.bad_rows == 0 ? "none bad" : thousands(s.bad_rows) + " bad (skipped)"));
  std::string states;
  const std::pair<const char*, std::int64_t> by_state[] = {{"completed", s.completed},
                                                           {"failed", s.failed},
                                                           {"killed", s.killed},
                                                           {"running at the end", s.running},
                                                           {"cancelled (never ran)", s.cancelled}};
  for (const auto& [name, count] : by_state) {
    if (count == 0) continue;
    states += (states.empty() ? ": " : ", ") + thousands(count) + " " + name;
  }
  line("jobs", thousands(s.jobs) + states);
  if (s.first_submit_s) {
    const auto first = date_of(s, s.first_submit_s);
    const auto last = date_of(s, s.last_submit_s);
    std::string text;
    if (first) {
      text = *first + " to " + *last;
      if (s.clock.utc_offset_s != 0) text += " (" + offset_text(s.clock.utc_offset_s) + ")";
    } else {
      text = seconds_text(*s.first_submit_s) + " s to " + seconds_text(*s.last_submit_s) + " s on the trace's clock";
    }
    text += ", " + duration_text(*s.last_submit_s - *s.first_submit_s);
    line("submitted", text);
  }
  line("GPU-hours", gpu_hours_text(s.gpu_hours));

  const auto names = [&](const char* label, const TraceStatsNames& n) {
    if (n.distinct == 0) {
      line(label, "none in the trace");
      return;
    }
    std::string text = thousands(n.distinct);
    if (n.jobs_without > 0) text += " (" + jobs_text(n.jobs_without) + " without)";
    text += "; the largest by GPU-hours:";
    line(label, text);
    std::size_t name_width = 0, hours_width = 0, jobs_width = 0;
    for (const auto& share : n.top) {
      name_width = std::max(name_width, std::min<std::size_t>(share.name.size(), 24));
      hours_width = std::max(hours_width, gpu_hours_text(share.gpu_hours).size());
      jobs_width = std::max(jobs_width, thousands(share.jobs).size());
    }
    for (const auto& share : n.top) {
      std::string name = share.name.size() > 24 ? share.name.substr(0, 21) + "..." : share.name;
      name.resize(name_width, ' ');
      const std::string hours = gpu_hours_text(share.gpu_hours);
      const std::string jobs = thousands(share.jobs);
      char percent[16];
      std::snprintf(percent, sizeof percent, "%5.1f%%", s.gpu_hours > 0 ? 100.0 * share.gpu_hours / s.gpu_hours : 0.0);
      out += indent + name + "  " + std::string(hours_width - hours.size(), ' ') + hours + " GPU-hours " + percent +
             "  " + std::string(jobs_width - jobs.size(), ' ') + jobs_text(share.jobs) + "\n";
    }
  };
  names("users", s.users);
  names("queues", s.queues);

  // GPUs per job, wrapped at about 100 columns.
  std::string row;
  bool first_row = true;
  for (const auto& [milli, jobs] : s.gpus_per_job) {
    const std::string item = format_gpus(milli) + ": " + thousands(jobs);
    if (!row.empty() && indent.size() + row.size() + 3 + item.size() > 100) {
      if (first_row) {
        line("GPUs per job", row);
      } else {
        out += indent + row + "\n";
      }
      first_row = false;
      row.clear();
    }
    row += (row.empty() ? "" : "   ") + item;
  }
  if (first_row) {
    line("GPUs per job", row.empty() ? "-" : row);
  } else if (!row.empty()) {
    out += indent + row + "\n";
  }

  const TraceStatsDurations& d = s.duration_s;
  char buffer[256];
  out += "\n";
  std::snprintf(buffer, sizeof buffer, "  %-19s%12s %12s %12s %12s %12s\n", "run time", "mean", "p50", "p90", "p99",
                "max");
  out += buffer;
  std::snprintf(buffer, sizeof buffer, "  %-19s%12s %12s %12s %12s %12s\n", "  seconds", seconds_text(d.mean).c_str(),
                seconds_text(d.p50).c_str(), seconds_text(d.p90).c_str(), seconds_text(d.p99).c_str(),
                seconds_text(d.max).c_str());
  out += buffer;
  std::snprintf(buffer, sizeof buffer, "  %-19s%12s %12s %12s %12s %12s\n", "", duration_text(d.mean).c_str(),
                duration_text(d.p50).c_str(), duration_text(d.p90).c_str(), duration_text(d.p99).c_str(),
                duration_text(d.max).c_str());
  out += buffer;
  if (d.jobs != s.jobs) out += "    (of the " + thousands(d.jobs) + " jobs that ran; cancelled ones never did)\n";

  out += "\n  arrivals by hour of day (" + std::string(s.dated ? "the trace's clock" : "hours since the first submit") +
         ")\n";
  std::size_t width = 3;
  for (const std::int64_t count : s.arrivals_by_hour) width = std::max(width, thousands(count).size());
  for (std::size_t from = 0; from < s.arrivals_by_hour.size(); from += 8) {
    std::snprintf(buffer, sizeof buffer, "    %02zu-%02zu", from, std::min<std::size_t>(from + 7, 23));
    std::string text = buffer;
    for (std::size_t h = from; h < std::min<std::size_t>(from + 8, s.arrivals_by_hour.size()); ++h) {
      const std::string count = thousands(s.arrivals_by_hour[h]);
      text += std::string(width + 2 - count.size(), ' ') + count;
    }
    out += text + "\n";
  }

  if (s.bad_rows > 0) {
    out += "\n";
    const bool all = static_cast<std::size_t>(s.bad_rows) == s.first_bad_rows.size();
    line("bad rows", thousands(s.bad_rows) + " skipped" +
                         (all ? ":" : "; the first " + std::to_string(s.first_bad_rows.size()) + ":"));
    for (const std::string& message : s.first_bad_rows) out += "    " + message + "\n";
  }
  return out;
}

}  // namespace capsim
