// rlrec eval RUN_DIR: re-evaluates the agent saved in a run directory (its last checkpoint) on the
// evaluation users of the run's seed.
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/run_config.h"
#include "rlrec/train/trainer.h"

namespace rlrec::cli {

void add_eval_command(CLI::App& app) {
  struct Flags {
    std::string dir;
    std::optional<int64_t> episodes;  // unset unless given (see read_run)
    std::optional<int> threads;
    bool json = false;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand(
      "eval", std::string(command_description("eval")));
  cmd->add_option("run_dir", f->dir, "run directory written by rlrec train")->required();
  cmd->add_option("--episodes", f->episodes, "evaluation episodes (default: the run's run.episodes)");
  cmd->add_option("--threads", f->threads, "worker threads, 0 = all cores");
  cmd->add_flag("--json", f->json, "print one JSON object");
  cmd->callback([f] {
    if (!std::filesystem::exists(f->dir + "/config.toml"))
      throw_error(ErrorCode::kNotFound, "'", f->dir, "' is not a run directory (no config.toml)");
    Config cfg = Config::parse_file(f->dir + "/config.toml");
    RunConfig run = read_run(cfg, f->episodes, std::nullopt, f->threads);
    const auto spec = train::agent_spec(cfg, "agent", "");
    ThreadPool pool(run.threads);
    train::Trainer t(cfg, spec, run, pool, "");
    t.agent().load([&] {
      std::string ck = f->dir + "/checkpoint/agent";
      if (!std::filesystem::exists(ck)) ck = f->dir + "/checkpoint.old/agent";
      if (!std::filesystem::exists(ck))
        throw_error(ErrorCode::kNotFound, "no checkpoint in '", f->dir, "'");
      return ck;
    }());
    const auto r = t.evaluate(run.episodes);
    const auto s = r.return_summary();
    if (f->json) {
      nlohmann::json j{{"run_dir", f->dir}, {"agent", spec.entry}, {"episodes", run.episodes},
                       {"mean_return", s.mean}, {"se_return", s.se}, {"ctr", r.ctr()},
                       {"mean_length", r.mean_length()}, {"steps", r.steps}};
      print_json(j);
      return;
    }
    Table t2({"run", "agent", "episodes", "mean return ± se", "mean length", "CTR"});
    t2.add_row({f->dir, spec.entry, std::to_string(run.episodes), fmt_pm(s.mean, s.se, 3),
                fmt(r.mean_length(), 2), fmt(r.ctr(), 4)});
    std::cout << t2.to_string();
  });
}

}  // namespace rlrec::cli
