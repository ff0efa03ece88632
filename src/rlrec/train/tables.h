// Compare's tables for machines and for people, beside compare.h's text leaderboard:
// leaderboard.csv (numbers only) and the paired differences to a reference agent.
//
// Paired difference of agent A to the reference R: every agent of a seed is evaluated on the
// same users (episode i of seed s is the same user for every agent), so the per-user difference
// d[s][u] = return_A[s][u] - return_R[s][u] removes the users' variation from the comparison.
//   estimate   mean over seeds of d_s = mean over users of d[s][u]
//   95% CI     Student t over the seeds' d_s with 2 seeds or more (training and evaluation
//              noise); with one seed, Student t over that seed's users (evaluation noise only);
//              none with fewer than 2 of either.
// The reference: compare.reference, or else the strongest baseline (highest mean return among
// baselines that read no hidden state; then among oracles; with no baseline, the first agent).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rlrec/core/table.h"
#include "rlrec/train/compare.h"

namespace rlrec::train {

// The label of the reference agent of r (see above).
std::string reference_agent(const CompareResult& r);

struct PairedDifference {
  std::string agent, reference;
  double mean = 0;      // mean return difference agent - reference
  bool has_ci = false;  // false: ci_low/ci_high are NaN
  double ci_low = 0, ci_high = 0;
  std::string ci_over;  // "seeds", "users", or "" without a CI
  int64_t pairs = 0;    // seeds (ci_over == "seeds") or users (otherwise) paired
};

// One per agent of r, in r.agents order (the reference's own has mean 0 and no CI).
std::vector<PairedDifference> paired_differences(const CompareResult& r);

// agent, diff vs REFERENCE (mean return), 95% CI, CI over, pairs.
Table paired_table(const CompareResult& r);

// leaderboard.csv: a header and one row per agent; every column but `agent` is a number (0/1 for
// flags), with empty cells where there is nothing (a CI with fewer than 2 seeds, a ranking metric
// outside the offline protocol, vs_random without random). Columns: agent, privileged, learning,
// seeds, then mean, ci_low and ci_high of mean_return, ctr, mean_reward (per step) and, offline,
// p@5, p@10, ndcg@5, ndcg@10; vs_random, vs_myopic, is_reference, diff_vs_reference (+ its
// ci_low and ci_high), train_seconds, train_env_steps, updates, updates_per_second,
// train_env_steps_per_second, eval_seconds.
std::string leaderboard_csv(const CompareResult& r);

// A number as a CSV cell: the shortest of %.15g / %.17g that reads back as v; "" for NaN.
std::string csv_cell(double v);

}  // namespace rlrec::train
