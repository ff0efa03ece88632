// ReplayBuffer: a ring buffer of transitions stored as named fixed-width float columns (structure
// of arrays), with uniform sampling from an Rng. Torch-free; agents copy sampled rows into tensors.
//
// Each agent declares its columns once, e.g. {{"user", 20}, {"item", 20}, {"reward", 1}, ...}.
// add() returns the row to fill (overwriting the oldest row when full). Deterministic: the same
// sequence of add() and sample() calls with the same Rng gives the same indices.
// save()/load() write/read a binary file with a header (magic, version, columns, capacity, size);
// load() rejects a file whose columns or capacity differ (kInvalidArgument) or that is truncated
// or malformed (kCorrupt).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "rlrec/core/check.h"
#include "rlrec/core/rng.h"

namespace rlrec::agents {

class ReplayBuffer {
 public:
  struct Column {
    std::string name;
    int width;
  };
  ReplayBuffer(int64_t capacity, std::vector<Column> columns);

  int64_t capacity() const { return capacity_; }
  int64_t size() const { return size_; }
  int column(const std::string& name) const;  // index of a column; RLREC_CHECK if unknown
  int width(int col) const { return columns_[col].width; }

  // Reserves the next row and returns its index.
  int64_t add();
  float* row(int col, int64_t index) { return data_[col].data() + index * columns_[col].width; }
  const float* row(int col, int64_t index) const {
    return data_[col].data() + index * columns_[col].width;
  }

  // Copies v (at most width(col) floats) to the start of row `index` of column col; a shorter v
  // (e.g. a terminal transition's empty next state) leaves the rest of the row as it was. value:
  // a width-1 column.
  void put(int col, int64_t index, const std::vector<float>& v) {
    RLREC_CHECK(static_cast<int64_t>(v.size()) <= columns_[col].width, "replay row of ", v.size(),
                " floats for a column of width ", columns_[col].width);
    std::copy(v.begin(), v.end(), row(col, index));
  }
  void put(int col, int64_t index, float value) { row(col, index)[0] = value; }
  // Rows idx of column col, one after another, to out (idx.size() x width(col) floats).
  void gather(int col, const std::vector<int64_t>& idx, float* out) const {
    const int w = columns_[col].width;
    for (size_t j = 0; j < idx.size(); ++j)
      std::copy(row(col, idx[j]), row(col, idx[j]) + w, out + j * w);
  }

  // `n` indices drawn uniformly with replacement from the stored rows. Requires size() > 0.
  void sample(int n, Rng& rng, std::vector<int64_t>& out) const;

  void save(const std::string& path) const;
  void load(const std::string& path);

 private:
  int64_t capacity_, size_ = 0, next_ = 0;
  std::vector<Column> columns_;
  std::vector<std::vector<float>> data_;
};

// Proportional prioritized replay (Schaul, Quan, Antonoglou, Silver, "Prioritized Experience
// Replay", ICLR 2016), beside a ReplayBuffer whose row indices it shares:
//   P(j) = p_j / Σ_k p_k,   p_j = (|δ_j| + 1e-6)^α after an update, new rows get max_j p_j (1 at
//   first, so every transition is replayed at least once);
//   importance weights w_j = (N P(j))^-β / max_{sampled} w  (N = stored rows; β constant).
// sample() is stratified: the total priority is cut into n equal segments and one index is drawn
// uniformly by priority mass inside each (one rng.uniform() per index), via a sum tree (O(log N)).
// α = 0 gives uniform probabilities (but still stratified draws); β = 0 gives weights 1.
class SumTree {
 public:
  explicit SumTree(int64_t capacity);
  void set(int64_t i, double p);
  double get(int64_t i) const { return tree_[static_cast<size_t>(i + cap_)]; }
  double total() const { return tree_[1]; }
  // The leaf i with prefix(i) <= x < prefix(i) + p_i (prefix: the sum of the leaves before i);
  // leaves of zero priority are skipped.
  int64_t find(double x) const;

 private:
  int64_t cap_;
  std::vector<double> tree_;
};

class PrioritizedSampler {
 public:
  PrioritizedSampler(const ReplayBuffer& replay, double alpha, double beta);

  // A row was just added (ReplayBuffer::add() returned `index`): it gets the maximum priority.
  void added(int64_t index) { tree_.set(index, max_priority_); }
  // n indices by priority and their importance weights. Requires a non-empty replay.
  void sample(int n, Rng& rng, std::vector<int64_t>& idx, std::vector<double>& weights) const;
  // New priorities from the absolute TD errors of the sampled rows.
  void update(const std::vector<int64_t>& idx, const float* abs_td);

  double priority(int64_t i) const { return tree_.get(i); }
  double probability(int64_t i) const { return tree_.get(i) / tree_.total(); }
  double max_priority() const { return max_priority_; }

  // Text file: "capacity max_priority", then one priority per stored row (17 digits).
  void save(const std::string& path) const;
  void load(const std::string& path);  // after the replay's load (reads its size)

 private:
  const ReplayBuffer* replay_;
  double alpha_, beta_;
  SumTree tree_;
  double max_priority_ = 1.0;
};

// ε for ε-greedy exploration, counted in environment steps: 1.0 during the warm-up, then linear
// down to `final_value` over `decay_steps`, then constant.
struct LinearSchedule {
  int64_t warmup_steps = 0;
  int64_t decay_steps = 1;
  double initial_value = 1.0;
  double final_value = 0.01;
  double value(int64_t step) const {
    if (step < warmup_steps) return initial_value;
    const double t = static_cast<double>(step - warmup_steps) / static_cast<double>(decay_steps);
    return t >= 1 ? final_value : initial_value + (final_value - initial_value) * t;
  }
};

}  // namespace rlrec::agents
