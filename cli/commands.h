// The CLI's subcommands, as a table. Each subcommand lives in its own file and adds itself to the
// app with add_<name>_command(app); main.cc only dispatches and catches.
//
// Contract for every subcommand (users script rlrec):
//   * results go to stdout: a readable table, or exactly one JSON object with --json;
//   * progress bars and logs go to stderr (bars only on a terminal);
//   * exit 0 on success, 2 on bad input or usage (rlrec::Error other than io/internal), 1 otherwise.
#pragma once

#include <CLI/CLI.hpp>
#include <string_view>

namespace rlrec::cli {

struct CommandEntry {
  std::string_view name;
  std::string_view description;
  // nullptr in the torch-free `rlrec` binary for the commands that run learning agents: main.cc
  // hands those over to `rlrec-agents` (the same CLI, linked with libtorch) before parsing.
  void (*add)(CLI::App& app);
};

// The commands that run learning agents exist only in the rlrec-agents binary (RLREC_CLI_AGENTS).
#ifdef RLREC_CLI_AGENTS
#define RLREC_AGENT_COMMAND(f) f
#else
#define RLREC_AGENT_COMMAND(f) nullptr
#endif

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

// One line per subcommand, in the order `rlrec --help` shows them.
inline constexpr CommandEntry kCommands[] = {
    {"simulate", "run one policy in one environment and report return, CTR and steps/s",
     add_simulate_command},
    {"train",
     "Train the [agent] of an experiment file on its [env]; evaluate every run.eval_interval "
     "steps; write a run directory (config.toml, seed, git_commit, metrics.jsonl/.csv, "
     "checkpoint/, learning_curve.png).\nExample: rlrec train "
     "configs/experiments/slateq_qlearning.toml --out runs/ql",
     RLREC_AGENT_COMMAND(add_train_command)},
    {"eval",
     "Re-evaluate the agent saved in a run directory (written by rlrec train) on the "
     "evaluation users of its seed.\nExample: rlrec eval runs/ql --episodes 2000",
     RLREC_AGENT_COMMAND(add_eval_command)},
    {"compare",
     "Train and evaluate the agents listed in an experiment file ([compare] agents = [...]) on "
     "its [env] over N seeds; print mean return with 95% CI over seeds, change vs random and "
     "myopic, CTR, train time and mean reward per step; with [compare] protocol = \"offline\" "
     "(rating-log environments) also P@5/10 and NDCG@5/10 of the offline replay protocol.\n"
     "Example: rlrec compare configs/experiments/main.toml --out runs/main",
     RLREC_AGENT_COMMAND(add_compare_command)},
    {"list", "list every registry (environments, choice models, policies, ...)", add_list_command},
    {"config", "print default or effective configuration as TOML", add_config_command},
    {"index", "benchmark nearest-neighbour indexes (exact, hnsw) on synthetic vectors",
     add_index_command},
    {"log", "run a policy in an environment and write a log file with its propensities",
     add_log_command},
    {"mf", "matrix factorization (biased_sgd, als, bpr): fit, evaluate, save embeddings", add_mf_command},
    {"ope", "off-policy evaluation: estimators with bootstrap CIs; the Open Bandit Dataset bench", add_ope_command},
};

// The description of a command in kCommands (the commands that rlrec hands over to rlrec-agents
// show the same text in both binaries' --help).
constexpr std::string_view command_description(std::string_view name) {
  for (const auto& c : kCommands)
    if (c.name == name) return c.description;
  return {};
}

}  // namespace rlrec::cli
