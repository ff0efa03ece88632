// OBD glue and the evaluation-of-OPE bench; protocol in obd.h.
#include "rlrec/ope/obd.h"

#include <cmath>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/ope/target_policy.h"

namespace rlrec::ope {

ObdBandit obd_to_bandit(const data::BanditLog& log) {
  ObdBandit out;
  const size_t n = log.size();
  const int A = log.items.num_items;
  BanditData& d = out.data;
  d.n_actions = A;
  d.n_positions = log.num_positions;
  d.action = log.item;
  d.position = log.position;
  d.reward.resize(n);
  for (size_t i = 0; i < n; ++i) d.reward[i] = log.click[i];
  d.pscore = log.propensity;

  // Context: one-hot per user feature.
  RewardFeatures& f = out.features;
  std::vector<int> offset;
  int dim = 0;
  for (const auto& values : log.user_feature_values) {
    offset.push_back(dim);
    dim += static_cast<int>(values.size());
  }
  f.context.dim = dim;
  const size_t uf = log.user_feature_names.size();
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < uf; ++j) f.context.add(offset[j] + log.user_features(i, j), 1.0f);
    f.context.end_row();
  }
  // Action: one-hot item id, numeric item features, one-hot categorical item features.
  const auto& ic = log.items;
  const int nnum = static_cast<int>(ic.numeric_names.size());
  std::vector<int> cat_off;
  int adim = A + nnum;
  for (const auto& values : ic.categorical_values) {
    cat_off.push_back(adim);
    adim += static_cast<int>(values.size());
  }
  f.action.dim = adim;
  for (int a = 0; a < A; ++a) {
    f.action.add(a, 1.0f);
    for (int k = 0; k < nnum; ++k) f.action.add(A + k, ic.numeric(a, k));
    for (size_t k = 0; k < ic.categorical_names.size(); ++k)
      f.action.add(cat_off[k] + ic.categorical(a, k), 1.0f);
    f.action.end_row();
  }
  // Pair: affinity of the scored item.
  f.pair_dim = 1;
  f.pair.resize(n * A);
  for (size_t i = 0; i < n; ++i)
    for (int a = 0; a < A; ++a) f.pair[i * A + a] = log.affinity(i, a);
  return out;
}

namespace {
void mean_std(const std::vector<double>& v, double& mean, double& sd) {
  mean = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double var = 0;
  for (double x : v) var += (x - mean) * (x - mean);
  sd = v.size() > 1 ? std::sqrt(var / static_cast<double>(v.size() - 1)) : 0.0;
}
}  // namespace

ObdBenchResult obd_bench(const std::string& root, const std::string& campaign,
                         const ObdBenchOptions& opt) {
  if (campaign != "men" && campaign != "women" && campaign != "all")
    invalid_argument("--campaign must be one of men, women, all; got '", campaign, "'");
  if (opt.bootstrap <= 0)
    invalid_argument("--bootstrap must be > 0 (number of resamples), got ", opt.bootstrap);
  std::vector<const EstimatorEntry*> ests;
  for (const auto& name : opt.estimators) ests.push_back(&find_estimator(name));

  const data::BanditLog random_log = data::load_open_bandit_campaign(root, "random", campaign);
  const data::BanditLog bts_log = data::load_open_bandit_campaign(root, "bts", campaign);
  ObdBenchResult res;
  res.campaign = campaign;
  res.rounds = random_log.size();
  res.ground_truth_rounds = bts_log.size();
  double clicks = 0;
  for (int8_t c : bts_log.click) clicks += c;
  res.ground_truth = clicks / static_cast<double>(bts_log.size());
  clicks = 0;
  for (int8_t c : random_log.click) clicks += c;
  res.behaviour_value = clicks / static_cast<double>(random_log.size());
  if (!(res.ground_truth > 0))
    invalid_argument(root, ": bts log of ", campaign, " has no clicks; relative error undefined");

  const ObdBandit full = obd_to_bandit(random_log);
  validate(full.data, root + "/random/" + campaign);
  const ActionDist dist = bernoulli_ts_action_dist(zozotown_prior(campaign), full.data.n_positions,
                                                   opt.n_sim, opt.seed);
  validate(dist, full.data, "bts action distribution");

  auto run = [&](const BanditData& data, const RewardFeatures& features, uint64_t model_seed) {
    RewardModelOptions m = opt.model;
    m.seed = model_seed;
    const auto q = fit_predict_cross_fitted(data, features, m);
    const RoundInputs in = prepare_inputs(data, dist, &q);
    std::vector<double> v;
    for (const auto* e : ests) v.push_back(e->terms(in, opt.estimator).value());
    return v;
  };

  const auto v_full = run(full.data, full.features, combine_keys(opt.seed, hash_name("full")));
  std::vector<std::vector<double>> boot(ests.size());
  const size_t n = full.data.size();
  for (int b = 0; b < opt.bootstrap; ++b) {
    Rng rng(opt.seed, static_cast<uint64_t>(b));
    std::vector<size_t> rows(n);
    for (auto& r : rows) r = rng.uniform_int(n);
    const BanditData data = full.data.subset(rows);
    const RewardFeatures features = full.features.subset(rows, full.data.n_actions);
    const auto v = run(data, features, combine_keys(opt.seed, static_cast<uint64_t>(b)));
    for (size_t e = 0; e < ests.size(); ++e) boot[e].push_back(v[e]);
  }
  for (size_t e = 0; e < ests.size(); ++e) {
    ObdBenchRow row;
    row.name = std::string(ests[e]->name);
    row.estimate = v_full[e];
    row.relative_error = std::abs(v_full[e] - res.ground_truth) / res.ground_truth;
    std::vector<double> rel;
    for (double v : boot[e]) rel.push_back(std::abs(v - res.ground_truth) / res.ground_truth);
    mean_std(boot[e], row.estimate_mean, row.estimate_std);
    mean_std(rel, row.relative_error_mean, row.relative_error_std);
    res.rows.push_back(row);
  }
  return res;
}

}  // namespace rlrec::ope
