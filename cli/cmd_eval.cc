// rlrec eval RUN_DIR: re-evaluates the agent saved in a run directory (its last checkpoint) on the
// evaluation users of the run's seed (train/experiments.h evaluate_run_dir).
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/train/experiments.h"

namespace rlrec::cli {

void add_eval_command(CLI::App& app) {
  auto o = std::make_shared<train::EvalOptions>();
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("eval", std::string(command_description("eval")));
  cmd->add_option("run_dir", o->run_dir, "run directory written by rlrec train")->required();
  cmd->add_option("--episodes", o->episodes,
                  "evaluation episodes (default: the run's run.episodes)");
  cmd->add_option("--threads", o->threads, "worker threads, 0 = all cores");
  cmd->add_flag("--json", *json, "print one JSON object");
  cmd->callback([o, json] {
    const auto r = train::evaluate_run_dir(*o);
    if (*json) {
      print_json(train::to_json(r));
      return;
    }
    const auto s = r.results.return_summary();
    Table t({"run", "agent", "episodes", "mean return ± se", "mean length", "CTR"});
    t.add_row({r.run_dir, r.agent, std::to_string(r.episodes), fmt_pm(s.mean, s.se, 3),
               fmt(r.results.mean_length(), 2), fmt(r.results.ctr(), 4)});
    std::cout << t.to_string();
  });
}

}  // namespace rlrec::cli
