#include "rlrec/models/strata.h"

#include <numeric>

#include "rlrec/core/check.h"
#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"

namespace rlrec::models {

namespace {

template <class T>
void shuffle_in_place(T* a, size_t n, Rng& rng) {
  for (size_t i = n; i > 1; --i) std::swap(a[i - 1], a[rng.uniform_int(i)]);
}

// Segment b of n elements split into B near-equal parts.
std::pair<int64_t, int64_t> segment(int64_t n, int B, int b) {
  return {n * b / B, n * (b + 1) / B};
}

}  // namespace

Strata::Strata(std::span<const int32_t> user, std::span<const int32_t> item, int32_t num_users,
               int32_t num_items, int blocks)
    : user_(user), item_(item), num_users_(num_users), num_items_(num_items), blocks_(blocks) {
  RLREC_CHECK(user.size() == item.size(), "user and item columns differ in length");
  RLREC_CHECK(blocks >= 1, "blocks must be >= 1");
  if (user.size() >= (uint64_t{1} << 32))
    invalid_argument("stratified SGD supports fewer than 2^32 interactions, got ", user.size());
  user_perm_.resize(num_users);
  item_perm_.resize(num_items);
  user_block_.resize(num_users);
  item_block_.resize(num_items);
  cell_start_.resize(static_cast<size_t>(blocks) * blocks + 1);
  rows_.resize(user.size());
  strata_order_.resize(blocks);
}

void Strata::shuffle(uint64_t seed, int epoch) {
  const int B = blocks_;
  epoch_key_ = combine_keys(combine_keys(seed, hash_name("strata")), static_cast<uint64_t>(epoch));
  Rng rng(epoch_key_, 0);
  std::iota(user_perm_.begin(), user_perm_.end(), 0);
  std::iota(item_perm_.begin(), item_perm_.end(), 0);
  shuffle_in_place(user_perm_.data(), user_perm_.size(), rng);
  shuffle_in_place(item_perm_.data(), item_perm_.size(), rng);
  for (int b = 0; b < B; ++b) {
    auto [ul, uh] = segment(num_users_, B, b);
    for (int64_t p = ul; p < uh; ++p) user_block_[user_perm_[p]] = b;
    auto [il, ih] = segment(num_items_, B, b);
    for (int64_t p = il; p < ih; ++p) item_block_[item_perm_[p]] = b;
  }
  std::iota(strata_order_.begin(), strata_order_.end(), 0);
  shuffle_in_place(strata_order_.data(), strata_order_.size(), rng);

  // Counting sort of rows into cells (stable), then a shuffle inside each cell.
  std::fill(cell_start_.begin(), cell_start_.end(), 0);
  const size_t n = user_.size();
  auto cell_of = [&](size_t r) { return user_block_[user_[r]] * B + item_block_[item_[r]]; };
  for (size_t r = 0; r < n; ++r) ++cell_start_[cell_of(r) + 1];
  std::partial_sum(cell_start_.begin(), cell_start_.end(), cell_start_.begin());
  std::vector<int64_t> next(cell_start_.begin(), cell_start_.end() - 1);
  for (size_t r = 0; r < n; ++r) rows_[next[cell_of(r)]++] = static_cast<uint32_t>(r);
  for (int c = 0; c < B * B; ++c) {
    Rng cell_rng(epoch_key_, 1 + static_cast<uint64_t>(c));
    shuffle_in_place(rows_.data() + cell_start_[c], cell_start_[c + 1] - cell_start_[c], cell_rng);
  }
}

void Strata::run(ThreadPool& pool, const std::function<void(const Cell&)>& fn) const {
  const int B = blocks_;
  for (int s = 0; s < B; ++s) {
    const int shift = strata_order_[s];
    pool.parallel_for(B, [&](size_t lo, size_t hi) {
      for (size_t b = lo; b < hi; ++b) {
        const int ib = static_cast<int>((b + shift) % B);
        const int c = static_cast<int>(b) * B + ib;
        auto [il, ih] = segment(num_items_, B, ib);
        Cell cell;
        cell.rows = {rows_.data() + cell_start_[c],
                     static_cast<size_t>(cell_start_[c + 1] - cell_start_[c])};
        cell.items = {item_perm_.data() + il, static_cast<size_t>(ih - il)};
        cell.index = c;
        cell.key = combine_keys(epoch_key_, 1000003 + static_cast<uint64_t>(c));
        fn(cell);
      }
    });
  }
}

}  // namespace rlrec::models
