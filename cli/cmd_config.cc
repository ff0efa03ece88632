// rlrec config: print an environment's defaults (--defaults ENV) or the effective configuration of
// a config file with overrides (validated by building the environment).
#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/sim/environment.h"

namespace rlrec::cli {

void add_config_command(CLI::App& app) {
  struct Flags {
    std::string defaults;
    ConfigFlags config;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("config", std::string(command_description("config")));
  cmd->add_option("--defaults", f->defaults, "environment whose [env] defaults to print");
  f->config.add_to(*cmd);
  cmd->callback([f] {
    if (!f->defaults.empty()) {
      std::cout << catalog::find_environment(f->defaults).defaults();
      return;
    }
    Config cfg = f->config.load();
    catalog::make_environment(cfg, 0);  // validates [env]
    std::cout << cfg.to_toml() << "\n";
  });
}

}  // namespace rlrec::cli
