// Shared by the autoscaling tests: a policy built through the registry from
// the text of a scenario's `policies.autoscaling` value, and metrics at a
// time given in seconds.
#pragma once

#include <memory>
#include <string>

#include "core/config_tree.hpp"
#include "scheduler/registry.hpp"

namespace capsim::testing {

// `yaml`: a policy name ("hpa") or map ("{name: hpa, max_replicas: 4}"), as
// it would stand under `policies: autoscaling:` in file "a.yaml".
inline PolicySpec autoscaling_spec(const std::string& yaml) {
  PolicySpec spec;
  const ConfigNodePtr node = parse_config_text(yaml, "a.yaml");
  spec.field = "policies.autoscaling";
  spec.where = node->where();
  if (node->kind() == ConfigNode::Kind::kScalar) {
    spec.name = node->scalar();
  } else {
    spec.name = node->find("name")->value->scalar();
    spec.params = node;
  }
  return spec;
}

inline std::unique_ptr<scheduler::AutoscalingPolicy> make_autoscaler(const std::string& yaml) {
  return scheduler::PolicyRegistry::with_builtins().make_autoscaling(autoscaling_spec(yaml));
}

inline Time at_seconds(std::int64_t seconds) {
  return Time::zero() + Duration::seconds(seconds);
}

}  // namespace capsim::testing
