// Flags that set the keys of an options struct (the experiment/ options with visit()). Library
// messages name config keys ("ope.bootstrap must be > 0"); each flag is registered with the key it
// sets, and --help shows it ("bootstrap resamples [ope.bootstrap]"), so a message in key terms
// points at its flag without rewriting messages.
//
// KeyFlags also records which flags were given, for the entry convention: options(cfg) reads the
// command's section of an experiment file (and --set) into a default struct, then copies the
// value of every flag given on the command line over it (explicit flags win over the file).
#pragma once

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "rlrec/core/config.h"

namespace rlrec::cli {

namespace detail {

// The address of each field of a struct, in visit() order.
struct FieldAddresses : FieldVisitor {
  std::vector<void*> at;
  void field(const char*, bool& v, const char*) override { at.push_back(&v); }
  void field(const char*, int& v, const char*) override { at.push_back(&v); }
  void field(const char*, int64_t& v, const char*) override { at.push_back(&v); }
  void field(const char*, double& v, const char*) override { at.push_back(&v); }
  void field(const char*, std::string& v, const char*) override { at.push_back(&v); }
  void field(const char*, std::vector<double>& v, const char*) override { at.push_back(&v); }
  void field(const char*, std::vector<int64_t>& v, const char*) override { at.push_back(&v); }
  void field(const char*, std::vector<std::string>& v, const char*) override { at.push_back(&v); }
};

// Assigns the fields named in `keys` from the addresses of another struct of the same type.
struct FieldCopier : FieldVisitor {
  const std::vector<void*>& from;
  const std::vector<std::string>& keys;
  size_t i = 0;
  FieldCopier(const std::vector<void*>& f, const std::vector<std::string>& k) : from(f), keys(k) {}
  template <class V>
  void copy(const char* key, V& v) {
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) v = *static_cast<const V*>(from[i]);
    ++i;
  }
  void field(const char* k, bool& v, const char*) override { copy(k, v); }
  void field(const char* k, int& v, const char*) override { copy(k, v); }
  void field(const char* k, int64_t& v, const char*) override { copy(k, v); }
  void field(const char* k, double& v, const char*) override { copy(k, v); }
  void field(const char* k, std::string& v, const char*) override { copy(k, v); }
  void field(const char* k, std::vector<double>& v, const char*) override { copy(k, v); }
  void field(const char* k, std::vector<int64_t>& v, const char*) override { copy(k, v); }
  void field(const char* k, std::vector<std::string>& v, const char*) override { copy(k, v); }
};

}  // namespace detail

// Copies the fields of `from` named in `keys` into `to`.
template <class T>
void copy_fields(T from, T& to, const std::vector<std::string>& keys) {
  detail::FieldAddresses a;
  from.visit(a);
  detail::FieldCopier c(a.at, keys);
  to.visit(c);
}

template <class Options>
class KeyFlags {
 public:
  // Flags of `app` bound to the fields of `values` (which must outlive the parse), for keys of
  // [section].
  KeyFlags(CLI::App* app, std::string section, Options& values)
      : app_(app), section_(std::move(section)), values_(&values) {}

  // An option --flag setting `key` (var is the field of `values` that visit() names `key`).
  template <class T>
  CLI::Option* add(const std::string& flag, const std::string& key, T& var,
                   const std::string& doc) {
    return record(app_->add_option(flag, var, with_key(doc, key)), key);
  }
  CLI::Option* add_flag(const std::string& flag, const std::string& key, bool& var,
                        const std::string& doc) {
    return record(app_->add_flag(flag, var, with_key(doc, key)), key);
  }

  // The keys of the flags given on the command line.
  std::vector<std::string> given() const {
    std::vector<std::string> keys;
    for (const auto& [opt, key] : flags_)
      if (opt->count() > 0) keys.push_back(key);
    return keys;
  }
  // The options: [section] of cfg over the defaults, then the given flags over that. Keys of the
  // section that are neither fields nor in `shared_keys` (keys another reader of the section
  // claims) are errors with a did-you-mean.
  Options options(const Config& cfg, const std::vector<std::string>& shared_keys = {}) const {
    Options o;
    read_section(cfg, section_, o, shared_keys);
    copy_fields(*values_, o, given());
    return o;
  }
  const std::string& section() const { return section_; }

 private:
  std::string with_key(const std::string& doc, const std::string& key) const {
    return doc + " [" + section_ + "." + key + "]";
  }
  CLI::Option* record(CLI::Option* opt, const std::string& key) {
    flags_.emplace_back(opt, key);
    return opt;
  }
  CLI::App* app_;
  std::string section_;
  Options* values_;
  std::vector<std::pair<CLI::Option*, std::string>> flags_;
};

}  // namespace rlrec::cli
