// `rlrec ope`: off-policy evaluation (src/rlrec/ope; user guide docs/ope.md).
//   ope estimate  estimates a target policy's value from a logged-bandit file, every estimator with
//                 a seeded bootstrap confidence interval;
//   ope bench     the Open Bandit Dataset evaluation-of-OPE protocol: the Thompson-sampling (bts)
//                 policy's value estimated from the uniform-random logs of a campaign, against the
//                 on-policy mean click of the bts logs.
// OBD logs (--format obd): the item context is read from item_context.csv in the log's directory
// (the OBD layout) unless --item-context names it.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/data/open_bandit.h"
#include "rlrec/logs/log.h"
#include "rlrec/ope/estimators.h"
#include "rlrec/ope/obd.h"
#include "rlrec/ope/reward_model.h"
#include "rlrec/ope/sim_ope.h"
#include "rlrec/ope/target_policy.h"

namespace rlrec::cli {
namespace {

using nlohmann::json;

struct ModelFlags {
  std::string kind = "logistic";
  double C = 1.0;
  int folds = 3;
  void add_to(CLI::App* cmd) {
    cmd->add_option("--reward-model", kind, "reward model for dm and the DR family: logistic | ridge")
        ->check(CLI::IsMember({"logistic", "ridge"}))
        ->capture_default_str();
    cmd->add_option("--model-c", C, "LIBLINEAR C (inverse L2 strength) of the reward model")->capture_default_str();
    cmd->add_option("--folds", folds, "cross-fitting folds of the reward model")->capture_default_str();
  }
  ope::RewardModelOptions options(uint64_t seed) const {
    if (!(C > 0)) invalid_argument("--model-c must be > 0, got ", C);
    if (folds < 1) invalid_argument("--folds must be >= 1, got ", folds);
    ope::RewardModelOptions m;
    m.kind = kind;
    m.C = C;
    m.folds = folds;
    m.seed = seed;
    return m;
  }
};

struct LambdaFlags {
  double clip = -1, sw = -1, os = -1;
  void add_to(CLI::App* cmd) {
    cmd->add_option("--clip-lambda", clip, "fixed clipping threshold of clipped_ipw (default: SLOPE)");
    cmd->add_option("--switch-lambda", sw, "fixed threshold of switch_dr (default: SLOPE)");
    cmd->add_option("--dros-lambda", os, "fixed shrinkage lambda of dr_os (default: SLOPE)");
  }
  ope::EstimatorOptions options() const { return {clip, sw, os}; }
};

struct EstimateFlags {
  std::string log, format = "obd", target_dist, policy, item_context, campaign, prior, estimators = "all";
  int bootstrap = 200;
  uint64_t seed = 0;
  int n_sim = 100000;
  double level = 0.95;
  bool json = false;
  ModelFlags model;
  LambdaFlags lambdas;
};

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

std::string lambda_text(double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return "inf";
  return fmt(v, 4);
}

void print_estimates(const std::vector<ope::Estimate>& out, const EstimateFlags& f, json j, const std::string& head) {
  if (f.json) {
    json est = json::object();
    for (const auto& e : out)
      est[e.name] = {{"estimate", e.estimate}, {"ci_low", e.ci_low}, {"ci_high", e.ci_high},
                     {"mean", e.boot_mean},    {"std", e.boot_std},   {"lambda", num(e.lambda)}};
    j["estimates"] = est;
    print_json(j);
    return;
  }
  std::printf("%s\n", head.c_str());
  Table t({"estimator", "estimate", "ci_low", "ci_high", "boot_mean", "boot_std", "lambda"});
  for (const auto& e : out)
    t.add_row({e.name, fmt(e.estimate, 6), fmt(e.ci_low, 6), fmt(e.ci_high, 6), fmt(e.boot_mean, 6),
               fmt(e.boot_std, 6), lambda_text(e.lambda)});
  std::printf("%s", t.to_string().c_str());
  std::printf("%.0f%% percentile bootstrap intervals over %d resamples (seed %llu)\n", f.level * 100, f.bootstrap,
              static_cast<unsigned long long>(f.seed));
}

// --format rlrec: a simulator log (logs/log.h); the target is a simulator policy spec
// NAME[:key=value,...] evaluated on each record's rebuilt observation; values are per step.
void run_estimate_rlrec(const EstimateFlags& f) {
  if (!f.target_dist.empty())
    invalid_argument("--target-dist applies to --format obd (fixed item ids); rlrec logs take --policy NAME[:key=value,...]");
  const logs::LogData log = logs::read_log(f.log);
  const Config env_cfg = Config::parse_string(log.header.env_config, f.log + " (env config)");
  const auto env = catalog::make_environment(env_cfg, log.header.env_seed);
  logs::check_compatible(log.header, *env, f.log);
  const auto target = ope::make_sim_policy(f.policy, *env);
  const ope::SimOpeData d = ope::sim_ope_data(log, *target, env->catalogue());
  std::vector<std::string> names;
  if (f.estimators == "all") {
    for (const auto& n : ope::sim_estimator_names())
      if (n != "rips" || d.has_target_cascade) names.push_back(n);
  } else {
    size_t start = 0;
    while (start <= f.estimators.size()) {
      size_t end = f.estimators.find(',', start);
      if (end == std::string::npos) end = f.estimators.size();
      names.push_back(f.estimators.substr(start, end - start));
      start = end + 1;
    }
  }
  ope::RewardModelOptions m = f.model.options(combine_keys(f.seed, hash_name("model")));
  if (m.kind == "logistic") m.kind = "ridge";  // simulator rewards are not 0/1 in general
  const auto out = ope::estimate_sim(d, names, m, f.lambdas.options(), f.bootstrap, f.seed);
  json j;
  j["log"] = f.log;
  j["format"] = "rlrec";
  j["rounds"] = log.size;
  j["env"] = log.header.env;
  j["behaviour"] = log.header.policy;
  j["policy"] = f.policy;
  j["bootstrap"] = f.bootstrap;
  j["seed"] = f.seed;
  j["level"] = f.level;
  j["value"] = "per step";
  print_estimates(out, f, j,
                  str_cat("log ", f.log, ": ", log.size, " steps of ", log.header.env, " logged by ", log.header.policy,
                          "; target ", f.policy, "; values per step"));
}

void run_estimate(const EstimateFlags& f) {
  if (f.bootstrap <= 0) invalid_argument("--bootstrap must be > 0 (number of resamples), got ", f.bootstrap);
  if (!(f.level > 0 && f.level < 1)) invalid_argument("--level must be in (0, 1), got ", f.level);
  if (f.target_dist.empty() == f.policy.empty())
    invalid_argument("give exactly one of --target-dist FILE or --policy NAME (bts, random)");
  if (f.format == "rlrec") return run_estimate_rlrec(f);
  const auto ests = ope::parse_estimator_list(f.estimators);

  namespace fs = std::filesystem;
  const std::string item_context =
      f.item_context.empty() ? (fs::path(f.log).parent_path() / "item_context.csv").string() : f.item_context;
  if (!fs::exists(f.log)) throw_error(ErrorCode::kNotFound, f.log, ": log file not found");
  if (!fs::exists(item_context))
    throw_error(ErrorCode::kNotFound, item_context,
                ": item context not found (OBD logs need item_context.csv beside the log, or --item-context FILE)");
  data::LoadReport report;
  const data::BanditLog log = data::load_open_bandit(f.log, item_context, {}, &report);
  const ope::ObdBandit b = ope::obd_to_bandit(log);
  ope::validate(b.data, f.log);

  ope::ActionDist dist;
  std::string policy_desc;
  if (!f.target_dist.empty()) {
    dist = ope::read_target_dist(f.target_dist, b.data.n_actions, b.data.n_positions);
    policy_desc = "target-dist " + f.target_dist;
  } else if (f.policy == "random") {
    dist = ope::uniform_action_dist(b.data.n_actions, b.data.n_positions);
    policy_desc = "random (uniform slates)";
  } else if (f.policy == "bts") {
    ope::BetaPrior prior;
    if (!f.prior.empty()) {
      prior = ope::read_beta_prior(f.prior);
      policy_desc = "bts (prior " + f.prior + ")";
    } else {
      std::string campaign = f.campaign.empty() ? fs::path(f.log).stem().string() : f.campaign;
      if (campaign != "men" && campaign != "women" && campaign != "all")
        invalid_argument("--policy bts needs --prior FILE or --campaign men|women|all (could not infer the "
                         "campaign from the log name '", fs::path(f.log).filename().string(), "')");
      prior = ope::zozotown_prior(campaign);
      policy_desc = "bts (ZOZOTOWN prior, " + campaign + ")";
    }
    if (static_cast<int>(prior.alpha.size()) != b.data.n_actions)
      invalid_argument("the Beta prior has ", prior.alpha.size(), " items, the log has ", b.data.n_actions);
    dist = ope::bernoulli_ts_action_dist(prior, b.data.n_positions, f.n_sim, f.seed);
  } else {
    const std::vector<std::string> known{"bts", "random"};
    throw_unknown("OBD target policy", f.policy, known);
  }
  ope::validate(dist, b.data, f.target_dist.empty() ? f.policy : f.target_dist);

  bool need_model = false;
  for (const auto* e : ests) need_model |= e->needs_model;
  std::vector<double> q;
  ope::FitReport fit;
  if (need_model)
    q = ope::fit_predict_cross_fitted(b.data, b.features, f.model.options(combine_keys(f.seed, hash_name("model"))),
                                      &fit);
  const ope::RoundInputs in = ope::prepare_inputs(b.data, dist, need_model ? &q : nullptr);

  std::vector<ope::Estimate> out;
  for (const auto* e : ests)
    out.push_back(ope::bootstrap_estimate(e->terms(in, f.lambdas.options()), std::string(e->name), f.bootstrap,
                                          combine_keys(f.seed, hash_name("bootstrap")), f.level));
  double mean_w = 0;
  for (double w : in.w) mean_w += w / static_cast<double>(in.size());

  if (f.json) {
    json j;
    j["log"] = f.log;
    j["format"] = f.format;
    j["rounds"] = b.data.size();
    j["rows_read"] = report.read;
    j["rows_rejected"] = report.rejected;
    j["policy"] = policy_desc;
    j["bootstrap"] = f.bootstrap;
    j["seed"] = f.seed;
    j["level"] = f.level;
    j["mean_weight"] = mean_w;
    if (need_model)
      j["reward_model"] = {{"kind", f.model.kind}, {"c", f.model.C}, {"folds", f.model.folds},
                           {"models", fit.models}, {"constant_models", fit.constant_models}};
    json est = json::object();
    for (const auto& e : out)
      est[e.name] = {{"estimate", e.estimate}, {"ci_low", e.ci_low},    {"ci_high", e.ci_high},
                     {"mean", e.boot_mean},    {"std", e.boot_std},      {"lambda", num(e.lambda)}};
    j["estimates"] = est;
    print_json(j);
    return;
  }
  std::printf("log %s: %zu rounds, %zu actions, %d positions; policy %s; mean weight %.4f\n", f.log.c_str(),
              b.data.size(), static_cast<size_t>(b.data.n_actions), b.data.n_positions, policy_desc.c_str(),
              mean_w);
  Table t({"estimator", "estimate", "ci_low", "ci_high", "boot_mean", "boot_std", "lambda"});
  for (const auto& e : out)
    t.add_row({e.name, fmt(e.estimate, 6), fmt(e.ci_low, 6), fmt(e.ci_high, 6), fmt(e.boot_mean, 6),
               fmt(e.boot_std, 6), lambda_text(e.lambda)});
  std::printf("%s", t.to_string().c_str());
  std::printf("%.0f%% percentile bootstrap intervals over %d resamples (seed %llu)\n", f.level * 100, f.bootstrap,
              static_cast<unsigned long long>(f.seed));
}

struct BenchFlags {
  std::string data, campaign, estimators = "all";
  int bootstrap = 30;
  uint64_t seed = 12345;
  int n_sim = 100000;
  bool json = false;
  ModelFlags model;
  LambdaFlags lambdas;
};

void run_bench(const BenchFlags& f) {
  ope::ObdBenchOptions opt;
  opt.bootstrap = f.bootstrap;
  opt.seed = f.seed;
  opt.n_sim = f.n_sim;
  opt.model = f.model.options(0);
  opt.estimator = f.lambdas.options();
  opt.estimators.clear();
  for (const auto* e : ope::parse_estimator_list(f.estimators)) opt.estimators.emplace_back(e->name);
  if (f.bootstrap <= 0) invalid_argument("--bootstrap must be > 0 (number of resamples), got ", f.bootstrap);
  const ope::ObdBenchResult r = ope::obd_bench(f.data, f.campaign, opt);
  if (f.json) {
    json j;
    j["campaign"] = r.campaign;
    j["ground_truth"] = r.ground_truth;
    j["ground_truth_rounds"] = r.ground_truth_rounds;
    j["behaviour_value"] = r.behaviour_value;
    j["rounds"] = r.rounds;
    j["bootstrap"] = f.bootstrap;
    j["seed"] = f.seed;
    j["reward_model"] = {{"kind", f.model.kind}, {"c", f.model.C}, {"folds", f.model.folds}};
    json est = json::object();
    for (const auto& row : r.rows)
      est[row.name] = {{"estimate", row.estimate},
                       {"relative_error", row.relative_error},
                       {"estimate_mean", row.estimate_mean},
                       {"estimate_std", row.estimate_std},
                       {"relative_error_mean", row.relative_error_mean},
                       {"relative_error_std", row.relative_error_std}};
    j["estimates"] = est;
    print_json(j);
    return;
  }
  std::printf("OBD %s: bts value from %zu random rounds; ground truth (bts on-policy mean click, %zu rounds) "
              "%.6f; random logger %.6f\n",
              r.campaign.c_str(), r.rounds, r.ground_truth_rounds, r.ground_truth, r.behaviour_value);
  Table t({"estimator", "estimate", "rel_error", "est_mean", "est_std", "rel_err_mean", "rel_err_std"});
  for (const auto& row : r.rows)
    t.add_row({row.name, fmt(row.estimate, 6), fmt(row.relative_error, 3), fmt(row.estimate_mean, 6),
               fmt(row.estimate_std, 6), fmt(row.relative_error_mean, 3), fmt(row.relative_error_std, 3)});
  std::printf("%s", t.to_string().c_str());
  std::printf("mean/std over %d bootstrap resamples of the random log (seed %llu)\n", f.bootstrap,
              static_cast<unsigned long long>(f.seed));
}

struct SimBenchFlags {
  ope::SimBenchOptions opt;
  std::vector<std::string> sets;
  std::string estimators = "all";
  bool json = false;
};

void run_simbench(SimBenchFlags f) {
  std::string env = "[env]\nname = \"interest_evolution\"\n";
  Config cfg = Config::parse_string(env, "simbench");
  for (const auto& s : f.sets) {
    if (s.rfind("env.", 0) != 0) invalid_argument("--set '", s, "': simbench accepts env.KEY=VALUE only");
    cfg.set(s);
  }
  f.opt.env_config = cfg.to_toml();
  if (f.estimators != "all") {
    f.opt.estimators.clear();
    size_t start = 0;
    while (start <= f.estimators.size()) {
      size_t end = f.estimators.find(',', start);
      if (end == std::string::npos) end = f.estimators.size();
      f.opt.estimators.push_back(f.estimators.substr(start, end - start));
      start = end + 1;
    }
    const auto known = ope::sim_estimator_names();
    for (const auto& n : f.opt.estimators)
      if (std::find(known.begin(), known.end(), n) == known.end()) throw_unknown("estimator", n, known);
  }
  const auto rows = ope::sim_bench(f.opt);
  if (f.json) {
    json j;
    j["behaviour"] = f.opt.behaviour;
    j["reps"] = f.opt.reps;
    j["bootstrap"] = f.opt.bootstrap;
    j["truth_episodes"] = f.opt.truth_episodes;
    j["seed"] = f.opt.seed;
    json arr = json::array();
    for (const auto& r : rows)
      arr.push_back({{"target", r.target}, {"estimator", r.estimator}, {"size", r.size}, {"truth", r.truth},
                     {"truth_se", r.truth_se}, {"mean_estimate", r.mean_estimate}, {"rmse", r.rmse},
                     {"relative_error", r.mean_relative_error}, {"coverage", r.coverage},
                     {"ci_width", r.mean_ci_width}, {"reps", r.reps}});
    j["rows"] = arr;
    print_json(j);
    return;
  }
  std::printf("behaviour %s; %d logs per cell; %d bootstrap resamples; truth from %lld online episodes\n",
              f.opt.behaviour.c_str(), f.opt.reps, f.opt.bootstrap, static_cast<long long>(f.opt.truth_episodes));
  Table t({"target", "estimator", "size", "truth", "mean_est", "rel_error", "rmse", "coverage", "ci_width"});
  for (const auto& r : rows)
    t.add_row({r.target, r.estimator, std::to_string(r.size), fmt(r.truth, 4), fmt(r.mean_estimate, 4),
               fmt(r.mean_relative_error, 3), fmt(r.rmse, 4), fmt(r.coverage, 2), fmt(r.mean_ci_width, 4)});
  std::printf("%s", t.to_string().c_str());
}

}  // namespace

void add_ope_command(CLI::App& app) {
  auto* ope = app.add_subcommand("ope", std::string(command_description("ope")));
  ope->require_subcommand(1, 1);

  auto ef = std::make_shared<EstimateFlags>();
  auto* est = ope->add_subcommand("estimate", "estimate a target policy's value from a log, with bootstrap CIs");
  est->add_option("--log", ef->log, "logged bandit feedback file (OBD csv)")->required();
  est->add_option("--format", ef->format, "log format: obd (Open Bandit Dataset csv) or rlrec (simulator log)")
      ->check(CLI::IsMember({"obd", "rlrec"}))
      ->capture_default_str();
  est->add_option("--target-dist", ef->target_dist,
                  "target policy as CSV item,position,prob (positions 0-based; each position sums to 1)");
  est->add_option("--policy", ef->policy,
                  "target policy: obd: bts (Thompson sampling) or random; rlrec: a simulator policy NAME[:key=value,...]");
  est->add_option("--item-context", ef->item_context, "OBD item context (default: item_context.csv beside --log)");
  est->add_option("--campaign", ef->campaign, "OBD campaign for the ZOZOTOWN bts prior (default: the log's name)");
  est->add_option("--prior", ef->prior, "Beta prior for --policy bts: CSV item,alpha,beta");
  est->add_option("--n-sim", ef->n_sim, "Monte Carlo draws for the bts action distribution")->capture_default_str();
  est->add_option("--estimators", ef->estimators, "comma-separated estimators, or all")->capture_default_str();
  est->add_option("--bootstrap", ef->bootstrap, "bootstrap resamples for the CIs")->capture_default_str();
  est->add_option("--level", ef->level, "confidence level")->capture_default_str();
  est->add_option("--seed", ef->seed, "seed (folds, bootstrap, Monte Carlo)")->capture_default_str();
  est->add_flag("--json", ef->json, "print one JSON object");
  ef->model.add_to(est);
  ef->lambdas.add_to(est);
  est->callback([ef] { run_estimate(*ef); });

  auto bf = std::make_shared<BenchFlags>();
  auto* bench = ope->add_subcommand("bench", "OBD evaluation of OPE: bts value from random logs vs bts on-policy");
  bench->add_option("--data", bf->data, "Open Bandit Dataset directory (random/, bts/)")->required();
  bench->add_option("--campaign", bf->campaign, "campaign")->required()->check(CLI::IsMember({"men", "women", "all"}));
  bench->add_option("--bootstrap", bf->bootstrap, "bootstrap resamples")->capture_default_str();
  bench->add_option("--seed", bf->seed, "seed")->capture_default_str();
  bench->add_option("--n-sim", bf->n_sim, "Monte Carlo draws for the bts action distribution")->capture_default_str();
  bench->add_option("--estimators", bf->estimators, "comma-separated estimators, or all")->capture_default_str();
  bench->add_flag("--json", bf->json, "print one JSON object");
  bf->model.add_to(bench);
  bf->lambdas.add_to(bench);
  bench->callback([bf] { run_bench(*bf); });

  auto sf = std::make_shared<SimBenchFlags>();
  auto* sb = ope->add_subcommand(
      "simbench", "simulator OPE benchmark: relative error and CI coverage by estimator and log size");
  sb->add_option("--set", sf->sets, "environment override env.KEY=VALUE (repeatable; env.max_steps is forced to 1)");
  sb->add_option("--behaviour", sf->opt.behaviour, "logging policy NAME[:key=value,...]")->capture_default_str();
  sb->add_option("--target", sf->opt.targets, "target policy NAME[:key=value,...] (repeatable)");
  sb->add_option("--sizes", sf->opt.sizes, "log sizes in steps")->delimiter(',');
  sb->add_option("--reps", sf->opt.reps, "independent logs per (target, size)")->capture_default_str();
  sb->add_option("--bootstrap", sf->opt.bootstrap, "bootstrap resamples per estimate")->capture_default_str();
  sb->add_option("--truth-episodes", sf->opt.truth_episodes, "online episodes for the true value")->capture_default_str();
  sb->add_option("--model-max-rounds", sf->opt.model_max_rounds, "largest log on which dm/DR family run")
      ->capture_default_str();
  sb->add_option("--estimators", sf->estimators, "comma-separated estimators, or all")->capture_default_str();
  sb->add_option("--seed", sf->opt.seed, "seed")->capture_default_str();
  sb->add_flag("--json", sf->json, "print one JSON object");
  sb->callback([sf] { run_simbench(*sf); });
}

}  // namespace rlrec::cli
