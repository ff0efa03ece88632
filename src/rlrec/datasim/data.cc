// RatingData: the log, the per-user chronological split, the evaluated users and the MF models
// (see datasim.h). Fitting happens once per (config, seed) and is cached for the process.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <numeric>

#include "rlrec/core/error.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/data/loaders.h"
#include "rlrec/data/splits.h"
#include "rlrec/datasim/datasim.h"
#include "rlrec/models/biased_sgd.h"

namespace rlrec::datasim {

void RatingEnvConfig::visit(FieldVisitor& v) {
  v.field("data", data, "rating log path (MovieLens u.data / ratings.dat / ratings.csv, csv, tsv)");
  v.field("format", format, "log format (auto, ml-100k, ml-1m, ml-csv, csv, tsv, recbole)");
  v.field("train_fraction", train_fraction,
          "per user, the first fraction of ratings by time is train, the rest test");
  v.field(
      "min_train_positives", min_train_positives,
      "evaluated users need at least this many positive train ratings (others dropped, counted)");
  v.field("min_test_positives", min_test_positives,
          "evaluated users need at least this many positive test ratings");
  v.field("positive_rating", positive_rating, "ratings >= this are positive feedback and relevant");
  v.field("history_length", history_length, "n: positively rated items in the user observation");
  v.field("factors", factors, "MF latent dimension k (item features are k + 1: factors, bias)");
  v.field("mf_epochs", mf_epochs, "biased_sgd epochs of the fitted MF models");
  v.field("mf_lr", mf_lr, "biased_sgd learning rate");
  v.field("mf_reg", mf_reg, "biased_sgd L2 penalty on factors");
  v.field("mf_model", mf_model,
          "saved `rlrec mf fit` model directory used instead of fitting the train MF (\"\" = fit)");
  v.field(
      "simulator", simulator,
      "movielens_mf: the simulator MF is fitted on all rows (\"all\") or train rows (\"train\")");
  v.field("num_candidates", num_candidates, "candidates per step (N)");
  v.field("slate_size", slate_size, "items per slate (K)");
  v.field("max_steps", max_steps, "episode truncation cap in steps");
}

void RatingEnvConfig::validate() const {
  if (data.empty())
    invalid_argument(
        "env.data must name a rating file (e.g. --set env.data=/path/to/ml-100k/u.data)");
  data::parse_format(format);
  if (!(train_fraction > 0 && train_fraction < 1))
    invalid_argument("env.train_fraction must be in (0, 1), got ", format_double(train_fraction));
  check_range("env.min_train_positives", min_train_positives, 0, 1000000);
  check_range("env.min_test_positives", min_test_positives, 1, 1000000);
  check_range("env.history_length", history_length, 1, 1000);
  check_range("env.factors", factors, 1, 4096);
  check_range("env.mf_epochs", mf_epochs, 1, 100000);
  check_positive("env.mf_lr", mf_lr);
  check_range("env.mf_reg", mf_reg, 0.0, 1e6);
  check_one_of("env.simulator", simulator, {"all", "train"});
  check_range("env.num_candidates", num_candidates, 1, 1 << 24);
  if (slate_size < 1 || slate_size > num_candidates)
    invalid_argument("env.slate_size must be in [1, env.num_candidates (", num_candidates,
                     ")], got ", slate_size);
  check_range("env.max_steps", max_steps, 1, 1000000000);
}

double RatingData::normalized(double r) const {
  const double mid = 0.5 * (min_rating + max_rating), half = 0.5 * (max_rating - min_rating);
  return half > 0 ? std::clamp((r - mid) / half, -1.0, 1.0) : 0.0;
}

std::vector<int32_t> RatingData::initial_history(int32_t user) const {
  const int n = config.history_length;
  std::vector<int32_t> h(n, -1);
  int filled = 0;
  const auto& items = train_items[user];
  const auto& ratings = train_ratings[user];
  for (size_t j = items.size(); j-- > 0 && filled < n;)
    if (positive(ratings[j])) h[n - 1 - filled++] = items[j];
  return h;
}

std::string RatingData::summary() const {
  return str_cat(config.data, ": ", log.size(), " ratings, ", log.num_users(), " users, ",
                 log.num_items(), " items; ", users.size(), " users evaluated, ", dropped_users,
                 " dropped (fewer than ", config.min_train_positives, " positive train or ",
                 config.min_test_positives, " positive test ratings)");
}

void write_user_row(const RatingData& d, int32_t user, const int32_t* history, float* out) {
  const int D = d.dim();
  std::copy(&d.user_embedding[static_cast<size_t>(user) * D],
            &d.user_embedding[static_cast<size_t>(user + 1) * D], out);
  for (int j = 0; j < d.config.history_length; ++j) out[D + j] = static_cast<float>(history[j]);
}

namespace {

models::MfModel fit_mf(const data::InteractionLog& log, const RatingEnvConfig& c, uint64_t seed) {
  models::BiasedSgdConfig m;
  m.factors = c.factors;
  m.epochs = c.mf_epochs;
  m.lr = c.mf_lr;
  m.reg = c.mf_reg;
  m.seed = static_cast<int64_t>(seed & 0x7fffffffffffffffULL);
  m.validate("env");
  models::BiasedSgd trainer(m);
  ThreadPool pool(2);  // results do not depend on the thread count
  trainer.fit(log, pool);
  return trainer.take_model();
}

// A saved model re-expressed in the log's dense ids; every user and item of the log must be in it.
models::MfModel align_model(const models::MfModel& saved, const data::InteractionLog& log,
                            const RatingEnvConfig& c) {
  if (saved.factors() != c.factors)
    invalid_argument("env.mf_model '", c.mf_model, "' has ", saved.factors(),
                     " factors but env.factors is ", c.factors,
                     " (set env.factors=", saved.factors(), ")");
  models::MfModel m;
  m.kind = saved.kind;
  m.global_bias = saved.global_bias;
  m.clip = saved.clip;
  m.min_rating = saved.min_rating;
  m.max_rating = saved.max_rating;
  m.users = log.users;
  m.items = log.items;
  const int k = saved.factors();
  m.item_factors.resize(log.num_items(), k);
  m.user_factors.resize(log.num_users(), k);
  m.item_bias.assign(log.num_items(), 0.f);
  m.user_bias.assign(log.num_users(), 0.f);
  for (int32_t i = 0; i < log.num_items(); ++i) {
    const int32_t s = saved.items.find(log.items.original(i));
    if (s < 0)
      invalid_argument("MF model was trained on a different item set: item '",
                       log.items.original(i), "' of ", c.data, " is not in env.mf_model '",
                       c.mf_model, "'");
    std::copy(saved.item_factors.row(s), saved.item_factors.row(s) + k, m.item_factors.row(i));
    if (!saved.item_bias.empty()) m.item_bias[i] = saved.item_bias[s];
  }
  for (int32_t u = 0; u < log.num_users(); ++u) {
    const int32_t s = saved.users.find(log.users.original(u));
    if (s < 0)
      invalid_argument("MF model was trained on a different user set: user '",
                       log.users.original(u), "' of ", c.data, " is not in env.mf_model '",
                       c.mf_model, "'");
    std::copy(saved.user_factors.row(s), saved.user_factors.row(s) + k, m.user_factors.row(u));
    if (!saved.user_bias.empty()) m.user_bias[u] = saved.user_bias[s];
  }
  return m;
}

std::shared_ptr<const RatingData> build(const RatingEnvConfig& c, uint64_t seed) {
  auto d = std::make_shared<RatingData>();
  d->config = c;
  data::LoadOptions opt;
  opt.format = data::parse_format(c.format);
  d->log = data::load_interactions(c.data, opt);
  const auto& log = d->log;
  if (log.num_items() >= (1 << 24))
    invalid_argument(c.data, ": ", log.num_items(),
                     " items; datasim environments hold item ids "
                     "in float observations and support at most 16777215 items");
  d->min_rating = *std::min_element(log.rating.begin(), log.rating.end());
  d->max_rating = *std::max_element(log.rating.begin(), log.rating.end());
  const data::Split split = data::temporal_last_fraction(log, 1.0 - c.train_fraction);
  const int32_t U = log.num_users(), M = log.num_items();
  // Per-user chronological lists (stable by timestamp: ties keep file order).
  auto group = [&](const data::InteractionLog& part, std::vector<std::vector<int32_t>>& items,
                   std::vector<std::vector<float>>& ratings) {
    std::vector<size_t> order(part.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return part.timestamp[a] < part.timestamp[b]; });
    items.assign(U, {});
    ratings.assign(U, {});
    for (size_t r : order) {
      items[part.user[r]].push_back(part.item[r]);
      ratings[part.user[r]].push_back(part.rating[r]);
    }
  };
  group(split.train, d->train_items, d->train_ratings);
  group(split.test, d->test_items, d->test_ratings);
  for (int32_t u = 0; u < U; ++u) {
    auto count = [&](const std::vector<float>& rs) {
      return std::count_if(rs.begin(), rs.end(), [&](float r) { return d->positive(r); });
    };
    if (count(d->train_ratings[u]) >= c.min_train_positives &&
        count(d->test_ratings[u]) >= c.min_test_positives)
      d->users.push_back(u);
    else
      ++d->dropped_users;
  }
  if (d->users.empty())
    invalid_argument(
        c.data, ": no user has >= ", c.min_train_positives,
        " positive train ratings (env.min_train_positives) and >= ", c.min_test_positives,
        " positive test ratings (env.min_test_positives); ", d->dropped_users, " users dropped");
  d->popularity.assign(M, 0);
  for (int32_t i : split.train.item) ++d->popularity[i];
  if (c.mf_model.empty())
    d->mf = fit_mf(split.train, c, seed);
  else
    d->mf = align_model(models::MfModel::load(c.mf_model), log, c);
  d->simulator =
      c.simulator == "all" ? fit_mf(log, c, combine_keys(seed, hash_name("simulator"))) : d->mf;
  // Catalogue [q_i, b_i] and user embeddings [p_u, 1].
  const int k = c.factors, D = k + 1;
  d->catalogue.features.resize(M, D);
  d->catalogue.quality.assign(M, 0.f);
  d->catalogue.topic.assign(M, 0);
  uint64_t fp = combine_keys(hash_name("datasim"), static_cast<uint64_t>(M));
  for (int32_t i = 0; i < M; ++i) {
    float* f = d->catalogue.features.row(i);
    std::copy(d->mf.item_factors.row(i), d->mf.item_factors.row(i) + k, f);
    f[k] = d->mf.item_bias.empty() ? 0.f : d->mf.item_bias[i];
    for (int j = 0; j < D; ++j) {
      uint32_t bits;
      std::memcpy(&bits, &f[j], sizeof bits);
      fp = combine_keys(fp, bits);
    }
  }
  d->catalogue.fingerprint = fp;
  d->user_embedding.assign(static_cast<size_t>(U) * D, 1.f);
  for (int32_t u = 0; u < U; ++u)
    std::copy(d->mf.user_factors.row(u), d->mf.user_factors.row(u) + k,
              &d->user_embedding[static_cast<size_t>(u) * D]);
  return d;
}

}  // namespace

std::shared_ptr<const RatingData> rating_data(const RatingEnvConfig& cfg, uint64_t seed) {
  // Memo of a deterministic function of (config, seed): environments built again for the same run
  // (train, evaluation, validation) share one fit.
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<const RatingData>> cache;
  static std::vector<std::shared_ptr<const RatingData>> keep;  // the last few stay alive
  const std::string key = dump_section("env", "", cfg) + "#" + std::to_string(seed);
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = cache.find(key); it != cache.end())
    if (auto p = it->second.lock()) return p;
  auto d = build(cfg, seed);
  cache[key] = d;
  keep.push_back(d);
  if (keep.size() > 4) keep.erase(keep.begin());
  return d;
}

}  // namespace rlrec::datasim
