// Max-min fair time shares (scheduler/queue/max_min_fairness.hpp): the
// simplex on small programs, and the leximin allocation on matrices worked
// out by hand, one where heterogeneity changes the answer.
#include <catch2/catch.hpp>

#include "scheduler/queue/max_min_fairness.hpp"

using namespace capsim::scheduler;

namespace {
constexpr double kTol = 1e-9;
}

TEST_CASE("simplex: a textbook program, with a >= row and its prices", "[scheduler][max_min]") {
  // max 3x + 2y s.t. x + y <= 4, x + 3y <= 6, x <= 3, y >= 0.5 (-y <= -0.5).
  // Optimum at x = 3, y = 1: 11. Prices: row 1 (x + y <= 4) 2, row 3
  // (x <= 3) 1, the others 0.
  LinearProgram lp;
  lp.rows = 4;
  lp.cols = 2;
  lp.a = {1, 1, 1, 3, 1, 0, 0, -1};
  lp.b = {4, 6, 3, -0.5};
  lp.c = {3, 2};
  const LinearProgramSolution s = solve_linear_program(lp);
  REQUIRE(s.feasible);
  CHECK(s.objective == Approx(11).margin(kTol));
  CHECK(s.x[0] == Approx(3).margin(kTol));
  CHECK(s.x[1] == Approx(1).margin(kTol));
  CHECK(s.dual[0] == Approx(2).margin(kTol));
  CHECK(s.dual[1] == Approx(0).margin(kTol));
  CHECK(s.dual[2] == Approx(1).margin(kTol));
  CHECK(s.dual[3] == Approx(0).margin(kTol));
  // y >= 5 cannot be met with x + y <= 4.
  lp.b[3] = -5;
  CHECK_FALSE(solve_linear_program(lp).feasible);
}

TEST_CASE("max-min: one type, jobs of one and two GPUs share it equally in time", "[scheduler][max_min]") {
  // Two GPUs, three 1-GPU jobs (one group): each runs 2/3 of the time.
  FairShares s = max_min_fair_shares(std::vector<FairShareGroup>{{3, 1, {1}}}, std::vector<double>{2});
  CHECK(s.level[0] == Approx(2.0 / 3).margin(kTol));
  CHECK(s.share[0] == Approx(2.0 / 3).margin(kTol));
  // A 2-GPU job and a 1-GPU job on two GPUs: 2x + y <= 2 and equal
  // utilities x = y: both 2/3.
  s = max_min_fair_shares(std::vector<FairShareGroup>{{1, 2, {1}}, {1, 1, {1}}}, std::vector<double>{2});
  CHECK(s.level[0] == Approx(2.0 / 3).margin(kTol));
  CHECK(s.level[1] == Approx(2.0 / 3).margin(kTol));
  // Fewer jobs than GPUs: everyone runs all the time, whatever is left.
  s = max_min_fair_shares(std::vector<FairShareGroup>{{1, 1, {0.5}}, {1, 1, {2}}}, std::vector<double>{4});
  CHECK(s.level[0] == Approx(0.5).margin(kTol));
  CHECK(s.level[1] == Approx(2).margin(kTol));
  // A group that can run nowhere gets nothing, and no program is needed for it alone.
  s = max_min_fair_shares(std::vector<FairShareGroup>{{1, 1, {0}}}, std::vector<double>{1});
  CHECK(s.level[0] == 0);
  CHECK(s.linear_programs == 0);
}

TEST_CASE("max-min: heterogeneity changes the answer, by hand", "[scheduler][max_min]") {
  // One K80 and one V100 (types 0 and 1). Normalised utilities (throughput
  // over the throughput on an equal third of each type): A runs as fast on
  // both, 1.5 per unit of time; B and C (one group of two) 1 on the K80 and
  // 2 on the V100. Moving a unit of K80 time from each of B and C to A
  // costs them 1 and gives A 2 x 1.5 = 3; V100 time costs them 2 for A's 3:
  // so B and C take the V100 (half each) and A the K80, and A pays B and C
  // in K80 time until all are equal: 1.5 a = b + 2 x 0.5 with a + 2b = 1:
  // b = 1/8, a = 3/4, every utility 1.125.
  const std::vector<FairShareGroup> groups{{1, 1, {1.5, 1.5}}, {2, 1, {1, 2}}};
  const FairShares s = max_min_fair_shares(groups, std::vector<double>{1, 1});
  CHECK(s.level[0] == Approx(1.125).margin(kTol));
  CHECK(s.level[1] == Approx(1.125).margin(kTol));
  CHECK(s.share[0] == Approx(0.75).margin(kTol));   // A on the K80
  CHECK(s.share[1] == Approx(0).margin(kTol));      // A on the V100
  CHECK(s.share[2] == Approx(0.125).margin(kTol));  // B, C on the K80
  CHECK(s.share[3] == Approx(0.5).margin(kTol));    // B, C on the V100
  // Blind to heterogeneity (every job 1 on each type), the two GPUs are
  // shared equally in time: 2/3 each, and nothing says which type.
  const FairShares blind =
      max_min_fair_shares(std::vector<FairShareGroup>{{1, 1, {1, 1}}, {2, 1, {1, 1}}}, std::vector<double>{1, 1});
  CHECK(blind.level[0] == Approx(2.0 / 3).margin(kTol));
  CHECK(blind.level[1] == Approx(2.0 / 3).margin(kTol));
}

TEST_CASE("max-min: leximin fills past the first bottleneck", "[scheduler][max_min]") {
  // One K80, one V100. A: 1 on both; B: 0.4 on the K80, 1.6 on the V100.
  // A can never pass 1 (it runs at most all the time): the first level is 1
  // with A frozen; then B, alone, rises to 1.6 on the whole V100 while A
  // keeps its 1 on the K80. Maximising only the minimum could leave B at 1.
  const std::vector<FairShareGroup> groups{{1, 1, {1, 1}}, {1, 1, {0.4, 1.6}}};
  const FairShares s = max_min_fair_shares(groups, std::vector<double>{1, 1});
  CHECK(s.level[0] == Approx(1).margin(1e-6));
  CHECK(s.level[1] == Approx(1.6).margin(1e-6));
  CHECK(s.share[2] == Approx(0).margin(1e-6));
  CHECK(s.share[3] == Approx(1).margin(1e-6));
  CHECK(s.linear_programs == 2);
}

TEST_CASE("max-min: many groups stay exact and feasible", "[scheduler][max_min]") {
  // 40 groups on three types with varied rates, asking for about 100 GPUs
  // of 48: every capacity and time constraint holds, and no GPU is left
  // idle (leximin is Pareto-optimal: an idle GPU could raise someone).
  std::vector<FairShareGroup> groups;
  const std::vector<double> capacity{16, 16, 16};
  for (int g = 0; g < 40; ++g) {
    groups.push_back({1.0 + g % 3, 1.0 + (g % 4 == 3), {0.2 + (g % 5) * 0.3, 1.0 + (g % 7) * 0.1, 1.5 + (g % 2)}});
  }
  const FairShares s = max_min_fair_shares(groups, capacity);
  std::vector<double> used(3, 0.0);
  double min_level = 1e9;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    double time = 0;
    for (std::size_t t = 0; t < 3; ++t) {
      CHECK(s.share[g * 3 + t] >= 0);
      time += s.share[g * 3 + t];
      used[t] += groups[g].jobs * groups[g].gpus * s.share[g * 3 + t];
    }
    CHECK(time <= 1 + 1e-7);
    min_level = std::min(min_level, s.level[g]);
  }
  for (std::size_t t = 0; t < 3; ++t) CHECK(used[t] <= capacity[t] + 1e-6);
  for (std::size_t t = 0; t < 3; ++t) CHECK(used[t] == Approx(capacity[t]).margin(1e-6));
  CHECK(min_level > 0);
}
