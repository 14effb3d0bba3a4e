// Pieces shared by the report's sections (sim/report_sections.hpp).
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/csv.hpp"
#include "core/error.hpp"
#include "sim/report_format.hpp"
#include "sim/report_sections.hpp"

namespace capsim::sim::report {

std::string figure(const Chart& chart, std::string_view caption) {
  std::string html = "<figure>\n" + render_svg(chart);
  if (!caption.empty()) html += "<figcaption>" + escape_html(caption) + "</figcaption>\n";
  return html + "</figure>\n";
}

std::string skipped_chart(std::string_view title, std::string_view reason) {
  return "<p class=\"skipped\"><strong>" + escape_html(title) + ":</strong> not drawn, " + escape_html(reason) +
         ".</p>\n";
}

std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& numeric) {
  const auto cell_class = [&](std::size_t column) {
    return column < numeric.size() && numeric[column] ? std::string(" class=\"num\"") : std::string();
  };
  // Wide tables (a plan's candidates) scroll inside the page.
  std::string html = "<div class=\"wide\"><table>\n<thead><tr>";
  for (std::size_t c = 0; c < header.size(); ++c)
    html += "<th" + cell_class(c) + ">" + escape_html(header[c]) + "</th>";
  html += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    html += "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) html += "<td" + cell_class(c) + ">" + escape_html(row[c]) + "</td>";
    html += "</tr>\n";
  }
  return html + "</tbody>\n</table></div>\n";
}

TimeAxis time_axis_for(double span_s) {
  if (span_s > 3 * 86400) return {86400, "time (days)"};
  return {3600, "time (h)"};
}

int CsvTable::column(std::string_view name) const {
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (header[c] == name) return static_cast<int>(c);
  }
  return -1;
}

double CsvTable::number(std::size_t row, int column) const {
  if (column < 0 || row >= rows.size()) return std::numeric_limits<double>::quiet_NaN();
  const std::string& text = rows[row][static_cast<std::size_t>(column)];
  if (text.empty()) return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return std::numeric_limits<double>::quiet_NaN();
  return value;
}

int CsvTable::require(std::string_view name, std::string_view expected) const {
  const int index = column(name);
  if (index < 0) {
    throw InputError({file.string(), 1, 0}, std::string(name), std::string(expected), "no such column in the header");
  }
  return index;
}

namespace {
std::string trimmed(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return std::string(text.substr(begin, text.find_last_not_of(" \t") - begin + 1));
}
}  // namespace

CsvTable read_csv_table(const std::filesystem::path& path) {
  CsvTable table;
  table.file = path;
  CsvReader reader(path.string());
  std::vector<std::string_view> fields;
  if (!reader.next(fields)) {
    throw InputError({path.string(), 0, 0}, "", "a CSV file with a header line", "an empty file");
  }
  for (const std::string_view field : fields) table.header.push_back(trimmed(field));
  while (reader.next(fields)) {
    std::vector<std::string> row;
    for (std::size_t c = 0; c < table.header.size(); ++c)
      row.push_back(c < fields.size() ? trimmed(fields[c]) : std::string());
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace capsim::sim::report
