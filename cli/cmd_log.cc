// rlrec log EXP.toml --policy NAME --episodes N --out FILE: runs a baseline policy in the
// experiment's [env] and writes a log file (docs/logs.md) with the policy's propensities, for
// off-policy learning (topk_reinforce, [data] log = FILE) and off-policy evaluation.
// Seeds: the environment uses run.seed (so a fixed catalogue is the one `rlrec train` builds for
// that seed) and the policy stream combine(run.seed, "log/policy"); both are in the file's header.
#include <chrono>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/core/memory.h"
#include "rlrec/core/stopwatch.h"
#include "rlrec/eval/run_config.h"
#include "rlrec/logs/log.h"
#include "rlrec/sim/policy.h"

namespace rlrec::cli {
namespace {

struct LogFlags {
  std::string experiment, policy, out;
  std::vector<std::string> sets;
  std::optional<int64_t> episodes, seed;
  bool json = false, force = false;
};

void run_log(const LogFlags& f) {
  Config cfg = Config::parse_file(f.experiment);
  for (const auto& s : f.sets) cfg.set(s);
  check_sections(cfg, {"env", "policy", "run"}, "log");
  eval::RunConfig run = eval::read_run_section(cfg, f.episodes, f.seed, std::nullopt);
  if (f.out.empty()) invalid_argument("--out FILE is required (the log file to write)");
  const auto& entry = catalog::find_policy(f.policy);
  if (entry.privileged)
    std::cerr << "note: policy '" << f.policy << "' reads hidden state (privileged)\n";
  const uint64_t seed = static_cast<uint64_t>(run.seed);
  const uint64_t policy_seed = combine_keys(seed, hash_name("log/policy"));
  const int batch = static_cast<int>(std::min<int64_t>(run.batch, run.episodes));
  ThreadPool pool(run.threads);
  sim::VectorEnv env(catalog::make_environment(cfg, seed), batch, seed, &pool);
  sim::PolicyContext ctx{&env.env(), &cfg, &pool};
  auto policy = entry.make(ctx);
  const auto t0 = std::chrono::steady_clock::now();
  auto header = logs::make_header(env.env(), cfg, seed, f.policy, policy_seed);
  {  // Before writing: every episode logs at least one step (a lower bound on the file's size).
    const auto& sp = env.spec();
    const double per_step =
        4.0 * (sp.user_dim + sp.slate_size + sp.response_dim() +
               (header.has_candidate_ids ? sp.num_candidates : 0) +
               (header.has_candidate_features ? double(sp.num_candidates) * sp.item_dim : 0.0)) +
        16;
    check_disk(per_step * static_cast<double>(run.episodes), f.out,
               str_cat("run.episodes = ", run.episodes, " (at least one logged step of ", per_step,
                       " bytes per episode)"));
  }
  logs::LogWriter w(f.out, std::move(header), f.force);
  const auto st = logs::collect_log(env, *policy, run.episodes, policy_seed, w);
  w.close();
  const double secs = seconds_since(t0);
  const auto bytes = std::filesystem::file_size(f.out);
  const double mean_return = st.episodes ? st.return_sum / static_cast<double>(st.episodes) : 0.0;
  if (f.json) {
    nlohmann::json j;
    j["file"] = f.out;
    j["env"] = env.spec().name;
    j["policy"] = f.policy;
    j["episodes"] = st.episodes;
    j["events"] = st.steps;
    j["mean_return"] = mean_return;
    j["propensities"] = st.propensities;
    j["bytes"] = bytes;
    j["seconds"] = secs;
    print_json(j);
    return;
  }
  Table t(
      {"file", "env", "policy", "episodes", "events", "mean return", "propensities", "MB", "s"});
  t.add_row({f.out, env.spec().name, f.policy, std::to_string(st.episodes),
             std::to_string(st.steps), fmt(mean_return, 2),
             st.propensities ? "yes" : "no (deterministic or unknown)",
             fmt(static_cast<double>(bytes) / 1e6, 1), fmt(secs, 1)});
  std::cout << t.to_string();
}

}  // namespace

void add_log_command(CLI::App& app) {
  auto f = std::make_shared<LogFlags>();
  auto* cmd = app.add_subcommand("log", std::string(command_description("log")));
  cmd->add_option("experiment", f->experiment, "experiment TOML file ([env], [run], [policy])")
      ->required();
  cmd->add_option("--policy", f->policy,
                  "baseline policy (stochastic ones log propensities: softmax_myopic, "
                  "biased_softmax, ...)")
      ->required();
  cmd->add_option("--episodes", f->episodes, "episodes to log (default: run.episodes)");
  cmd->add_option("--seed", f->seed, "run seed (default: run.seed)");
  cmd->add_option(
         "--out", f->out,
         "log file to write (through a temporary file beside it, then renamed); an existing "
         "rlrec log is replaced, any other file only with --force")
      ->required();
  cmd->add_flag("--force", f->force,
                "replace an existing regular file at --out that is not an rlrec log");
  cmd->add_option("--set", f->sets, "override one value: section.key=value (repeatable)");
  cmd->add_flag("--json", f->json, "print one JSON object");
  cmd->callback([f] { run_log(*f); });
}

}  // namespace rlrec::cli
