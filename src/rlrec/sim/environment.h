// Environment: one kind of simulated recommendation session (RecSim's environment), holding the
// per-user session state of `batch` independent users ("slots"). VectorEnv (vector_env.h) drives
// it.
//
// Vocabulary: an *item* has an id and a feature vector; the *candidates* are the items a slate may
// be chosen from this step; a *slate* is K distinct positions into the candidates, in display
// order; the user's *choice* is one slot or nothing; a *response* is a per-slot row of numbers
// named by EnvSpec::response_fields; an *episode* is one user session; a *step* is one slate shown.
//
// Candidates come in two modes:
//   * fresh items (corpus_size == 0, RecSim's default): each step (or each episode) new items are
//     drawn; their features are written into the observation buffers;
//   * fixed corpus (corpus_size == M > 0): a catalogue of M items with dense features is created
//   once
//     per seed; candidates are item ids into it (all M items when num_candidates == M, else a
//     per-step sample) and agents read catalogue features instead of copied features.
//
// Buffers: between calls a slot's buffers hold what the environment last wrote there (VectorEnv
// owns them and hands out read-only views), so a step may rewrite only what changed.
//
// Thread-safety: reset/step for *different* slots may run concurrently; everything else is const.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/core/matrix_view.h"
#include "rlrec/core/rng.h"
#include "rlrec/sim/choice_model.h"

namespace rlrec::sim {

struct EnvSpec {
  std::string name;
  int num_candidates = 0;  // N
  int slate_size = 0;      // K
  int user_dim = 0;        // observed user features per user (may be 0: nothing observed)
  int item_dim = 0;        // features per item
  std::vector<std::string> response_fields;  // per-slot response columns, e.g. click, watch_time
  std::string reward;       // what the reward measures, e.g. "watch_time", "clicks"
  int64_t corpus_size = 0;  // 0: fresh items; M > 0: fixed catalogue of M items
  int max_steps = 0;        // episodes are truncated after this many steps
  // > 0: the last history_length floats of each user observation are the ids of the user's most
  // recent items, oldest first (-1: none yet); the first user_dim - history_length floats are the
  // user's features. 0: the observation carries no item history.
  int history_length = 0;
  // Observation ranges (checked by the spec tests).
  float user_low = 0, user_high = 0, item_low = 0, item_high = 0;

  int response_dim() const { return static_cast<int>(response_fields.size()); }
  bool candidates_are_catalogue() const { return corpus_size > 0 && num_candidates == corpus_size; }
  bool fixed_corpus() const { return corpus_size > 0; }
};

// A fixed catalogue of items, created once per seed (fixed-corpus mode).
struct Catalogue {
  Matrix<float> features;      // M x item_dim
  std::vector<float> quality;  // M hidden qualities (privileged)
  std::vector<int32_t> topic;  // M topics (cluster ids)
  uint64_t fingerprint = 0;    // identifies (env, seed, size, features); an index built for
                               // another catalogue is rejected by comparing fingerprints
  int64_t size() const { return static_cast<int64_t>(features.rows()); }
};

// Row `slot` of the VectorEnv's output buffers; the environment writes into them.
struct SlotBuffers {
  float* user = nullptr;                // user_dim
  int64_t* candidate_ids = nullptr;     // N; nullptr when candidates are the whole catalogue
  float* candidate_features = nullptr;  // N x item_dim; nullptr in fixed-corpus mode
  float* candidate_quality =
      nullptr;                 // N hidden qualities (privileged); nullptr if whole catalogue
  float* responses = nullptr;  // K x response_dim (step only)
};

struct StepOutcome {
  double reward = 0;
  int choice = -1;          // chosen slot in [0, K), or -1 for no choice
  bool terminated = false;  // the session ended by the user model's own rule
};

// The whole batch of one VectorEnv step, for Environment::step_slots: the inputs, the VectorEnv's
// output buffers (row b belongs to slot b; a pointer is nullptr where SlotBuffers' is) and the
// per-slot outcome arrays the environment fills.
struct StepBatch {
  const int32_t* slates = nullptr;  // batch x K, already checked
  const uint8_t* active = nullptr;  // batch flags; nullptr: every slot
  Rng* rngs = nullptr;              // batch: the slots' environment streams
  float* user = nullptr;
  int64_t* candidate_ids = nullptr;
  float* candidate_features = nullptr;
  float* candidate_quality = nullptr;
  float* responses = nullptr;
  double* reward = nullptr;       // batch
  int32_t* choice = nullptr;      // batch: slot in [0, K) or -1
  uint8_t* terminated = nullptr;  // batch

  bool is_active(size_t b) const { return active == nullptr || active[b] != 0; }
  SlotBuffers slot(size_t b, const EnvSpec& s) const {
    const size_t N = s.num_candidates;
    SlotBuffers o;
    o.user = user + b * s.user_dim;
    if (candidate_ids) o.candidate_ids = candidate_ids + b * N;
    if (candidate_quality) o.candidate_quality = candidate_quality + b * N;
    if (candidate_features) o.candidate_features = candidate_features + b * N * s.item_dim;
    o.responses = responses + b * s.slate_size * s.response_dim();
    return o;
  }
};

class Environment {
 public:
  virtual ~Environment() = default;
  virtual const EnvSpec& spec() const = 0;
  // Allocates session state for `batch` slots (called once by VectorEnv).
  virtual void set_batch(int batch) = 0;
  // Starts a new user session in `slot`: samples the user (and candidates) and fills the buffers.
  virtual void reset(int slot, Rng& rng, const SlotBuffers& out) = 0;
  // Shows `slate` (K valid distinct positions, already checked) to the user in `slot`: samples the
  // choice, writes responses, updates the user, refreshes candidates and the user observation.
  virtual StepOutcome step(int slot, const int32_t* slate, Rng& rng, const SlotBuffers& out) = 0;
  // Steps every active slot b in [begin, end) as step(b, slates + b*K, rngs[b], slot buffers) and
  // writes its outcome into reward[b], choice[b], terminated[b]. The default calls step() per slot;
  // an environment overrides it to keep the per-slot loop free of virtual calls (same results).
  virtual void step_slots(const StepBatch& batch, int begin, int end);
  // The user model's choice model and the score it feeds it, as computable from an observation:
  // observed_score(user observation row, item feature row). Myopic policies and SlateQ use both.
  virtual const ChoiceModel& choice_model() const = 0;
  virtual double observed_score(const float* user, const float* item) const = 0;
  // The fixed catalogue, or nullptr in fresh-items mode.
  virtual const Catalogue* catalogue() const { return nullptr; }
};

// One line of the environment table (the catalogue, rlrec/catalog/catalog.h, holds the table).
struct EnvEntry {
  std::string_view name;
  std::string_view description;
  // Reads the [env] section of cfg (unknown keys rejected), validates, builds. `seed` seeds the
  // catalogue in fixed-corpus mode (user sessions get their streams from VectorEnv).
  std::unique_ptr<Environment> (*make)(const Config& cfg, uint64_t seed);
  // The [env] section with every default, as TOML.
  std::string (*defaults)();
  // "recsim" (the simulators of sim/) or "rating_log" (datasim/: needs env.data, a rating file).
  std::string_view family;
};

}  // namespace rlrec::sim
