// Matrix factorization as a library call (`rlrec mf fit` calls it; so will the Python package):
// train an MF model (models/mf.h: biased_sgd, als, bpr) on an interaction file, evaluate it on a
// test file or on a split of the train file, optionally save the embeddings. Typed options (the
// run keys of an [mf] section, read through visit()), a typed result and its JSON object.
//
// Evaluation protocol:
//   * Test rows whose user or item does not occur in the training data follow mf.unseen: `drop`
//     (default) removes and counts them, `error` stops at the first one. The counts are in the
//     result either way.
//   * Explicit models (biased_sgd): RMSE and MAE of the predicted rating (clipped to the train
//     rating range) over the kept test rows; baseline: the train mean rating.
//   * Implicit models (als, bpr): full ranking. For every test user, every item is scored, the
//     user's train items are removed, and the top K are compared with the user's test items that
//     are not in train (binary relevance; metrics defined in eval/ranking_metrics.h). Baselines on
//     the same protocol: popularity (number of train users per item) and random (seed
//     mf.split_seed).
//   * With mf.split the test rows are held out of mf.train (mf_split); the model then owns only the
//     users and items of the remaining train rows.
//
// Errors (rlrec::Error) name the [mf] key, e.g. "mf.k must be >= 1, got 0".
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/data/loaders.h"
#include "rlrec/data/splits.h"
#include "rlrec/eval/ranking_metrics.h"
#include "rlrec/models/mf.h"

namespace rlrec::experiment {

struct MfOptions {
  std::string model;            // key `name`: biased_sgd | als | bpr (models::mf_kinds())
  std::string train;            // training interactions file
  std::string test;             // test interactions file (exactly one of test and split)
  std::string split;            // hold out part of train: temporal:F | last:N | random:F
  int64_t split_seed = 1;       // seed of split random:F and of the random baseline, >= 0
  std::string format = "auto";  // file format (data::format_names())
  std::string unseen = "drop";  // test rows with an unseen user/item: drop | error
  int k = 10;                   // cutoff K of the ranking metrics, >= 1
  bool skip_malformed = false;  // skip and count malformed rows instead of failing
  std::string out;              // directory to save the model and metrics.json to ("" = none)
  // Not config keys: the config whose [mf] section holds the model's hyperparameters (the keys of
  // `rlrec mf defaults`; its `name`, if present, must equal `model`; the run keys above may share
  // the section and are ignored there), and whether to report progress (load summaries, the epoch
  // bar) on stderr.
  Config hyperparameters;
  bool verbose = true;

  void visit(FieldVisitor& v);
  // Checks every key (model known, k, exactly one of test/split and the split's syntax, format,
  // unseen) without reading files.
  void validate() const;
};

struct MfResult {
  MfOptions options;  // as run
  models::Feedback feedback = models::Feedback::kExplicit;
  int factors = 0;
  int threads = 0;                // the pool's size
  data::LoadReport train_report;  // of mf.train
  size_t train_rows = 0;          // after the split, if any
  int train_users = 0, train_items = 0;
  data::LoadReport test_report;  // of mf.test (unset with mf.split)
  size_t test_rows = 0;          // before dropping unseen users/items
  data::AlignReport align;
  double train_seconds = 0, eval_seconds = 0;
  // Explicit models: the model's errors and the train-mean baseline's.
  eval::RatingErrors errors, global_mean;
  // Implicit models: the model's ranking summary and the baselines'.
  eval::RankingSummary ranking, popularity, random;
  std::string config_toml;  // the effective hyperparameters as an [mf] section
  // The fitted model (embeddings, biases, id maps), e.g. for the Python package's rlrec.mf_fit.
  std::shared_ptr<const models::MfModel> model;
};

// Fits, evaluates and (with mf.out) saves the model and metrics.json (= to_json(result)).
MfResult run_mf(const MfOptions& options);
// The JSON object of `rlrec mf fit --json`.
nlohmann::json to_json(const MfResult& r);
// The hyperparameter keys of every MF model (those that may share [mf] with MfOptions' keys).
std::vector<std::string> mf_hyperparameter_keys();
// The ranking metrics as (key, value) in display order: ndcg@K, recall@K, hr@K, precision@K,
// map@K, mrr@K, coverage@K.
std::vector<std::pair<std::string, double>> metric_list(const eval::RankingSummary& s);

// "temporal:F" | "last:N" | "random:F" -> the split of `log` (errors name mf.split).
data::Split mf_split(const data::InteractionLog& log, const std::string& spec, uint64_t seed);

}  // namespace rlrec::experiment
