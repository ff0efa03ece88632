// TopK: streaming selection of the k best (score, position) pairs (internal header of rlrec_index).
//
// Order: higher score first; equal scores by lower position (positions are unique, so the order is
// total and the result does not depend on the order candidates arrive in). A NaN score ranks below
// every number.
//
// Method: a reservoir of capacity k + max(k, 64). Candidates that beat the current threshold (the
// k-th best kept after the last compaction) are appended; when the reservoir is full,
// std::nth_element keeps the k best and raises the threshold. Each candidate is compared once
// against the threshold in the common case, so a scan over n scores costs O(n) plus
// O(k log k) to sort the result: cheaper than a binary heap for small k and usable for k up to the
// whole catalogue (faiss's ReservoirTopN follows the same idea).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace rlrec::index {

struct ScoredPos {
  float score;
  uint32_t pos;
};

inline bool better(const ScoredPos& a, const ScoredPos& b) {
  return a.score > b.score || (a.score == b.score && a.pos < b.pos);
}

class TopK {
 public:
  // Empties the selection and sets k (k >= 1).
  void reset(size_t k) {
    k_ = k;
    capacity_ = k + std::max<size_t>(k, 64);
    items_.clear();
    if (items_.capacity() < capacity_) items_.reserve(capacity_);
    threshold_ = {-std::numeric_limits<float>::infinity(), std::numeric_limits<uint32_t>::max()};
  }

  // Offers one candidate.
  void push(float score, uint32_t pos) {
    if (score < threshold_.score) return;  // the common rejection: one comparison
    push_slow(score, pos);
  }

  // Offers scores[0..n) at positions first_pos, first_pos + 1, ...
  void push_range(const float* scores, size_t n, uint32_t first_pos) {
    // Groups of 16 are tested branch-free (the compiler vectorises the test); almost every group
    // is rejected as a whole once the threshold has settled.
    size_t j = 0;
    for (; j + 16 <= n; j += 16) {
      const float t = threshold_.score;
      int any = 0;
      for (size_t l = 0; l < 16; ++l) any |= !(scores[j + l] < t);  // NaN: take the slow path
      if (!any) continue;
      for (size_t l = j; l < j + 16; ++l)
        if (!(scores[l] < threshold_.score))
          push_slow(scores[l], first_pos + static_cast<uint32_t>(l));
    }
    for (; j < n; ++j)
      if (!(scores[j] < threshold_.score))
        push_slow(scores[j], first_pos + static_cast<uint32_t>(j));
  }

  // The selection, best first (at most k entries; exactly k when >= k candidates were offered).
  // Leaves the TopK ready for reset().
  const std::vector<ScoredPos>& finish() {
    if (items_.size() > k_) compact();
    std::sort(items_.begin(), items_.end(), better);
    return items_;
  }

 private:
  void push_slow(float score, uint32_t pos) {
    if (std::isnan(score)) score = -std::numeric_limits<float>::infinity();
    const ScoredPos c{score, pos};
    if (!better(c, threshold_)) return;
    items_.push_back(c);
    if (items_.size() >= capacity_) compact();
  }

  // Keeps the k best and sets the threshold to the k-th best.
  void compact() {
    std::nth_element(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(k_ - 1),
                     items_.end(), better);
    threshold_ = items_[k_ - 1];
    items_.resize(k_);
  }

  size_t k_ = 1;
  size_t capacity_ = 0;
  std::vector<ScoredPos> items_;
  ScoredPos threshold_{};
};

}  // namespace rlrec::index
