#include "core/calibration_profile.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/config_tree.hpp"

namespace capsim {
namespace {

constexpr std::string_view kFormat = "capsim-calibration-1";

std::vector<double> read_factors(const ConfigNode& node, const std::string& field) {
  std::vector<double> factors;
  const auto& items = read_list(node, field, "factors from 0 to 1");
  for (std::size_t i = 0; i < items.size(); ++i) {
    factors.push_back(read_number(*items[i], field + "[" + std::to_string(i) + "]", 1e-6, 1));
  }
  return factors;
}

// Shortest text that reads back as the same double.
std::string exact(double value) {
  char buffer[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

std::string list_text(const std::vector<double>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + exact(values[i]);
  return text + "]";
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out + "\"";
}

}  // namespace

GpuCountFactors read_gpu_count_factors(const ConfigNode& node, const std::string& field) {
  static const std::string kExpected = "a rate factor (0.8) or a map of GPU count to factor ({2: 0.9, 8: 0.8})";
  GpuCountFactors factors;
  if (node.kind() != ConfigNode::Kind::kMap) {
    factors.points.emplace_back(1, read_number(node, field, 1e-3, 1));
    return factors;
  }
  if (node.entries().empty()) throw InputError(node.where(), field, kExpected, "an empty map");
  for (const auto& entry : node.entries()) {
    const std::string f = field + "." + entry.key;
    std::int64_t gpus = 0;
    if (!parse_int(entry.key, gpus) || gpus < 1 || gpus > 1'000'000) {
      throw InputError(entry.value->where(), field, "GPU counts (whole numbers from 1) as keys",
                       quote_for_message(entry.key));
    }
    if (!factors.points.empty() && gpus <= factors.points.back().first) {
      throw InputError(entry.value->where(), f, "GPU counts in increasing order", quote_for_message(entry.key));
    }
    factors.points.emplace_back(static_cast<std::int32_t>(gpus), read_number(*entry.value, f, 1e-3, 1));
  }
  return factors;
}

std::string gpu_count_factors_text(const GpuCountFactors& factors) {
  std::string text = "{";
  for (std::size_t i = 0; i < factors.points.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(factors.points[i].first) + ": " + exact(factors.points[i].second);
  }
  return text + "}";
}

const KernelFit* CalibrationProfile::fit(KernelOp op) const {
  for (const KernelFit& k : kernels) {
    if (k.op == op) return &k;
  }
  return nullptr;
}

double CalibrationProfile::predict_call_us(const KernelCall& call, const SourceLocation& where,
                                           const std::string& field) const {
  const KernelFit* k = fit(call.op);
  if (!k) {
    throw InputError(where, field, "operations the calibration profile measured",
                     std::string(to_string(call.op)) + ", which it did not");
  }
  const double work = op_work(call.op, call.size);
  // Within the measured sizes, the measurements themselves: time per unit
  // of work interpolated linearly in log(size) between the two nearest
  // points (a CPU's rate moves with the cache level a size fits in, which
  // one line cannot follow). Outside them, the fitted line.
  const auto& points = k->points;
  if (points.size() >= 2 && call.size >= points.front().first && call.size <= points.back().first) {
    std::size_t i = 1;
    while (i + 1 < points.size() && points[i].first < call.size) ++i;
    const auto& [s0, t0] = points[i - 1];
    const auto& [s1, t1] = points[i];
    const double r0 = t0 / op_work(call.op, s0), r1 = t1 / op_work(call.op, s1);
    const double x = s1 == s0 ? 0.0
                              : (std::log(static_cast<double>(call.size)) - std::log(static_cast<double>(s0))) /
                                    (std::log(static_cast<double>(s1)) - std::log(static_cast<double>(s0)));
    return work * (r0 + x * (r1 - r0));
  }
  return k->overhead_us + work / k->work_per_us;
}

double CalibrationProfile::predict_mix_us(const KernelMix& mix, const SourceLocation& where,
                                          const std::string& field) const {
  double total = 0;
  for (const KernelCall& call : mix) total += call.count * predict_call_us(call, where, field);
  return total;
}

CalibrationProfile read_calibration_profile(const std::filesystem::path& path) {
  const ConfigNodePtr root = parse_config_file(path);
  MapReader map(*root, "",
                {"format", "backend", "device", "slots", "kernels", "node_contention", "scaling", "time_factor",
                 "start_overhead_us", "fit_makespan_error", "across_nodes", "across_racks", "link_sharing",
                 "network_scenario", "created_by"});
  const ConfigNode& format = map.required("format", std::string(kFormat));
  if (read_string(format, "format") != kFormat) {
    throw InputError(format.where(), "format", std::string(kFormat) + " (a profile `capsim calibrate` wrote)",
                     format.describe());
  }
  CalibrationProfile p;
  p.backend = read_string(map.required("backend", "cpu, cuda or simgrid"), "backend");
  if (const ConfigNode* v = map.optional("device")) p.device = read_string(*v, "device");
  if (const ConfigNode* v = map.optional("slots")) p.slots = static_cast<std::int32_t>(read_int(*v, "slots", 1, 1024));
  // A network profile (`calibrate --network`) measures no kernels.
  const ConfigNode* kernels = map.optional("kernels");
  if (!kernels && p.backend != "simgrid") map.required("kernels", "a map of operation to its fit");
  if (kernels && kernels->kind() != ConfigNode::Kind::kMap) {
    throw InputError(kernels->where(), "kernels", "a map of operation to its fit", kernels->describe());
  }
  static const std::vector<ConfigNode::Entry> kNone;
  for (const auto& entry : kernels ? kernels->entries() : kNone) {
    const std::string f = "kernels." + entry.key;
    KernelFit k;
    const auto op = parse_kernel_op(entry.key);
    if (!op)
      throw InputError(entry.value->where(), f, "an operation such as gemm_f32 or triad", quote_for_message(entry.key));
    k.op = *op;
    MapReader fit(*entry.value, f, {"overhead_us", "work_per_us", "points", "max_relative_error"});
    k.overhead_us = read_number(fit.required("overhead_us", "microseconds"), fit.field("overhead_us"), 0, 1e9);
    k.work_per_us =
        read_number(fit.required("work_per_us", "work per microsecond"), fit.field("work_per_us"), 1e-9, 1e18);
    if (const ConfigNode* v = fit.optional("max_relative_error")) {
      k.max_relative_error = read_number(*v, fit.field("max_relative_error"), 0, 1e9);
    }
    if (const ConfigNode* v = fit.optional("points")) {
      const auto& items = read_list(*v, fit.field("points"), "[size, microseconds] pairs");
      for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string pf = fit.field("points") + "[" + std::to_string(i) + "]";
        const auto& pair = read_list(*items[i], pf, "[size, microseconds]");
        if (pair.size() != 2) throw InputError(items[i]->where(), pf, "[size, microseconds]", items[i]->describe());
        k.points.emplace_back(read_int(*pair[0], pf, 1, std::int64_t{1} << 40), read_number(*pair[1], pf, 1e-9, 1e15));
        if (i > 0 && k.points[i].first <= k.points[i - 1].first) {
          throw InputError(items[i]->where(), pf, "sizes in increasing order", items[i]->describe());
        }
      }
    }
    p.kernels.push_back(std::move(k));
  }
  if (const ConfigNode* v = map.optional("node_contention")) p.node_contention = read_factors(*v, "node_contention");
  if (const ConfigNode* v = map.optional("scaling")) p.scaling = read_factors(*v, "scaling");
  if (const ConfigNode* v = map.optional("time_factor")) p.time_factor = read_number(*v, "time_factor", 1e-3, 1e3);
  if (const ConfigNode* v = map.optional("start_overhead_us")) {
    p.start_overhead_us = read_number(*v, "start_overhead_us", 0, 1e12);
  }
  if (const ConfigNode* v = map.optional("fit_makespan_error")) {
    p.fit_makespan_error = read_number(*v, "fit_makespan_error", 0, 1e9);
  }
  if (const ConfigNode* v = map.optional("across_nodes")) p.across_nodes = read_gpu_count_factors(*v, "across_nodes");
  if (const ConfigNode* v = map.optional("across_racks")) p.across_racks = read_gpu_count_factors(*v, "across_racks");
  if (const ConfigNode* v = map.optional("link_sharing")) p.link_sharing = read_number(*v, "link_sharing", 0, 1);
  if (const ConfigNode* v = map.optional("network_scenario")) {
    p.network_scenario = read_string(*v, "network_scenario");
  }
  if (const ConfigNode* v = map.optional("created_by")) p.created_by = read_string(*v, "created_by");
  return p;
}

std::string calibration_profile_text(const CalibrationProfile& p) {
  std::ostringstream out;
  out << "# A capsim calibration profile, written by `capsim calibrate` (README, \"Real execution\").\n"
      << "# A call of size s takes overhead_us + work / work_per_us microseconds (work: flops for\n"
      << "# products and the triad, bytes for copies); node_contention[k-1]: the rate of each job\n"
      << "# with k slots of the device busy; scaling[g-1]: the rate of a job of g slots against g\n"
      << "# independent ones; real run time = time_factor x modelled + start_overhead_us.\n"
      << "format: " << kFormat << "\n"
      << "backend: " << p.backend << "\n"
      << "device: " << quoted(p.device) << "\n"
      << "slots: " << p.slots << "\n"
      << (p.kernels.empty() ? "kernels: {}\n" : "kernels:\n");
  for (const KernelFit& k : p.kernels) {
    out << "  " << to_string(k.op) << ":\n"
        << "    overhead_us: " << exact(k.overhead_us) << "\n"
        << "    work_per_us: " << exact(k.work_per_us) << "\n"
        << "    max_relative_error: " << exact(k.max_relative_error) << "\n"
        << "    points: [";
    for (std::size_t i = 0; i < k.points.size(); ++i) {
      out << (i ? ", " : "") << "[" << k.points[i].first << ", " << exact(k.points[i].second) << "]";
    }
    out << "]\n";
  }
  out << "node_contention: " << list_text(p.node_contention) << "\n"
      << "scaling: " << list_text(p.scaling) << "\n"
      << "time_factor: " << exact(p.time_factor) << "\n"
      << "start_overhead_us: " << exact(p.start_overhead_us) << "\n";
  if (p.fit_makespan_error) out << "fit_makespan_error: " << exact(*p.fit_makespan_error) << "\n";
  if (!p.across_nodes.empty() || !p.across_racks.empty()) {
    out << "# Placement factors by GPU count, fitted with SimGrid (`capsim calibrate --network`): the\n"
        << "# rate of a job whose GPUs span nodes of one rack, or racks, against all on one node.\n";
    if (!p.across_nodes.empty()) out << "across_nodes: " << gpu_count_factors_text(p.across_nodes) << "\n";
    if (!p.across_racks.empty()) out << "across_racks: " << gpu_count_factors_text(p.across_racks) << "\n";
  }
  if (p.link_sharing > 0) {
    out << "# How much each other job's flow on a link a job crosses slows its network time (0 to 1):\n"
        << "# with it, the placement factors above are each job's alone, lowered as neighbours come.\n"
        << "link_sharing: " << exact(p.link_sharing) << "\n";
  }
  if (!p.network_scenario.empty()) out << "network_scenario: " << quoted(p.network_scenario) << "\n";
  if (!p.created_by.empty()) out << "created_by: " << quoted(p.created_by) << "\n";
  return out.str();
}

}  // namespace capsim
