// rlrec config: validate an experiment file exactly as the command that runs it does, and print its
// effective configuration with every default filled in; or print the defaults of one environment,
// learning agent or baseline policy (--defaults NAME) as TOML that `rlrec config` accepts.
//
// The command that runs a file: compare when it has [compare] (or [suite]: every part is validated
// and printed), train when it has [agent], simulate otherwise (--for picks one). Its checks are the
// command's own functions (cli/checks.h, train::check_train_experiment,
// train::check_compare_experiment): unknown sections and keys (with a did-you-mean), values out of
// range, the agents' sections, [run], [data]; every learning agent and the environment are built
// (nothing is trained or written). It lives in rlrec-agents because the agents' checks need them.
#include <iostream>

#include "cli/checks.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/agents/agent.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/sim/environment.h"
#include "rlrec/train/compare.h"
#include "rlrec/train/experiments.h"
#include "rlrec/train/offline_data.h"
#include "rlrec/train/suite.h"

namespace rlrec::cli {
namespace {

// Overlays the defaults of a learning agent's registry entry onto eff's [section].
void agent_defaults(Config& eff, const train::AgentSpec& spec) {
  const auto* entry = agents::find_agent(spec.entry);
  if (!entry) return;
  const Config d = Config::parse_string(entry->defaults(), str_cat("defaults of ", spec.entry));
  const auto sections = d.sections();
  if (!sections.empty()) eff.overlay_section(d, sections.front(), spec.section);
  eff.set_string(spec.section, "name", spec.entry);
}

std::string command_for(const Config& cfg, const std::string& forced) {
  if (!forced.empty()) return forced;
  if (cfg.has_section("compare")) return "compare";
  if (cfg.has_section("agent")) return "train";
  return "simulate";
}

// The effective config of cfg for `command`: every default of what the command reads, then cfg.
Config validate(const Config& cfg, const std::string& command) {
  Config eff;
  auto env_defaults = [&] {
    const auto& env = catalog::find_environment(catalog::env_name(cfg));
    eff.overlay(Config::parse_string(env.defaults(), "environment defaults"));
  };
  auto data_defaults = [&] {
    if (cfg.has_section("data"))
      eff.overlay(Config::parse_string(dump_section("data", "", train::DataConfig{})));
  };
  if (command == "simulate") {
    const std::string policy = cfg.get_string("policy", "name").value_or("random");
    const eval::RunConfig run = check_simulate(cfg, policy);
    catalog::make_environment(cfg, static_cast<uint64_t>(run.seed));
    env_defaults();
    eff.overlay(Config::parse_string(dump_section("run", "", run)));
    eff.overlay(Config::parse_string(sim::policy_defaults(policy)));
  } else if (command == "train") {
    check_sections(cfg, train_sections(), "train");
    const auto plan = train::check_train_experiment(cfg);
    env_defaults();
    eff.overlay(Config::parse_string(dump_section("run", "", plan.run)));
    agent_defaults(eff, plan.spec);
    data_defaults();
  } else {  // compare
    check_sections(cfg, train::compare_sections(cfg), "compare");
    train::CompareOptions o;
    o.experiment = cfg;
    const auto plan = train::check_compare_experiment(o);
    env_defaults();
    eff.overlay(Config::parse_string(dump_section("run", "", plan.run)));
    eff.overlay(Config::parse_string(dump_section("compare", "", plan.compare)));
    for (const auto& a : plan.result.agents) agent_defaults(eff, a.spec);
    data_defaults();
  }
  eff.overlay(cfg);
  return eff;
}

// --defaults NAME: an environment's [env], a learning agent's [agent] (name = NAME) or a baseline's
// [policy].
std::string defaults_of(const std::string& name) {
  for (const auto& e : catalog::environments())
    if (e.name == name) return e.defaults();
  if (agents::find_agent(name)) {
    Config eff;
    agent_defaults(eff, train::AgentSpec{name, "agent", name});
    return eff.to_toml() + "\n";
  }
  if (catalog::find_policy_or_null(name)) return sim::policy_defaults(name);
  std::vector<std::string> known;
  for (const auto& e : catalog::environments()) known.emplace_back(e.name);
  for (const auto& n : catalog::policy_and_agent_names()) known.push_back(n);
  throw_unknown("environment, agent or policy", name, known);
}

// A suite (train/suite.h): every part validated as `rlrec compare` runs it, each part's effective
// config printed under its label.
void print_suite(const Config& raw, const std::string& file, const std::vector<std::string>& sets) {
  check_sections(raw, {"suite"}, "compare");
  train::SuiteOptions o;
  o.file = file;
  o.experiment = raw;
  o.sets = sets;
  const auto plan = train::plan_suite(o);
  for (const auto& p : plan.parts) {
    try {
      const Config eff = validate(p.experiment, "compare");
      std::cout << "# suite part " << p.label << ": " << p.file
                << " (with the suite's overrides) as rlrec compare runs it (every default "
                   "filled in)\n"
                << eff.to_toml() << "\n\n";
    } catch (const Error& e) {
      throw Error(e.code(), str_cat("suite part ", p.label, " (", p.file, "): ", e.what()));
    }
  }
}

}  // namespace

void add_config_command(CLI::App& app) {
  struct Flags {
    std::string defaults, command;
    ConfigFlags config;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("config", std::string(command_description("config")));
  cmd->add_option("--defaults", f->defaults,
                  "environment, learning agent or baseline policy whose defaults to print");
  cmd->add_option("--for", f->command,
                  "validate as this command runs the file (default: compare with [compare], "
                  "train with [agent], else simulate)")
      ->check(CLI::IsMember({"simulate", "train", "compare"}));
  f->config.add_to(*cmd);
  cmd->callback([f] {
    if (!f->defaults.empty()) {
      std::cout << defaults_of(f->defaults);
      return;
    }
    const std::string& file =
        f->config.experiment.empty() ? f->config.config_file : f->config.experiment;
    if (!file.empty() && f->command.empty()) {
      const Config raw = Config::parse_file(file);
      if (train::is_suite(raw)) return print_suite(raw, file, f->config.sets);
    }
    const Config cfg = f->config.load();
    const std::string command = command_for(cfg, f->command);
    const Config eff = validate(cfg, command);
    const std::string source = cfg.source().empty() ? "the defaults" : cfg.source();
    std::cout << "# effective configuration: " << source << " as rlrec " << command
              << " runs it (every default filled in)\n"
              << eff.to_toml() << "\n";
  });
}

}  // namespace rlrec::cli
