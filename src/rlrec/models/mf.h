// Matrix-factorization trainers and their registry.
//
// A trainer owns its config struct (one per kind, with visit()), fits on an InteractionLog with a
// ThreadPool and hands out the trained MfModel (mf_model.h). Kinds, one line each in mf_kinds():
//   biased_sgd  explicit ratings, r^ = mu + b_u + b_i + p_u.q_i by stratified SGD  (biased_sgd.h)
//   als         implicit feedback, Hu-Koren-Volinsky weighted ALS with a CG solver  (als.h)
//   bpr         implicit feedback, Bayesian personalized ranking by stratified SGD  (bpr.h)
//
// Determinism: fit() gives bit-identical models for the same data, config and seed whatever the
// pool size (work is split into units that do not depend on the thread count, each with its own
// Rng stream).
//
// Usage:
//   Config cfg; cfg.set("mf.factors=32");
//   auto trainer = make_mf_trainer(cfg, "mf", "als");   // reads and validates [mf]
//   ThreadPool pool(trainer->threads());
//   trainer->fit(train_log, pool);
//   const MfModel& m = trainer->model();
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/data/interactions.h"
#include "rlrec/models/mf_model.h"

namespace rlrec::models {

enum class Feedback {
  kExplicit,  // ratings: evaluate by RMSE/MAE
  kImplicit,  // interactions: evaluate by full-ranking metrics
};

// Reported after every epoch (SGD, BPR) or iteration (ALS), on the thread that called fit().
struct EpochInfo {
  int done = 0, total = 0;
  double train_loss = 0;  // per-kind training objective (see each trainer); NaN if not computed
};

class MfTrainer {
 public:
  virtual ~MfTrainer() = default;
  // Fits on `train` (dense ids of train.users/train.items), replacing any previous model. Throws
  // rlrec::Error for unusable data (empty log, negative confidence, non-finite values) and
  // kInternal if training diverges (non-finite factors: lower the learning rate).
  virtual void fit(const data::InteractionLog& train, ThreadPool& pool) = 0;
  // The effective config as a TOML section ("[section]", name = kind, one line per field).
  virtual std::string config_toml(std::string_view section) const = 0;
  // The config's `threads` value (0 = all cores), for callers that size the pool from the config.
  virtual int threads() const = 0;

  const MfModel& model() const { return model_; }
  MfModel take_model() { return std::move(model_); }
  void set_epoch_callback(std::function<void(const EpochInfo&)> cb) { on_epoch_ = std::move(cb); }

 protected:
  void report(const EpochInfo& info) const {
    if (on_epoch_) on_epoch_(info);
  }
  MfModel model_;
  std::function<void(const EpochInfo&)> on_epoch_;
};

struct MfKind {
  std::string_view name;
  std::string_view description;
  Feedback feedback;
  // Reads and validates the kind's config from cfg's `section` (unknown keys are errors; the key
  // "name" is allowed and ignored) and returns an unfitted trainer.
  std::unique_ptr<MfTrainer> (*create)(const Config& cfg, std::string_view section);
  // As create, for a section shared with another reader: the keys in `extra_keys` (that reader's)
  // are allowed and ignored too (e.g. the run keys of experiment/mf_experiment.h in [mf]).
  std::unique_ptr<MfTrainer> (*create_shared)(const Config& cfg, std::string_view section,
                                              const std::vector<std::string>& extra_keys);
  // The default config as a TOML section.
  std::string (*defaults)(std::string_view section);
};

std::span<const MfKind> mf_kinds();
// Throws kNotFound with a did-you-mean for an unknown name.
const MfKind& mf_kind(std::string_view name);
std::unique_ptr<MfTrainer> make_mf_trainer(const Config& cfg, std::string_view section,
                                           std::string_view name);

}  // namespace rlrec::models
