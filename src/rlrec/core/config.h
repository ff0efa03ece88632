// Typed configuration read from TOML.
//
// Every component has one plain struct with defaults in the struct, one comment per field, and one
// visit(FieldVisitor&) listing its fields once. The same visit reads TOML (read_section), prints
// defaults and dumps the effective config (dump_section). Unknown keys are errors with a
// did-you-mean; there are no aliases. Example:
//
//   struct FooConfig {
//     int size = 10;  // number of things
//     void visit(FieldVisitor& v) { v.field("size", size, "number of things"); }
//     void validate() const { check_range("foo.size", size, 1, 100); }
//   };
//   Config cfg = Config::parse_file("exp.toml");
//   cfg.set("foo.size=12");            // --set override, applied before reading
//   FooConfig foo; read_section(cfg, "foo", foo);
//
// A Config is a TOML document of sections ([env], [policy], [run], ...). toml++ stays in config.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rlrec/core/error.h"

namespace rlrec {

// The field types a config struct may have.
class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  virtual void field(const char* key, bool& value, const char* doc) = 0;
  virtual void field(const char* key, int& value, const char* doc) = 0;
  virtual void field(const char* key, int64_t& value, const char* doc) = 0;
  virtual void field(const char* key, double& value, const char* doc) = 0;
  virtual void field(const char* key, std::string& value, const char* doc) = 0;
  virtual void field(const char* key, std::vector<double>& value, const char* doc) = 0;
  virtual void field(const char* key, std::vector<int64_t>& value, const char* doc) = 0;
  virtual void field(const char* key, std::vector<std::string>& value, const char* doc) = 0;
};

class Config {
 public:
  Config();
  ~Config();
  Config(const Config&);
  Config& operator=(const Config&);
  Config(Config&&) noexcept;
  Config& operator=(Config&&) noexcept;

  // Throws kNotFound for a missing file, kCorrupt (with file:line:column) for malformed TOML.
  static Config parse_file(const std::string& path);
  static Config parse_string(std::string_view text, std::string_view source = "<string>");

  // Applies one override "section.key=value" (value is a TOML value; a bare word is taken as a
  // string). Throws kInvalidArgument for a malformed assignment.
  void set(std::string_view assignment);
  // Sets section.key to a string / integer value (creating the section).
  void set_string(std::string_view section, std::string_view key, std::string_view value);
  void set_int(std::string_view section, std::string_view key, int64_t value);

  bool has_section(std::string_view section) const;
  std::vector<std::string> sections() const;
  // Keys of a section in document order (empty if absent).
  std::vector<std::string> keys(std::string_view section) const;
  // A string value, if present (throws kInvalidArgument if present but not a string).
  std::optional<std::string> get_string(std::string_view section, std::string_view key) const;
  // The array-of-strings value, if present.
  std::optional<std::vector<std::string>> get_strings(std::string_view section,
                                                      std::string_view key) const;

  // Copies every key of from's [section] into this config's [into] (default: the same name),
  // replacing keys already there; nothing when from has no such section. overlay: every section.
  // (rlrec config fills in defaults this way: the defaults, then the file's keys over them.)
  void overlay_section(const Config& from, std::string_view section, std::string_view into = {});
  void overlay(const Config& from);

  // Where values came from, for messages ("exp.toml", "--set").
  const std::string& source() const { return source_; }
  // The whole document as TOML text.
  std::string to_toml() const;

  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
  std::string source_;
};

// Reads the fields of `section` into obj via its visit(). Keys of the section that no field claims
// (other than those in `extra_keys`, e.g. "name") are rejected with a did-you-mean. A missing
// section leaves the defaults.
void read_section_fields(const Config& cfg, std::string_view section,
                         const std::vector<std::string>& extra_keys,
                         const std::function<void(FieldVisitor&)>& visit);

template <class T>
void read_section(const Config& cfg, std::string_view section, T& obj,
                  const std::vector<std::string>& extra_keys = {"name"}) {
  read_section_fields(cfg, section, extra_keys, [&](FieldVisitor& v) { obj.visit(v); });
}

// TOML text for a section: "[section]", an optional name line, then "# doc" and "key = value" per
// field.
std::string dump_section_fields(std::string_view section, std::string_view name,
                                const std::function<void(FieldVisitor&)>& visit);
template <class T>
std::string dump_section(std::string_view section, std::string_view name, T obj) {
  return dump_section_fields(section, name, [&](FieldVisitor& v) { obj.visit(v); });
}

// Field keys of a config struct (for did-you-mean and docs).
template <class T>
std::vector<std::string> field_keys(T obj);

// Validation helpers: each throws kInvalidArgument naming the key, the rule and the value.
void check_range(std::string_view key, double value, double lo, double hi);
void check_range(std::string_view key, int64_t value, int64_t lo, int64_t hi);
inline void check_range(std::string_view key, int value, int64_t lo, int64_t hi) {
  check_range(key, static_cast<int64_t>(value), lo, hi);
}
void check_positive(std::string_view key, double value);  // finite and > 0
void check_one_of(std::string_view key, const std::string& value,
                  const std::vector<std::string>& choices);

// Formats a double for TOML/human output: shortest form that round-trips.
std::string format_double(double v);

namespace detail {
struct KeyCollector : FieldVisitor {
  std::vector<std::string> keys;
  void field(const char* k, bool&, const char*) override { keys.emplace_back(k); }
  void field(const char* k, int&, const char*) override { keys.emplace_back(k); }
  void field(const char* k, int64_t&, const char*) override { keys.emplace_back(k); }
  void field(const char* k, double&, const char*) override { keys.emplace_back(k); }
  void field(const char* k, std::string&, const char*) override { keys.emplace_back(k); }
  void field(const char* k, std::vector<double>&, const char*) override { keys.emplace_back(k); }
  void field(const char* k, std::vector<int64_t>&, const char*) override { keys.emplace_back(k); }
  void field(const char* k, std::vector<std::string>&, const char*) override {
    keys.emplace_back(k);
  }
};
}  // namespace detail

template <class T>
std::vector<std::string> field_keys(T obj) {
  detail::KeyCollector c;
  obj.visit(c);
  return c.keys;
}
}  // namespace rlrec
