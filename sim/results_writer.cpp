#include "sim/results_writer.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/version.hpp"
#include "sim/atomic_file.hpp"
#include "sim/hdf5_handle.hpp"
#include "sim/result_columns.hpp"
#include "sim/summary.hpp"

namespace capsim::sim {

namespace {

using hdf5::check;
using hdf5::Handle;

// Property lists that keep object modification times out of the file.
Handle no_times_group_plist() {
  Handle plist(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, "create a property list");
  check(H5Pset_obj_track_times(plist.get(), false), "turn object times off");
  return plist;
}

Handle make_group(hid_t parent, const char* name) {
  Handle gcpl = no_times_group_plist();
  return Handle(H5Gcreate2(parent, name, H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose, "create a group");
}

void write_string_attribute(hid_t object, const char* name, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy a string type");
  check(H5Tset_size(type.get(), H5T_VARIABLE), "size a string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set UTF-8");
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create a dataspace");
  Handle attribute(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                   "create an attribute");
  const char* data = value.c_str();
  check(H5Awrite(attribute.get(), type.get(), &data), "write an attribute");
}

void write_u64_attribute(hid_t object, const char* name, std::uint64_t value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create a dataspace");
  Handle attribute(H5Acreate2(object, name, H5T_STD_U64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                   "create an attribute");
  check(H5Awrite(attribute.get(), H5T_NATIVE_UINT64, &value), "write an attribute");
}

// A 1-D chunked, shuffled and gzipped dataset of `rows` elements of
// `file_type`, written from `data` in `memory_type`.
Handle write_column(hid_t group, const char* name, hid_t file_type, hid_t memory_type, std::size_t rows,
                    const void* data, const std::string& units, const std::string& description) {
  const hsize_t dims[1] = {rows};
  const hsize_t max_dims[1] = {H5S_UNLIMITED};
  Handle space(H5Screate_simple(1, dims, max_dims), H5Sclose, "create a dataspace");
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create a property list");
  check(H5Pset_obj_track_times(dcpl.get(), false), "turn object times off");
  const hsize_t chunk[1] = {std::clamp<hsize_t>(rows, 1, 65536)};
  check(H5Pset_chunk(dcpl.get(), 1, chunk), "set chunking");
  check(H5Pset_shuffle(dcpl.get()), "set the shuffle filter");
  check(H5Pset_deflate(dcpl.get(), 4), "set gzip compression");
  Handle dataset(H5Dcreate2(group, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), H5Dclose,
                 "create a dataset");
  if (rows > 0) check(H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write a dataset");
  if (!units.empty()) write_string_attribute(dataset.get(), "units", units);
  if (!description.empty()) write_string_attribute(dataset.get(), "description", description);
  return dataset;
}

// Fixed-length, NUL-padded UTF-8 strings as wide as the longest value: they
// compress, and h5py and pandas read them as bytes without a heap.
void write_strings(hid_t group, const char* name, const std::vector<std::string_view>& values, const std::string& units,
                   const std::string& description) {
  std::size_t width = 1;
  for (const std::string_view value : values) width = std::max(width, value.size());
  std::string packed(values.size() * width, '\0');
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string_view value = values[i];
    std::copy(value.begin(), value.end(), packed.begin() + static_cast<std::ptrdiff_t>(i * width));
  }
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy a string type");
  check(H5Tset_size(type.get(), width), "size a string type");
  check(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), "pad a string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set UTF-8");
  write_column(group, name, type.get(), type.get(), values.size(), packed.data(), units, description);
}

// Columns of numbers or strings into `group`, and their order as its
// `columns` attribute (HDF5 lists datasets by name).
void write_columns(hid_t group, const std::vector<ResultColumn>& columns) {
  std::string order;
  for (const ResultColumn& column : columns) {
    order += (order.empty() ? "" : ",") + column.name;
    const char* name = column.name.c_str();
    if (const auto* d = std::get_if<std::span<const double>>(&column.values)) {
      write_column(group, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, d->size(), d->data(), column.units,
                   column.description);
    } else if (const auto* i = std::get_if<std::span<const std::int32_t>>(&column.values)) {
      write_column(group, name, H5T_STD_I32LE, H5T_NATIVE_INT32, i->size(), i->data(), column.units,
                   column.description);
    } else {
      write_strings(group, name, std::get<std::vector<std::string_view>>(column.values), column.units,
                    column.description);
    }
  }
  write_string_attribute(group, "columns", order);
}

Handle create_file(const std::filesystem::path& path) {
  Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "create a property list");
  check(H5Pset_obj_track_times(fcpl.get(), false), "turn object times off");
  return Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT), H5Fclose,
                ("create " + path.string()).c_str());
}

void write_file(const RunResults& results, const std::filesystem::path& path) {
  Handle file = create_file(path);
  const Summary& s = results.summary;
  write_string_attribute(file.get(), "capsim_version", kVersion);
  write_string_attribute(file.get(), "scenario_name", s.scenario);
  write_string_attribute(file.get(), "scenario", results.scenario_text);
  write_u64_attribute(file.get(), "seed", s.seed);
  write_string_attribute(file.get(), "engine", s.engine);
  write_string_attribute(file.get(), "queue_policy", s.queue_policy);
  write_string_attribute(file.get(), "placement_policy", s.placement_policy);
  write_string_attribute(file.get(), "status", s.partial ? "partial" : "complete");
  if (s.trace && s.trace->time_origin_unix_s) {
    // The wall-clock instant of simulated time 0 on the trace's clock.
    write_string_attribute(file.get(), "time_origin", format_datetime(*s.trace->time_origin_unix_s * 1'000'000));
  }

  write_string_attribute(file.get(), "summary", summary_to_json(s).dump());

  {
    Handle group = make_group(file.get(), "jobs");
    const JobColumns jobs(results.jobs);
    write_columns(group.get(), jobs.columns());
  }
  {
    const TimeSeries& series = results.timeseries;
    Handle group = make_group(file.get(), "timeseries");
    write_string_attribute(group.get(), "interval", std::to_string(series.interval.to_seconds()) + " s");
    Handle time(write_column(group.get(), "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, series.time_s.size(),
                             series.time_s.data(), "s", "start of each metrics interval"));
    check(H5DSset_scale(time.get(), "time"), "make the time axis a dimension scale");
    std::string order = "time";
    for (const auto& metric : series.metrics) {
      order += "," + metric.name;
      Handle dataset(write_column(group.get(), metric.name.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                  metric.values.size(), metric.values.data(), metric.units, metric.description));
      check(H5DSattach_scale(dataset.get(), time.get(), 0), "attach the time axis");
    }
    write_string_attribute(group.get(), "columns", order);
  }
  if (results.services.size() > 0 || !results.services.names.empty()) {
    // One row per service per interval (sim/services.hpp): the service's
    // name, then its columns.
    const ServiceTable& table = results.services;
    Handle group = make_group(file.get(), "services");
    std::vector<std::string_view> names;
    names.reserve(table.size());
    for (const std::int32_t row : table.service) names.push_back(table.names.at(static_cast<std::size_t>(row)));
    write_strings(group.get(), "service", names, "", "the service the row is about");
    std::string order = "service";
    for (const auto& column : table.columns) {
      order += "," + column.name;
      write_column(group.get(), column.name.c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, column.values.size(),
                   column.values.data(), column.units, column.description);
    }
    write_string_attribute(group.get(), "columns", order);
  }
  check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush the results file");
}

}  // namespace

void write_results_h5(const RunResults& results, const std::filesystem::path& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become exceptions, not stack dumps
  write_atomically(path, [&](const std::filesystem::path& temporary) { write_file(results, temporary); });
}

void write_summary_json(const RunResults& results, const std::filesystem::path& path) {
  write_text_atomically(path, summary_to_json(results.summary).dump(2) + "\n");
}

void write_results(const RunResults& results, const std::filesystem::path& directory) {
  std::filesystem::create_directories(directory);
  write_results_h5(results, directory / "results.h5");
  write_summary_json(results, directory / "summary.json");
}

void write_table_h5(const std::filesystem::path& path, const std::string& group,
                    const std::vector<ResultColumn>& columns,
                    const std::vector<std::pair<std::string, std::string>>& attributes) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  write_atomically(path, [&](const std::filesystem::path& temporary) {
    Handle file = create_file(temporary);
    write_string_attribute(file.get(), "capsim_version", kVersion);
    for (const auto& [name, value] : attributes) write_string_attribute(file.get(), name.c_str(), value);
    Handle table = make_group(file.get(), group.c_str());
    write_columns(table.get(), columns);
    check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush the file");
  });
}

}  // namespace capsim::sim
