// The session histories of the agents (torch-free):
//   SessionHistory  counts and sums of the session so far (value-based agents: SlateQ,
//                   Wolpertinger, through kit.h's UserState);
//   RecentItems     the feature vectors of the last n items of a session (DRR: positively rated
//                   items; TopK REINFORCE: consumed items), oldest first.
//
// SessionHistory: statistics of the session so far, appended to the user observation so that
// value-based agents see a Markov state. The analogue of RecSim's ClusterClickStatsLayer (which
// adds per-cluster impression and click counts to the observation).
//
// In interest_evolution the user's time budget is hidden, but it is a linear function of these
// statistics (budget = 200 - Σ watch_time + 0.265 Σ watch_time·quality - 0.5 #no-click steps, with
// watch_time = 4 for all clicks but the last), so an agent with them can value long sessions.
//
// Features of row b (all divided by `scale`): [steps so far, steps without a choice,
// Σ over past steps of each response field of the chosen slot]. Torch-free.
#pragma once

#include <algorithm>
#include <vector>

#include "rlrec/sim/vector_env.h"

namespace rlrec::agents {

class SessionHistory {
 public:
  SessionHistory(int slate_size, int response_dim, double scale = 100.0)
      : K_(slate_size), R_(response_dim), inv_scale_(1.0 / scale) {}

  int dim() const { return 2 + R_; }

  // Call once per act() for each active row: resets at the start of an episode, otherwise adds the
  // previous step's outcome (obs.last_choice, obs.last_responses).
  void advance(const sim::Observation& obs, int b) {
    ensure(b);
    float* h = &features_[static_cast<size_t>(b) * dim()];
    if (obs.episode_step[b] == 0) {
      std::fill(h, h + dim(), 0.f);
      return;
    }
    add_outcome(h, obs.last_choice[b], obs.last_response_row(b));
  }

  const float* features(int b) const { return &features_[static_cast<size_t>(b) * dim()]; }

  // The features after this step's outcome (for the next state s'), without changing row b.
  void next_features(int b, int choice, const float* responses, float* out) const {
    std::copy(features(b), features(b) + dim(), out);
    add_outcome(out, choice, responses);
  }

 private:
  void ensure(int b) {
    if (static_cast<int>(features_.size()) < (b + 1) * dim())
      features_.resize(static_cast<size_t>(b + 1) * dim(), 0.f);
  }
  void add_outcome(float* h, int choice, const float* responses) const {
    h[0] += static_cast<float>(inv_scale_);
    if (choice < 0) {
      h[1] += static_cast<float>(inv_scale_);
      return;
    }
    const float* r = responses + static_cast<size_t>(choice) * R_;
    for (int f = 0; f < R_; ++f) h[2 + f] += static_cast<float>(r[f] * inv_scale_);
  }

  int K_, R_;
  double inv_scale_;
  std::vector<float> features_;
};

// The last `capacity` item vectors (dim floats each) of a session, oldest first. push() drops the
// oldest when full. padded() is the fixed-size view: capacity x dim with zero vectors for the
// missing oldest entries; items() the size() stored ones.
class RecentItems {
 public:
  RecentItems() = default;
  RecentItems(int capacity, int dim)
      : cap_(capacity), dim_(dim), buf_(static_cast<size_t>(capacity) * dim, 0.f) {}

  int capacity() const { return cap_; }
  int dim() const { return dim_; }
  int size() const { return count_; }

  void clear() {
    std::fill(buf_.begin(), buf_.end(), 0.f);
    count_ = 0;
  }
  void push(const float* e) {
    if (cap_ == 0) return;
    std::copy(buf_.begin() + dim_, buf_.end(), buf_.begin());
    std::copy(e, e + dim_, buf_.end() - dim_);
    count_ = std::min(count_ + 1, cap_);
  }
  const float* padded() const { return buf_.data(); }
  const float* items() const { return buf_.data() + static_cast<size_t>(cap_ - count_) * dim_; }

 private:
  int cap_ = 0, dim_ = 0, count_ = 0;
  std::vector<float> buf_;  // the leading (capacity - size) x dim entries stay zero
};

}  // namespace rlrec::agents
