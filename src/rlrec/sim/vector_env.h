// VectorEnv: steps a batch of B independent user sessions of one Environment per call, over a
// thread pool, into preallocated row-major buffers (EnvPool-style; Gymnasium semantics).
//
// Episodes: reset(slot, episode) starts episode number `episode` in a slot; its random stream is
// Rng(seed, episode), so an episode's trajectory depends only on (seed, episode, the slates shown),
// never on the batch size, the slot or the thread count.
// step(slates, active): validates every active slate first (K distinct positions in [0, N); a bad
// slate throws rlrec::Error naming the slot and position, and nothing is stepped), then steps the
// active slots. After a step: reward, terminated (the user model ended the session), truncated
// (the episode reached env.max_steps without terminating), choice and responses per slot; the
// observation is the next state (for a finished slot: its final state). There is no auto-reset: the
// caller resets finished slots (so learning agents can read the final observation first).
// No heap allocation per step in the hot loop.
//
// Thread-safety: not thread-safe; one caller drives it. The pool is used inside step/reset_all.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "rlrec/core/matrix_view.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/sim/environment.h"

namespace rlrec::sim {

// What a policy sees for a batch of users. Pointers are valid until the next step/reset.
struct Observation {
  int batch = 0, num_candidates = 0, slate_size = 0, user_dim = 0, item_dim = 0;
  const float* user = nullptr;                // batch x user_dim
  const int64_t* candidate_ids = nullptr;     // batch x N; nullptr: candidates are the whole
                                              // catalogue and position == item id
  const float* candidate_features = nullptr;  // batch x N x item_dim; nullptr in fixed-corpus mode
  const Catalogue* catalogue = nullptr;       // fixed-corpus mode: features of item ids
  const uint8_t* active = nullptr;            // batch flags; nullptr: all rows active
  // Privileged (hidden) information, for oracle policies only: quality of each candidate.
  const float* candidate_quality =
      nullptr;  // batch x N, or nullptr when candidates are the catalogue
  // The session so far (as RecSim's observation carries the last response): steps taken in the
  // episode, the previous step's per-slot responses (batch x K x response_dim; zeros at the start)
  // and its choice (slot, or -1 for none / at the start).
  int response_dim = 0;
  const int32_t* episode_step = nullptr;  // batch
  const float* last_responses = nullptr;  // batch x (K * response_dim)
  const int32_t* last_choice = nullptr;   // batch

  bool is_active(int b) const { return active == nullptr || active[b] != 0; }
  const float* user_row(int b) const { return user + static_cast<size_t>(b) * user_dim; }
  const float* last_response_row(int b) const {
    return last_responses + static_cast<size_t>(b) * slate_size * response_dim;
  }
  int64_t item_id(int b, int pos) const {
    return candidate_ids ? candidate_ids[static_cast<size_t>(b) * num_candidates + pos] : pos;
  }
  const float* item_features(int b, int pos) const {
    if (candidate_features)
      return candidate_features + (static_cast<size_t>(b) * num_candidates + pos) * item_dim;
    return catalogue->features.row(item_id(b, pos));
  }
  float hidden_quality(int b, int pos) const {
    if (candidate_quality) return candidate_quality[static_cast<size_t>(b) * num_candidates + pos];
    return catalogue->quality[item_id(b, pos)];
  }
};

class VectorEnv {
 public:
  // pool may be nullptr (single-threaded). The env's set_batch(batch) is called here.
  VectorEnv(std::unique_ptr<Environment> env, int batch, uint64_t seed, ThreadPool* pool = nullptr);

  const EnvSpec& spec() const { return env_->spec(); }
  Environment& env() { return *env_; }
  const Environment& env() const { return *env_; }
  int batch() const { return batch_; }
  uint64_t seed() const { return seed_; }

  // Starts episode `episode` in `slot`.
  void reset(int slot, uint64_t episode);
  // Starts episodes first_episode + b in every slot b (in parallel).
  void reset_all(uint64_t first_episode);

  // slates: batch x K positions (row-major); active: batch flags or nullptr for all.
  void step(const int32_t* slates, const uint8_t* active = nullptr);
  // Throws rlrec::Error if row b's slate is invalid.
  void check_slate(int b, const int32_t* slate) const;

  Observation observation(const uint8_t* active = nullptr) const;
  const double* rewards() const { return rewards_.data(); }
  const uint8_t* terminated() const { return terminated_.data(); }
  const uint8_t* truncated() const { return truncated_.data(); }
  const int32_t* choices() const { return choices_.data(); }  // slot in [0,K) or -1
  MatrixView<const float> responses() const {                 // batch x (K * response_dim)
    return {responses_.data(), static_cast<size_t>(batch_),
            static_cast<size_t>(spec().slate_size * spec().response_dim())};
  }
  int episode_step(int slot) const { return steps_[slot]; }
  uint64_t episode(int slot) const { return episode_[slot]; }
  bool done(int slot) const { return terminated_[slot] || truncated_[slot]; }

 private:
  SlotBuffers buffers(int slot);

  std::unique_ptr<Environment> env_;
  int batch_;
  uint64_t seed_;
  ThreadPool* pool_;
  int N_, K_;
  bool ids_present_, features_present_, quality_present_;
  std::vector<float> user_, features_, quality_, responses_;
  std::vector<int64_t> ids_;
  std::vector<double> rewards_;
  std::vector<uint8_t> terminated_, truncated_;
  std::vector<int32_t> choices_, steps_;
  std::vector<uint64_t> episode_;
  std::vector<Rng> rngs_;
};

}  // namespace rlrec::sim
