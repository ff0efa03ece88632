// Online evaluation: runs a Policy in a VectorEnv for a number of episodes and summarizes them.
//
// Episode e runs with environment stream Rng(env seed, e) and policy stream Rng(policy_seed, e);
// slot b of the VectorEnv runs episodes b, b + B, b + 2B, ... (sim::drive_episodes with the strided
// plan, sim/episode_driver.h). So the returns of every episode are identical for any thread count
// (and any batch size).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rlrec/eval/stats.h"
#include "rlrec/sim/policy.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::eval {

struct EpisodeResults {
  std::vector<double> returns;   // per episode, undiscounted
  std::vector<int32_t> lengths;  // steps per episode
  std::vector<int32_t> clicks;   // steps with a choice, per episode
  int64_t steps = 0;             // total env steps (user-steps)
  int64_t truncated = 0;         // episodes cut by max_steps
  double seconds = 0;            // wall time of the whole run
  double env_seconds = 0;        // time inside VectorEnv::step/reset
  int slate_size = 0;

  Summary return_summary(double level = 0.95) const;
  double mean_length() const;
  // Clicks per impression (each slate shows K items), as RecSim's CTR metric.
  double ctr() const;
  double clicks_per_step() const;
  double steps_per_second() const { return seconds > 0 ? steps / seconds : 0; }
  double env_steps_per_second() const { return env_seconds > 0 ? steps / env_seconds : 0; }
};

// Runs `episodes` episodes (>= 1): episode numbers first_episode .. first_episode + episodes - 1
// (sim::EpisodePlan::strided), result i is episode first_episode + i. progress_label: shown as a
// progress bar on a terminal ("" none).
EpisodeResults run_episodes(sim::VectorEnv& env, sim::Policy& policy, int64_t episodes,
                            uint64_t policy_seed, const std::string& progress_label = "",
                            uint64_t first_episode = 0);

}  // namespace rlrec::eval
