// rlrec train EXP.toml: trains the [agent] of an experiment file on its [env], evaluating every
// run.eval_interval steps, and writes a run directory (train/experiments.h run_train; the run
// directory's layout: train/trainer.h).
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/train/experiments.h"

namespace rlrec::cli {
namespace {

struct TrainFlags {
  std::string experiment;
  std::vector<std::string> sets;
  train::TrainOptions options;
  bool json = false;
};

void run_train(TrainFlags& f) {
  Config cfg = Config::parse_file(f.experiment);
  for (const auto& s : f.sets) cfg.set(s);
  check_sections(cfg, {"env", "agent", "run", "data", "policy"}, "train");
  f.options.experiment = cfg;
  const auto r = train::run_train(f.options);
  if (f.json) {
    print_json(train::to_json(r));
    return;
  }
  Table tab({"iteration", "env steps", "updates", "eval return ± se", "CTR", "loss", "updates/s",
             "steps/s"});
  for (const auto& m : r.metrics)
    tab.add_row({std::to_string(m.iteration), std::to_string(m.env_steps),
                 std::to_string(m.updates), fmt_pm(m.mean_return, m.se_return, 2), fmt(m.ctr, 4),
                 fmt(m.mean_loss, 4), fmt(m.updates_per_second, 0),
                 fmt(m.env_steps_per_second, 0)});
  std::cout << tab.to_string();
  std::cout << (r.finished ? "finished" : "stopped") << " after " << r.env_steps
            << " environment steps, " << fmt(r.train_seconds, 1) << " s of training; run directory "
            << r.run_dir << "\n";
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  auto* cmd = app.add_subcommand("train", std::string(command_description("train")));
  cmd->add_option("experiment", f->experiment, "experiment TOML file with [env], [agent], [run]")
      ->required();
  cmd->add_option("--set", f->sets, "override one value: section.key=value (repeatable)");
  cmd->add_option("--out", f->options.run_dir, "run directory (default runs/AGENT-seedS)");
  cmd->add_flag("--resume", f->options.resume,
                "continue the run in --out from its last checkpoint");
  cmd->add_option("--stop-after", f->options.max_iterations,
                  "stop after this many iterations (resume later with --resume)");
  cmd->add_option("--threads", f->options.threads,
                  "worker threads, 0 = all cores (default: run.threads)");
  cmd->add_flag("--json", f->json, "print one JSON object with the metrics rows");
  cmd->callback([f] { run_train(*f); });
}

}  // namespace rlrec::cli
