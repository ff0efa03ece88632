// rlrec compare: a leaderboard. Evaluates every policy listed in the experiment file on the same
// environment over N seeds, then prints mean return with a 95% CI over seeds (Student t), the
// relative change vs random and vs myopic, CTR and train time. Writes the table as CSV with --out.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/run_config.h"
#include "rlrec/eval/stats.h"
#include "rlrec/sim/environment.h"

namespace rlrec::cli {
namespace {

struct CompareConfig {
  std::vector<std::string> agents{"random", "myopic", "quality_oracle"};
  int seeds = 5;
  void visit(FieldVisitor& v) {
    v.field("agents", agents, "policies/agents to compare (rlrec list policies)");
    v.field("seeds", seeds, "independent seeds per agent (run.seed, run.seed + 1, ...)");
  }
  void validate() const {
    if (agents.empty()) invalid_argument("compare.agents must list at least one agent");
    check_range("compare.seeds", seeds, 1, 100000);
  }
};

struct CompareFlags {
  std::string experiment;
  ConfigFlags config;
  // Unset unless given (a -1 sentinel would make `--episodes -1` silently mean the default).
  std::optional<int> seeds;
  std::optional<int64_t> episodes;
  std::optional<int> threads;
  std::string out;
  bool json = false;
};

struct AgentRow {
  std::string name;
  bool privileged = false;
  std::vector<double> seed_means;  // mean episode return per seed
  std::vector<double> seed_ctr;
  double train_seconds = 0, eval_seconds = 0;
  int64_t steps = 0;
  eval::Summary summary;
};

void run_compare(const CompareFlags& f) {
  Config cfg = Config::parse_file(f.experiment);
  for (const auto& s : f.config.sets) cfg.set(s);
  check_sections(cfg, {"env", "run", "compare"});
  RunConfig run;
  read_section(cfg, "run", run, {});
  if (f.episodes) run.episodes = *f.episodes;
  if (f.threads) run.threads = *f.threads;
  run.validate();
  CompareConfig cc;
  read_section(cfg, "compare", cc, {});
  if (f.seeds) cc.seeds = *f.seeds;
  cc.validate();
  for (const auto& a : cc.agents) sim::find_policy(a);
  sim::make_environment(cfg, 0);  // validates [env] before any work
  const std::string env_name = sim::env_name(cfg);

  ThreadPool pool(run.threads);
  std::vector<AgentRow> rows;
  for (const auto& a : cc.agents) {
    AgentRow row;
    row.name = a;
    row.privileged = sim::find_policy(a).privileged;
    for (int s = 0; s < cc.seeds; ++s) {
      const uint64_t seed = static_cast<uint64_t>(run.seed + s);
      PolicyRun r = evaluate_baseline(cfg, a, run, seed, pool,
                                      str_cat(a, " seed ", seed, " (", s + 1, "/", cc.seeds, ")"));
      row.seed_means.push_back(r.results.return_summary().mean);
      row.seed_ctr.push_back(r.results.ctr());
      row.eval_seconds += r.results.seconds;
      row.steps += r.results.steps;
    }
    row.summary = eval::summarize(row.seed_means, 0.95);
    rows.push_back(std::move(row));
  }
  auto mean_of = [&](const std::string& name) -> double {
    for (auto& r : rows)
      if (r.name == name) return r.summary.mean;
    return std::nan("");
  };
  const double random_mean = mean_of("random"), myopic_mean = mean_of("myopic");
  auto rel = [](double x, double base) { return std::isnan(base) || base == 0 ? std::nan("") : (x - base) / std::abs(base); };
  auto pct = [](double v) { return std::isnan(v) ? std::string("-") : fmt(100 * v, 1) + "%"; };

  Table t({"agent", "mean return", "95% CI", "vs random", "vs myopic", "CTR", "train s", "eval s"});
  nlohmann::json j;
  j["env"] = env_name;
  j["seeds"] = cc.seeds;
  j["episodes_per_seed"] = run.episodes;
  j["agents"] = nlohmann::json::array();
  for (auto& r : rows) {
    const double ctr = eval::summarize(r.seed_ctr).mean;
    t.add_row({r.name + (r.privileged ? " (oracle)" : ""), fmt(r.summary.mean, 2),
               "[" + fmt(r.summary.ci_low, 2) + ", " + fmt(r.summary.ci_high, 2) + "]",
               pct(rel(r.summary.mean, random_mean)), pct(rel(r.summary.mean, myopic_mean)),
               fmt(ctr, 4), fmt(r.train_seconds, 1), fmt(r.eval_seconds, 1)});
    nlohmann::json a;
    a["name"] = r.name;
    a["privileged"] = r.privileged;
    a["mean_return"] = r.summary.mean;
    a["ci_low"] = r.summary.ci_low;
    a["ci_high"] = r.summary.ci_high;
    a["seed_returns"] = r.seed_means;
    a["ctr"] = ctr;
    a["vs_random"] = std::isnan(rel(r.summary.mean, random_mean)) ? nlohmann::json(nullptr) : nlohmann::json(rel(r.summary.mean, random_mean));
    a["vs_myopic"] = std::isnan(rel(r.summary.mean, myopic_mean)) ? nlohmann::json(nullptr) : nlohmann::json(rel(r.summary.mean, myopic_mean));
    a["train_seconds"] = r.train_seconds;
    a["eval_seconds"] = r.eval_seconds;
    a["env_steps"] = r.steps;
    j["agents"].push_back(a);
  }
  if (!f.out.empty()) {
    std::filesystem::create_directories(f.out);
    const std::string path = f.out + "/leaderboard.csv";
    std::ofstream os(path);
    if (!os) throw_error(ErrorCode::kIo, "cannot write '", path, "'");
    os << t.to_csv();
    std::ofstream js(f.out + "/leaderboard.json");
    js << j.dump(2) << "\n";
  }
  if (f.json) {
    print_json(j);
    return;
  }
  std::cout << "environment " << env_name << ", " << cc.seeds << " seed(s) x " << run.episodes
            << " episodes, 95% CI over seeds (Student t)\n";
  std::cout << t.to_string();
  if (!f.out.empty()) std::cout << "wrote " << f.out << "/leaderboard.csv\n";
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto f = std::make_shared<CompareFlags>();
  auto* cmd = app.add_subcommand(
      "compare",
      "Evaluate the agents listed in an experiment file ([compare] agents = [...]) on its [env] "
      "over N seeds; print mean return with 95% CI over seeds, change vs random and myopic, CTR "
      "and train time.\nExample: rlrec compare configs/experiments/baselines_interest_evolution.toml");
  cmd->add_option("experiment", f->experiment, "experiment TOML file with [env], [run], [compare]")
      ->required();
  cmd->add_option("--seeds", f->seeds, "number of seeds (default: compare.seeds)");
  cmd->add_option("--episodes", f->episodes, "episodes per agent and seed (default: run.episodes)");
  cmd->add_option("--threads", f->threads, "worker threads, 0 = all cores (default: run.threads)");
  cmd->add_option("--set", f->config.sets, "override one value: section.key=value (repeatable)");
  cmd->add_option("--out", f->out, "directory for leaderboard.csv and leaderboard.json");
  cmd->add_flag("--json", f->json, "print one JSON object with an 'agents' array");
  cmd->callback([f] { run_compare(*f); });
}

}  // namespace rlrec::cli
