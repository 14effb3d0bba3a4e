#include "sim/results_reader.hpp"

#include <hdf5.h>

#include <cstdlib>
#include <stdexcept>

#include "core/error.hpp"
#include "sim/hdf5_handle.hpp"

namespace capsim::sim {

namespace {

using hdf5::check;
using hdf5::Handle;

constexpr const char* kExpected = "a results.h5 written by `capsim run` (HDF5 with /jobs and /timeseries)";

bool has_attribute(hid_t object, const char* name) {
  return H5Aexists(object, name) > 0;
}

// A string attribute, variable-length (as the writer stores them) or fixed.
std::string read_string_attribute(hid_t object, const char* name) {
  if (!has_attribute(object, name)) return {};
  Handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, "open an attribute");
  Handle file_type(H5Aget_type(attribute.get()), H5Tclose, "read an attribute's type");
  if (H5Tget_class(file_type.get()) != H5T_STRING) return {};
  // Read with the file's own type (its character set): HDF5 does not convert
  // between ASCII and UTF-8.
  Handle type(H5Tcopy(file_type.get()), H5Tclose, "copy a string type");
  if (H5Tis_variable_str(file_type.get()) > 0) {
    char* data = nullptr;
    check(H5Aread(attribute.get(), type.get(), &data), "read an attribute");
    std::string value = data == nullptr ? std::string() : std::string(data);
    H5free_memory(data);
    return value;
  }
  const std::size_t size = H5Tget_size(file_type.get());
  check(H5Tset_size(type.get(), size + 1), "size a string type");
  check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), "pad a string type");
  std::string value(size + 1, '\0');
  check(H5Aread(attribute.get(), type.get(), value.data()), "read an attribute");
  value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
  return value;
}

std::uint64_t read_u64_attribute(hid_t object, const char* name) {
  if (!has_attribute(object, name)) return 0;
  Handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, "open an attribute");
  std::uint64_t value = 0;
  check(H5Aread(attribute.get(), H5T_NATIVE_UINT64, &value), "read an attribute");
  return value;
}

// The group's datasets in the writer's order (its `columns` attribute), or
// by name when the attribute is missing.
std::vector<std::string> column_names(hid_t group) {
  std::vector<std::string> names;
  const std::string order = read_string_attribute(group, "columns");
  if (!order.empty()) {
    std::size_t begin = 0;
    while (begin <= order.size()) {
      const std::size_t end = std::min(order.find(',', begin), order.size());
      if (end > begin) names.push_back(order.substr(begin, end - begin));
      begin = end + 1;
    }
    return names;
  }
  H5G_info_t info;
  check(H5Gget_info(group, &info), "list a group");
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length < 0) throw std::runtime_error("HDF5: cannot list a group");
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
    name.resize(static_cast<std::size_t>(length));
    names.push_back(name);
  }
  return names;
}

// A one-dimensional numeric dataset as doubles; false (and nothing read)
// for strings and anything else.
bool read_numeric_column(hid_t group, const std::string& name, TimeSeries::Metric& column) {
  if (H5Lexists(group, name.c_str(), H5P_DEFAULT) <= 0) return false;
  Handle dataset(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose, "open a dataset");
  Handle type(H5Dget_type(dataset.get()), H5Tclose, "read a dataset's type");
  const H5T_class_t type_class = H5Tget_class(type.get());
  if (type_class != H5T_FLOAT && type_class != H5T_INTEGER) return false;
  Handle space(H5Dget_space(dataset.get()), H5Sclose, "read a dataset's shape");
  if (H5Sget_simple_extent_ndims(space.get()) != 1) return false;
  hsize_t rows = 0;
  H5Sget_simple_extent_dims(space.get(), &rows, nullptr);
  column.name = name;
  column.units = read_string_attribute(dataset.get(), "units");
  column.description = read_string_attribute(dataset.get(), "description");
  column.values.assign(rows, 0.0);
  if (rows > 0) {
    check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, column.values.data()),
          "read a dataset");
  }
  return true;
}

StoredRun read_file(const std::filesystem::path& path) {
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open the file as HDF5");
  StoredRun run;
  run.file = path;
  const hid_t root = file.get();
  run.capsim_version = read_string_attribute(root, "capsim_version");
  run.scenario_name = read_string_attribute(root, "scenario_name");
  run.scenario_text = read_string_attribute(root, "scenario");
  run.engine = read_string_attribute(root, "engine");
  run.queue_policy = read_string_attribute(root, "queue_policy");
  run.placement_policy = read_string_attribute(root, "placement_policy");
  run.status = read_string_attribute(root, "status");
  run.summary_json = read_string_attribute(root, "summary");
  run.seed = read_u64_attribute(root, "seed");

  for (const char* group_name : {"jobs", "timeseries"}) {
    if (H5Lexists(root, group_name, H5P_DEFAULT) <= 0) {
      throw InputError({path.string(), 0, 0}, std::string("/") + group_name, kExpected, "no such group");
    }
  }
  {
    Handle group(H5Gopen2(root, "jobs", H5P_DEFAULT), H5Gclose, "open /jobs");
    for (const std::string& name : column_names(group.get())) {
      TimeSeries::Metric column;
      if (read_numeric_column(group.get(), name, column)) run.jobs.push_back(std::move(column));
    }
  }
  {
    Handle group(H5Gopen2(root, "timeseries", H5P_DEFAULT), H5Gclose, "open /timeseries");
    // The writer stores the interval as "3600.000000 s".
    const std::string interval = read_string_attribute(group.get(), "interval");
    const double interval_s = interval.empty() ? 0.0 : std::strtod(interval.c_str(), nullptr);
    run.timeseries.interval = Duration::seconds_fit(interval_s) ? Duration::from_seconds(interval_s) : Duration();
    for (const std::string& name : column_names(group.get())) {
      TimeSeries::Metric column;
      if (!read_numeric_column(group.get(), name, column)) continue;
      if (name == "time") {
        run.timeseries.time_s = std::move(column.values);
      } else {
        run.timeseries.metrics.push_back(std::move(column));
      }
    }
    for (const TimeSeries::Metric& metric : run.timeseries.metrics) {
      if (metric.values.size() != run.timeseries.time_s.size()) {
        throw InputError({path.string(), 0, 0}, "/timeseries/" + metric.name, kExpected,
                         "a metric whose length differs from /timeseries/time");
      }
    }
  }
  return run;
}

}  // namespace

const TimeSeries::Metric* StoredRun::job_column(std::string_view name) const {
  for (const TimeSeries::Metric& column : jobs) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

StoredRun read_results_h5(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw InputError({path.string(), 0, 0}, "", kExpected, "no such file");
  }
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become exceptions, not stack dumps
  try {
    return read_file(path);
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw InputError({path.string(), 0, 0}, "", kExpected, e.what());
  }
}

}  // namespace capsim::sim
