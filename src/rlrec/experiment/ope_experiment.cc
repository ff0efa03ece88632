#include "rlrec/experiment/ope_experiment.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <filesystem>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/table.h"
#include "rlrec/data/open_bandit.h"
#include "rlrec/logs/log.h"
#include "rlrec/ope/obd.h"
#include "rlrec/ope/target_policy.h"

namespace rlrec::experiment {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// At most 10^6 resamples: far past where a percentile CI stops changing, and 2 * 10^9 (which
// passed) ran for hours.
constexpr int kMaxBootstrap = 1000000;
void check_bootstrap(int bootstrap) {
  if (bootstrap <= 0)
    invalid_argument("ope.bootstrap must be > 0 (number of resamples), got ", bootstrap);
  if (bootstrap > kMaxBootstrap)
    invalid_argument("ope.bootstrap must be <= ", kMaxBootstrap, " (number of resamples), got ",
                     bootstrap);
}

// ope.log names a file: not found, a directory or a device are one-line errors naming it.
void check_log_path(const std::string& log) {
  if (!fs::exists(log)) throw_error(ErrorCode::kNotFound, log, ": log file not found");
  if (fs::is_directory(log))
    invalid_argument("ope.log '", log, "' is a directory; give the log file in it");
  if (!fs::is_regular_file(log))
    invalid_argument("ope.log '", log, "' is not a regular file (a device, fifo or socket)");
}

void check_seed(int64_t seed) {
  if (seed < 0) invalid_argument("ope.seed must be >= 0, got ", seed);
}

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json estimates_json(const std::vector<ope::Estimate>& estimates) {
  json est = json::object();
  for (const auto& e : estimates)
    est[e.name] = {{"estimate", e.estimate}, {"ci_low", e.ci_low}, {"ci_high", e.ci_high},
                   {"mean", e.boot_mean},    {"std", e.boot_std},  {"lambda", num(e.lambda)}};
  return est;
}

uint64_t model_seed(int64_t seed) {
  return combine_keys(static_cast<uint64_t>(seed), hash_name("model"));
}

// --- rlrec (simulator) logs -----------------------------------------------------------------

}  // namespace

ope::SimOpeData load_sim_ope_data(const std::string& log_path, const std::string& policy,
                                  SimLogInfo* info) {
  check_log_path(log_path);
  const logs::LogData log = logs::read_log(log_path);
  const Config env_cfg = Config::parse_string(log.header.env_config, log_path + " (env config)");
  const auto env = catalog::make_environment(env_cfg, log.header.env_seed);
  logs::check_compatible(log.header, *env, log_path);
  const auto target = ope::make_sim_policy(policy, *env);
  if (info != nullptr) *info = {log.header.env, log.header.policy, log.size};
  return ope::sim_ope_data(log, *target, env->catalogue());
}

namespace {

OpeEstimateResult estimate_rlrec(const OpeEstimateOptions& o) {
  if (!o.target_dist.empty())
    invalid_argument(
        "ope.target_dist applies to ope.format = \"obd\" (fixed item ids); rlrec logs take "
        "ope.policy = NAME[:key=value,...]");
  OpeEstimateResult r;
  r.options = o;
  SimLogInfo info;
  const ope::SimOpeData d = load_sim_ope_data(o.log, o.policy, &info);
  std::vector<std::string> names;
  if (o.estimators == "all") {
    for (const auto& n : ope::sim_estimator_names())
      if (n != "rips" || d.has_target_cascade) names.push_back(n);
  } else {
    names = split_names(o.estimators);
  }
  ope::RewardModelOptions m = o.model.reward_model_options(model_seed(o.seed));
  if (m.kind == "logistic") m.kind = "ridge";  // simulator rewards are not 0/1 in general
  r.estimates = ope::estimate_sim(d, names, m, o.model.estimator_options(), o.bootstrap,
                                  static_cast<uint64_t>(o.seed));
  r.rounds = static_cast<size_t>(info.steps);
  r.env = info.env;
  r.behaviour = info.behaviour;
  return r;
}

// --- Open Bandit Dataset logs ---------------------------------------------------------------

// The target's action distribution on `b`; fills the description.
ope::ActionDist obd_target(const OpeEstimateOptions& o, const ope::ObdBandit& b,
                           std::string& desc) {
  if (!o.target_dist.empty()) {
    desc = "target-dist " + o.target_dist;
    return ope::read_target_dist(o.target_dist, b.data.n_actions, b.data.n_positions);
  }
  if (o.policy == "random") {
    desc = "random (uniform slates)";
    return ope::uniform_action_dist(b.data.n_actions, b.data.n_positions);
  }
  if (o.policy != "bts") {
    const std::vector<std::string> known{"bts", "random"};
    throw_unknown("OBD target policy", o.policy, known);
  }
  ope::BetaPrior prior;
  if (!o.prior.empty()) {
    prior = ope::read_beta_prior(o.prior);
    desc = "bts (prior " + o.prior + ")";
  } else {
    const std::string campaign = o.campaign.empty() ? fs::path(o.log).stem().string() : o.campaign;
    if (campaign != "men" && campaign != "women" && campaign != "all")
      invalid_argument(
          "ope.policy = \"bts\" needs ope.prior (a file) or ope.campaign = men|women|all (could "
          "not "
          "infer the campaign from the log name '",
          fs::path(o.log).filename().string(), "')");
    prior = ope::zozotown_prior(campaign);
    desc = "bts (ZOZOTOWN prior, " + campaign + ")";
  }
  if (static_cast<int>(prior.alpha.size()) != b.data.n_actions)
    invalid_argument("the Beta prior has ", prior.alpha.size(), " items, the log has ",
                     b.data.n_actions);
  return ope::bernoulli_ts_action_dist(prior, b.data.n_positions, o.n_sim,
                                       static_cast<uint64_t>(o.seed));
}

OpeEstimateResult estimate_obd(const OpeEstimateOptions& o) {
  ope::parse_estimator_list(o.estimators);  // unknown names fail before the log is read
  const std::string item_context =
      o.item_context.empty() ? (fs::path(o.log).parent_path() / "item_context.csv").string()
                             : o.item_context;
  check_log_path(o.log);
  if (!fs::exists(item_context))
    throw_error(ErrorCode::kNotFound, item_context,
                ": item context not found (OBD logs need item_context.csv beside the log, or "
                "ope.item_context)");
  OpeEstimateResult r;
  r.options = o;
  data::LoadReport report;
  const data::BanditLog log = data::load_open_bandit(o.log, item_context, {}, &report);
  const ope::ObdBandit b = ope::obd_to_bandit(log);
  ope::validate(b.data, o.log);
  const ope::ActionDist dist = obd_target(o, b, r.policy_description);
  ope::validate(dist, b.data, o.target_dist.empty() ? o.policy : o.target_dist);

  OpeEstimateResult est = estimate_bandit(b.data, dist, &b.features, nullptr, o);
  r.mean_weight = est.mean_weight;
  r.reward_model_fitted = est.reward_model_fitted;
  r.fit = est.fit;
  r.estimates = std::move(est.estimates);
  r.rounds = b.data.size();
  r.rows_read = report.read;
  r.rows_rejected = report.rejected;
  r.n_actions = static_cast<size_t>(b.data.n_actions);
  r.n_positions = b.data.n_positions;
  return r;
}

// printf into `out` (the text reports below).
__attribute__((format(printf, 2, 3))) void appendf(std::string& out, const char* format, ...) {
  va_list args, copy;
  va_start(args, format);
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (n > 0) {
    const size_t at = out.size();
    out.resize(at + static_cast<size_t>(n) + 1);
    std::vsnprintf(out.data() + at, static_cast<size_t>(n) + 1, format, args);
    out.resize(at + static_cast<size_t>(n));
  }
  va_end(args);
}

std::string lambda_text(double v) {
  return std::isnan(v) ? "-" : std::isinf(v) ? "inf" : fmt(v, 4);
}

}  // namespace

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    names.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return names;
}

// --- options ----------------------------------------------------------------------------------

void OpeModelOptions::visit(FieldVisitor& v) {
  v.field("reward_model", reward_model, "reward model of dm and the DR family: logistic | ridge");
  v.field("model_c", model_c, "LIBLINEAR C (inverse L2 strength) of the reward model, > 0");
  v.field("folds", folds, "cross-fitting folds of the reward model, >= 1");
  v.field("clip_lambda", clip_lambda, "fixed clipping threshold of clipped_ipw (< 0: SLOPE)");
  v.field("switch_lambda", switch_lambda, "fixed threshold of switch_dr (< 0: SLOPE)");
  v.field("dros_lambda", dros_lambda, "fixed shrinkage lambda of dr_os (< 0: SLOPE)");
}

void OpeModelOptions::validate() const {
  check_one_of("ope.reward_model", reward_model, {"logistic", "ridge"});
  // Finite: LIBLINEAR never stops on C = inf (the library rejects it too, without the key).
  if (!(model_c > 0) || !std::isfinite(model_c))
    invalid_argument("ope.model_c must be finite and > 0, got ", format_double(model_c));
  if (folds < 1) invalid_argument("ope.folds must be >= 1, got ", folds);
}

ope::RewardModelOptions OpeModelOptions::reward_model_options(uint64_t seed) const {
  validate();
  ope::RewardModelOptions m;
  m.kind = reward_model;
  m.C = model_c;
  m.folds = folds;
  m.seed = seed;
  return m;
}

void OpeEstimateOptions::visit(FieldVisitor& v) {
  v.field("log", log, "the log file (format: ope.format)");
  v.field("format", format, "log format: obd (Open Bandit Dataset csv) | rlrec (simulator log)");
  v.field("target_dist", target_dist,
          "obd: target policy as CSV item,position,prob (0-based positions)");
  v.field("policy", policy,
          "target policy: obd: bts | random; rlrec: a simulator policy NAME[:key=value,...]");
  v.field("item_context", item_context,
          "obd: item context file (\"\" = item_context.csv beside the log)");
  v.field("campaign", campaign, "obd, bts: campaign of the ZOZOTOWN prior (\"\" = the log's name)");
  v.field("prior", prior, "obd, bts: Beta prior as CSV item,alpha,beta");
  v.field("estimators", estimators, "comma-separated estimators, or all");
  v.field("bootstrap", bootstrap, "bootstrap resamples of the CIs");
  v.field("seed", seed, "seed (folds, bootstrap, Monte Carlo)");
  v.field("n_sim", n_sim, "Monte Carlo draws of the bts action distribution");
  v.field("level", level, "confidence level of the intervals");
  model.visit(v);
}

void OpeEstimateOptions::validate() const {
  if (log.empty()) invalid_argument("ope.log is required (the log file)");
  check_one_of("ope.format", format, {"obd", "rlrec"});
  check_bootstrap(bootstrap);
  check_seed(seed);
  if (!(level > 0 && level < 1)) invalid_argument("ope.level must be in (0, 1), got ", level);
  if (target_dist.empty() == policy.empty())
    invalid_argument("give exactly one of ope.target_dist (a file) or ope.policy (bts, random)");
  model.validate();
}

void OpeBenchOptions::visit(FieldVisitor& v) {
  v.field("data", data, "Open Bandit Dataset directory (random/, bts/)");
  v.field("campaign", campaign, "campaign: men | women | all");
  v.field("estimators", estimators, "comma-separated estimators, or all");
  v.field("bootstrap", bootstrap, "bootstrap resamples of the random log");
  v.field("seed", seed, "seed");
  v.field("n_sim", n_sim, "Monte Carlo draws of the bts action distribution");
  model.visit(v);
}

void OpeBenchOptions::validate() const {
  if (data.empty()) invalid_argument("ope.data is required (the Open Bandit Dataset directory)");
  check_one_of("ope.campaign", campaign, {"men", "women", "all"});
  model.validate();
  ope::parse_estimator_list(estimators);
  check_bootstrap(bootstrap);
  check_seed(seed);
}

void OpeSimBenchOptions::visit(FieldVisitor& v) {
  v.field("env_overrides", env_overrides, "env.KEY=VALUE overrides (env.max_steps is forced to 1)");
  v.field("behaviour", behaviour, "logging policy NAME[:key=value,...]");
  v.field("targets", targets, "target policies NAME[:key=value,...]");
  v.field("sizes", sizes, "log sizes in steps");
  v.field("reps", reps, "independent logs per (target, size)");
  v.field("bootstrap", bootstrap, "bootstrap resamples per estimate");
  v.field("truth_episodes", truth_episodes, "online episodes for the true value");
  v.field("model_max_rounds", model_max_rounds, "largest log on which dm/DR family run");
  v.field("estimators", estimators, "comma-separated estimators, or all");
  v.field("seed", seed, "seed");
}

void OpeSimBenchOptions::validate() const {
  for (const auto& s : env_overrides)
    if (s.rfind("env.", 0) != 0)
      invalid_argument("ope.env_overrides '", s, "': simbench accepts env.KEY=VALUE only");
  if (estimators != "all") {
    const auto known = ope::sim_estimator_names();
    for (const auto& n : split_names(estimators))
      if (std::find(known.begin(), known.end(), n) == known.end())
        throw_unknown("estimator", n, known);
  }
  if (reps <= 0) invalid_argument("ope.reps must be > 0, got ", reps);
  check_bootstrap(bootstrap);
  check_seed(seed);
}

// --- runs -------------------------------------------------------------------------------------

OpeEstimateResult estimate_bandit(const ope::BanditData& data, const ope::ActionDist& dist,
                                  const ope::RewardFeatures* features,
                                  const std::vector<double>* q_hat, const OpeEstimateOptions& o) {
  const auto ests = ope::parse_estimator_list(o.estimators);
  check_bootstrap(o.bootstrap);
  check_seed(o.seed);
  if (!(o.level > 0 && o.level < 1)) invalid_argument("ope.level must be in (0, 1), got ", o.level);
  o.model.validate();
  ope::validate(data, "bandit feedback");
  ope::validate(dist, data, "action_dist");
  OpeEstimateResult r;
  r.options = o;
  for (const auto* e : ests) r.reward_model_fitted |= e->needs_model;
  std::vector<double> q;
  if (r.reward_model_fitted) {
    const size_t want = data.size() * static_cast<size_t>(data.n_actions);
    if (q_hat != nullptr) {
      if (q_hat->size() != want)
        invalid_argument("estimated rewards: need n_rounds x n_actions = ", want, " values, got ",
                         q_hat->size());
      q = *q_hat;
    } else if (features != nullptr) {
      q = ope::fit_predict_cross_fitted(data, *features,
                                        o.model.reward_model_options(model_seed(o.seed)), &r.fit);
    } else {
      invalid_argument(
          "estimators dm and the DR family need a reward model: give its estimated rewards or the "
          "reward-model features, or choose estimators among ipw, clipped_ipw, snipw");
    }
  }
  const ope::RoundInputs in = ope::prepare_inputs(data, dist, r.reward_model_fitted ? &q : nullptr);
  const uint64_t boot_seed = combine_keys(static_cast<uint64_t>(o.seed), hash_name("bootstrap"));
  for (const auto* e : ests)
    r.estimates.push_back(ope::bootstrap_estimate(e->terms(in, o.model.estimator_options()),
                                                  std::string(e->name), o.bootstrap, boot_seed,
                                                  o.level));
  for (double w : in.w) r.mean_weight += w / static_cast<double>(in.size());
  r.rounds = data.size();
  r.n_actions = static_cast<size_t>(data.n_actions);
  r.n_positions = data.n_positions;
  return r;
}

OpeEstimateResult run_ope_estimate(const OpeEstimateOptions& options) {
  options.validate();
  return options.format == "rlrec" ? estimate_rlrec(options) : estimate_obd(options);
}

json to_json(const OpeEstimateResult& r) {
  const OpeEstimateOptions& o = r.options;
  json j;
  j["log"] = o.log;
  j["format"] = o.format;
  j["rounds"] = r.rounds;
  if (o.format == "rlrec") {
    j["env"] = r.env;
    j["behaviour"] = r.behaviour;
    j["policy"] = o.policy;
    j["bootstrap"] = o.bootstrap;
    j["seed"] = o.seed;
    j["level"] = o.level;
    j["value"] = "per step";
  } else {
    j["rows_read"] = r.rows_read;
    j["rows_rejected"] = r.rows_rejected;
    j["policy"] = r.policy_description;
    j["bootstrap"] = o.bootstrap;
    j["seed"] = o.seed;
    j["level"] = o.level;
    j["mean_weight"] = r.mean_weight;
    if (r.reward_model_fitted)
      j["reward_model"] = {{"kind", o.model.reward_model},
                           {"c", o.model.model_c},
                           {"folds", o.model.folds},
                           {"models", r.fit.models},
                           {"constant_models", r.fit.constant_models}};
  }
  j["estimates"] = estimates_json(r.estimates);
  return j;
}

OpeBenchResult run_ope_bench(const OpeBenchOptions& options) {
  options.validate();
  ope::ObdBenchOptions opt;
  opt.bootstrap = options.bootstrap;
  opt.seed = static_cast<uint64_t>(options.seed);
  opt.n_sim = options.n_sim;
  opt.model = options.model.reward_model_options(0);
  opt.estimator = options.model.estimator_options();
  opt.estimators.clear();
  for (const auto* e : ope::parse_estimator_list(options.estimators))
    opt.estimators.emplace_back(e->name);
  OpeBenchResult r;
  r.options = options;
  r.bench = ope::obd_bench(options.data, options.campaign, opt);
  return r;
}

json to_json(const OpeBenchResult& r) {
  const ope::ObdBenchResult& b = r.bench;
  const OpeBenchOptions& o = r.options;
  json j;
  j["campaign"] = b.campaign;
  j["ground_truth"] = b.ground_truth;
  j["ground_truth_rounds"] = b.ground_truth_rounds;
  j["behaviour_value"] = b.behaviour_value;
  j["rounds"] = b.rounds;
  j["bootstrap"] = o.bootstrap;
  j["seed"] = o.seed;
  j["reward_model"] = {
      {"kind", o.model.reward_model}, {"c", o.model.model_c}, {"folds", o.model.folds}};
  json est = json::object();
  for (const auto& row : b.rows)
    est[row.name] = {{"estimate", row.estimate},
                     {"relative_error", row.relative_error},
                     {"estimate_mean", row.estimate_mean},
                     {"estimate_std", row.estimate_std},
                     {"relative_error_mean", row.relative_error_mean},
                     {"relative_error_std", row.relative_error_std}};
  j["estimates"] = est;
  return j;
}

OpeSimBenchResult run_ope_simbench(const OpeSimBenchOptions& options) {
  options.validate();
  Config cfg = Config::parse_string("[env]\nname = \"interest_evolution\"\n", "simbench");
  for (const auto& s : options.env_overrides) cfg.set(s);
  ope::SimBenchOptions opt;
  opt.env_config = cfg.to_toml();
  opt.behaviour = options.behaviour;
  opt.targets = options.targets;
  opt.sizes = options.sizes;
  opt.reps = options.reps;
  opt.bootstrap = options.bootstrap;
  opt.seed = static_cast<uint64_t>(options.seed);
  opt.truth_episodes = options.truth_episodes;
  opt.model_max_rounds = options.model_max_rounds;
  if (options.estimators != "all") opt.estimators = split_names(options.estimators);
  OpeSimBenchResult r;
  r.options = options;
  r.rows = ope::sim_bench(opt);
  return r;
}

json to_json(const OpeSimBenchResult& r) {
  const OpeSimBenchOptions& o = r.options;
  json j;
  j["behaviour"] = o.behaviour;
  j["reps"] = o.reps;
  j["bootstrap"] = o.bootstrap;
  j["truth_episodes"] = o.truth_episodes;
  j["seed"] = o.seed;
  json arr = json::array();
  for (const auto& row : r.rows)
    arr.push_back({{"target", row.target},
                   {"estimator", row.estimator},
                   {"size", row.size},
                   {"truth", row.truth},
                   {"truth_se", row.truth_se},
                   {"mean_estimate", row.mean_estimate},
                   {"rmse", row.rmse},
                   {"relative_error", row.mean_relative_error},
                   {"coverage", row.coverage},
                   {"ci_width", row.mean_ci_width},
                   {"reps", row.reps}});
  j["rows"] = arr;
  return j;
}

std::string to_text(const OpeEstimateResult& r) {
  std::string out;
  const OpeEstimateOptions& o = r.options;
  if (o.format == "rlrec")
    appendf(out, "log %s: %zu steps of %s logged by %s; target %s; values per step\n",
            o.log.c_str(), r.rounds, r.env.c_str(), r.behaviour.c_str(), o.policy.c_str());
  else
    appendf(out, "log %s: %zu rounds, %zu actions, %d positions; policy %s; mean weight %.4f\n",
            o.log.c_str(), r.rounds, r.n_actions, r.n_positions, r.policy_description.c_str(),
            r.mean_weight);
  Table t({"estimator", "estimate", "ci_low", "ci_high", "boot_mean", "boot_std", "lambda"});
  for (const auto& e : r.estimates)
    t.add_row({e.name, fmt(e.estimate, 6), fmt(e.ci_low, 6), fmt(e.ci_high, 6), fmt(e.boot_mean, 6),
               fmt(e.boot_std, 6), lambda_text(e.lambda)});
  appendf(out, "%s%.0f%% percentile bootstrap intervals over %d resamples (seed %lld)\n",
          t.to_string().c_str(), o.level * 100, o.bootstrap, static_cast<long long>(o.seed));
  return out;
}

std::string to_text(const OpeBenchResult& res) {
  std::string out;
  const ope::ObdBenchResult& r = res.bench;
  appendf(out,
          "OBD %s: bts value from %zu random rounds; ground truth (bts on-policy mean click, %zu "
          "rounds) "
          "%.6f; random logger %.6f\n",
          r.campaign.c_str(), r.rounds, r.ground_truth_rounds, r.ground_truth, r.behaviour_value);
  Table t(
      {"estimator", "estimate", "rel_error", "est_mean", "est_std", "rel_err_mean", "rel_err_std"});
  for (const auto& row : r.rows)
    t.add_row({row.name, fmt(row.estimate, 6), fmt(row.relative_error, 3),
               fmt(row.estimate_mean, 6), fmt(row.estimate_std, 6), fmt(row.relative_error_mean, 3),
               fmt(row.relative_error_std, 3)});
  appendf(out, "%smean/std over %d bootstrap resamples of the random log (seed %lld)\n",
          t.to_string().c_str(), res.options.bootstrap, static_cast<long long>(res.options.seed));
  return out;
}

std::string to_text(const OpeSimBenchResult& res) {
  std::string out;
  const OpeSimBenchOptions& o = res.options;
  appendf(
      out,
      "behaviour %s; %d logs per cell; %d bootstrap resamples; truth from %lld online episodes\n",
      o.behaviour.c_str(), o.reps, o.bootstrap, static_cast<long long>(o.truth_episodes));
  Table t({"target", "estimator", "size", "truth", "mean_est", "rel_error", "rmse", "coverage",
           "ci_width"});
  for (const auto& r : res.rows)
    t.add_row({r.target, r.estimator, std::to_string(r.size), fmt(r.truth, 4),
               fmt(r.mean_estimate, 4), fmt(r.mean_relative_error, 3), fmt(r.rmse, 4),
               fmt(r.coverage, 2), fmt(r.mean_ci_width, 4)});
  appendf(out, "%s", t.to_string().c_str());
  return out;
}

}  // namespace rlrec::experiment
