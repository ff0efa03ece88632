// `rlrec mf fit`: train a matrix-factorization model (biased_sgd, als, bpr) on an interaction file,
// evaluate it on a test file (or a split of the train file) and optionally save the embeddings.
//
// Evaluation protocol (also printed by --help):
//   * Test rows whose user or item does not occur in the training data are handled by --unseen:
//     `drop` (default) removes and counts them, `error` stops at the first one. The counts are in
//     the output (and JSON) either way.
//   * Explicit models (biased_sgd): RMSE and MAE of the predicted rating (clipped to the train
//     rating range) over the kept test rows; baseline: the train mean rating.
//   * Implicit models (als, bpr): full ranking. For every test user, every item is scored, the
//     user's train items are removed, and the top K are compared with the user's test items that
//     are not in train (binary relevance; metrics defined in eval/ranking_metrics.h). Baselines on
//     the same protocol: popularity (number of train users per item) and random.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/core/error.h"
#include "rlrec/core/progress.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/data/loaders.h"
#include "rlrec/data/splits.h"
#include "rlrec/eval/ranking_metrics.h"
#include "rlrec/models/mf.h"
#include "rlrec/models/ranking.h"
#include "rlrec/models/sparse.h"

namespace rlrec::cli {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct FitFlags {
  std::string train, test, split, format = "auto", model, unseen = "drop", out;
  int k = 10;
  uint64_t split_seed = 1;
  bool skip_malformed = false;
  bool json = false;
  ConfigFlags config;
};

// A log holding only the users and items that occur in `log`'s rows (ids in order of first
// appearance): a split shares its parent's id maps, and a model must not own embeddings of items it
// never saw in training.
data::InteractionLog compact(const data::InteractionLog& log) {
  data::InteractionLog out;
  out.reserve(log.size());
  for (size_t r = 0; r < log.size(); ++r)
    out.push_back(out.users.add(log.users.original(log.user[r])),
                  out.items.add(log.items.original(log.item[r])), log.rating[r], log.timestamp[r]);
  return out;
}

// "temporal:F" | "last:N" | "random:F" -> the split of `log`.
data::Split split_log(const data::InteractionLog& log, const std::string& spec, uint64_t seed) {
  const size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  const std::vector<std::string> kinds = {"temporal", "last", "random"};
  if (colon == std::string::npos || arg.empty())
    invalid_argument("--split must be KIND:VALUE with KIND one of ", join(kinds),
                     " (e.g. temporal:0.2), got '", spec, "'");
  char* end = nullptr;
  if (kind == "last") {
    const long n = std::strtol(arg.c_str(), &end, 10);
    if (*end != '\0' || n < 1)
      invalid_argument("--split last:N needs an integer N >= 1, got '", arg, "'");
    return data::temporal_last_n(log, static_cast<int>(n));
  }
  const double f = std::strtod(arg.c_str(), &end);
  if (*end != '\0' || !(f > 0 && f < 1))
    invalid_argument("--split ", kind, ":F needs a fraction 0 < F < 1, got '", arg, "'");
  if (kind == "temporal") return data::temporal_last_fraction(log, f);
  if (kind == "random") return data::random_holdout(log, f, seed);
  throw_unknown("split kind", kind, kinds);
}

// The ranking metrics as (key, value), in display order.
std::vector<std::pair<std::string, double>> metric_list(const eval::RankingSummary& s) {
  const std::string at = "@" + std::to_string(s.k);
  return {{"ndcg" + at, s.ndcg},           {"recall" + at, s.recall}, {"hr" + at, s.hr},
          {"precision" + at, s.precision}, {"map" + at, s.map},       {"mrr" + at, s.mrr},
          {"coverage" + at, s.coverage}};
}

json summary_json(const eval::RankingSummary& s) {
  json j;
  for (const auto& [key, value] : metric_list(s)) j[key] = value;
  return j;
}

// Full-ranking evaluation of one scorer (see the protocol at the top of the file).
eval::RankingSummary rank_eval(const models::BlockScorer& scorer, const models::Csr& train,
                               const models::Csr& test, int k, ThreadPool& pool) {
  std::vector<int32_t> users;
  for (int32_t u = 0; u < test.rows; ++u)
    if (!test.row_indices(u).empty()) users.push_back(u);
  const Matrix<int32_t> top = models::top_k(users, train.cols, k, scorer, &train, pool);
  eval::RankingEvaluator ev(k, train.cols);
  std::vector<int32_t> relevant;
  for (size_t r = 0; r < users.size(); ++r) {
    relevant.clear();
    for (int32_t i : test.row_indices(users[r]))
      if (!train.contains(users[r], i)) relevant.push_back(i);
    ev.add({top.row(r), static_cast<size_t>(k)}, relevant);
  }
  return ev.summary();
}

void run_fit(const FitFlags& f) {
  const models::MfKind& kind = models::mf_kind(f.model);
  const Config cfg = f.config.load();
  check_sections(cfg, {"mf"});
  if (auto name = cfg.get_string("mf", "name"); name && *name != f.model)
    invalid_argument("[mf] name = '", *name, "' in the config disagrees with --model ", f.model);
  std::unique_ptr<models::MfTrainer> trainer = kind.create(cfg, "mf");
  if (f.k < 1) invalid_argument("--k must be >= 1, got ", f.k);
  if (f.test.empty() == f.split.empty())
    invalid_argument("give exactly one of --test FILE and --split SPEC");
  const data::UnseenPolicy policy = data::parse_unseen_policy(f.unseen);

  data::LoadOptions opts;
  opts.format = data::parse_format(f.format);
  opts.skip_malformed = f.skip_malformed;
  data::LoadReport train_report, test_report;
  data::InteractionLog train = data::load_interactions(f.train, opts, &train_report);
  std::fprintf(stderr, "train: %s\n", train_report.summary().c_str());
  data::InteractionLog raw_test;
  json test_json;
  if (!f.test.empty()) {
    raw_test = data::load_interactions(f.test, opts, &test_report);
    std::fprintf(stderr, "test: %s\n", test_report.summary().c_str());
    test_json["path"] = f.test;
    test_json["rows_read"] = test_report.read;
    test_json["rows_rejected"] = test_report.rejected;
  } else {
    data::Split s = split_log(train, f.split, f.split_seed);
    train = compact(s.train);
    raw_test = std::move(s.test);
    test_json["split"] = f.split;
    if (f.split.rfind("random", 0) == 0) test_json["split_seed"] = f.split_seed;
  }
  data::AlignReport align;
  const data::InteractionLog test = data::align_to(raw_test, train, policy, &align);
  test_json["rows"] = raw_test.size();
  test_json["kept"] = align.kept;
  test_json["dropped_unseen_user"] = align.dropped_unseen_user;
  test_json["dropped_unseen_item"] = align.dropped_unseen_item;
  test_json["unseen_policy"] = data::unseen_policy_name(policy);
  if (align.dropped_unseen_user + align.dropped_unseen_item > 0)
    std::fprintf(stderr,
                 "test: dropped %zu rows with a user and %zu with an item unseen in training "
                 "(--unseen drop)\n",
                 align.dropped_unseen_user, align.dropped_unseen_item);
  if (test.size() == 0) invalid_argument("no test rows left after dropping unseen users and items");

  ThreadPool pool(trainer->threads());
  int total = 0;
  std::unique_ptr<Progress> bar;
  trainer->set_epoch_callback([&](const models::EpochInfo& e) {
    if (!bar) {
      total = e.total;
      bar = std::make_unique<Progress>("mf fit " + f.model, static_cast<uint64_t>(total));
    }
    bar->set(static_cast<uint64_t>(e.done));
  });
  const auto t0 = Clock::now();
  trainer->fit(train, pool);
  const double train_seconds = seconds_since(t0);
  if (bar) bar->finish();
  const models::MfModel& model = trainer->model();

  json out;
  out["command"] = "mf fit";
  out["model"] = f.model;
  out["factors"] = model.factors();
  out["threads"] = pool.size();
  out["train"] = {{"path", f.train},
                  {"format", data::format_name(train_report.format)},
                  {"rows_read", train_report.read},
                  {"rows_rejected", train_report.rejected},
                  {"rows", train.size()},
                  {"users", train.num_users()},
                  {"items", train.num_items()}};
  out["test"] = test_json;
  out["train_seconds"] = train_seconds;
  Table table({"metric", f.model});
  const auto t1 = Clock::now();
  if (kind.feedback == models::Feedback::kExplicit) {
    std::vector<float> pred(test.size());
    for (size_t r = 0; r < test.size(); ++r) pred[r] = model.predict(test.user[r], test.item[r]);
    const eval::RatingErrors e = eval::rating_errors(test.rating, pred);
    std::vector<float> mean(test.size(), model.global_bias);
    const eval::RatingErrors base = eval::rating_errors(test.rating, mean);
    out["rmse"] = e.rmse;
    out["mae"] = e.mae;
    out["baselines"] = {{"global_mean", {{"rmse", base.rmse}, {"mae", base.mae}}}};
    table = Table({"metric", f.model, "global_mean"});
    table.add_row({"rmse", fmt(e.rmse, 4), fmt(base.rmse, 4)});
    table.add_row({"mae", fmt(e.mae, 4), fmt(base.mae, 4)});
  } else {
    const models::Csr train_ui = models::user_item_matrix(train, models::Duplicates::kSum);
    const models::Csr test_ui = models::user_item_matrix(test, models::Duplicates::kSum);
    const eval::RankingSummary s =
        rank_eval(models::mf_scorer(model), train_ui, test_ui, f.k, pool);
    const eval::RankingSummary pop = rank_eval(
        models::constant_scorer(models::item_popularity(train_ui)), train_ui, test_ui, f.k, pool);
    const eval::RankingSummary rnd =
        rank_eval(models::random_scorer(f.split_seed), train_ui, test_ui, f.k, pool);
    out["k"] = f.k;
    out.update(summary_json(s));
    out["eval_users"] = s.users;
    out["skipped_users"] = s.skipped_users;
    out["baselines"] = {{"popularity", summary_json(pop)}, {"random", summary_json(rnd)}};
    table = Table({"metric", f.model, "popularity", "random"});
    const auto a = metric_list(s), b = metric_list(pop), c = metric_list(rnd);
    for (size_t m = 0; m < a.size(); ++m)
      table.add_row({a[m].first, fmt(a[m].second, 4), fmt(b[m].second, 4), fmt(c[m].second, 4)});
  }
  out["eval_seconds"] = seconds_since(t1);
  out["config"] = trainer->config_toml("mf");
  if (!f.out.empty()) {
    model.save(f.out);
    out["out"] = f.out;
    std::ofstream m(std::filesystem::path(f.out) / "metrics.json");
    m << out.dump(2) << "\n";
    if (!m) throw_error(ErrorCode::kIo, "cannot write ", f.out, "/metrics.json");
  }

  if (f.json) {
    print_json(out);
    return;
  }
  std::printf("model: %s, %d factors, %d threads, trained in %.2f s\n", f.model.c_str(),
              model.factors(), pool.size(), train_seconds);
  std::printf("train: %s: %zu rows, %d users, %d items\n", f.train.c_str(), train.size(),
              train.num_users(), train.num_items());
  std::printf(
      "test: %s: %zu rows, %zu kept, %zu dropped (unseen user), %zu dropped (unseen item)\n",
      f.test.empty() ? ("split " + f.split).c_str() : f.test.c_str(), raw_test.size(), align.kept,
      align.dropped_unseen_user, align.dropped_unseen_item);
  if (kind.feedback == models::Feedback::kImplicit)
    std::printf(
        "ranking: %lld users, top %d of all items minus each user's train items (%lld users "
        "without a new test item skipped)\n",
        static_cast<long long>(out["eval_users"].get<int64_t>()), f.k,
        static_cast<long long>(out["skipped_users"].get<int64_t>()));
  std::printf("\n%s", table.to_string().c_str());
  if (!f.out.empty()) std::printf("\nsaved to %s\n", f.out.c_str());
}

}  // namespace

void add_mf_command(CLI::App& app) {
  auto* mf = app.add_subcommand("mf", std::string(command_description("mf")));
  mf->require_subcommand(1, 1);
  auto flags = std::make_shared<FitFlags>();
  std::string kinds;
  for (const auto& k : models::mf_kinds())
    kinds += str_cat("\n  ", k.name, std::string(12 - k.name.size(), ' '), k.description);
  auto* fit = mf->add_subcommand(
      "fit",
      "train an MF model, evaluate it on held-out data, optionally save the embeddings.\n"
      "Models:" +
          kinds +
          "\n"
          "Hyperparameters: --set mf.KEY=VALUE or an [mf] section in --config "
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
  fit->add_option("--train", flags->train, "training interactions file")->required();
  fit->add_option("--test", flags->test, "test interactions file (or use --split)");
  fit->add_option("--split", flags->split,
                  "hold out part of --train instead of --test: temporal:F (per user, the latest "
                  "fraction F by timestamp), last:N (per user, the latest N), random:F");
  fit->add_option("--split-seed", flags->split_seed,
                  "seed of --split random:F and of the random baseline")
      ->capture_default_str();
  fit->add_option("--format", flags->format, "file format: " + join(data::format_names()))
      ->capture_default_str();
  fit->add_option("--model", flags->model, "biased_sgd, als or bpr")->required();
  fit->add_option("--unseen", flags->unseen, "test rows with an unseen user/item: drop or error")
      ->capture_default_str();
  fit->add_option("--k", flags->k, "cutoff K of the ranking metrics")->capture_default_str();
  fit->add_option("--out", flags->out, "directory to save the model to (see models/mf_model.h)");
  fit->add_flag("--skip-malformed", flags->skip_malformed,
                "skip and count malformed rows instead of failing");
  fit->add_flag("--json", flags->json, "print one JSON object instead of a table");
  flags->config.add_to(*fit);
  fit->callback([flags] { run_fit(*flags); });

  auto model = std::make_shared<std::string>();
  auto* defaults =
      mf->add_subcommand("defaults", "print a model's default hyperparameters as TOML");
  defaults->add_option("--model", *model, "biased_sgd, als or bpr")->required();
  defaults->callback(
      [model] { std::printf("%s", models::mf_kind(*model).defaults("mf").c_str()); });
}

}  // namespace rlrec::cli
