// Open Bandit Dataset (OBD) loader: logged bandit feedback with true propensity scores, and the
// item context table. Data: Saito, Aihara, Matsutani, Narita, "Open Bandit Dataset and Pipeline:
// Towards Realistic and Reproducible Off-Policy Evaluation", arXiv:2008.07146 (NeurIPS 2021 D&B).
//
// Files (as published under obd/<behavior policy>/<campaign>/):
//   <campaign>.csv      header
//   `,timestamp,item_id,position,click,propensity_score,user_feature_0..,
//                       user-item_affinity_0..`; one row per impression. The first (unnamed) column
//                       is a pandas row index and is ignored. timestamp is ISO 8601 with an offset
//                       ("2019-11-24 00:03:13.442536+00:00"); position is 1..3 (left, centre,
//                       right).
//   item_context.csv    header `,item_id,item_feature_0,...`; one row per item, item ids 0..n-1.
// Columns are found by name, so their order does not matter; unknown columns are listed in
// BanditLog::ignored_columns (not silently lost).
//
// Validation (a failing row is "path:line: problem", or skipped and counted with skip_malformed):
//   item_id is an integer with a row in item_context; position is an integer in 1..num_positions;
//   click is 0 or 1; propensity_score is a number in (0, 1]; the timestamp parses; user features
//   are non-empty; affinities are finite numbers. There must be exactly one affinity column per
//   item of item_context (user-item_affinity_<j> for item j). Item context: item ids are exactly
//   0..n-1 (any order, each once).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/core/matrix_view.h"
#include "rlrec/data/interactions.h"
#include "rlrec/data/loaders.h"

namespace rlrec::data {

// Item features, one row per item id (row j describes item j).
// A column is numeric if every value is a finite number, otherwise categorical (its values, e.g.
// OBD's hashed strings, are indexed 0..k-1 in order of first appearance).
struct ItemContext {
  std::vector<std::string> numeric_names;      // e.g. {"item_feature_0"}
  Matrix<float> numeric;                       // num_items x numeric_names.size()
  std::vector<std::string> categorical_names;  // e.g. {"item_feature_1", ...}
  Matrix<int32_t> categorical;                 // num_items x categorical_names.size(), codes
  std::vector<IdMap> categorical_values;       // per categorical column: code <-> original string
  int32_t num_items = 0;
};

// The logged feedback: one round (impression) per row, parallel columns of length size().
struct BanditLog {
  std::vector<int64_t> timestamp_us;  // microseconds since 1970-01-01 UTC
  std::vector<int32_t> item;          // the action: item id, 0..items.num_items-1
  std::vector<int32_t> position;      // 0-based slot: file position - 1 (0 left, 1 centre, 2 right)
  std::vector<int8_t> click;          // the reward, 0 or 1
  std::vector<double> propensity;     // the behaviour policy's probability of the logged action
  std::vector<std::string> user_feature_names;  // e.g. {"user_feature_0", ..., "user_feature_3"}
  Matrix<int32_t> user_features;                // size() x user_feature_names.size(), codes
  std::vector<IdMap> user_feature_values;       // per user feature: code <-> hashed string
  Matrix<float> affinity;                       // size() x items.num_items: user-item affinity
  ItemContext items;
  int num_positions = 3;
  std::vector<std::string> ignored_columns;  // header names not used (besides the index column)

  size_t size() const { return item.size(); }
};

struct BanditLoadOptions {
  int num_positions = 3;        // valid file positions are 1..num_positions
  bool skip_malformed = false;  // skip and count malformed rows instead of throwing
};

// Reads the item context table alone.
ItemContext load_item_context(const std::string& path);

// Reads the logged feedback and its item context, validated as described above.
BanditLog load_open_bandit(const std::string& csv_path, const std::string& item_context_path,
                           const BanditLoadOptions& options = {}, LoadReport* report = nullptr);

// The OBD directory layout: <root>/<behavior_policy>/<campaign>/<campaign>.csv and
// item_context.csv. behavior_policy: "random" or "bts"; campaign: "all", "men" or "women".
BanditLog load_open_bandit_campaign(const std::string& root, std::string_view behavior_policy,
                                    std::string_view campaign,
                                    const BanditLoadOptions& options = {},
                                    LoadReport* report = nullptr);

}  // namespace rlrec::data
