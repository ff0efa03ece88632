// rlrec command-line entry point: builds the subcommand table, dispatches and catches.
//
// Two binaries share this file. `rlrec` links no learning agent, so it starts without loading
// libtorch; a command that runs learning agents (train, eval, compare: `agents` in kCommands) is
// handed over, before any parsing, to `rlrec-agents` beside it (or $RLREC_AGENTS_BIN),
// which is the same CLI built with RLREC_CLI_AGENTS and linked with the agents. The hand-over is an
// exec: arguments, exit status and output are exactly those of rlrec-agents.
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

namespace {

struct Adder {
  std::string_view name;
  void (*add)(CLI::App& app);
};
// How each command of rlrec::cli::kCommands adds itself; the agent commands only in rlrec-agents.
constexpr Adder kAdders[] = {
    {"simulate", rlrec::cli::add_simulate_command}, {"list", rlrec::cli::add_list_command},
    {"config", rlrec::cli::add_config_command},     {"index", rlrec::cli::add_index_command},
    {"log", rlrec::cli::add_log_command},           {"mf", rlrec::cli::add_mf_command},
    {"ope", rlrec::cli::add_ope_command},
#ifdef RLREC_CLI_AGENTS
    {"train", rlrec::cli::add_train_command},       {"eval", rlrec::cli::add_eval_command},
    {"compare", rlrec::cli::add_compare_command},
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

#ifndef RLREC_CLI_AGENTS
// The subcommand named on the command line (the first argument that is not an option), if it is
// one of the commands only rlrec-agents has.
const rlrec::cli::CommandInfo* agent_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a.empty() || a[0] == '-') continue;
    for (const auto& c : rlrec::cli::kCommands)
      if (c.name == a) return c.agents ? &c : nullptr;
    return nullptr;
  }
  return nullptr;
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
  rlrec::install_cleanup_handlers();  // Ctrl-C / SIGTERM remove temporary outputs and locks
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
    std::fprintf(stderr, "error: %s\n", e.what());
    if (const std::string h = rlrec::cli::typo_hint(app, argc, argv); !h.empty())
      std::fprintf(stderr, "%s\n", h.c_str());
    std::fprintf(stderr, "run '%s --help' for usage\n", argv[0]);
    return 2;
  } catch (const rlrec::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    const auto c = e.code();
    return (c == rlrec::ErrorCode::kIo || c == rlrec::ErrorCode::kInternal) ? 1 : 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(
        stderr,
        "error: out of memory; lower the sizes that drive memory in the config (episodes x "
        "batch, replay capacity, corpus, index items, network widths)\n");
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    std::fprintf(stderr, "error: %s\n", first_line(e.what()).c_str());  // a path problem: input
    return 2;
  } catch (const std::exception& e) {
    // Third-party errors (libtorch's carry a backtrace): their first line only.
    std::fprintf(stderr, "error: %s\n", first_line(e.what()).c_str());
    return 1;
  }
  return 0;
}
