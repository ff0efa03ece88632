// MfModel: a trained matrix-factorization model as plain data (user/item factors and biases with
// the original ids) plus scoring and a documented on-disk format. Every trainer (biased_sgd, als,
// bpr) produces one; later modules read it for item embeddings (kNN actions, DRR state) and as a
// rating simulator.
//
// Scores. score(u, i) = global_bias + user_bias[u] + item_bias[i] + <P[u], Q[i]>, where a missing
// bias vector counts as 0 (ALS has none; BPR has item biases only). predict(u, i) is score(u, i)
// clipped to [min_rating, max_rating] when `clip` is set (explicit models: a rating on the train
// scale); ranking uses the unclipped score so that clipping cannot create ties.
//
// Ids. users/items are the train log's IdMaps: dense id d <-> original id string. Data from another
// file must be mapped through them (data::align_to, or map_items below), never used by dense id.
//
// On-disk format (directory, written by save, read by load; all files written to a temporary name
// and renamed, the header last):
//   mf_model.txt      text header, one "key = value" per line after the magic line "rlrec-mf 1":
//                       kind, factors, num_users, num_items, global_bias, user_bias (yes/no),
//                       item_bias (yes/no), clip (yes/no), min_rating, max_rating
//   user_ids.txt      num_users lines: original user id of dense id 0, 1, ...
//   item_ids.txt      num_items lines: original item id of dense id 0, 1, ...
//   user_factors.f32  num_users x factors float32, little-endian, row-major (no header)
//   item_factors.f32  num_items x factors float32, little-endian, row-major
//   user_bias.f32     num_users float32 (only when user_bias = yes)
//   item_bias.f32     num_items float32 (only when item_bias = yes)
//   config.toml       the training configuration (informational; only when known)
//   manifest.json     every file above with its size and FNV-1a 64 checksum (core/manifest.h),
//                     written last
// load() verifies the manifest first (a flipped byte anywhere is reported as corrupt, naming the
// file), then checks every size against the header; errors are rlrec::Error(kCorrupt) naming the
// file. A directory without manifest.json (older rlrec) is rejected: fit the model again.
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rlrec/core/matrix_view.h"
#include "rlrec/data/interactions.h"

namespace rlrec::models {

struct MfModel {
  std::string kind;              // registry name of the trainer: "biased_sgd", "als", "bpr"
  Matrix<float> user_factors;    // num_users x factors, row-major
  Matrix<float> item_factors;    // num_items x factors, row-major
  std::vector<float> user_bias;  // num_users, or empty (no user bias)
  std::vector<float> item_bias;  // num_items, or empty (no item bias)
  float global_bias = 0;         // mu (explicit models: the train mean rating)
  bool clip = false;             // predict() clips to [min_rating, max_rating]
  float min_rating = 0, max_rating = 0;
  data::IdMap users, items;  // dense <-> original ids of the train log
  std::string config_toml;   // the training config (saved as config.toml when non-empty)

  int32_t num_users() const { return static_cast<int32_t>(user_factors.rows()); }
  int32_t num_items() const { return static_cast<int32_t>(item_factors.rows()); }
  int factors() const { return static_cast<int>(item_factors.cols()); }
  // n x factors, row-major views (the embedding tables).
  MatrixView<const float> user_view() const { return user_factors.view(); }
  MatrixView<const float> item_view() const { return item_factors.view(); }

  // Ranking score of dense ids (u, i); throws rlrec::Error for ids out of range.
  float score(int32_t user, int32_t item) const;
  // Rating prediction: score clipped to [min_rating, max_rating] when clip is set.
  float predict(int32_t user, int32_t item) const;
  // out[i] = score(user, i) for every item; out.size() must be num_items().
  void score_items(int32_t user, std::span<float> out) const;
  // out(r, i) = score(users[r], i); out is users.size() x num_items(). One matrix product, so rows
  // may differ from score_items() in the last bits.
  void score_block(std::span<const int32_t> users, MatrixView<float> out) const;

  // For each dense item id of `other`, this model's dense id of the same original id, or -1.
  std::vector<int32_t> map_items(const data::IdMap& other) const;
  // Throws rlrec::Error(kInvalidArgument) unless `other` lists exactly this model's items in the
  // same order ("MF model was trained on a different item set: ..."); `what` names the other side.
  void check_same_items(const data::IdMap& other, std::string_view what) const;

  // Shapes consistent (factors, biases, ids); throws kCorrupt naming `where` otherwise.
  void validate(std::string_view where) const;

  static constexpr int kManifestFormat = 1;
  void save(const std::string& dir) const;
  static MfModel load(const std::string& dir);
};

}  // namespace rlrec::models
