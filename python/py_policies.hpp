// Queue and placement policies written in Python (capsim.QueuePolicy,
// capsim.PlacementPolicy): trampolines that the scheduler core calls like
// built-in policies. Each call takes the GIL; what Python returns is checked
// (a bad key, victim or allocation raises ValueError naming the policy), and
// a Python exception stops the run and reaches the caller of capsim.run with
// its traceback.
#pragma once

#include <pybind11/pybind11.h>

#include "scheduler/registry.hpp"

namespace capsim::python {

// Adds the Python policies of `registered` ({"queue": {name: (summary,
// factory)}, "placement": {...}}; factory(params: dict, seed: int) returns
// the policy object) to a registry.
void add_python_policies(scheduler::PolicyRegistry& registry, const pybind11::dict& registered);

// The classes Python policies see: Job, SchedulerView, PassControl, ClusterView.
void bind_policy_types(pybind11::module_& m);

}  // namespace capsim::python
