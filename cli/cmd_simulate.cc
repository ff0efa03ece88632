// rlrec simulate: run one policy in one environment and report mean return ± standard error, mean
// episode length, CTR and steps/s.
#include <cstdio>
#include <iostream>
#include <optional>

#include "cli/checks.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/dist/comm.h"
#include "rlrec/eval/run_config.h"
#include "rlrec/experiment/baseline.h"
#include "rlrec/sim/environment.h"

namespace rlrec::cli {
namespace {

struct SimulateFlags {
  ConfigFlags config;
  std::string env, policy = "random";
  SimulateOverrides overrides;
  bool json = false;
};

}  // namespace

eval::RunConfig check_simulate(const Config& cfg, const std::string& policy,
                               const SimulateOverrides& f) {
  eval::RunConfig run;
  read_section(cfg, "run", run, {});
  if (f.episodes) run.episodes = *f.episodes;
  if (f.seed) run.seed = *f.seed;
  if (f.threads) run.threads = *f.threads;
  if (f.batch) run.batch = *f.batch;
  run.validate();
  check_sections(cfg, {"env", "policy", "run"}, "simulate");
  if (catalog::find_agent_or_null(policy))
    invalid_argument("'", policy,
                     "' is a learning agent: train it with 'rlrec train' (then 'rlrec "
                     "eval RUN_DIR') or compare it with 'rlrec compare'; simulate runs baseline "
                     "policies (rlrec list policies)");
  catalog::find_policy(policy);  // unknown names fail before any work
  // softmax_myopic and biased_softmax read [policy] (temperature, bias) and check its keys when
  // built, as in `rlrec log`; the other baselines take no [policy] keys besides name.
  if (policy != "softmax_myopic" && policy != "biased_softmax") {
    NoFields none;
    read_section(cfg, "policy", none);
  }
  return run;
}

namespace {

void run_simulate(const SimulateFlags& f) {
  Config cfg = f.config.load();
  if (!f.env.empty()) cfg.set_string("env", "name", f.env);
  const std::string policy = f.policy;
  const eval::RunConfig run = check_simulate(cfg, policy, f.overrides);
  const std::string env_name = catalog::env_name(cfg);
  ThreadPool pool(run.threads);
  // Over the ranks of an mpirun/srun job: each rank runs its share of the episodes, rank 0 prints.
  dist::Communicator& ranks = dist::world();
  const eval::EpisodeResults res = experiment::evaluate_baseline(
      cfg, policy, run, static_cast<uint64_t>(run.seed), pool, "simulate " + policy, &ranks);
  if (ranks.rank() != 0) return;
  const auto s = res.return_summary();
  if (f.json) {
    nlohmann::json j;
    j["env"] = env_name;
    j["policy"] = policy;
    j["seed"] = run.seed;
    j["threads"] = pool.size();
    j["episodes"] = run.episodes;
    j["mean_return"] = s.mean;
    j["se_return"] = s.se;
    j["mean_length"] = res.mean_length();
    j["ctr"] = res.ctr();
    j["clicks_per_step"] = res.clicks_per_step();
    j["steps"] = res.steps;
    j["truncated"] = res.truncated;
    j["seconds"] = res.seconds;
    j["steps_per_second"] = res.steps_per_second();
    j["env_steps_per_second"] = res.env_steps_per_second();
    print_json(j);
    return;
  }
  Table t(
      {"env", "policy", "episodes", "mean return ± se", "mean length", "CTR", "steps", "steps/s"});
  t.add_row({env_name, policy, std::to_string(run.episodes), fmt_pm(s.mean, s.se, 3),
             fmt(res.mean_length(), 2), fmt(res.ctr(), 4), std::to_string(res.steps),
             fmt(res.steps_per_second(), 0)});
  std::cout << t.to_string();
  std::cout << "seed " << run.seed << ", " << pool.size() << " thread(s)"
            << (ranks.size() > 1 ? str_cat(" on each of ", ranks.size(), " ranks") : "")
            << "; CTR = clicks per "
            << "impression; steps/s counts env steps including the policy; env alone: "
            << fmt(res.env_steps_per_second(), 0) << " steps/s\n";
  std::cout << res.truncated << " of " << run.episodes
            << " episodes truncated (reached env.max_steps before the user left)\n";
  if (!f.config.sets.empty()) {
    std::cout << "overrides:";
    for (const auto& s : f.config.sets) std::cout << " " << s;
    std::cout << "\n";
  }
}

}  // namespace

void add_simulate_command(CLI::App& app) {
  auto f = std::make_shared<SimulateFlags>();
  f->policy = "";
  auto* cmd = app.add_subcommand("simulate", std::string(command_description("simulate")));
  cmd->add_option("--env", f->env,
                  "environment (rlrec list environments); default "
                  "interest_evolution or the config's env.name");
  cmd->add_option("--policy", f->policy,
                  "policy (rlrec list policies); default random; its parameters with --set "
                  "policy.temperature=0.5 (softmax_myopic, biased_softmax; also bias)");
  cmd->add_option("--episodes", f->overrides.episodes, "number of episodes (default 2000)");
  cmd->add_option("--seed", f->overrides.seed, "run seed (default 1)");
  cmd->add_option("--threads", f->overrides.threads,
                  "worker threads, 0 = all cores (default 1); results "
                  "are identical for any value");
  cmd->add_option("--batch", f->overrides.batch, "users simulated per batched step (default 256)");
  f->config.add_to(*cmd);
  cmd->add_flag("--json", f->json, "print one JSON object instead of a table");
  cmd->callback([f] {
    SimulateFlags g = *f;
    if (g.policy.empty()) {
      Config c = g.config.load();
      g.policy = c.get_string("policy", "name").value_or("random");
    }
    run_simulate(g);
  });
}

}  // namespace rlrec::cli
