// `rlrec mf fit`: train a matrix-factorization model (biased_sgd, als, bpr) on an interaction file,
// evaluate it on a test file (or a split of the train file) and optionally save the embeddings
// (src/rlrec/experiment/mf_experiment.h, which states the evaluation protocol; --help prints it).
// `rlrec mf defaults --model NAME` prints a model's default hyperparameters.
// `rlrec mf sequence` lives in cmd_mf_sequence.cc.
// This file only maps flags to the options, calls the experiment and prints its result.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/key_flags.h"
#include "rlrec/experiment/mf_experiment.h"

namespace rlrec::cli {

namespace {

using namespace experiment;

struct FitFlags {
  MfOptions opt;
  bool json = false;
  ConfigFlags config;
  std::unique_ptr<KeyFlags<MfOptions>> keys;
};

void print_fit(const MfResult& r) {
  const MfOptions& o = r.options;
  const bool expl = r.feedback == models::Feedback::kExplicit;
  Table table(expl ? std::vector<std::string>{"metric", o.model, "global_mean"}
                   : std::vector<std::string>{"metric", o.model, "popularity", "random"});
  if (expl) {
    table.add_row({"rmse", fmt(r.errors.rmse, 4), fmt(r.global_mean.rmse, 4)});
    table.add_row({"mae", fmt(r.errors.mae, 4), fmt(r.global_mean.mae, 4)});
  } else {
    const auto a = metric_list(r.ranking), b = metric_list(r.popularity), c = metric_list(r.random);
    for (size_t m = 0; m < a.size(); ++m)
      table.add_row({a[m].first, fmt(a[m].second, 4), fmt(b[m].second, 4), fmt(c[m].second, 4)});
  }
  std::printf("model: %s, %d factors, %d threads, trained in %.2f s\n", o.model.c_str(), r.factors,
              r.threads, r.train_seconds);
  std::printf("train: %s: %zu rows, %d users, %d items\n", o.train.c_str(), r.train_rows,
              r.train_users, r.train_items);
  std::printf(
      "test: %s: %zu rows, %zu kept, %zu dropped (unseen user), %zu dropped (unseen item)\n",
      o.test.empty() ? ("split " + o.split).c_str() : o.test.c_str(), r.test_rows, r.align.kept,
      r.align.dropped_unseen_user, r.align.dropped_unseen_item);
  if (r.feedback == models::Feedback::kImplicit)
    std::printf(
        "ranking: %lld users, top %d of all items minus each user's train items (%lld users "
        "without a new test item skipped)\n",
        static_cast<long long>(r.ranking.users), o.k,
        static_cast<long long>(r.ranking.skipped_users));
  std::printf("\n%s", table.to_string().c_str());
  if (!o.out.empty()) std::printf("\nsaved to %s\n", o.out.c_str());
}

// The options: the experiment file's [mf] section (and --set), then the given flags.
void run_fit(const FitFlags& f) {
  const Config cfg = f.config.load();
  check_sections(cfg, {"mf"}, "mf fit");
  MfOptions o = f.keys->options(cfg, mf_hyperparameter_keys());
  o.hyperparameters = cfg;
  const MfResult r = run_mf(o);
  if (f.json)
    print_json(to_json(r));
  else
    print_fit(r);
}

}  // namespace

void add_mf_command(CLI::App& app) {
  auto* mf = app.add_subcommand("mf", std::string(command_description("mf")));
  mf->require_subcommand(1, 1);
  auto flags = std::make_shared<FitFlags>();
  MfOptions& o = flags->opt;
  std::string kinds;
  for (const auto& k : models::mf_kinds())
    kinds += str_cat("\n  ", k.name, std::string(12 - k.name.size(), ' '), k.description);
  auto* fit = mf->add_subcommand(
      "fit",
      "Train an MF model, evaluate it on held-out data, optionally save the embeddings.\n"
      "Models:" +
          kinds +
          "\n"
          "Experiment file (positional or --config) and --set mf.KEY=VALUE: the [mf] section holds "
          "the "
          "run keys shown after each flag (flags given win over the file) and the model's "
          "hyperparameters "
          "(`rlrec mf defaults --model NAME` prints them).\n"
          "Protocol: test rows with a user or item unseen in training follow --unseen (counted "
          "either "
          "way). biased_sgd reports RMSE/MAE (baseline: train mean). als/bpr rank all items for "
          "every "
          "test user, minus the user's train items, and compare the top K with the user's test "
          "items "
          "not in train (HR, precision, recall, NDCG, MAP, MRR at K, catalogue coverage), next to "
          "the "
          "popularity and random baselines.");
  flags->keys = std::make_unique<KeyFlags<MfOptions>>(fit, "mf", o);
  KeyFlags<MfOptions>& kf = *flags->keys;
  kf.add("--train", "train", o.train, "training interactions file");
  kf.add("--test", "test", o.test, "test interactions file (or use --split)");
  kf.add("--split", "split", o.split,
         "hold out part of --train instead of --test: temporal:F (per user, the latest "
         "fraction F by timestamp), last:N (per user, the latest N), random:F");
  kf.add("--split-seed", "split_seed", o.split_seed,
         "seed of --split random:F and of the random baseline")
      ->capture_default_str();
  kf.add("--format", "format", o.format, "file format: " + join(data::format_names()))
      ->capture_default_str();
  kf.add("--model", "name", o.model, "biased_sgd, als or bpr");
  kf.add("--unseen", "unseen", o.unseen, "test rows with an unseen user/item: drop or error")
      ->capture_default_str();
  kf.add("--k", "k", o.k, "cutoff K of the ranking metrics")->capture_default_str();
  kf.add("--out", "out", o.out, "directory to save the model to (see models/mf_model.h)");
  kf.add_flag("--skip-malformed", "skip_malformed", o.skip_malformed,
              "skip and count malformed rows instead of failing");
  fit->add_flag("--json", flags->json, "print one JSON object instead of a table");
  flags->config.add_to(*fit);
  fit->callback([flags] { run_fit(*flags); });

  auto model = std::make_shared<std::string>();
  auto* defaults =
      mf->add_subcommand("defaults", "Print a model's default hyperparameters as TOML.");
  defaults->add_option("--model", *model, "biased_sgd, als or bpr")->required();
  defaults->callback(
      [model] { std::printf("%s", models::mf_kind(*model).defaults("mf").c_str()); });

  add_mf_sequence_command(*mf);
}

}  // namespace rlrec::cli
