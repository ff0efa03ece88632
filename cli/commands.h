// The CLI's subcommands, as a table. Each subcommand lives in its own file and adds itself to the
// app with add_<name>_command(app); main.cc only dispatches and catches.
//
// Contract for every subcommand (users script rlrec):
//   * results go to stdout: a readable table, or exactly one JSON object with --json;
//   * progress bars and logs go to stderr (bars only on a terminal);
//   * exit 0 on success, 2 on bad input or usage (rlrec::Error other than io/internal), 1
//   otherwise.
#pragma once

#include <CLI/CLI.hpp>
#include <string_view>

namespace rlrec::cli {

// One subcommand: its name and the description `rlrec --help` shows. agents: it runs learning
// agents, so it exists only in the rlrec-agents binary; the torch-free `rlrec` lists it in --help
// and hands it over to rlrec-agents (main.cc) before parsing. ranks: it runs over the ranks of an
// mpirun/srun job (docs/distributed.md); main.cc refuses the others in a job of more than one rank,
// and a command with subcommands that do not all run over ranks calls require_one_rank() in them.
struct CommandInfo {
  std::string_view name;
  std::string_view description;
  bool agents;
  bool ranks;
};

void add_simulate_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_list_command(CLI::App& app);
void add_config_command(CLI::App& app);
void add_index_command(CLI::App& app);
void add_mf_command(CLI::App& app);
void add_log_command(CLI::App& app);
void add_ope_command(CLI::App& app);
void add_mf_sequence_command(CLI::App& mf);  // `rlrec mf sequence` (cmd_mf_sequence.cc)

// One line per subcommand, in the order `rlrec --help` shows them.
inline constexpr CommandInfo kCommands[] = {
    {"simulate",
     "Run one policy in one environment for N episodes; print mean episode return ± standard "
     "error, mean episode length, CTR and steps/s.\nExample: rlrec simulate --env "
     "interest_evolution --policy myopic --episodes 2000 --seed 1",
     false, true},
    {"train",
     "Train the [agent] of an experiment file on its [env]; evaluate every run.eval_interval "
     "steps; write a run directory (config.toml, seed, git_commit, metrics.jsonl/.csv, "
     "checkpoint/, learning_curve.png).\nExample: rlrec train "
     "configs/experiments/slateq_qlearning.toml --out runs/ql",
     true, false},
    {"eval",
     "Re-evaluate the agent saved in a run directory (written by rlrec train) on the "
     "evaluation users of its seed.\nExample: rlrec eval runs/ql --episodes 2000",
     true, false},
    {"compare",
     "Train and evaluate the agents listed in an experiment file ([compare] agents = [...]) on "
     "its [env] over N seeds; print mean return with 95% CI over seeds, change vs random and "
     "myopic, CTR, train time and mean reward per step; with [compare] protocol = \"offline\" "
     "(rating-log environments) also P@5/10 and NDCG@5/10 of the offline replay protocol. "
     "Writes leaderboard.csv/.json, leaderboard.png, learning_curves.png, a self-contained "
     "report.html (open it in a browser; no network needed) and runs/AGENT/seed-N/ (learning "
     "agents) to --out.\n"
     "Example: rlrec compare configs/experiments/main.toml --out runs/main",
     true, true},
    {"list",
     "List the registries: environments, choice_models, policies, agents, ... (or one of "
     "them).",
     false, false},
    {"config",
     "Validate an experiment file exactly as the command that runs it does (compare with "
     "[compare], train with [agent], else simulate; --for picks one) and print its effective "
     "configuration with every default filled in; or print the defaults of an environment, "
     "learning agent or baseline policy (--defaults NAME) as TOML.\nExample: rlrec config "
     "configs/experiments/main.toml",
     true, false},
    {"index", "Build and benchmark nearest-neighbour indexes.", false, false},
    {"log",
     "Run a baseline policy in the experiment's [env] and write a log file (docs/logs.md) with "
     "the per-slot and slate propensities it can compute; policy keys come from [policy].\n"
     "Example: rlrec log configs/experiments/topk_reinforce_ablation.toml --policy "
     "biased_softmax --episodes 2000 --out biased.rlog",
     false, false},
    {"mf", "Matrix factorization: train, evaluate and save embeddings.", false, false},
    {"ope", "Off-policy evaluation: estimate a policy's value from logged data.", false, false},
};

// The description of a command in kCommands (the commands that rlrec hands over to rlrec-agents
// show the same text in both binaries' --help).
constexpr std::string_view command_description(std::string_view name) {
  for (const auto& c : kCommands)
    if (c.name == name) return c.description;
  return {};
}

}  // namespace rlrec::cli
