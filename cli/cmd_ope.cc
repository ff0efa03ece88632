// `rlrec ope`: off-policy evaluation (src/rlrec/experiment/ope_experiment.h; user guide
// docs/ope.md).
//   ope estimate  a target policy's value from a logged-bandit file (OBD csv or simulator log),
//                 every estimator with a seeded bootstrap confidence interval;
//   ope bench     the Open Bandit Dataset evaluation-of-OPE protocol (bts value from random logs);
//   ope simbench  the simulator OPE benchmark (relative error, CI coverage by estimator and size).
// This file only maps flags to the options, calls the experiment and prints its result (to_json
// or to_text).
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/key_flags.h"
#include "rlrec/experiment/ope_experiment.h"

namespace rlrec::cli {
namespace {

using namespace experiment;

template <class Options>
struct Flags {
  Options opt;
  bool json = false;
  ConfigFlags config;
  std::vector<std::string> sets;  // simbench: --set env.KEY=VALUE or ope.KEY=VALUE
  std::unique_ptr<KeyFlags<Options>> keys;
  KeyFlags<Options>& bind(CLI::App* c) {
    keys = std::make_unique<KeyFlags<Options>>(c, "ope", opt);
    return *keys;
  }
};

template <class Options>
void add_model_flags(KeyFlags<Options>& c, OpeModelOptions& m) {
  c.add("--reward-model", "reward_model", m.reward_model,
        "reward model for dm and the DR family: logistic | ridge")
      ->check(CLI::IsMember({"logistic", "ridge"}))
      ->capture_default_str();
  c.add("--model-c", "model_c", m.model_c, "LIBLINEAR C (inverse L2 strength) of the reward model")
      ->capture_default_str();
  c.add("--folds", "folds", m.folds, "cross-fitting folds of the reward model")
      ->capture_default_str();
  c.add("--clip-lambda", "clip_lambda", m.clip_lambda,
        "fixed clipping threshold of clipped_ipw (default: SLOPE)");
  c.add("--switch-lambda", "switch_lambda", m.switch_lambda,
        "fixed threshold of switch_dr (default: SLOPE)");
  c.add("--dros-lambda", "dros_lambda", m.dros_lambda,
        "fixed shrinkage lambda of dr_os (default: SLOPE)");
}

// Runs one experiment with the options of the experiment file's [ope] section (and --set), then the
// flags given (errors name the [ope] keys, which --help pairs with the flags); prints JSON or the
// table. simbench's --set takes env.KEY=VALUE (appended to ope.env_overrides) and ope.KEY=VALUE.
template <class Options, class Run>
void run(const Flags<Options>& f, std::string_view command, Run run_fn) {
  ConfigFlags config = f.config;
  std::vector<std::string> env;
  for (const auto& s : f.sets) (s.rfind("ope.", 0) == 0 ? config.sets : env).push_back(s);
  const Config cfg = config.load();
  check_sections(cfg, {"ope"}, command);
  Options o = f.keys->options(cfg);
  if constexpr (std::is_same_v<Options, OpeSimBenchOptions>)
    o.env_overrides.insert(o.env_overrides.end(), env.begin(), env.end());
  const auto r = run_fn(o);
  if (f.json)
    print_json(to_json(r));
  else
    std::fputs(to_text(r).c_str(), stdout);
}

}  // namespace

void add_ope_command(CLI::App& app) {
  auto* ope = app.add_subcommand("ope", std::string(command_description("ope")));
  ope->require_subcommand(1, 1);

  auto ef = std::make_shared<Flags<OpeEstimateOptions>>();
  OpeEstimateOptions& e = ef->opt;
  auto* est = ope->add_subcommand(
      "estimate", "Estimate a target policy's value from a log, with bootstrap CIs.");
  auto& ek = ef->bind(est);
  ek.add("--log", "log", e.log,
         "logged bandit feedback file: an Open Bandit Dataset csv (--format obd) or an rlrec log "
         "(--format rlrec)");
  ek.add("--format", "format", e.format,
         "log format: obd (Open Bandit Dataset csv) or rlrec (simulator log)")
      ->check(CLI::IsMember({"obd", "rlrec"}))
      ->capture_default_str();
  ek.add("--target-dist", "target_dist", e.target_dist,
         "target policy as CSV item,position,prob (positions 0-based; each position sums to 1)");
  ek.add("--policy", "policy", e.policy,
         "target policy: obd: bts (Thompson sampling) or random; rlrec: a simulator policy "
         "NAME[:key=value,...]");
  ek.add("--item-context", "item_context", e.item_context,
         "OBD item context (default: item_context.csv beside --log)");
  ek.add("--campaign", "campaign", e.campaign,
         "OBD campaign for the ZOZOTOWN bts prior (default: the log's name)");
  ek.add("--prior", "prior", e.prior, "Beta prior for --policy bts: CSV item,alpha,beta");
  ek.add("--n-sim", "n_sim", e.n_sim, "Monte Carlo draws for the bts action distribution")
      ->capture_default_str();
  ek.add("--estimators", "estimators", e.estimators, "comma-separated estimators, or all")
      ->capture_default_str();
  ek.add("--bootstrap", "bootstrap", e.bootstrap, "bootstrap resamples for the CIs")
      ->capture_default_str();
  ek.add("--level", "level", e.level, "confidence level")->capture_default_str();
  ek.add("--seed", "seed", e.seed, "seed (folds, bootstrap, Monte Carlo)")->capture_default_str();
  est->add_flag("--json", ef->json, "print one JSON object");
  add_model_flags(ek, e.model);
  ef->config.add_to(*est);
  est->callback([ef] { run(*ef, "ope estimate", run_ope_estimate); });

  auto bf = std::make_shared<Flags<OpeBenchOptions>>();
  OpeBenchOptions& b = bf->opt;
  auto* bench = ope->add_subcommand(
      "bench", "OBD evaluation of OPE: bts value from random logs vs bts on-policy.");
  auto& bk = bf->bind(bench);
  bk.add("--data", "data", b.data, "Open Bandit Dataset directory (random/, bts/)");
  bk.add("--campaign", "campaign", b.campaign, "campaign")
      ->check(CLI::IsMember({"men", "women", "all"}));
  bk.add("--bootstrap", "bootstrap", b.bootstrap, "bootstrap resamples")->capture_default_str();
  bk.add("--seed", "seed", b.seed, "seed")->capture_default_str();
  bk.add("--n-sim", "n_sim", b.n_sim, "Monte Carlo draws for the bts action distribution")
      ->capture_default_str();
  bk.add("--estimators", "estimators", b.estimators, "comma-separated estimators, or all")
      ->capture_default_str();
  bench->add_flag("--json", bf->json, "print one JSON object");
  add_model_flags(bk, b.model);
  bf->config.add_to(*bench);
  bench->callback([bf] { run(*bf, "ope bench", run_ope_bench); });

  auto sf = std::make_shared<Flags<OpeSimBenchOptions>>();
  OpeSimBenchOptions& s = sf->opt;
  auto* sb = ope->add_subcommand(
      "simbench",
      "Simulator OPE benchmark: relative error and CI coverage by estimator and log size.");
  auto& sk = sf->bind(sb);
  sb->add_option("experiment", sf->config.experiment, "experiment TOML file (same as --config)");
  sb->add_option("--config", sf->config.config_file, "TOML config file (its [ope] section)");
  sb->add_option("--set", sf->sets,
                 "env.KEY=VALUE: environment override, appended to ope.env_overrides "
                 "(env.max_steps is forced to 1); ope.KEY=VALUE: one option (repeatable)");
  sk.add("--behaviour", "behaviour", s.behaviour, "logging policy NAME[:key=value,...]")
      ->capture_default_str();
  sk.add("--target", "targets", s.targets, "target policy NAME[:key=value,...] (repeatable)");
  sk.add("--sizes", "sizes", s.sizes, "log sizes in steps")->delimiter(',');
  sk.add("--reps", "reps", s.reps, "independent logs per (target, size)")->capture_default_str();
  sk.add("--bootstrap", "bootstrap", s.bootstrap, "bootstrap resamples per estimate")
      ->capture_default_str();
  sk.add("--truth-episodes", "truth_episodes", s.truth_episodes,
         "online episodes for the true value")
      ->capture_default_str();
  sk.add("--model-max-rounds", "model_max_rounds", s.model_max_rounds,
         "largest log on which dm/DR family run")
      ->capture_default_str();
  sk.add("--estimators", "estimators", s.estimators, "comma-separated estimators, or all")
      ->capture_default_str();
  sk.add("--seed", "seed", s.seed, "seed")->capture_default_str();
  sb->add_flag("--json", sf->json, "print one JSON object");
  sb->callback([sf] { run(*sf, "ope simbench", run_ope_simbench); });
}

}  // namespace rlrec::cli
