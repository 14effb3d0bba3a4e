// Max-min fair time shares of GPU types: the allocation of Gavel's
// heterogeneity-aware max-min fairness policy (Narayanan et al.,
// "Heterogeneity-Aware Cluster Scheduling Policies for Deep Learning
// Workloads", OSDI'20, section 4.1), computed exactly, without an LP library.
//
// The problem. Jobs in groups of identical jobs (same GPUs, same normalised
// throughput per GPU type); x[g][t] is the fraction of time each job of
// group g runs on GPU type t. Constraints: a job runs at most all the time
// (sum over t of x[g][t] <= 1) and a type's GPUs are not over-committed (sum
// over g of jobs[g] x gpus[g] x x[g][t] <= capacity[t]). A job's utility is
// u[g] = sum over t of rate[g][t] x x[g][t]. The answer is the max-min fair
// (leximin) allocation: the smallest utility as large as possible, then the
// next smallest, and so on. Gavel solves only the first step (maximise the
// minimum); leximin is the same minimum without leaving capacity idle.
//
// The algorithm: progressive filling by successive linear programs
// (water-filling; Radunovic and Le Boudec, "A Unified Framework for Max-Min
// and Min-Max Fairness with Applications", IEEE/ACM ToN 2007). Each step
// maximises a common level L over the groups not yet frozen, with the frozen
// ones kept at their levels; every group whose constraint u[g] >= L has a
// positive dual price is at L in every optimal solution (complementary
// slackness), so it is frozen at L. The duals of those constraints sum to 1,
// so each step freezes at least one group: at most G linear programs, each
// solved by a dense two-phase simplex (Dantzig's rule, Bland's after a run of
// degenerate pivots, so it cannot cycle). Cost per program: O(P x R x C) for
// P pivots (typically about 2R), R = 2G + T rows and C = G x T + R + G
// columns; identical jobs share a group, so the size follows the distinct
// (class, GPUs) pairs, not the number of jobs. Deterministic: fixed orders
// only.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace capsim::scheduler {

struct FairShareGroup {
  double jobs = 1;  // identical jobs in the group (> 0)
  double gpus = 1;  // GPUs each job holds while it runs (a share of one GPU: its fraction)
  // Per GPU type: the job's utility if it ran there all the time (its
  // normalised throughput); 0 where it cannot run.
  std::vector<double> rate;
};

struct FairShares {
  std::vector<double> level;  // per group: each job's utility (0 for a group that can run nowhere)
  std::vector<double> share;  // [group x types + type]: each job's fraction of time on the type
  int linear_programs = 0;    // programs solved
};

// The leximin allocation; `capacity` has the GPUs of each type, every
// group's `rate` one entry per type.
FairShares max_min_fair_shares(std::span<const FairShareGroup> groups, std::span<const double> capacity);

// maximise c.x subject to A x <= b (any signs), x >= 0; A dense, row-major.
struct LinearProgram {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> a;  // rows x cols
  std::vector<double> b;  // rows
  std::vector<double> c;  // cols
};
struct LinearProgramSolution {
  bool feasible = false;
  double objective = 0;
  std::vector<double> x;     // cols
  std::vector<double> dual;  // rows: the shadow price of each constraint (>= 0)
};
// CAPSIM_CHECKs that the program is bounded (it must be: ours are).
LinearProgramSolution solve_linear_program(const LinearProgram& lp);

}  // namespace capsim::scheduler
