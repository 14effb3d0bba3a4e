// The MPI world a sweep runs in across machines (DESIGN.md, "Scale beyond
// one machine"): under `mpirun -n N capsim sweep ...` each of the N
// processes is a rank; started any other way, the world is this process
// alone and MPI is never initialised (no launcher needed, no cost).
#pragma once

#include <string>
#include <vector>

namespace capsim::cli {

class MpiWorld {
 public:
  // Initialises MPI when an MPI launcher started this process.
  MpiWorld();
  ~MpiWorld();
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool active() const { return active_; }
  // Processes of this world on this machine (for a thread count per rank).
  int local_size() const { return local_size_; }

  // Every rank's text, in rank order, on rank 0; nothing elsewhere.
  // Collective: every rank must call it.
  std::vector<std::string> gather(const std::string& mine) const;
  // Ends every rank (one rank's run failed after the others started).
  [[noreturn]] void abort(int code) const;

 private:
  bool active_ = false;
  int rank_ = 0;
  int size_ = 1;
  int local_size_ = 1;
};

}  // namespace capsim::cli
