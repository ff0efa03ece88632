// `rlrec mf sequence --data FILE` measures DRR's premise on a rating file: the next rating vs the
// recent ones (src/rlrec/experiment/sequence_effect.h states the statistic) and, with
// --history-model, which part of that effect a recommender could steer
// (src/rlrec/experiment/history_model.h). This file only maps flags to the options, calls the
// experiments and prints their results.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/data/loaders.h"
#include "rlrec/experiment/history_model.h"
#include "rlrec/experiment/seq_validation.h"
#include "rlrec/experiment/sequence_effect.h"

namespace rlrec::cli {
namespace {

using namespace experiment;

struct SequenceFlags {
  std::string data, format = "auto";
  SequenceEffectOptions opt;
  bool history = false;
  HistoryModelOptions history_opt;
  bool simulate = false;
  std::vector<std::string> sets;  // env.KEY=VALUE for the movielens_seq validation
  bool json = false;
};

std::string ci(const Estimate& e) {
  return fmt(e.value, 3) + " [" + fmt(e.lo, 3) + ", " + fmt(e.hi, 3) + "]";
}

void print_history(const HistoryModelResult& h) {
  Table t({"term", "coef [95% CI]", "sd of term", "steerable"});
  t.add_row({"intercept", ci(h.c0), "-", "-"});
  t.add_row({"mood: mean of the last n residuals", ci(h.c1), fmt(h.sd1, 3), "no"});
  t.add_row({"recent quality: mean MF prediction of the last n", ci(h.c2), fmt(h.sd2, 3),
             "yes (as greedy MF)"});
  t.add_row({"similarity to the last n items", ci(h.c3), fmt(h.sd3, 3), "yes"});
  std::printf(
      "\nhistory model (n = %lld): residual of the static MF (RMSE %s on its own training "
      "ratings; residual sd %s) on the recent sequence, %lld events of %lld users; R² %s, on "
      "%lld held-out users %s\n\n%s",
      static_cast<long long>(h.n), fmt(h.mf_rmse, 3).c_str(), fmt(h.residual_sd, 3).c_str(),
      static_cast<long long>(h.events), static_cast<long long>(h.users), fmt(h.r2_fit, 4).c_str(),
      static_cast<long long>(h.heldout_users), fmt(h.r2_heldout, 4).c_str(), t.to_string().c_str());
}

void print_validation(const SeqValidationResult& v) {
  const auto& h = v.terms;
  Table t({"n", "logged slope [95% CI]", "movielens_seq slope", "static MF slope",
           "logged after low / high", "movielens_seq after low / high"});
  for (size_t j = 0; j < v.logged.rows.size(); ++j) {
    const auto &a = v.logged.rows[j], &b = v.simulated.rows[j], &c = v.static_mf.rows[j];
    t.add_row({std::to_string(a.n), ci(a.slope), ci(b.slope), ci(c.slope),
               fmt(a.below.value, 3) + " / " + fmt(a.above.value, 3),
               fmt(b.below.value, 3) + " / " + fmt(b.above.value, 3)});
  }
  std::printf(
      "\nmovielens_seq validation (datasim.h): history terms (w = %d) %s on %lld events of %lld "
      "users: intercept %s, mood %s, recent quality %s, similarity %s, noise sd %s (R² %s); "
      "%lld held-out users re-rate their logged item sequences (first w ratings logged)\n\n%s",
      h.window, h.fitted ? "fitted" : "from env.history_* keys", static_cast<long long>(h.events),
      static_cast<long long>(h.fit_users), fmt(h.c0, 3).c_str(), fmt(h.c1, 3).c_str(),
      fmt(h.c2, 3).c_str(), fmt(h.c3, 3).c_str(), fmt(h.noise_sd, 3).c_str(), fmt(h.r2, 4).c_str(),
      static_cast<long long>(v.heldout_users), t.to_string().c_str());
}

}  // namespace

void add_mf_sequence_command(CLI::App& mf) {
  auto sf = std::make_shared<SequenceFlags>();
  auto* seq = mf.add_subcommand(
      "sequence",
      "DRR's premise: does the next rating follow the mean of the user's last n ratings? Slope of "
      "the next rating's deviation from the user's (leave-one-out) mean on the recent n ratings' "
      "deviation, mean deviation after low / near / high recent ratings, and the same slope on "
      "shuffled histories (null reference); 95% bootstrap CIs over users. --history-model adds "
      "the decomposition of the effect into what a recommender can and cannot steer.\nExample: "
      "rlrec mf sequence --data u.data --history-model");
  seq->add_option("--data", sf->data, "rating file (with timestamps)")->required();
  seq->add_option("--format", sf->format, "file format: " + join(data::format_names()))
      ->capture_default_str();
  seq->add_option("--n", sf->opt.n, "window lengths n")->capture_default_str();
  seq->add_option("--band", sf->opt.band, "|recent - user mean| <= band counts as near")
      ->capture_default_str();
  seq->add_option("--bootstrap", sf->opt.bootstrap, "bootstrap resamples over users")
      ->capture_default_str();
  seq->add_option("--seed", sf->opt.seed, "seed of the bootstrap, the shuffle and the MF fit")
      ->capture_default_str();
  seq->add_flag("--history-model", sf->history,
                "also fit the history model (experiment/history_model.h): MF residual on the "
                "recent residuals, recent quality and similarity");
  seq->add_option("--history-n", sf->history_opt.n, "window length of the history model")
      ->capture_default_str();
  seq->add_flag("--simulate", sf->simulate,
                "also validate the movielens_seq simulator (experiment/seq_validation.h): its "
                "held-out users re-rate their logged sequences; the same statistic on the "
                "simulated ratings (window w = --history-n)");
  seq->add_option("--set", sf->sets,
                  "env.KEY=VALUE for the movielens_seq environment of --simulate (rlrec config "
                  "--defaults movielens_seq)");
  seq->add_flag("--json", sf->json, "print one JSON object instead of a table");
  seq->callback([sf] {
    data::LoadOptions lo;
    lo.format = data::parse_format(sf->format);
    const auto log = data::load_interactions(sf->data, lo);
    const auto r = measure_sequence_effect(log, sf->opt);
    HistoryModelResult h;
    if (sf->history) {
      sf->history_opt.bootstrap = sf->opt.bootstrap;
      sf->history_opt.seed = sf->opt.seed;
      h = fit_history_model(log, sf->history_opt);
    }
    SeqValidationResult v;
    if (sf->simulate) {
      Config cfg = Config::parse_string(datasim::movielens_seq_defaults(), "movielens_seq");
      cfg.set_string("env", "data", sf->data);
      cfg.set_string("env", "format", sf->format);
      cfg.set("env.history_window=" + std::to_string(sf->history_opt.n));
      for (const auto& s : sf->sets) cfg.set(s);
      v = validate_sequence_simulator(cfg, sf->opt.seed, sf->opt);
    }
    if (sf->json) {
      auto j = to_json(r);
      if (sf->history) j["history_model"] = to_json(h);
      if (sf->simulate) j["movielens_seq_validation"] = to_json(v);
      return print_json(j);
    }
    Table t({"n", "events", "slope [95% CI]", "shuffled slope", "after low", "after near",
             "after high"});
    for (const auto& x : r.rows)
      t.add_row({std::to_string(x.n), std::to_string(x.events), ci(x.slope), ci(x.shuffled_slope),
                 ci(x.below), ci(x.near), ci(x.above)});
    std::printf(
        "%s: %lld ratings, %lld users; low/high: recent mean more than %s below/above "
        "the user's mean; %d bootstrap resamples over users\n\n%s",
        sf->data.c_str(), static_cast<long long>(r.ratings), static_cast<long long>(r.users),
        fmt(r.band, 2).c_str(), r.bootstrap, t.to_string().c_str());
    if (sf->history) print_history(h);
    if (sf->simulate) print_validation(v);
  });
}

}  // namespace rlrec::cli
