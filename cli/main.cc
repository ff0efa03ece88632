// rlrec command-line entry point: builds the subcommand table, dispatches and catches.
//
// Two binaries share this file. `rlrec` links no learning agent, so it starts without loading
// libtorch; a command that runs learning agents (train, eval, compare: `agents` in kCommands) is
// handed over, before any parsing, to `rlrec-agents` beside it (or $RLREC_AGENTS_BIN),
// which is the same CLI built with RLREC_CLI_AGENTS and linked with the agents. The hand-over is an
// exec: arguments, exit status and output are exactly those of rlrec-agents.
//
// Under mpirun/srun (docs/distributed.md) main starts MPI (dist::Session: only here, and only when
// a launcher started the process); a command that does not run over ranks (`ranks` in kCommands) is
// refused in a job of more than one rank, and an error on any rank ends the whole job with that
// rank's one-line message (dist::Communicator::abort) instead of leaving the others waiting.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <new>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/core/error.h"
#include "rlrec/core/output.h"
#include "rlrec/dist/comm.h"

namespace {

struct Adder {
  std::string_view name;
  void (*add)(CLI::App& app);
};
// How each command of rlrec::cli::kCommands adds itself; the agent commands only in rlrec-agents.
constexpr Adder kAdders[] = {
    {"simulate", rlrec::cli::add_simulate_command},
    {"list", rlrec::cli::add_list_command},
    {"index", rlrec::cli::add_index_command},
    {"log", rlrec::cli::add_log_command},
    {"mf", rlrec::cli::add_mf_command},
    {"ope", rlrec::cli::add_ope_command},
#ifdef RLREC_CLI_AGENTS
    {"train", rlrec::cli::add_train_command},
    {"eval", rlrec::cli::add_eval_command},
    {"compare", rlrec::cli::add_compare_command},
    {"config", rlrec::cli::add_config_command},
#endif
};

constexpr const Adder* adder(std::string_view name) {
  for (const auto& a : kAdders)
    if (a.name == name) return &a;
  return nullptr;
}

// Every command of the table has its adder here (the agent ones in rlrec-agents only). It compares
// names and entry addresses, never function pointers: whether a function's address is null is not
// a constant expression under -fsanitize (GCC), which broke the Debug ASan build.
constexpr bool adders_match_table() {
  for (const auto& c : rlrec::cli::kCommands) {
#ifndef RLREC_CLI_AGENTS
    if (c.agents) continue;
#endif
    if (adder(c.name) == nullptr) return false;
  }
  return std::size(kAdders) <= std::size(rlrec::cli::kCommands);
}
static_assert(adders_match_table(), "kAdders and rlrec::cli::kCommands disagree");

// The subcommand named on the command line (the first argument that is not an option), if any.
const rlrec::cli::CommandInfo* named_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a.empty() || a[0] == '-') continue;
    for (const auto& c : rlrec::cli::kCommands)
      if (c.name == a) return &c;
    return nullptr;
  }
  return nullptr;
}

#ifndef RLREC_CLI_AGENTS
// The named subcommand, if it is one of the commands only rlrec-agents has.
const rlrec::cli::CommandInfo* agent_command(int argc, char** argv) {
  const auto* c = named_command(argc, argv);
  return c && c->agents ? c : nullptr;
}

[[noreturn]] void hand_over(const rlrec::cli::CommandInfo& c, char** argv) {
  std::string bin;
  if (const char* env = std::getenv("RLREC_AGENTS_BIN"); env && *env) {
    bin = env;
  } else {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    bin = (ec ? std::filesystem::path(argv[0]) : self).parent_path() / "rlrec-agents";
  }
  ::execv(bin.c_str(), argv);
  std::fprintf(stderr,
               "error: 'rlrec %.*s' runs learning agents, which live in the rlrec-agents binary: "
               "cannot run %s (%s); install it beside rlrec or set RLREC_AGENTS_BIN\n",
               static_cast<int>(c.name.size()), c.name.data(), bin.c_str(), std::strerror(errno));
  std::exit(1);
}
#endif

// Reports an error and returns the exit status; in a job of several ranks, ends the job instead.
int fail(const std::string& message, int code) {
  auto& world = rlrec::dist::world();
  if (world.size() > 1) world.abort(message, code);
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return code;
}

// The first line of a message, so that every error stays one line.
std::string first_line(const char* what) {
  std::string s = what ? what : "";
  if (const auto nl = s.find('\n'); nl != std::string::npos) s.erase(nl);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
#ifndef RLREC_CLI_AGENTS
  if (const auto* c = agent_command(argc, argv)) hand_over(*c, argv);
#endif
  rlrec::dist::Session session(argc, argv);  // MPI only under mpirun/srun
  rlrec::install_cleanup_handlers();         // Ctrl-C / SIGTERM remove temporary outputs and locks
  if (const int p = rlrec::dist::world().size(); p > 1) {
    const auto* c = named_command(argc, argv);
    if (c && !c->ranks) {  // every rank sees the same: rank 0 says it, all end without MPI_Abort
      std::string runs;
      for (const auto& r : rlrec::cli::kCommands)
        if (r.ranks) runs += (runs.empty() ? "" : ", ") + std::string(r.name);
      if (rlrec::dist::world().rank() == 0)
        std::fprintf(stderr,
                     "error: 'rlrec %s' runs in one process, but this job has %d ranks; run it "
                     "without mpirun/srun (commands that run over ranks: %s)\n",
                     std::string(c->name).c_str(), p, runs.empty() ? "none yet" : runs.c_str());
      return 2;
    }
  }
  CLI::App app{
      "rlrec: reinforcement learning for recommender systems.\n"
      "Simulate users and slates, train and compare recommenders, evaluate them online and "
      "offline.\nRun 'rlrec SUBCOMMAND --help' for the options of each subcommand.",
      "rlrec"};
  app.require_subcommand(1, 1);
  app.set_version_flag("--version", "rlrec 0.1.0");
  for (const auto& c : rlrec::cli::kCommands) {
    if (const Adder* a = adder(c.name))
      a->add(app);
    else
      app.add_subcommand(std::string(c.name), std::string(c.description));  // handed over
  }
  rlrec::cli::tidy_help(app);
  rlrec::cli::check_flag_values(app);
  try {
    app.parse(argc, argv);
    rlrec::cli::flush_notes();
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, as every error: CLI11's message, a did-you-mean, where help is.
    std::string message = first_line(e.what());
    if (const std::string r = rlrec::cli::conversion_hint(app, message); !r.empty()) message = r;
    if (const std::string h = rlrec::cli::typo_hint(app, argc, argv); !h.empty())
      message += "; " + h;
    return fail(message + "; run '" + argv[0] + " --help' for usage", 2);
  } catch (const rlrec::Error& e) {
    const auto c = e.code();
    return fail(e.what(), (c == rlrec::ErrorCode::kIo || c == rlrec::ErrorCode::kInternal) ? 1 : 2);
  } catch (const std::bad_alloc&) {
    return fail(
        "out of memory; lower the sizes that drive memory in the config (episodes x batch, "
        "replay capacity, corpus, index items, network widths)",
        2);
  } catch (const std::filesystem::filesystem_error& e) {
    return fail(first_line(e.what()), 2);  // a path problem: input
  } catch (const std::exception& e) {
    // Third-party errors (libtorch's carry a backtrace): their first line only.
    return fail(first_line(e.what()), 1);
  }
  return 0;
}
