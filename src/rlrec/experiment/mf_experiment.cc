#include "rlrec/experiment/mf_experiment.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>

#include "rlrec/core/error.h"
#include "rlrec/core/output.h"
#include "rlrec/core/progress.h"
#include "rlrec/core/stopwatch.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/models/ranking.h"
#include "rlrec/models/sparse.h"

namespace rlrec::experiment {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// A parsed mf.split: kind and its value (N for last, F otherwise).
struct SplitSpec {
  std::string kind;
  long n = 0;
  double f = 0;
};

SplitSpec parse_split(const std::string& spec) {
  const size_t colon = spec.find(':');
  SplitSpec s;
  s.kind = spec.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  const std::vector<std::string> kinds = {"temporal", "last", "random"};
  if (colon == std::string::npos || arg.empty())
    invalid_argument("mf.split must be KIND:VALUE with KIND one of ", join(kinds),
                     " (e.g. temporal:0.2), got '", spec, "'");
  char* end = nullptr;
  if (s.kind == "last") {
    errno = 0;
    s.n = std::strtol(arg.c_str(), &end, 10);
    // strtol saturates on overflow: 2^63 became a huge N (and -1 further down, as an int).
    if (*end != '\0' || s.n < 1 || errno == ERANGE || s.n > std::numeric_limits<int>::max())
      invalid_argument("mf.split last:N needs an integer 1 <= N <= 2147483647, got '", arg, "'");
    return s;
  }
  s.f = std::strtod(arg.c_str(), &end);
  if (*end != '\0' || !(s.f > 0 && s.f < 1))
    invalid_argument("mf.split ", s.kind, ":F needs a fraction 0 < F < 1, got '", arg, "'");
  if (s.kind != "temporal" && s.kind != "random") throw_unknown("split kind", s.kind, kinds);
  return s;
}

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

json summary_json(const eval::RankingSummary& s) {
  json j;
  for (const auto& [key, value] : metric_list(s)) j[key] = value;
  return j;
}

// Full-ranking evaluation of one scorer (see the protocol in the header).
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

}  // namespace

std::vector<std::pair<std::string, double>> metric_list(const eval::RankingSummary& s) {
  std::string at = "@";  // not "@" + std::to_string(): GCC 12 warns falsely (-Wrestrict)
  at += std::to_string(s.k);
  return {{"ndcg" + at, s.ndcg},           {"recall" + at, s.recall}, {"hr" + at, s.hr},
          {"precision" + at, s.precision}, {"map" + at, s.map},       {"mrr" + at, s.mrr},
          {"coverage" + at, s.coverage}};
}

std::vector<std::string> mf_hyperparameter_keys() {
  std::vector<std::string> keys;
  for (const auto& k : models::mf_kinds())
    for (const auto& key : Config::parse_string(k.defaults("mf")).keys("mf")) keys.push_back(key);
  return keys;
}

data::Split mf_split(const data::InteractionLog& log, const std::string& spec, uint64_t seed) {
  const SplitSpec s = parse_split(spec);
  if (s.kind == "last") return data::temporal_last_n(log, static_cast<int>(s.n));
  if (s.kind == "temporal") return data::temporal_last_fraction(log, s.f);
  return data::random_holdout(log, s.f, seed);
}

void MfOptions::visit(FieldVisitor& v) {
  v.field("name", model, "MF model: biased_sgd | als | bpr");
  v.field("train", train, "training interactions file");
  v.field("test", test, "test interactions file (or mf.split)");
  v.field(
      "split", split,
      "hold out part of mf.train instead of mf.test: temporal:F (per user, the latest fraction F "
      "by timestamp), last:N (per user, the latest N), random:F");
  v.field("split_seed", split_seed, "seed of mf.split random:F and of the random baseline");
  v.field("format", format, "file format of mf.train and mf.test");
  v.field("unseen", unseen, "test rows with a user/item unseen in training: drop | error");
  v.field("k", k, "cutoff K of the ranking metrics");
  v.field("skip_malformed", skip_malformed, "skip and count malformed rows instead of failing");
  v.field("out", out, "directory to save the model and metrics.json to (\"\" = none)");
}

void MfOptions::validate() const {
  if (model.empty()) invalid_argument("mf.name is required (the MF model: biased_sgd, als or bpr)");
  models::mf_kind(model);
  if (auto name = hyperparameters.get_string("mf", "name"); name && *name != model)
    invalid_argument("the model '", model, "' disagrees with [mf] name = '", *name,
                     "' of the hyperparameters");
  if (train.empty()) invalid_argument("mf.train is required (the training interactions file)");
  if (k < 1) invalid_argument("mf.k must be >= 1, got ", k);
  if (split_seed < 0) invalid_argument("mf.split_seed must be >= 0, got ", split_seed);
  if (test.empty() == split.empty())
    invalid_argument("give exactly one of mf.test (a file) and mf.split (a spec)");
  if (!split.empty()) parse_split(split);
  check_one_of("mf.unseen", unseen, {"drop", "error"});
  check_one_of("mf.format", format, data::format_names());
}

namespace {
bool is_model_dir(const std::filesystem::path& p) {
  return std::filesystem::exists(p / "mf_model.txt") || std::filesystem::is_empty(p);
}
}  // namespace

MfResult run_mf(const MfOptions& o) {
  o.validate();
  const models::MfKind& kind = models::mf_kind(o.model);
  std::unique_ptr<models::MfTrainer> trainer =
      kind.create_shared(o.hyperparameters, "mf", field_keys(MfOptions{}));
  const data::UnseenPolicy policy = data::parse_unseen_policy(o.unseen);
  MfResult r;
  r.options = o;
  r.feedback = kind.feedback;
  // Claim the model directory before any work: an MF model (or an empty directory) may be
  // replaced, anything else may not; a second writer fails now, not after training.
  std::optional<OutputLock> claim;
  if (!o.out.empty())
    claim.emplace(claim_output(o.out, OutputKind::kDirectory, {false, is_model_dir}, "MF model"));

  data::LoadOptions opts;
  opts.format = data::parse_format(o.format);
  opts.skip_malformed = o.skip_malformed;
  data::InteractionLog train = data::load_interactions(o.train, opts, &r.train_report);
  if (o.verbose) std::fprintf(stderr, "train: %s\n", r.train_report.summary().c_str());
  data::InteractionLog raw_test;
  if (!o.test.empty()) {
    raw_test = data::load_interactions(o.test, opts, &r.test_report);
    if (o.verbose) std::fprintf(stderr, "test: %s\n", r.test_report.summary().c_str());
  } else {
    data::Split s = mf_split(train, o.split, static_cast<uint64_t>(o.split_seed));
    train = compact(s.train);
    raw_test = std::move(s.test);
  }
  const data::InteractionLog test = data::align_to(raw_test, train, policy, &r.align);
  r.test_rows = raw_test.size();
  r.train_rows = train.size();
  r.train_users = train.num_users();
  r.train_items = train.num_items();
  if (o.verbose && r.align.dropped_unseen_user + r.align.dropped_unseen_item > 0)
    std::fprintf(stderr,
                 "test: dropped %zu rows with a user and %zu with an item unseen in training "
                 "(mf.unseen = drop)\n",
                 r.align.dropped_unseen_user, r.align.dropped_unseen_item);
  if (test.size() == 0) invalid_argument("no test rows left after dropping unseen users and items");

  ThreadPool pool(trainer->threads());
  r.threads = pool.size();
  std::unique_ptr<Progress> bar;
  if (o.verbose)
    trainer->set_epoch_callback([&](const models::EpochInfo& e) {
      if (!bar)
        bar = std::make_unique<Progress>("mf fit " + o.model, static_cast<uint64_t>(e.total));
      bar->set(static_cast<uint64_t>(e.done));
    });
  const auto t0 = Clock::now();
  trainer->fit(train, pool);
  r.train_seconds = seconds_since(t0);
  if (bar) bar->finish();
  const models::MfModel& model = trainer->model();
  r.factors = model.factors();

  const auto t1 = Clock::now();
  if (kind.feedback == models::Feedback::kExplicit) {
    std::vector<float> pred(test.size());
    for (size_t i = 0; i < test.size(); ++i) pred[i] = model.predict(test.user[i], test.item[i]);
    r.errors = eval::rating_errors(test.rating, pred);
    std::vector<float> mean(test.size(), model.global_bias);
    r.global_mean = eval::rating_errors(test.rating, mean);
  } else {
    const models::Csr train_ui = models::user_item_matrix(train, models::Duplicates::kSum);
    const models::Csr test_ui = models::user_item_matrix(test, models::Duplicates::kSum);
    r.ranking = rank_eval(models::mf_scorer(model), train_ui, test_ui, o.k, pool);
    r.popularity = rank_eval(models::constant_scorer(models::item_popularity(train_ui)), train_ui,
                             test_ui, o.k, pool);
    r.random = rank_eval(models::random_scorer(static_cast<uint64_t>(o.split_seed)), train_ui,
                         test_ui, o.k, pool);
  }
  r.eval_seconds = seconds_since(t1);
  r.config_toml = trainer->config_toml("mf");
  r.model = std::make_shared<const models::MfModel>(model);
  if (!o.out.empty()) {  // written beside the target, then swapped in whole
    TempDir tmp(o.out);
    model.save(tmp.path().string());
    std::ofstream m(tmp.path() / "metrics.json");
    m << to_json(r).dump(2) << "\n";
    m.close();
    if (!m) throw_error(ErrorCode::kIo, "cannot write ", tmp.path().string(), "/metrics.json");
    tmp.commit();
  }
  return r;
}

json to_json(const MfResult& r) {
  const MfOptions& o = r.options;
  json out;
  out["command"] = "mf fit";
  out["model"] = o.model;
  out["factors"] = r.factors;
  out["threads"] = r.threads;
  out["train"] = {{"path", o.train},
                  {"format", data::format_name(r.train_report.format)},
                  {"rows_read", r.train_report.read},
                  {"rows_rejected", r.train_report.rejected},
                  {"rows", r.train_rows},
                  {"users", r.train_users},
                  {"items", r.train_items}};
  json test;
  if (!o.test.empty()) {
    test["path"] = o.test;
    test["rows_read"] = r.test_report.read;
    test["rows_rejected"] = r.test_report.rejected;
  } else {
    test["split"] = o.split;
    if (o.split.rfind("random", 0) == 0) test["split_seed"] = static_cast<uint64_t>(o.split_seed);
  }
  test["rows"] = r.test_rows;
  test["kept"] = r.align.kept;
  test["dropped_unseen_user"] = r.align.dropped_unseen_user;
  test["dropped_unseen_item"] = r.align.dropped_unseen_item;
  test["unseen_policy"] = data::unseen_policy_name(data::parse_unseen_policy(o.unseen));
  out["test"] = test;
  out["train_seconds"] = r.train_seconds;
  if (r.feedback == models::Feedback::kExplicit) {
    out["rmse"] = r.errors.rmse;
    out["mae"] = r.errors.mae;
    out["baselines"] = {
        {"global_mean", {{"rmse", r.global_mean.rmse}, {"mae", r.global_mean.mae}}}};
  } else {
    out["k"] = o.k;
    out.update(summary_json(r.ranking));
    out["eval_users"] = r.ranking.users;
    out["skipped_users"] = r.ranking.skipped_users;
    out["baselines"] = {{"popularity", summary_json(r.popularity)},
                        {"random", summary_json(r.random)}};
  }
  out["eval_seconds"] = r.eval_seconds;
  out["config"] = r.config_toml;
  if (!o.out.empty()) out["out"] = o.out;
  return out;
}

}  // namespace rlrec::experiment
