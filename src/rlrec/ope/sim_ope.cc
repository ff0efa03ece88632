// Simulator-log OPE and the simulator benchmark; conventions in sim_ope.h.
#include "rlrec/ope/sim_ope.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/core/memory.h"
#include "rlrec/core/rng.h"
#include "rlrec/eval/runner.h"
#include "rlrec/sim/plackett_luce.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::ope {

SimOpeData sim_ope_data(const logs::LogData& log, const sim::Policy& target,
                        const sim::Catalogue* catalogue) {
  const auto& h = log.header;
  const int N = h.num_candidates, K = h.slate_size, U = h.user_dim, D = h.item_dim;
  const size_t n = static_cast<size_t>(log.size);
  if (n == 0) invalid_argument("log has no records");
  SimOpeData d;
  d.num_candidates = N;
  d.slate_size = K;
  SlateData& s = d.slate;
  s.n_actions = N;
  s.slate_size = K;
  BanditData& b = d.rows;
  b.n_actions = N;
  b.n_positions = K;
  d.target.n_actions = N;
  d.target.n_positions = K;
  d.target.per_round = true;
  d.target.p.reserve(n * K * static_cast<size_t>(N) * K);
  RewardFeatures& f = d.features;
  f.context.dim = U;
  f.action.dim = 0;
  for (int a = 0; a < N; ++a) f.action.end_row();
  f.pair_dim = D;
  f.pair.reserve(n * K * static_cast<size_t>(N) * D);

  const auto* seq = dynamic_cast<const sim::SequentialPropensities*>(&target);
  d.has_target_cascade = seq != nullptr;
  logs::LoggedObservation lo(log, catalogue);
  std::vector<double> probs(static_cast<size_t>(K) * N), cond(K);
  for (size_t i = 0; i < n; ++i) {
    const sim::Observation& obs = lo.at(static_cast<int64_t>(i));
    if (!target.slot_probabilities(obs, 0, probs.data()))
      throw_error(ErrorCode::kNotSupported, "target policy '", target.name(),
                  "' does not expose action probabilities (slot_probabilities); OPE needs them");
    const int32_t* slate = log.slate_row(static_cast<int64_t>(i));
    double pe_slate = -1;
    if (!seq || !seq->slot_conditionals(obs, 0, slate, cond.data())) {
      d.has_target_cascade = false;  // rips unavailable; sips uses the whole-slate probability
      pe_slate = target.slate_probability(obs, 0, slate);
      if (pe_slate < 0) d.has_target_slate = false;
    }
    double pb_run = 1.0, pe_run = 1.0;
    const int choice = log.choice[i];
    for (int k = 0; k < K; ++k) {
      const size_t r = i * K + k;
      const double marg = log.marginal[r], c = log.conditional[r];
      if (!(marg > 0) || !(c > 0))
        invalid_argument("record ", i, " slot ", k,
                         ": behaviour propensity unknown or 0 (marginal ", marg, ", conditional ",
                         c, "); log with a policy that reports propensities (e.g. softmax_myopic)");
      const double reward = (choice == k || (choice < 0 && k == 0)) ? log.reward[i] : 0.0;
      s.item.push_back(slate[k]);
      s.reward.push_back(reward);
      s.pb_slot.push_back(marg);
      pb_run *= c;
      s.pb_cascade.push_back(pb_run);
      s.pe_slot.push_back(probs[static_cast<size_t>(k) * N + slate[k]]);
      if (d.has_target_cascade) {
        pe_run *= cond[k];
        s.pe_cascade.push_back(pe_run);
      } else {
        s.pe_cascade.push_back(k == K - 1 && pe_slate >= 0 ? pe_slate : 0.0);
      }
      b.action.push_back(slate[k]);
      b.position.push_back(k);
      b.reward.push_back(reward);
      b.pscore.push_back(marg);
      for (int a = 0; a < N; ++a)
        for (int l = 0; l < K; ++l) d.target.p.push_back(probs[static_cast<size_t>(l) * N + a]);
      const float* u = obs.user_row(0);
      for (int j = 0; j < U; ++j)
        if (u[j] != 0.0f) f.context.add(j, u[j]);
      f.context.end_row();
      for (int a = 0; a < N; ++a) {
        const float* x = obs.item_features(0, a);
        f.pair.insert(f.pair.end(), x, x + D);
      }
    }
  }
  return d;
}

std::vector<std::string>
sim_estimator_names() {  // the slate estimators first, then the bandit ones
  std::vector<std::string> names;
  for (const auto& e : all_estimators())
    if (e.slate_terms) names.emplace_back(e.name);
  for (const auto& e : estimators()) names.emplace_back(e.name);
  return names;
}

std::vector<Estimate> estimate_sim(const SimOpeData& d, const std::vector<std::string>& names,
                                   const RewardModelOptions& model, const EstimatorOptions& est,
                                   int B, uint64_t seed) {
  const auto known = sim_estimator_names();
  bool need_model = false;
  for (const auto& name : names) {
    if (std::find(known.begin(), known.end(), name) == known.end())
      throw_unknown("estimator", name, known);
    const EstimatorEntry& e = find_estimator(name);
    need_model |= e.needs_model;
    if (e.needs_target_slate && !d.has_target_slate)
      invalid_argument("estimator '", name,
                       "' needs the target's slate probabilities (slate_probability)");
    if (e.needs_target_cascade && !d.has_target_cascade)
      invalid_argument("estimator '", name,
                       "' needs the target's slot conditionals (sim::SequentialPropensities)");
  }
  std::vector<double> q;
  if (need_model) q = fit_predict_cross_fitted(d.rows, d.features, model);
  const RoundInputs in = prepare_inputs(d.rows, d.target, need_model ? &q : nullptr);
  std::vector<Estimate> out;
  const uint64_t boot_seed = combine_keys(seed, hash_name("bootstrap"));
  for (const auto& name : names) {
    Terms t;
    const EstimatorEntry& e = find_estimator(name);
    if (e.slate_terms) {
      t = e.slate_terms(d.slate);
    } else {
      // Per-slot rows -> per step: the K rows of a record are summed into one term, so the value
      // is K * (row mean) and the bootstrap resamples whole steps. Self-normalized estimators keep
      // sum(b)/sum(d) per row, so their b is scaled by K.
      const Terms rt = e.terms(in, est);
      const size_t n = d.slate.size(), K = static_cast<size_t>(d.slate_size);
      const bool sn = !rt.d.empty();
      t.lambda = rt.lambda;
      t.a.assign(n, 0.0);
      t.b.assign(n, 0.0);
      if (sn) t.d.assign(n, 0.0);
      for (size_t i = 0; i < n; ++i)
        for (size_t k = 0; k < K; ++k) {
          t.a[i] += rt.a[i * K + k];
          t.b[i] += (sn ? static_cast<double>(K) : 1.0) * rt.b[i * K + k];
          if (sn) t.d[i] += rt.d[i * K + k];
        }
    }
    out.push_back(bootstrap_estimate(t, name, B, boot_seed));
  }
  return out;
}

std::vector<Estimate> estimate_slates(const SlateData& d, const std::vector<std::string>& names,
                                      bool has_target_slate, bool has_target_cascade, int B,
                                      uint64_t seed, const std::string& source) {
  std::vector<std::string> slate_names;
  for (const auto& e : all_estimators())
    if (e.slate_terms) slate_names.emplace_back(e.name);
  if (names.empty())
    invalid_argument(source, ": no estimator given; slate estimators: ", join(slate_names, ", "));
  for (const auto& name : names) {
    if (std::find(slate_names.begin(), slate_names.end(), name) == slate_names.end())
      throw_unknown("slate estimator", name, slate_names);
    const EstimatorEntry& e = find_estimator(name);
    if (e.needs_target_slate && !has_target_slate)
      invalid_argument("estimator '", name,
                       "' needs the target's slate probabilities (slate_probability)");
    if (e.needs_target_cascade && !has_target_cascade)
      invalid_argument("estimator '", name,
                       "' needs the target's slot conditionals (sim::SequentialPropensities)");
  }
  validate(d, source);
  const uint64_t boot_seed = combine_keys(seed, hash_name("bootstrap"));  // estimate_sim's
  std::vector<Estimate> out;
  for (const auto& name : names)
    out.push_back(bootstrap_estimate(find_estimator(name).slate_terms(d), name, B, boot_seed));
  return out;
}

std::unique_ptr<sim::Policy> make_sim_policy(const std::string& spec, const sim::Environment& env) {
  const size_t colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  Config cfg = Config::parse_string("", "policy spec");
  if (colon != std::string::npos) {
    std::string rest = spec.substr(colon + 1);
    size_t start = 0;
    while (start <= rest.size()) {
      size_t end = rest.find(',', start);
      if (end == std::string::npos) end = rest.size();
      cfg.set("policy." + rest.substr(start, end - start));
      start = end + 1;
    }
  }
  const sim::PolicyContext ctx{&env, &cfg, nullptr};
  return catalog::find_policy(name).make(ctx);
}

std::vector<SimBenchRow> sim_bench(const SimBenchOptions& o) {
  if (o.reps <= 0) invalid_argument("reps must be > 0, got ", o.reps);
  if (o.bootstrap <= 0) invalid_argument("--bootstrap must be > 0, got ", o.bootstrap);
  if (o.truth_episodes <= 0) invalid_argument("truth episodes must be > 0, got ", o.truth_episodes);
  for (int64_t n : o.sizes)
    if (n <= 0) invalid_argument("log sizes must be > 0, got ", n);
  Config cfg = Config::parse_string(o.env_config, "simbench env config");
  cfg.set("env.max_steps=1");
  namespace fs = std::filesystem;
  const fs::path work = o.work_dir.empty() ? fs::temp_directory_path() : fs::path(o.work_dir);
  std::vector<SimBenchRow> rows;
  for (const auto& tspec : o.targets) {
    // Truth: online episodes of the target (one step each).
    auto env = catalog::make_environment(cfg, o.seed);
    if (env->spec().fixed_corpus())
      throw_error(ErrorCode::kNotSupported,
                  "the simulator OPE bench needs a fresh-items environment "
                  "(env.corpus_size = 0): replicate logs use independent env seeds");
    {  // Each log is read into memory: its steps' contexts, candidates, slates and responses.
      const auto& sp = env->spec();
      const double per_step = 4.0 * (sp.user_dim + sp.num_candidates * (1.0 + sp.item_dim) +
                                     sp.slate_size + sp.response_dim()) +
                              64;
      for (int64_t n : o.sizes)
        check_memory(
            per_step * static_cast<double>(n),
            str_cat("a simulator log of ", n, " steps (ope.sizes; ", per_step, " bytes per step)"));
    }
    sim::VectorEnv truth_env(std::move(env), 256, combine_keys(o.seed, hash_name("truth")));
    auto target = make_sim_policy(tspec, truth_env.env());
    const auto res = eval::run_episodes(truth_env, *target, o.truth_episodes,
                                        combine_keys(o.seed, hash_name("tp")));
    const auto sum = res.return_summary();
    for (int64_t n : o.sizes) {
      std::vector<std::vector<Estimate>> per_rep;
      std::vector<std::string> names;
      for (const auto& name : o.estimators) {
        const bool model = find_estimator(name).needs_model;
        if (!model || n <= o.model_max_rounds) names.push_back(name);
      }
      for (int r = 0; r < o.reps; ++r) {
        const uint64_t env_seed = combine_keys(o.seed, combine_keys(static_cast<uint64_t>(n), r));
        auto e = catalog::make_environment(cfg, env_seed);
        sim::VectorEnv venv(std::move(e), 256, env_seed);
        auto behaviour = make_sim_policy(o.behaviour, venv.env());
        auto tgt = make_sim_policy(tspec, venv.env());
        const std::string path =
            (work / ("rlrec_ope_simbench_" + std::to_string(env_seed) + ".log")).string();
        {
          logs::LogWriter writer(
              path, logs::make_header(venv.env(), cfg, env_seed, o.behaviour, env_seed));
          logs::collect_log(venv, *behaviour, n, env_seed, writer);
          writer.close();
        }
        const logs::LogData log = logs::read_log(path);
        std::error_code ec;
        fs::remove(path, ec);
        const SimOpeData d = sim_ope_data(log, *tgt, nullptr);
        RewardModelOptions m;
        m.kind = "ridge";
        m.seed = env_seed;
        per_rep.push_back(estimate_sim(d, names, m, {}, o.bootstrap, env_seed));
      }
      for (size_t k = 0; k < names.size(); ++k) {
        SimBenchRow row;
        row.target = tspec;
        row.estimator = names[k];
        row.size = n;
        row.truth = sum.mean;
        row.truth_se = sum.se;
        row.reps = o.reps;
        double se2 = 0;
        for (const auto& rep : per_rep) {
          const Estimate& e = rep[k];
          row.mean_estimate += e.estimate / o.reps;
          se2 += (e.estimate - sum.mean) * (e.estimate - sum.mean) / o.reps;
          row.mean_relative_error += std::abs(e.estimate - sum.mean) / std::abs(sum.mean) / o.reps;
          row.coverage += (e.ci_low <= sum.mean && sum.mean <= e.ci_high) ? 1.0 / o.reps : 0.0;
          row.mean_ci_width += (e.ci_high - e.ci_low) / o.reps;
        }
        row.rmse = std::sqrt(se2);
        rows.push_back(row);
      }
    }
  }
  return rows;
}

}  // namespace rlrec::ope
