// rlrec compare: a leaderboard. Trains (learning agents) and evaluates every agent listed in the
// experiment file on the same environment over N seeds, then prints mean return with a 95% CI over
// seeds (Student t), the relative change vs random and vs myopic, CTR and train time. Every agent
// is evaluated on the same evaluation users of each seed. With --out: leaderboard.csv,
// leaderboard.json, learning_curves.png and one run directory per learning agent and seed.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/run_config.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/agents/agent.h"
#include "rlrec/datasim/datasim.h"
#include "rlrec/eval/stats.h"
#include "rlrec/sim/environment.h"
#include "rlrec/train/trainer.h"

namespace rlrec::cli {
namespace {

struct CompareConfig {
  std::vector<std::string> agents{"random", "myopic", "quality_oracle"};
  int seeds = 5;
  std::string protocol = "online";
  void visit(FieldVisitor& v) {
    v.field("agents", agents,
            "agents to compare: baseline policies, learning agents, or names of sections whose "
            "`name` key picks the agent");
    v.field("seeds", seeds, "independent seeds per agent (run.seed, run.seed + 1, ...)");
    v.field("protocol", protocol,
            "online: evaluate in [env]; offline: also run the rating-log offline protocol "
            "(P@5/10, NDCG@5/10 on each user's test items; rating-log environments only)");
  }
  void validate() const {
    if (agents.empty()) invalid_argument("compare.agents must list at least one agent");
    check_range("compare.seeds", seeds, 1, 100000);
    check_one_of("compare.protocol", protocol, {"online", "offline"});
  }
};

struct CompareFlags {
  std::string experiment;
  std::vector<std::string> sets;
  std::optional<int> seeds;  // unset unless given (see read_run)
  std::optional<int64_t> episodes;
  std::optional<int> threads;
  std::string out;
  bool json = false;
};

struct AgentRow {
  train::AgentSpec spec;
  bool privileged = false, learning = false;
  std::vector<double> seed_means, seed_ctr;
  std::vector<double> seed_reward;                           // online mean reward per step
  std::vector<double> seed_p5, seed_p10, seed_n5, seed_n10;  // offline protocol
  double train_seconds = 0, eval_seconds = 0;
  int64_t train_steps = 0, updates = 0;
  std::vector<std::vector<train::MetricsRow>> curves;  // per seed
  eval::Summary summary;
};

void run_compare(const CompareFlags& f) {
  Config cfg = Config::parse_file(f.experiment);
  for (const auto& s : f.sets) cfg.set(s);
  CompareConfig cc;
  read_section(cfg, "compare", cc, {});
  if (f.seeds) cc.seeds = *f.seeds;
  cc.validate();
  std::vector<std::string> allowed{"env", "run", "compare", "data", "policy"};
  for (const auto& a : cc.agents) allowed.push_back(a);
  // Sections of agents left out of this run (e.g. --set compare.agents=[...] picks a subset of the
  // file) are allowed when they name a registered agent or policy; they are not read.
  const auto known = catalog::policy_and_agent_names();
  auto is_known = [&](const std::string& n) { return std::find(known.begin(), known.end(), n) != known.end(); };
  for (const auto& s : cfg.sections()) {
    if (std::find(allowed.begin(), allowed.end(), s) != allowed.end()) continue;
    const auto entry = cfg.get_string(s, "name");
    if (entry ? is_known(*entry) : is_known(s)) allowed.push_back(s);
  }
  check_sections(cfg, allowed);
  RunConfig run = read_run(cfg, f.episodes, std::nullopt, f.threads);
  // Resolve every agent (and read its section, which validates its keys) before any work.
  const bool offline = cc.protocol == "offline";
  const bool rating_env = catalog::find_environment(catalog::env_name(cfg)).family == "rating_log";
  if (offline && !rating_env)
    invalid_argument("compare.protocol = \"offline\" needs a rating-log environment (movielens_mf, "
                     "movielens_replay); env.name is '", catalog::env_name(cfg), "'");
  catalog::make_environment(cfg, 0);
  std::vector<AgentRow> rows;
  for (const auto& a : cc.agents) {
    AgentRow row;
    row.spec = train::agent_spec(cfg, a, a);
    row.learning = train::is_learning_agent(row.spec.entry);
    train::check_agent_keys(cfg, row.spec);
    if (!row.learning) {
      row.privileged = catalog::find_policy(row.spec.entry).privileged;
      NoFields none;
      read_section(cfg, a, none);
    }
    rows.push_back(std::move(row));
  }
  const std::string env_name = catalog::env_name(cfg);
  ThreadPool pool(run.threads);
  // Offline agents of one seed learn from the same generated behaviour log ([data] without `log`):
  // written once per seed into OUT/behaviour_logs (cleared here: rlrec owns it) or, without --out,
  // a temporary directory removed at the end.
  struct LogDir {
    std::string path;
    bool temporary = false;
    ~LogDir() {
      std::error_code ec;
      if (temporary) std::filesystem::remove_all(path, ec);
    }
  } logs_dir;
  if (f.out.empty()) {
    logs_dir.path = (std::filesystem::temp_directory_path() /
                     str_cat("rlrec_compare_logs_", ::getpid(), "_", &logs_dir))
                        .string();
    logs_dir.temporary = true;
  } else {
    logs_dir.path = f.out + "/behaviour_logs";
  }
  std::filesystem::remove_all(logs_dir.path);
  for (auto& row : rows) {
    for (int s = 0; s < cc.seeds; ++s) {
      RunConfig rs = run;
      rs.seed = run.seed + s;
      const uint64_t seed = static_cast<uint64_t>(rs.seed);
      const std::string label = str_cat(row.spec.label, " seed ", seed, " (", s + 1, "/", cc.seeds, ")");
      eval::EpisodeResults res;
      // The offline protocol on the data of this seed's environment (cached: the same fit).
      auto run_offline = [&](sim::Policy& policy) {
        if (!offline) return;
        auto env = catalog::make_environment(cfg, seed);
        const auto o = datasim::evaluate_offline(*env, policy, train::eval_policy_seed(seed));
        row.seed_p5.push_back(o.p5);
        row.seed_p10.push_back(o.p10);
        row.seed_n5.push_back(o.ndcg5);
        row.seed_n10.push_back(o.ndcg10);
      };
      if (row.learning) {
        const std::string dir =
            f.out.empty() ? "" : str_cat(f.out, "/runs/", row.spec.label, "/seed-", seed);
        train::Trainer t(cfg, row.spec, rs, pool, dir, logs_dir.path);
        t.run(-1, "train " + label);
        row.train_seconds += t.train_seconds();
        row.train_steps += t.env_steps();
        if (!t.metrics().empty()) row.updates += t.metrics().back().updates;
        row.curves.push_back(t.metrics());
        res = t.evaluate(rs.episodes);
        t.agent().set_training(false);
        run_offline(t.agent());
      } else {
        res = evaluate_baseline(cfg, row.spec.entry, rs, seed, pool, "eval " + label);
        if (offline) {
          auto env = catalog::make_environment(cfg, seed);
          sim::PolicyContext ctx{env.get(), &cfg, &pool};
          auto policy = catalog::find_policy(row.spec.entry).make(ctx);
          run_offline(*policy);
        }
      }
      double total = 0;
      for (double x : res.returns) total += x;
      row.seed_reward.push_back(res.steps > 0 ? total / static_cast<double>(res.steps) : 0.0);
      row.seed_means.push_back(res.return_summary().mean);
      row.seed_ctr.push_back(res.ctr());
      row.eval_seconds += res.seconds;
    }
    row.summary = eval::summarize(row.seed_means, 0.95);
  }
  auto mean_of = [&](const std::string& entry) -> double {
    for (auto& r : rows)
      if (r.spec.label == entry) return r.summary.mean;
    return std::nan("");
  };
  const double random_mean = mean_of("random"), myopic_mean = mean_of("myopic");
  auto rel = [](double x, double base) {
    return std::isnan(base) || base == 0 ? std::nan("") : (x - base) / std::abs(base);
  };
  auto pct = [](double v) { return std::isnan(v) ? std::string("-") : fmt(100 * v, 1) + "%"; };
  auto jnum = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };

  Table t({"agent", "mean return", "95% CI", "vs random", "vs myopic", "CTR", "train s",
           "updates/s", "eval s"});
  nlohmann::json j;
  j["env"] = env_name;
  j["protocol"] = cc.protocol;
  j["seeds"] = cc.seeds;
  j["episodes_per_seed"] = run.episodes;
  j["train_steps"] = run.train_steps;
  j["agents"] = nlohmann::json::array();
  for (auto& r : rows) {
    const double ctr = eval::summarize(r.seed_ctr).mean;
    const double ups = r.train_seconds > 0 ? r.updates / r.train_seconds : 0;
    t.add_row({r.spec.label + (r.privileged ? " (oracle)" : ""), fmt(r.summary.mean, 2),
               "[" + fmt(r.summary.ci_low, 2) + ", " + fmt(r.summary.ci_high, 2) + "]",
               pct(rel(r.summary.mean, random_mean)), pct(rel(r.summary.mean, myopic_mean)),
               fmt(ctr, 4), fmt(r.train_seconds, 1), r.learning ? fmt(ups, 0) : "-",
               fmt(r.eval_seconds, 1)});
    nlohmann::json a;
    a["name"] = r.spec.label;
    a["agent"] = r.spec.entry;
    a["privileged"] = r.privileged;
    a["mean_return"] = r.summary.mean;
    a["ci_low"] = r.summary.ci_low;
    a["ci_high"] = r.summary.ci_high;
    a["seed_returns"] = r.seed_means;
    a["ctr"] = ctr;
    a["vs_random"] = jnum(rel(r.summary.mean, random_mean));
    a["vs_myopic"] = jnum(rel(r.summary.mean, myopic_mean));
    a["train_seconds"] = r.train_seconds;
    a["train_env_steps"] = r.train_steps;
    a["updates"] = r.updates;
    a["updates_per_second"] = ups;
    a["train_env_steps_per_second"] = r.train_seconds > 0 ? r.train_steps / r.train_seconds : 0.0;
    a["eval_seconds"] = r.eval_seconds;
    auto metric = [&](const std::vector<double>& xs) {
      const auto s = eval::summarize(xs, 0.95);
      return nlohmann::json{{"mean", s.mean}, {"ci_low", s.ci_low}, {"ci_high", s.ci_high},
                            {"seeds", xs}};
    };
    a["mean_reward"] = metric(r.seed_reward);
    if (offline) {
      a["p@5"] = metric(r.seed_p5);
      a["p@10"] = metric(r.seed_p10);
      a["ndcg@5"] = metric(r.seed_n5);
      a["ndcg@10"] = metric(r.seed_n10);
    }
    j["agents"].push_back(a);
  }
  if (!f.out.empty()) {
    std::filesystem::create_directories(f.out);
    std::ofstream(f.out + "/leaderboard.csv") << t.to_csv();
    std::ofstream(f.out + "/leaderboard.json") << j.dump(2) << "\n";
    std::ofstream(f.out + "/config.toml") << cfg.to_toml() << "\n";
    // Learning curves: mean over seeds of each periodic evaluation; baselines as flat lines.
    std::vector<std::tuple<std::string, std::vector<double>, std::vector<double>>> series;
    std::vector<std::pair<std::string, double>> hlines;
    for (auto& r : rows) {
      if (!r.learning) {
        hlines.emplace_back(r.spec.label, r.summary.mean);
        continue;
      }
      size_t n = SIZE_MAX;
      for (auto& c : r.curves) n = std::min(n, c.size());
      std::vector<double> x, y;
      for (size_t i = 0; i < n; ++i) {
        double sx = 0, sy = 0;
        for (auto& c : r.curves) {
          sx += static_cast<double>(c[i].env_steps);
          sy += c[i].mean_return;
        }
        x.push_back(sx / r.curves.size());
        y.push_back(sy / r.curves.size());
      }
      series.emplace_back(r.spec.label, x, y);
    }
    train::plot_curves(f.out + "/learning_curves.png",
                       str_cat("rlrec compare: ", env_name, ", mean over ", cc.seeds, " seed(s)"),
                       "training environment steps", "mean evaluation return", series, hlines);
  }
  if (f.json) {
    print_json(j);
    return;
  }
  std::cout << "environment " << env_name << ", " << cc.seeds << " seed(s); each agent evaluated on "
            << run.episodes << " episodes per seed (the same users for every agent); "
            << "95% CI over seeds (Student t)\n";
  std::cout << t.to_string();
  // Mean reward per step for every protocol; the ranking columns only under the offline protocol.
  std::vector<std::string> header = {"agent", "mean reward/step", "95% CI"};
  if (offline)
    for (const char* h : {"P@5", "P@10", "95% CI", "NDCG@5", "NDCG@10", "95% CI"}) header.emplace_back(h);
  Table m(header);
  for (auto& r : rows) {
    const auto w = eval::summarize(r.seed_reward, 0.95);
    auto cell = [&](const std::vector<double>& xs, bool ci) {
      if (xs.empty()) return std::string("-");
      const auto s = eval::summarize(xs, 0.95);
      return ci ? "[" + fmt(s.ci_low, 4) + ", " + fmt(s.ci_high, 4) + "]" : fmt(s.mean, 4);
    };
    std::vector<std::string> row = {r.spec.label, fmt(w.mean, 4),
                                    "[" + fmt(w.ci_low, 4) + ", " + fmt(w.ci_high, 4) + "]"};
    if (offline)
      for (auto c : {cell(r.seed_p5, false), cell(r.seed_p10, false), cell(r.seed_p10, true),
                     cell(r.seed_n5, false), cell(r.seed_n10, false), cell(r.seed_n10, true)})
        row.push_back(std::move(c));
    m.add_row(row);
  }
  std::cout << (offline ? "offline protocol (each user's test items; 95% CI over seeds) and online "
                          "mean reward per step:\n"
                        : "mean reward per step:\n")
            << m.to_string();
  if (!f.out.empty())
    std::cout << "wrote " << f.out << "/leaderboard.csv, leaderboard.json, learning_curves.png\n";
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto f = std::make_shared<CompareFlags>();
  auto* cmd = app.add_subcommand(
      "compare", std::string(command_description("compare")));
  cmd->add_option("experiment", f->experiment,
                  "experiment TOML file with [env], [run], [compare] and one optional section per "
                  "agent")
      ->required();
  cmd->add_option("--seeds", f->seeds, "number of seeds (default: compare.seeds)");
  cmd->add_option("--episodes", f->episodes, "evaluation episodes per agent and seed (default: run.episodes)");
  cmd->add_option("--threads", f->threads, "worker threads, 0 = all cores (default: run.threads)");
  cmd->add_option("--set", f->sets, "override one value: section.key=value (repeatable)");
  cmd->add_option("--out", f->out,
                  "directory for leaderboard.csv/.json, learning_curves.png, runs/ and "
                  "behaviour_logs/ (each seed's generated [data] log; replaced by every run)");
  cmd->add_flag("--json", f->json, "print one JSON object with an 'agents' array");
  cmd->callback([f] { run_compare(*f); });
}

}  // namespace rlrec::cli
