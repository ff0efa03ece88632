// Stratified scheduling for parallel, deterministic SGD (internal to models/).
//
// Gemulla, Nijkamp, Haas, Sismanis, "Large-scale matrix factorization with distributed stochastic
// gradient descent", KDD 2011 (DSGD). Users and items are split into B blocks each; the B x B grid
// of cells is covered by B strata, stratum s holding the cells (b, (b + sigma(s)) mod B) for
// b = 0..B-1. Cells of one stratum share no user and no item, so they are processed in parallel
// without locks and the result equals processing them one after another: an epoch is a sequential
// SGD pass in a fixed (seeded) order whatever the thread count.
//
// Deviation from the paper: the user and item blocks are redrawn at random every epoch (the paper
// fixes them) so that over epochs every pair of items can share a block, which BPR's
// same-block negative sampling relies on (bpr.h).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "rlrec/core/thread_pool.h"

namespace rlrec::models {

class Strata {
 public:
  struct Cell {
    std::span<const uint32_t> rows;  // input row indices in this cell, shuffled
    std::span<const int32_t> items;  // every item of the cell's item block
    uint64_t key = 0;                // a stream key unique to (seed, epoch, cell)
    int index = 0;                   // cell id in [0, B*B): user block * B + item block
  };

  // Rows r < user.size() are the pairs (user[r], item[r]). blocks >= 1.
  Strata(std::span<const int32_t> user, std::span<const int32_t> item, int32_t num_users,
         int32_t num_items, int blocks);

  // Redraws the blocks and the order of rows within cells and of strata, for this epoch.
  void shuffle(uint64_t seed, int epoch);

  // Runs the B strata in order; the B cells of a stratum in parallel on `pool`.
  void run(ThreadPool& pool, const std::function<void(const Cell&)>& fn) const;

  int blocks() const { return blocks_; }

 private:
  std::span<const int32_t> user_, item_;
  int32_t num_users_, num_items_;
  int blocks_;
  std::vector<int32_t> user_perm_, item_perm_;  // permutation; block b = a contiguous segment
  std::vector<int32_t> user_block_, item_block_;
  std::vector<int64_t> cell_start_;  // B*B + 1 offsets into rows_
  std::vector<uint32_t> rows_;
  std::vector<int> strata_order_;
  uint64_t epoch_key_ = 0;
};

}  // namespace rlrec::models
