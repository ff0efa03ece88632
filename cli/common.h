// Shared pieces of the subcommands: the common flags (--config, --set, --seed, --threads, --json),
// building a Config from them, and printing aligned tables.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/core/table.h"

namespace rlrec::cli {

// The flags shared by commands that read a config.
struct ConfigFlags {
  std::string config_file;  // --config FILE, or the optional positional experiment FILE (TOML)
  std::vector<std::string> sets;  // --set section.key=value (repeatable, applied in order)
  std::string experiment;         // the positional form; load() rejects giving both
  void add_to(CLI::App& cmd);
  // The config file (if any) with the overrides applied.
  Config load() const;
};

// Rejects sections of cfg not in `allowed` (with a did-you-mean).
void check_sections(const Config& cfg, const std::vector<std::string>& allowed);

// The entry convention of every subcommand: an experiment file may hold sections other commands
// read. The sections of cfg that `command` does not use are named in one note (printed on success,
// see note()) when each is a section of the experiment vocabulary (env, policy, agent, run,
// compare, data, mf, ope, index) or names a policy or learning agent of the catalogue (by its
// section name, or by its `name` key unless the section's name is close to a used or vocabulary
// section); any other section is a typo and an error with a did-you-mean.
void check_sections(const Config& cfg, const std::vector<std::string>& used,
                    std::string_view command);

// Notes for the user ("note: TEXT" on stderr), printed by main.cc once the command has succeeded:
// a failed command prints only its one-line error.
void note(std::string text);
void flush_notes();

// A config struct without fields (sections that accept only `name`).
struct NoFields {
  void visit(FieldVisitor&) {}
};

// Tables and fmt/fmt_pm: rlrec/core/table.h (rlrec::Table, found unqualified in rlrec::cli).

// Prints one JSON object to stdout (pretty, 2 spaces).
void print_json(const nlohmann::json& j);

// A did-you-mean for a mistyped subcommand or flag of argv ("" if nothing is close), for the
// parse-error message.
std::string typo_hint(CLI::App& app, int argc, char** argv);
// One help style for every (sub)command: descriptions start with a capital letter, and range
// checks add no raw type annotations ("INT:INT in [1 - 4294967296]" becomes "INT").
void tidy_help(CLI::App& app);

// Every option of app (and its subcommands) that takes a value rejects an empty value, and an
// integer flag rejects a value that does not fit in 64 bits (instead of CLI11 silently saturating
// it) or a negative value when unsigned. main.cc applies it once the commands are added.
void check_flag_values(CLI::App& app);
// For CLI11's "Could not convert: --flag = VALUE": the rule the value breaks ("--batch takes a
// 32-bit integer (...), got 2147483648"), or "" when it cannot tell.
std::string conversion_hint(CLI::App& app, const std::string& message);

// For a subcommand that runs in one process only, inside a command marked `ranks` in kCommands:
// in a job of more than one rank, throws a one-line error naming the command and the job's size.
void require_one_rank(std::string_view command);

}  // namespace rlrec::cli
