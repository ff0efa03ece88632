// rlrec train EXP.toml: trains the [agent] of an experiment file on its [env], evaluating every
// run.eval_interval steps, and writes a run directory (see src/rlrec/train/trainer.h).
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/run_config.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/train/trainer.h"

namespace rlrec::cli {
namespace {

struct TrainFlags {
  std::string experiment;
  std::vector<std::string> sets;
  std::string out;
  bool resume = false;
  int stop_after = -1;
  std::optional<int> threads;  // unset unless given (see read_run)
  bool json = false;
};

void run_train(const TrainFlags& f) {
  Config cfg = Config::parse_file(f.experiment);
  for (const auto& s : f.sets) cfg.set(s);
  check_sections(cfg, {"env", "agent", "run", "data", "policy"});
  RunConfig run = read_run(cfg, std::nullopt, std::nullopt, f.threads);
  if (!cfg.get_string("agent", "name"))
    invalid_argument(f.experiment, ": [agent] needs name = \"...\" (learning agents: ",
                     [] {
                       std::vector<std::string> n;
                       for (auto& a : catalog::agents()) n.emplace_back(a.name);
                       return join(n);
                     }(), ")");
  const auto spec = train::agent_spec(cfg, "agent", "");
  std::string out = f.out;
  if (out.empty()) out = str_cat("runs/", spec.label, "-seed", run.seed);
  namespace fs = std::filesystem;
  if (f.resume) {
    if (!fs::exists(out + "/config.toml"))
      throw_error(ErrorCode::kNotFound, "--resume: '", out, "' holds no run (no config.toml)");
    Config saved = Config::parse_file(out + "/config.toml");
    if (saved.to_toml() != cfg.to_toml())
      invalid_argument("--resume: the experiment config (", f.experiment,
                       " + --set) differs from the run's ", out,
                       "/config.toml; resume with the same config, or train into a new --out");
  } else if (fs::exists(out + "/checkpoint") || fs::exists(out + "/metrics.csv")) {
    invalid_argument("'", out, "' already holds a run; use --resume to continue it or choose "
                     "another --out (nothing was overwritten)");
  }
  ThreadPool pool(run.threads);
  // Build and check everything (including the checkpoint on --resume) before writing anything.
  train::Trainer t(cfg, spec, run, pool, out);
  if (f.resume) t.resume();
  const auto& rows = t.run(f.stop_after, "train " + spec.label);
  if (f.json) {
    nlohmann::json j;
    j["run_dir"] = out;
    j["agent"] = spec.entry;
    j["env_steps"] = t.env_steps();
    j["train_seconds"] = t.train_seconds();
    j["finished"] = t.finished();
    j["metrics"] = nlohmann::json::array();
    for (const auto& r : rows)
      j["metrics"].push_back({{"iteration", r.iteration}, {"env_steps", r.env_steps},
                              {"updates", r.updates}, {"mean_return", r.mean_return},
                              {"se_return", r.se_return}, {"ctr", r.ctr},
                              {"updates_per_second", r.updates_per_second},
                              {"env_steps_per_second", r.env_steps_per_second}});
    print_json(j);
    return;
  }
  Table tab({"iteration", "env steps", "updates", "eval return ± se", "CTR", "loss", "updates/s",
             "steps/s"});
  for (const auto& r : rows)
    tab.add_row({std::to_string(r.iteration), std::to_string(r.env_steps), std::to_string(r.updates),
                 fmt_pm(r.mean_return, r.se_return, 2), fmt(r.ctr, 4), fmt(r.mean_loss, 4),
                 fmt(r.updates_per_second, 0), fmt(r.env_steps_per_second, 0)});
  std::cout << tab.to_string();
  std::cout << (t.finished() ? "finished" : "stopped") << " after " << t.env_steps()
            << " environment steps, " << fmt(t.train_seconds(), 1) << " s of training; run directory "
            << out << "\n";
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  auto* cmd = app.add_subcommand(
      "train", std::string(command_description("train")));
  cmd->add_option("experiment", f->experiment, "experiment TOML file with [env], [agent], [run]")
      ->required();
  cmd->add_option("--set", f->sets, "override one value: section.key=value (repeatable)");
  cmd->add_option("--out", f->out, "run directory (default runs/AGENT-seedS)");
  cmd->add_flag("--resume", f->resume, "continue the run in --out from its last checkpoint");
  cmd->add_option("--stop-after", f->stop_after,
                  "stop after this many iterations (resume later with --resume)");
  cmd->add_option("--threads", f->threads, "worker threads, 0 = all cores (default: run.threads)");
  cmd->add_flag("--json", f->json, "print one JSON object with the metrics rows");
  cmd->callback([f] { run_train(*f); });
}

}  // namespace rlrec::cli
