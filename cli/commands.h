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
  void (*add)(CLI::App& app);
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

// One line per subcommand, in the order `rlrec --help` shows them.
inline constexpr CommandEntry kCommands[] = {
    {"simulate", "run one policy in one environment and report return, CTR and steps/s",
     add_simulate_command},
    {"train", "train a learning agent; write a run directory with metrics and checkpoints",
     add_train_command},
    {"eval", "re-evaluate the agent saved in a run directory", add_eval_command},
    {"compare", "evaluate several policies on one environment over seeds (a leaderboard)",
     add_compare_command},
    {"list", "list every registry (environments, choice models, policies, ...)", add_list_command},
    {"config", "print default or effective configuration as TOML", add_config_command},
    {"index", "benchmark nearest-neighbour indexes (exact, hnsw) on synthetic vectors",
     add_index_command},
    {"log", "run a policy in an environment and write a log file with its propensities",
     add_log_command},
    {"mf", "matrix factorization (biased_sgd, als, bpr): fit, evaluate, save embeddings", add_mf_command},
    {"ope", "off-policy evaluation: estimators with bootstrap CIs; the Open Bandit Dataset bench", add_ope_command},
};

}  // namespace rlrec::cli
