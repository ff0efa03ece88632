// drive_episodes: the one episode loop of rlrec. It runs whole episodes of a VectorEnv, handing
// episode numbers to slots, seeding each episode's policy stream, keeping the active-row flags and
// telling termination from truncation; what a caller does with the steps goes into hooks. The
// evaluation runner (eval/runner.h), log collection (logs/log.h collect_log) and the agents' test
// driver (agents/test_driver.h) are written on it; the trainer can be too (see the end).
//
// Streams. Starting episode e in slot b calls env.reset(b, e) (so the environment's stream is
// Rng(env seed, e)) and sets the policy stream of row b to Rng(policy_seed, e). Both depend on e
// only, never on the slot, the batch size or the thread count.
//
// Plans: which episode numbers run, in which slot.
//   * strided(n, first = 0): episodes first .. first + n - 1; slot b runs first + b,
//     first + b + B, ... (B = env.batch(); slots b >= n stay idle from the start). The set of
//     episodes is fixed in advance, so for a policy that acts per row with its row's stream (every
//     baseline; an agent that does not learn), each episode's trajectory and return are the same
//     for every batch size and thread count.
//   * sequential(first, more): every slot starts at once with first, first + 1, ... in slot order;
//     when a row's episode ends, the slot starts the next unused number if more(steps) is true
//     (steps: rows stepped so far in this run, the finishing row included), else it goes idle.
//     Numbers are handed out in finishing order, so which episodes run (and, for a learning
//     agent, what it learns) depends on the batch size; for a fixed batch size the run is the same
//     for every thread count. A stateless per-row policy still gives episode e the same trajectory
//     as under strided().
//
// One step of the loop, while any row is active (hooks left empty are skipped; act is required):
//   1. act(env.observation(active), slates, rngs): write a slate for every active row (obs.active
//      marks them; inactive rows may be left as they are). rngs[b] is row b's policy stream.
//   2. env.step(slates, active).
//   3. stepped(active, slates): the step as a whole, before any slot is restarted (agents observe
//      and update here: the observation is still every row's post-step state).
//   4. For each active row b in slot order: row(b) (env.episode(b) is b's episode; rewards,
//      choices, responses, terminated/truncated of row b are the step's); then, if the episode
//      ended, episode_end(b, how) and the slot is restarted or made idle, as the plan says.
//   5. step_end(stats so far).
// An episode ends terminated (the user model ended the session) or truncated (it reached
// env.spec().max_steps without terminating), never both.
//
// Errors: strided(n) with n < 1 and sequential() without a predicate throw kInvalidArgument; an
// invalid slate throws from env.step (nothing is stepped); hook exceptions propagate.
// Thread-safety: single caller; VectorEnv may use its pool inside reset/step.
//
// Adopting it in the trainer (train/trainer.cc iteration()): plan =
// sequential(next_episode_, [&](int64_t s) { return s < run_.eval_interval &&
// env_steps_ + s < run_.train_steps; }), policy seed train_policy_seed(seed), act = agent act,
// stepped = observe + update (summing updates and loss); then steps = stats.steps and
// next_episode_ = stats.next_episode. The offline branch skips the call.
#pragma once

#include <cstdint>
#include <functional>

#include "rlrec/core/rng.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::sim {

enum class EpisodeEnd : uint8_t { kTerminated, kTruncated };

class EpisodePlan {
 public:
  enum class Kind : uint8_t { kStrided, kSequential };
  // Continue predicate of a sequential plan: given the rows stepped so far, start another episode?
  using More = std::function<bool(int64_t steps)>;

  static EpisodePlan strided(int64_t episodes, uint64_t first_episode = 0);
  static EpisodePlan sequential(uint64_t first_episode, More more);

  Kind kind() const { return kind_; }
  int64_t episodes() const { return episodes_; }  // strided
  uint64_t first_episode() const { return first_; }
  const More& more() const { return more_; }  // sequential

 private:
  Kind kind_ = Kind::kStrided;
  int64_t episodes_ = 0;
  uint64_t first_ = 0;
  More more_;
};

// Counters of a run (passed to step_end while running, returned at the end).
struct EpisodeStats {
  int64_t steps = 0;          // rows stepped (user-steps)
  int64_t episodes = 0;       // episodes ended
  int64_t truncated = 0;      // of which truncated
  uint64_t next_episode = 0;  // the lowest episode number not started
  double env_seconds = 0;     // wall time inside VectorEnv::reset/step
};

struct EpisodeHooks {
  std::function<void(const Observation& obs, int32_t* slates, Rng* rngs)> act;
  std::function<void(const uint8_t* active, const int32_t* slates)> stepped;
  std::function<void(int row)> row;
  std::function<void(int row, EpisodeEnd how)> episode_end;
  std::function<void(const EpisodeStats& so_far)> step_end;
};

EpisodeStats drive_episodes(VectorEnv& env, uint64_t policy_seed, const EpisodePlan& plan,
                            const EpisodeHooks& hooks);

}  // namespace rlrec::sim
