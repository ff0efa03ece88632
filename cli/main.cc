// rlrec command-line entry point: builds the subcommand table, dispatches and catches.
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "rlrec/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{
      "rlrec: reinforcement learning for recommender systems.\n"
      "Simulate users and slates, train and compare recommenders, evaluate them online and "
      "offline.\nRun 'rlrec SUBCOMMAND --help' for the options of each subcommand.",
      "rlrec"};
  app.require_subcommand(1, 1);
  app.set_version_flag("--version", "rlrec 0.1.0");
  for (const auto& c : rlrec::cli::kCommands) c.add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    std::fprintf(stderr, "run '%s --help' for usage\n", argv[0]);
    return 2;
  } catch (const rlrec::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    const auto c = e.code();
    return (c == rlrec::ErrorCode::kIo || c == rlrec::ErrorCode::kInternal) ? 1 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
