#include "sim/report.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/version.hpp"
#include "sim/atomic_file.hpp"
#include "sim/report_format.hpp"
#include "sim/report_sections.hpp"

namespace capsim::sim {

namespace {

constexpr const char* kExpectedFolder =
    "a result folder: results.h5 (capsim run), compare.csv (a comparison), plan.csv (capsim plan) or sweep.csv "
    "(capsim sweep)";

// Plain, printable and readable offline: system fonts only.
constexpr const char* kStyle =
    R"(body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:800px;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0}figcaption{font-size:.85em;color:#555;max-width:720px}svg.chart{max-width:100%;height:auto;display:block}
details{margin:.5em 0}summary{cursor:pointer}pre{background:#f7f7f7;padding:.8em;overflow-x:auto;font-size:.85em}
.skipped{color:#8a5a00;background:#fff8e6;padding:.4em .6em;border-left:3px solid #e0a800}
.wide{overflow-x:auto}.meta{color:#555}footer{margin-top:3em;font-size:.8em;color:#777}
)";

bool is_file(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::is_regular_file(path, error);
}

// The comparison table, by the names capsim has written it under.
std::filesystem::path comparison_table(const std::filesystem::path& directory) {
  for (const char* name : {"compare.csv", "comparison.csv", "compare.json", "comparison.json"}) {
    if (is_file(directory / name)) return directory / name;
  }
  return {};
}

// Every results.h5 below `directory` (not in it), by relative folder name.
std::vector<std::pair<std::string, StoredRun>> variant_runs(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(directory, error);
       it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (error) break;
    if (it->path().filename() == "results.h5" && it->path().parent_path() != directory && it->is_regular_file()) {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());  // directory order is the file system's
  std::vector<std::pair<std::string, StoredRun>> runs;
  for (const auto& file : files) {
    runs.emplace_back(file.parent_path().lexically_relative(directory).generic_string(), read_results_h5(file));
  }
  return runs;
}

}  // namespace

std::string build_report(const std::filesystem::path& directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    throw InputError({directory.string(), 0, 0}, "", kExpectedFolder, "not a folder");
  }
  const bool has_run = is_file(directory / "results.h5");
  const std::filesystem::path table = comparison_table(directory);
  const bool has_plan = is_file(directory / "plan.csv");
  const bool has_sweep = is_file(directory / "sweep.csv");
  if (!has_run && table.empty() && !has_plan && !has_sweep) {
    throw InputError({directory.string(), 0, 0}, "", kExpectedFolder, "none of these files");
  }

  report::ChartIds ids;
  std::string sections;
  // The folder's own name ("." and "run/" have one too), until a scenario's does better.
  std::filesystem::path folder = std::filesystem::absolute(directory).lexically_normal();
  if (folder.filename().empty()) folder = folder.parent_path();
  std::string name = folder.filename().string();
  if (has_run) {
    const StoredRun run = read_results_h5(directory / "results.h5");
    if (!run.scenario_name.empty()) name = run.scenario_name;
    sections += report::run_section(run, directory / "summary.json", ids);
  }
  if (!table.empty()) {
    const auto runs = variant_runs(directory);
    if (!has_run && !runs.empty() && !runs.front().second.scenario_name.empty()) {
      name = runs.front().second.scenario_name;
    }
    sections += report::comparison_section(table, runs, ids);
  }
  if (has_plan) sections += report::plan_section(directory, ids);
  if (has_sweep) sections += report::sweep_section(directory / "sweep.csv");

  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>capsim report: " + escape_html(name) + "</title>\n<style>\n" + kStyle + "</style>\n</head>\n<body>\n";
  page += "<header><h1>capsim report: " + escape_html(name) + "</h1>\n<p class=\"meta\">Result folder " +
          escape_html(directory.lexically_normal().generic_string()) + "</p></header>\n";
  page += sections;
  page += "<footer>Made by capsim " + escape_html(kVersion) +
          " (capsim report). Self-contained: no scripts, fonts or links to fetch.</footer>\n</body>\n</html>\n";
  return page;
}

void write_report(const std::filesystem::path& directory, const std::filesystem::path& output) {
  const std::string page = build_report(directory);
  write_text_atomically(output, page);
}

}  // namespace capsim::sim
