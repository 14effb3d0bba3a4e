// RAII for HDF5's C API, shared by the results writer and reader: an
// identifier owned with the function that closes it, and a status check.
// Both throw std::runtime_error naming what could not be done; callers that
// read user files turn that into an InputError with the file's path.
#pragma once

#include <hdf5.h>

#include <stdexcept>
#include <string>

namespace capsim::sim::hdf5 {

// Owns an HDF5 identifier and closes it with the matching function.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle(hid_t id, Closer closer, const char* what) : id_(id), closer_(closer) {
    if (id_ < 0) throw std::runtime_error(std::string("HDF5: cannot ") + what);
  }
  Handle(Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle& operator=(Handle&&) = delete;
  ~Handle() {
    if (id_ >= 0) closer_(id_);
  }
  hid_t get() const { return id_; }

 private:
  hid_t id_;
  Closer closer_;
};

inline void check(herr_t status, const char* what) {
  if (status < 0) throw std::runtime_error(std::string("HDF5: cannot ") + what);
}

}  // namespace capsim::sim::hdf5
