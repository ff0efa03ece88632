// Policy: chooses a slate for each user in a batch. Learning agents (agents/) are one kind of
// Policy; the simulator, the evaluation runner and the off-policy estimators need only this.
//
// act(obs, slates, rngs): for every active row b of obs, writes K distinct positions into the
// candidates (slates + b*K, display order, best first) using rngs[b] for any randomness (rngs has
// obs.batch entries: one stream per user session, so results do not depend on the batch
// composition or thread count). Inactive rows are left untouched.
// Thread-safety: act() is called by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "rlrec/core/config.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/sim/environment.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::sim {

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;
  virtual void act(const Observation& obs, int32_t* slates, Rng* rngs) = 0;

  // Optional: the probabilities behind act(), for logging propensities and off-policy evaluation.
  // Both describe the distribution of act()'s output for row `row` of `obs` (the same observation
  // act() would see). Policies that cannot compute them keep these defaults.
  //
  // slot_probabilities: writes K x N values (row-major, N = number of candidates): probs[k*N + i] =
  // P(candidate position i is shown in slot k). Each slot's row sums to 1. Returns false when the
  // policy cannot compute them (deterministic policies may: one-hot rows).
  virtual bool slot_probabilities(const Observation& obs, int row, double* probs) const {
    (void)obs, (void)row, (void)probs;
    return false;
  }
  // slate_probability: P(act() returns exactly `slate` (K positions, display order)); a negative
  // value means unknown.
  virtual double slate_probability(const Observation& obs, int row, const int32_t* slate) const {
    (void)obs, (void)row, (void)slate;
    return -1.0;
  }
};

// What a policy factory gets: the environment it will act in (for its spec, choice model and
// observed scores), the [policy] config section, and a thread pool it may use inside act().
struct PolicyContext {
  const Environment* env = nullptr;
  const Config* config = nullptr;
  ThreadPool* pool = nullptr;
};

struct PolicyEntry {
  std::string_view name;
  std::string_view description;
  bool privileged;  // reads hidden state: an upper-bound reference, never a "real" policy
  std::unique_ptr<Policy> (*make)(const PolicyContext&);
  // The environment family it needs ("rating_log"), or "" for any environment.
  std::string_view needs = "";
};

// The baselines' factories (the catalogue, rlrec/catalog/catalog.h, lists them with their names):
// random, myopic, quality_oracle, softmax_myopic, biased_softmax.
std::unique_ptr<Policy> make_random(const PolicyContext& ctx);
std::unique_ptr<Policy> make_myopic(const PolicyContext& ctx);
std::unique_ptr<Policy> make_quality_oracle(const PolicyContext& ctx);
std::unique_ptr<Policy> make_softmax_myopic(const PolicyContext& ctx);
// A baseline's [policy] section with every key at its default (`name = NAME` and, for
// softmax_myopic and biased_softmax, temperature and bias), as TOML.
std::string policy_defaults(std::string_view name);
std::unique_ptr<Policy> make_biased_softmax(const PolicyContext& ctx);

// A uniform random slate: K distinct positions out of N in uniformly random order (Floyd's
// algorithm, then a shuffle). O(K^2); draws from rng.
void random_slate(Rng& rng, int n, int k, int32_t* slate);

// Top-k positions by score, best first; ties broken by lower position. scores has n entries,
// out receives k <= n positions. Uses O(n) scratch in `scratch`.
void top_k_positions(const double* scores, int n, int k, int32_t* out,
                     std::vector<int32_t>& scratch);

}  // namespace rlrec::sim
