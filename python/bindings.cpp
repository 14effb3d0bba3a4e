// The C++ half of `import capsim` (module capsim._capsim): scenarios, runs
// with the GIL released, results as NumPy arrays, and InputError as a Python
// exception that carries file, line and field. The Python half
// (python/capsim/*.py) builds the DataFrames, sweeps and plots on top.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "core/config_tree.hpp"
#include "core/error.hpp"
#include "core/scenario.hpp"
#include "core/sweep.hpp"
#include "core/version.hpp"
#include "python/py_policies.hpp"
#include "scheduler/registry.hpp"
#include "sim/result_columns.hpp"
#include "sim/results_writer.hpp"
#include "sim/run.hpp"
#include "sim/summary.hpp"

namespace py = pybind11;
using namespace capsim;

namespace {

template <typename T>
py::array_t<T> to_array(std::span<const T> values) {
  py::array_t<T> out(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

py::list to_list(const std::vector<std::string_view>& values) {
  py::list out(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    out[i] = py::str(values[i].data(), values[i].size());
  }
  return out;
}

// (name, units, description, values) per column: what results.h5 holds.
py::list job_columns(const sim::RunResults& results) {
  const sim::JobColumns jobs(results.jobs);
  py::list out;
  for (const sim::ResultColumn& column : jobs.columns()) {
    py::object values;
    if (const auto* d = std::get_if<std::span<const double>>(&column.values)) {
      values = to_array(*d);
    } else if (const auto* i = std::get_if<std::span<const std::int32_t>>(&column.values)) {
      values = to_array(*i);
    } else {
      values = to_list(std::get<std::vector<std::string_view>>(column.values));
    }
    out.append(py::make_tuple(column.name, column.units, column.description, values));
  }
  return out;
}

py::tuple timeseries_columns(const sim::RunResults& results) {
  const sim::TimeSeries& series = results.timeseries;
  py::list metrics;
  for (const auto& metric : series.metrics) {
    metrics.append(py::make_tuple(metric.name, metric.units, metric.description,
                                  to_array(std::span<const double>(metric.values))));
  }
  return py::make_tuple(series.interval.to_seconds(), to_array(std::span<const double>(series.time_s)), metrics);
}

// /services: (name, units, description, values) per column, the service's
// name first.
py::list service_columns(const sim::RunResults& results) {
  const sim::ServiceTable& table = results.services;
  py::list out;
  std::vector<std::string_view> names;
  for (const std::int32_t s : table.service) names.push_back(table.names.at(static_cast<std::size_t>(s)));
  out.append(py::make_tuple("service", "", "the service the row is about", to_list(names)));
  for (const auto& column : table.columns) {
    out.append(py::make_tuple(column.name, column.units, column.description,
                              to_array(std::span<const double>(column.values))));
  }
  return out;
}

// The built-in policies and those registered from Python.
scheduler::PolicyRegistry registry_with(const py::dict& python_policies) {
  scheduler::PolicyRegistry registry = scheduler::PolicyRegistry::with_builtins();
  python::add_python_policies(registry, python_policies);
  return registry;
}

// A copy of the scenario with one of its policies replaced: `spec` is a
// name, or a JSON map with `name` and the parameters (JSON is YAML).
Scenario with_policy(const Scenario& scenario, const std::string& kind, const std::string& spec_text,
                     const py::dict& python_policies) {
  Scenario out = scenario;
  const std::string field = kind == "autoscaling" ? "autoscaling" : "policies." + kind;
  const ConfigNodePtr node = parse_config_text(spec_text, "with_policy(" + kind + "=...)");
  PolicySpec spec = kind == "energy" ? parse_energy_policy_node(node, field) : parse_policy_node(node, field);
  const scheduler::PolicyRegistry registry = registry_with(python_policies);
  if (kind == "queue") {
    registry.make_queue(spec, out.run.seed, &out.workload.job_classes, &out.catalog);
    out.queue_policy = std::move(spec);
  } else if (kind == "autoscaling") {
    if (out.workload.services.empty()) {
      throw InputError(spec.where, spec.field, "services to scale (workload.services)", "a workload without services");
    }
    registry.make_autoscaling(spec, out.run.seed);
    for (ServiceSpec& service : out.workload.services) service.autoscaling = spec;
  } else if (kind == "energy") {
    if (out.run.engine != "native") {
      throw InputError(spec.where, spec.field, "an energy policy with run.engine: native",
                       "run.engine " + out.run.engine);
    }
    registry.make_energy(spec, out.run.seed, out.catalog, out.cluster);
    out.energy_policy = std::move(spec);
  } else {
    registry.make_placement(spec, out.run.seed, &out.workload.job_classes, &out.catalog);
    out.placement_policy = std::move(spec);
  }
  out.compare = {};
  return out;
}

std::unique_ptr<sim::RunResults> run(const Scenario& scenario, const std::optional<std::filesystem::path>& output_dir,
                                     const std::optional<std::filesystem::path>& decision_log,
                                     const py::dict& python_policies) {
  const scheduler::PolicyRegistry registry = registry_with(python_policies);
  std::optional<std::ofstream> log;
  if (decision_log) {
    log.emplace(*decision_log);
    if (!*log) throw InputError({decision_log->string(), 0, 0}, "decision_log", "a file that can be written");
  }
  bool interrupted = false;
  sim::RunOptions options;
  options.registry = &registry;
  if (log) options.decision_log = &*log;
  // Ctrl-C in a notebook or a terminal: stop, keep what was computed.
  options.should_stop = [&interrupted] {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      PyErr_Clear();
      interrupted = true;
    }
    return interrupted;
  };
  auto results = std::make_unique<sim::RunResults>();
  {
    py::gil_scoped_release release;
    *results = sim::run_scenario(scenario, options);
    if (output_dir) sim::write_results(*results, *output_dir);
  }
  if (interrupted) {
    PyErr_SetString(PyExc_KeyboardInterrupt,
                    output_dir
                        ? ("interrupted; the results so far, marked partial, are in " + output_dir->string()).c_str()
                        : "interrupted");
    throw py::error_already_set();
  }
  return results;
}

}  // namespace

PYBIND11_MODULE(_capsim, m) {
  m.doc() = "capsim's C++ core: scenarios, runs and results (use the capsim package, not this module)";
  m.attr("__version__") = kVersion;

  static py::exception<InputError> input_error(m, "InputError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      const py::handle error_class = input_error;
      py::object error = error_class(e.what());
      error.attr("file") = e.where().file;
      error.attr("line") = e.where().line;
      error.attr("column") = e.where().column;
      error.attr("field") = e.field();
      error.attr("expected") = e.expected();
      error.attr("got") = e.got();
      PyErr_SetObject(input_error.ptr(), error.ptr());
    }
  });

  python::bind_policy_types(m);
  m.def("duration_seconds", [](const std::string& text) {
    // "1h30m" -> 5400.0, as scenarios write durations (for Python policies' parameters).
    const ConfigNodePtr node = parse_config_text(text, "duration");
    return read_duration(*node, "duration").to_seconds();
  });

  py::class_<Scenario>(m, "Scenario")
      .def_property_readonly("name", [](const Scenario& s) { return s.name; })
      .def_property_readonly("description", [](const Scenario& s) { return s.description; })
      .def_property_readonly("file", [](const Scenario& s) { return s.file.string(); })
      .def_property_readonly("text", [](const Scenario& s) { return s.text; })
      .def_property_readonly("base_dir", [](const Scenario& s) { return s.base_dir.string(); })
      .def_property_readonly("seed", [](const Scenario& s) { return s.run.seed; })
      .def_property_readonly("queue", [](const Scenario& s) { return s.queue_policy.name; })
      .def_property_readonly("placement", [](const Scenario& s) { return s.placement_policy.name; })
      .def_property_readonly("nodes", [](const Scenario& s) { return ClusterLayout(s.cluster).node_count(); })
      .def_property_readonly("gpus", [](const Scenario& s) { return ClusterLayout(s.cluster).total_gpus(); })
      .def("with_seed",
           [](const Scenario& s, std::uint64_t seed) {
             Scenario out = s;
             out.run.seed = seed;
             out.compare.seeds.clear();
             return out;
           })
      .def("with_policy", &with_policy)
      .def("with_trace",
           [](const Scenario& s, const std::filesystem::path& path) {
             // As `--trace PATH`: the scenario's own trace entry, another file.
             if (!s.workload.trace) {
               throw InputError({s.file.string(), 0, 0}, "workload.trace", "a scenario with a trace: entry to replace");
             }
             Scenario out = s;
             out.workload.trace->path = path;
             return out;
           })
      .def("with_fields",
           [](const Scenario& s, const std::vector<std::pair<std::string, std::string>>& fields) {
             // Fields by dotted path (core/sweep.hpp), each value JSON text
             // (JSON is YAML), set in the scenario's document and read again.
             std::vector<FieldSetting> settings;
             for (const auto& [path, text] : fields) {
               settings.push_back({path, parse_config_text(text, "with_fields(" + path + ")")});
             }
             return scenario_with(s, settings, "with_fields");
           })
      .def("check", [](const Scenario& s, const py::dict& python_policies) {
        sim::check_scenario(s, registry_with(python_policies));
      });

  m.def("load_scenario", [](const std::filesystem::path& path) { return load_scenario(path); });
  // `file`: what load_scenario would have set (a scenario rebuilt from its
  // text in another process, e.g. unpickled: python/capsim/scenario.py).
  m.def(
      "parse_scenario",
      [](const std::string& text, const std::string& file_name, const std::filesystem::path& base_dir,
         const std::filesystem::path& file) {
        Scenario scenario = parse_scenario(text, file_name, base_dir);
        scenario.file = file;
        return scenario;
      },
      py::arg("text"), py::arg("file_name"), py::arg("base_dir"), py::arg("file") = std::filesystem::path());

  py::class_<sim::RunResults>(m, "RunResults")
      .def("job_columns", &job_columns)
      .def("timeseries_columns", &timeseries_columns)
      .def("service_columns", &service_columns)
      .def("summary_json", [](const sim::RunResults& r) { return sim::summary_to_json(r.summary).dump(); })
      .def("summary_text", [](const sim::RunResults& r) { return sim::format_summary(r.summary); })
      .def_property_readonly("scenario_text", [](const sim::RunResults& r) { return r.scenario_text; })
      .def("write", [](const sim::RunResults& r, const std::filesystem::path& directory) {
        py::gil_scoped_release release;
        sim::write_results(r, directory);
      });

  m.def("run", &run, py::arg("scenario"), py::arg("output_dir"), py::arg("decision_log"), py::arg("python_policies"));

  m.def("policies", [](const py::dict& python_policies) {
    const scheduler::PolicyRegistry registry = registry_with(python_policies);
    py::dict out;
    py::dict queue, placement;
    for (const auto& e : registry.queue_policies()) queue[py::str(e.name)] = e.summary;
    for (const auto& e : registry.placement_policies()) placement[py::str(e.name)] = e.summary;
    out["queue"] = queue;
    out["placement"] = placement;
    py::dict autoscaling, energy;
    for (const auto& e : registry.autoscaling_policies()) autoscaling[py::str(e.name)] = e.summary;
    for (const auto& e : registry.energy_policies()) energy[py::str(e.name)] = e.summary;
    out["autoscaling"] = autoscaling;
    out["energy"] = energy;
    return out;
  });
}
