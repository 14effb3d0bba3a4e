#include "python/py_policies.hpp"

#include <pybind11/stl.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config_tree.hpp"
#include "scheduler/placement/node_choice.hpp"
#include "scheduler/placement/placement_policy.hpp"
#include "scheduler/queue/queue_policy.hpp"

namespace py = pybind11;

namespace capsim::python {

namespace {

using scheduler::JobId;
using scheduler::JobRequest;
using scheduler::JobView;
using scheduler::NodeShare;

// A job as Python sees it: a copy, safe to keep. Times in seconds since the
// start of the simulation.
struct PyJob {
  std::int64_t id = 0;
  double submit = 0;
  double gpus = 0;  // 0.25 for a quarter of one GPU, 0 for CPU only
  double recorded_duration = 0;
  std::optional<double> estimate;
  std::int64_t user_id = 0;
  std::string user;  // "" when unknown (placement) or none
  std::int64_t tenant_id = 0;
  std::string tenant;
  std::int32_t job_class = 0;
  std::int32_t priority = 0;
  bool preemptible = true;
  std::vector<std::string> gpu_types;  // the types it may use; empty: any
  std::vector<std::string> regions;    // the regions it may run in (data residency); empty: any
  double cpus = 0;
  double memory_mib = 0;
  double gpu_memory_mib = 0;
  // Queue policies only: its state in the core.
  bool running = false;
  double queued_since = 0;
  std::optional<double> run_start;
  double run_time = 0;
  double attained_gpu_seconds = 0;
  std::int32_t preemptions = 0;
  Resources request;  // as the core has it, for ClusterView.fits (not shown to Python)
};

PyJob job_of(const JobRequest& job, const GpuCatalog* catalog, const ClusterSpec& cluster) {
  PyJob out;
  out.request = job.request;
  out.id = job.id;
  out.submit = job.submit.to_seconds();
  out.gpus = static_cast<double>(job.request.gpu_milli) / kMilliPerGpu;
  out.recorded_duration = job.recorded_duration.to_seconds();
  if (job.estimate > Duration()) out.estimate = job.estimate.to_seconds();
  out.user_id = job.user;
  out.tenant_id = job.tenant;
  out.job_class = job.job_class;
  out.priority = job.priority;
  out.preemptible = job.preemptible;
  if (catalog && !job.gpu_types.is_any()) {
    for (std::size_t t = 0; t < catalog->size(); ++t) {
      if (job.gpu_types.allows(static_cast<GpuTypeId>(t)))
        out.gpu_types.push_back(catalog->at(static_cast<GpuTypeId>(t)).name);
    }
  }
  for (std::size_t r = 0; r < cluster.region_count() && !job.regions.is_any(); ++r) {
    if (job.regions.allows(static_cast<RegionId>(r))) out.regions.push_back(cluster.region_name(r));
  }
  out.cpus = static_cast<double>(job.request.cpu_milli) / 1000.0;
  out.memory_mib = static_cast<double>(job.request.memory_mib);
  out.gpu_memory_mib = static_cast<double>(job.request.gpu_memory_mib);
  return out;
}

PyJob job_of(const JobView& job, const scheduler::SchedulerView& view, const GpuCatalog* catalog) {
  PyJob out = job_of(job.job(), catalog, view.cluster().layout().spec());
  const Time now = view.now();
  out.user = std::string(view.user_name(job.job().user));
  out.tenant = std::string(view.tenant_name(job.job().tenant));
  out.running = job.running;
  out.queued_since = job.queued_since.to_seconds();
  if (job.running) out.run_start = job.run_start.to_seconds();
  out.run_time = job.run_time(now).to_seconds();
  out.attained_gpu_seconds = job.attained_gpu_seconds(now);
  out.preemptions = job.preemptions;
  return out;
}

// A view of C++ state lent to Python for as long as `alive` holds: using it
// afterwards (a reference kept past the run or the call) is an error, not a
// dangling pointer.
struct Lease {
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  void check(const char* what) const {
    if (!*alive) throw py::value_error(std::string(what) + " was used after the call or run that lent it");
  }
};

struct ViewRef : Lease {
  const scheduler::SchedulerView* view = nullptr;
  const GpuCatalog* catalog = nullptr;
  const scheduler::SchedulerView& get() const {
    check("SchedulerView");
    return *view;
  }
};

struct ClusterRef : Lease {
  const scheduler::ClusterState* cluster = nullptr;
  const GpuCatalog* catalog = nullptr;
  const scheduler::ClusterState& get() const {
    check("ClusterView");
    return *cluster;
  }
  NodeId node(std::int64_t n) const {
    if (n < 0 || static_cast<std::size_t>(n) >= get().node_count()) {
      throw py::index_error("node " + std::to_string(n) + " is not in the cluster (0 to " +
                            std::to_string(static_cast<std::int64_t>(get().node_count()) - 1) + ")");
    }
    return static_cast<NodeId>(n);
  }
  std::int32_t gpu(NodeId n, std::int64_t g) const {
    if (g < 0 || g >= get().capacity_gpus(n)) {
      throw py::index_error("node " + std::to_string(n) + " has no GPU " + std::to_string(g));
    }
    return static_cast<std::int32_t>(g);
  }
};

struct ControlRef : Lease {
  scheduler::PassControl* control = nullptr;
  std::string policy;
};

// Whether the Python object overrides a hook of its base class (the base's
// hooks carry `_capsim_default`): hooks left alone cost no call.
bool overrides(const py::object& instance, const char* hook) {
  if (!py::hasattr(instance, hook)) return false;
  return !py::hasattr(instance.attr(hook), "_capsim_default");
}

py::object params_of(const ConfigNode* node) {
  if (!node) return py::none();
  switch (node->kind()) {
    case ConfigNode::Kind::kNull:
      return py::none();
    case ConfigNode::Kind::kScalar: {
      const std::string& text = node->scalar();
      if (!node->quoted()) {
        std::int64_t i = 0;
        double d = 0;
        if (parse_int(text, i)) return py::int_(i);
        if (parse_number(text, d)) return py::float_(d);
        if (text == "true") return py::bool_(true);
        if (text == "false") return py::bool_(false);
      }
      return py::str(text);
    }
    case ConfigNode::Kind::kSequence: {
      py::list out;
      for (const ConfigNodePtr& item : node->items()) out.append(params_of(item.get()));
      return out;
    }
    case ConfigNode::Kind::kMap: {
      py::dict out;
      for (const ConfigNode::Entry& entry : node->entries()) {
        if (entry.key != "name") out[py::str(entry.key)] = params_of(entry.value.get());
      }
      return out;
    }
  }
  return py::none();
}

// The policy object the factory makes, with the parameters as a dict.
py::object make_instance(const py::object& factory, const scheduler::PolicyParams& params) {
  py::object values =
      params.node && params.node->kind() == ConfigNode::Kind::kMap ? params_of(params.node) : py::object(py::dict());
  return factory(values, params.seed);
}

// Converts what a Python hook returned, or says what was expected. `what`
// names the call ("queue policy p: key(job 3)"); it is built only for an
// error, since these conversions run at every call into Python.
template <typename T, typename What>
T convert(const py::handle& value, const What& what, const char* expected) {
  try {
    return value.cast<T>();
  } catch (const py::cast_error&) {
    throw py::value_error(what() + ": expected " + expected + ", got " + py::repr(value).cast<std::string>());
  }
}

template <typename What>
double seconds_or_throw(const py::handle& value, const What& what) {
  const double s = convert<double>(value, what, "a number");
  if (!std::isfinite(s))
    throw py::value_error(what() + ": expected a finite number, got " + py::repr(value).cast<std::string>());
  return s;
}

class PyQueuePolicy final : public scheduler::QueuePolicy {
 public:
  PyQueuePolicy(std::string name, py::object instance, const GpuCatalog* catalog)
      : name_(std::move(name)), instance_(std::move(instance)) {
    view_.catalog = catalog;
    blocks_queue_ = py::bool_(py::getattr(instance_, "blocks_queue", py::bool_(false))).cast<bool>();
    preempts_ = py::bool_(py::getattr(instance_, "preempts", py::bool_(false))).cast<bool>();
    for (const char* hook : {"begin_pass", "admit", "victims", "on_unplaced", "on_job_arrived", "on_job_started",
                             "on_job_ended", "on_job_preempted", "next_wakeup"}) {
      if (overrides(instance_, hook)) overridden_.emplace_back(hook);
    }
  }
  ~PyQueuePolicy() override {
    py::gil_scoped_acquire gil;
    *view_.alive = false;
    instance_ = py::object();
  }

  std::string_view name() const override { return name_; }
  void attach(const scheduler::SchedulerView& view) override {
    QueuePolicy::attach(view);
    view_.view = &view;
    py::gil_scoped_acquire gil;
    instance_.attr("view") = py::cast(view_);
  }
  bool blocks_queue() const override { return blocks_queue_; }
  bool preempts() const override { return preempts_; }

  scheduler::QueueKey key(const JobView& job) override {
    py::gil_scoped_acquire gil;
    const py::object key = instance_.attr("key")(job_py(job));
    const auto what = [&] { return "queue policy " + name_ + ": key(job " + std::to_string(job.job().id) + ")"; };
    if (py::isinstance<py::tuple>(key) || py::isinstance<py::list>(key)) {
      const py::sequence pair = key;
      if (pair.size() != 2) throw py::value_error(what() + ": expected a number or a pair of numbers");
      return {seconds_or_throw(pair[0], what), seconds_or_throw(pair[1], what)};
    }
    return {seconds_or_throw(key, what), 0};
  }

  void begin_pass(scheduler::PassControl& control) override {
    if (!has("begin_pass")) return;
    py::gil_scoped_acquire gil;
    ControlRef ref;
    ref.control = &control;
    ref.policy = name_;
    const py::object handle = py::cast(ref);
    try {
      instance_.attr("begin_pass")(handle);
    } catch (...) {
      *ref.alive = false;
      throw;
    }
    *ref.alive = false;
  }

  scheduler::Admit admit(const JobView& job) override {
    if (!has("admit")) return scheduler::Admit::kTry;
    py::gil_scoped_acquire gil;
    const py::object answer = instance_.attr("admit")(job_py(job));
    if (py::isinstance<py::bool_>(answer))
      return answer.cast<bool>() ? scheduler::Admit::kTry : scheduler::Admit::kSkip;
    if (py::isinstance<py::str>(answer)) {
      const std::string text = answer.cast<std::string>();
      if (text == "try") return scheduler::Admit::kTry;
      if (text == "skip") return scheduler::Admit::kSkip;
      if (text == "stop") return scheduler::Admit::kStop;
    }
    throw py::value_error("queue policy " + name_ +
                          ": admit() must return \"try\", \"skip\", \"stop\" or a bool, got " +
                          py::repr(answer).cast<std::string>());
  }

  void victims(const JobView& job, std::vector<JobId>& out) override {
    if (!has("victims")) return;
    py::gil_scoped_acquire gil;
    const py::object answer = instance_.attr("victims")(job_py(job));
    if (answer.is_none()) return;
    const auto what = [&] { return "queue policy " + name_ + ": victims(job " + std::to_string(job.job().id) + ")"; };
    for (const py::handle item : convert<py::iterable>(answer, what, "job ids")) {
      const auto id = convert<std::int64_t>(item, what, "job ids");
      const bool valid = id >= 0 && view().may_be_victim(static_cast<JobId>(id)) &&
                         std::find(out.begin(), out.end(), static_cast<JobId>(id)) == out.end();
      if (!valid) {
        throw py::value_error(what() + " names job " + std::to_string(id) +
                              ", which is not a running preemptible job started before this pass (or is named twice)");
      }
      out.push_back(static_cast<JobId>(id));
    }
  }

  bool on_unplaced(const JobView& job) override {
    if (!has("on_unplaced")) return !blocks_queue_;
    py::gil_scoped_acquire gil;
    return convert<bool>(
        instance_.attr("on_unplaced")(job_py(job)), [&] { return "queue policy " + name_ + ": on_unplaced()"; },
        "a bool");
  }

  void on_job_arrived(const JobView& job) override { tell("on_job_arrived", job); }
  void on_job_started(const JobView& job) override { tell("on_job_started", job); }
  void on_job_ended(const JobView& job) override { tell("on_job_ended", job); }
  void on_job_preempted(const JobView& job) override { tell("on_job_preempted", job); }

  std::optional<Time> next_wakeup(Time now) override {
    if (!has("next_wakeup")) return std::nullopt;
    py::gil_scoped_acquire gil;
    const py::object answer = instance_.attr("next_wakeup")(now.to_seconds());
    if (answer.is_none()) return std::nullopt;
    const auto what = [&] { return "queue policy " + name_ + ": next_wakeup()"; };
    const double s = seconds_or_throw(answer, what);
    if (!Duration::seconds_fit(s)) throw py::value_error(what() + ": a time out of range");
    const Time at = Time::zero() + Duration::from_seconds(s);
    if (at <= now) {
      throw py::value_error(what() + " must be later than now (" + std::to_string(now.to_seconds()) + " s), got " +
                            std::to_string(s));
    }
    return at;
  }

 private:
  bool has(const char* hook) const {
    return std::find(overridden_.begin(), overridden_.end(), hook) != overridden_.end();
  }
  py::object job_py(const JobView& job) const { return py::cast(job_of(job, view(), view_.catalog)); }
  void tell(const char* hook, const JobView& job) {
    if (!has(hook)) return;
    py::gil_scoped_acquire gil;
    instance_.attr(hook)(job_py(job));
  }

  std::string name_;
  py::object instance_;
  ViewRef view_;
  bool blocks_queue_ = false;
  bool preempts_ = false;
  std::vector<std::string> overridden_;
};

class PyPlacementPolicy final : public scheduler::PlacementPolicy {
 public:
  PyPlacementPolicy(std::string name, py::object instance, const GpuCatalog* catalog)
      : name_(std::move(name)), instance_(std::move(instance)) {
    cluster_.catalog = catalog;
    tell_arrivals_ = overrides(instance_, "on_job_arrived");
  }
  ~PyPlacementPolicy() override {
    py::gil_scoped_acquire gil;
    *cluster_.alive = false;
    instance_ = py::object();
    cluster_handle_ = py::object();
  }
  std::string_view name() const override { return name_; }

  bool place(const JobRequest& job, const scheduler::ClusterState& cluster, std::vector<NodeShare>& out) override {
    py::gil_scoped_acquire gil;
    const py::object answer =
        instance_.attr("place")(py::cast(job_of(job, cluster_.catalog, cluster.layout().spec())), lend(cluster));
    if (answer.is_none() || (py::isinstance<py::bool_>(answer) && !answer.cast<bool>())) return false;
    const auto what = [&] { return "placement policy " + name_ + ": place(job " + std::to_string(job.id) + ")"; };
    for (const py::handle item : convert<py::iterable>(answer, what, "a list of (node, gpus), or None")) {
      NodeShare share;
      if (job.is_gpu_share()) {  // (node, gpu)
        const auto pair =
            convert<std::pair<std::int64_t, std::int64_t>>(item, what, "(node, gpu) for a share of a GPU");
        share.node = static_cast<NodeId>(pair.first);
        share.gpu = static_cast<std::int16_t>(std::clamp<std::int64_t>(pair.second, -1, 32767));
        share.gpu_milli = static_cast<std::int16_t>(job.request.gpu_milli);
      } else if (job.is_cpu_only()) {  // node
        share.node = static_cast<NodeId>(convert<std::int64_t>(item, what, "a node for a CPU-only job"));
      } else {  // (node, gpus)
        const auto pair = convert<std::pair<std::int64_t, std::int64_t>>(item, what, "(node, gpus) pairs");
        share.node = static_cast<NodeId>(pair.first);
        share.gpus = static_cast<std::int32_t>(std::clamp<std::int64_t>(pair.second, -1, 1 << 30));
      }
      out.push_back(share);
    }
    const std::string problem = scheduler::allocation_problem(job, out, cluster);
    if (!problem.empty()) throw py::value_error(what() + ": " + problem);
    return true;
  }

  void on_job_arrived(const JobRequest& job, const scheduler::ClusterState& cluster) override {
    if (!tell_arrivals_) return;
    py::gil_scoped_acquire gil;
    instance_.attr("on_job_arrived")(py::cast(job_of(job, cluster_.catalog, cluster.layout().spec())), lend(cluster));
  }

 private:
  const py::object& lend(const scheduler::ClusterState& cluster) {
    cluster_.cluster = &cluster;
    if (!cluster_handle_) cluster_handle_ = py::cast(cluster_);
    return cluster_handle_;
  }

  std::string name_;
  py::object instance_;
  ClusterRef cluster_;
  py::object cluster_handle_;  // one ClusterView object, lent to every call
  bool tell_arrivals_ = false;
};

}  // namespace

void add_python_policies(scheduler::PolicyRegistry& registry, const py::dict& registered) {
  const auto entries = [&](const char* kind) {
    std::vector<std::tuple<std::string, std::string, py::object>> out;
    if (!registered.contains(kind)) return out;
    for (const auto& [name, value] : registered[kind].cast<py::dict>()) {
      const auto pair = value.cast<py::tuple>();
      out.emplace_back(name.cast<std::string>(), pair[0].cast<std::string>(),
                       py::reinterpret_borrow<py::object>(pair[1]));
    }
    return out;
  };
  // Factories hold their Python callable through a shared pointer that
  // releases it under the GIL (a registry may be destroyed without it).
  const auto hold = [](py::object object) {
    return std::shared_ptr<py::object>(new py::object(std::move(object)), [](py::object* p) {
      py::gil_scoped_acquire gil;
      delete p;
    });
  };
  for (auto& [name, summary, factory] : entries("queue")) {
    registry.add_queue(name, summary + " (Python)", [name, f = hold(factory)](const scheduler::PolicyParams& params) {
      py::gil_scoped_acquire gil;
      return std::unique_ptr<scheduler::QueuePolicy>(
          std::make_unique<PyQueuePolicy>(name, make_instance(*f, params), params.catalog));
    });
  }
  for (auto& [name, summary, factory] : entries("placement")) {
    registry.add_placement(name, summary + " (Python)",
                           [name, f = hold(factory)](const scheduler::PolicyParams& params) {
                             py::gil_scoped_acquire gil;
                             return std::unique_ptr<scheduler::PlacementPolicy>(
                                 std::make_unique<PyPlacementPolicy>(name, make_instance(*f, params), params.catalog));
                           });
  }
}

void bind_policy_types(py::module_& m) {
  py::class_<PyJob>(m, "Job", "A job as a policy sees it: a copy, times in seconds since the start.")
      .def_readonly("id", &PyJob::id, "index in arrival order")
      .def_readonly("submit", &PyJob::submit)
      .def_readonly("gpus", &PyJob::gpus, "GPUs asked for (0.25: a quarter of one; 0: CPU only)")
      .def_readonly("recorded_duration", &PyJob::recorded_duration, "the trace's run time (an oracle)")
      .def_readonly("estimate", &PyJob::estimate, "the user's estimate of its run time, or None")
      .def_readonly("user_id", &PyJob::user_id)
      .def_readonly("user", &PyJob::user, "user name ('' in placement calls, or when none)")
      .def_readonly("tenant_id", &PyJob::tenant_id)
      .def_readonly("tenant", &PyJob::tenant)
      .def_readonly("job_class", &PyJob::job_class)
      .def_readonly("priority", &PyJob::priority)
      .def_readonly("preemptible", &PyJob::preemptible)
      .def_readonly("gpu_types", &PyJob::gpu_types, "GPU types it may run on (empty: any)")
      .def_readonly("regions", &PyJob::regions,
                    "regions it may run in (data residency: a placement elsewhere is refused; empty: any)")
      .def_readonly("cpus", &PyJob::cpus)
      .def_readonly("memory_mib", &PyJob::memory_mib)
      .def_readonly("gpu_memory_mib", &PyJob::gpu_memory_mib)
      .def_readonly("running", &PyJob::running)
      .def_readonly("queued_since", &PyJob::queued_since)
      .def_readonly("run_start", &PyJob::run_start)
      .def_readonly("run_time", &PyJob::run_time, "seconds holding GPUs so far")
      .def_readonly("attained_gpu_seconds", &PyJob::attained_gpu_seconds, "GPU-seconds received so far")
      .def_readonly("preemptions", &PyJob::preemptions)
      .def("__repr__", [](const PyJob& j) {
        return "<capsim.Job " + std::to_string(j.id) + ": " + std::to_string(j.gpus) + " GPUs, submitted at " +
               std::to_string(j.submit) + " s>";
      });

  py::class_<ViewRef>(m, "SchedulerView", "What a queue policy may read of the scheduler (policy.view).")
      .def_property_readonly("now", [](const ViewRef& v) { return v.get().now().to_seconds(); })
      .def_property_readonly("pending_jobs", [](const ViewRef& v) { return v.get().pending_jobs(); })
      .def_property_readonly("running_jobs", [](const ViewRef& v) { return v.get().running_jobs(); })
      .def_property_readonly("free_gpus", [](const ViewRef& v) { return v.get().cluster().total_free_gpus(); })
      .def("is_active",
           [](const ViewRef& v, std::int64_t id) { return id >= 0 && v.get().is_active(static_cast<JobId>(id)); })
      .def("may_be_victim",
           [](const ViewRef& v, std::int64_t id) { return id >= 0 && v.get().may_be_victim(static_cast<JobId>(id)); })
      .def("job", [](const ViewRef& v, std::int64_t id) {
        if (id < 0 || !v.get().is_active(static_cast<JobId>(id))) {
          throw py::key_error("job " + std::to_string(id) + " is neither waiting nor running");
        }
        return job_of(v.get().job(static_cast<JobId>(id)), v.get(), v.catalog);
      });

  py::class_<ControlRef>(m, "PassControl", "What a queue policy may change at the start of a pass.")
      .def(
          "rekey",
          [](const ControlRef& c, std::int64_t id) {
            c.check("PassControl");
            if (id >= 0) c.control->rekey(static_cast<JobId>(id));
          },
          "recompute a waiting job's key")
      .def(
          "preempt",
          [](const ControlRef& c, std::int64_t id) {
            c.check("PassControl");
            const scheduler::SchedulerView& view = c.control->view();
            if (id < 0 || !view.is_active(static_cast<JobId>(id)) || !view.job(static_cast<JobId>(id)).running ||
                !view.job(static_cast<JobId>(id)).job().preemptible) {
              throw py::value_error("queue policy " + c.policy + " preempts job " + std::to_string(id) +
                                    ", which is not a running preemptible job");
            }
            c.control->preempt(static_cast<JobId>(id));
          },
          "stop a running, preemptible job now; it waits again");

  py::class_<ClusterRef>(m, "ClusterView", "The cluster's free capacity, as a placement policy sees it.")
      .def_property_readonly("nodes", [](const ClusterRef& c) { return c.get().node_count(); })
      .def_property_readonly("free_gpus_total", [](const ClusterRef& c) { return c.get().total_free_gpus(); })
      .def("gpus", [](const ClusterRef& c, std::int64_t n) { return c.get().capacity_gpus(c.node(n)); })
      .def("free_gpus", [](const ClusterRef& c, std::int64_t n) { return c.get().free_gpus(c.node(n)); })
      .def("gpu_type", [](const ClusterRef& c,
                          std::int64_t n) { return c.catalog->at(c.get().pool_type(c.get().pool_of(c.node(n)))).name; })
      .def("rack", [](const ClusterRef& c, std::int64_t n) { return c.get().rack_of(c.node(n)); })
      .def(
          "region",
          [](const ClusterRef& c, std::int64_t n) {
            const scheduler::ClusterState& state = c.get();
            return state.layout().spec().region_name(static_cast<std::size_t>(state.layout().region_of(c.node(n))));
          },
          "the name of the node's region")
      .def("free_cpus", [](const ClusterRef& c,
                           std::int64_t n) { return static_cast<double>(c.get().free_cpu_milli(c.node(n))) / 1000.0; })
      .def("free_memory_mib", [](const ClusterRef& c, std::int64_t n) { return c.get().free_memory_mib(c.node(n)); })
      .def("models_cpu", [](const ClusterRef& c, std::int64_t n) { return c.get().models_cpu(c.node(n)); })
      .def(
          "shared_gpus", [](const ClusterRef& c, std::int64_t n) { return c.get().shared_gpus(c.node(n)); },
          "GPUs of the node that shares hold")
      .def(
          "share_used",
          [](const ClusterRef& c, std::int64_t n, std::int64_t g) {
            const NodeId node = c.node(n);
            return c.get().gpu_share_used(node, c.gpu(node, g));
          },
          "thousandths of GPU g that shares use")
      .def(
          "gpu_for_new_share", [](const ClusterRef& c, std::int64_t n) { return c.get().gpu_for_new_share(c.node(n)); },
          "the number a share opening a free GPU of the node takes")
      .def(
          "fits",
          [](const ClusterRef& c, const PyJob& job, std::int64_t n, std::int64_t gpus) {
            // Whether the node has `gpus` free GPUs for the job, with its CPU and memory share.
            const NodeId node = c.node(n);
            JobRequest request;
            request.request = job.request;
            const auto g = static_cast<std::int32_t>(gpus);
            return g >= 0 &&
                   c.get().node_fits(node, g, scheduler::cpu_share(request, g), scheduler::memory_share(request, g));
          },
          py::arg("job"), py::arg("node"), py::arg("gpus"));
}

}  // namespace capsim::python
