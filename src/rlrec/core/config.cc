#include "rlrec/core/config.h"

#include <toml++/toml.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace rlrec {

struct Config::Impl {
  toml::table table;
};

Config::Config() : impl_(std::make_unique<Impl>()) {}
Config::~Config() = default;
Config::Config(const Config& o) : impl_(std::make_unique<Impl>(*o.impl_)), source_(o.source_) {}
Config& Config::operator=(const Config& o) {
  if (this != &o) {
    impl_ = std::make_unique<Impl>(*o.impl_);
    source_ = o.source_;
  }
  return *this;
}
Config::Config(Config&&) noexcept = default;
Config& Config::operator=(Config&&) noexcept = default;

namespace {

std::string describe_node(const toml::node& n) {
  std::ostringstream os;
  switch (n.type()) {
    case toml::node_type::string:
      os << "string \"" << n.value_or<std::string>("") << "\"";
      break;
    case toml::node_type::integer:
      os << "integer " << n.value_or<int64_t>(0);
      break;
    case toml::node_type::floating_point:
      os << "float " << format_double(n.value_or(0.0));
      break;
    case toml::node_type::boolean:
      os << "boolean " << (n.value_or(false) ? "true" : "false");
      break;
    case toml::node_type::array:
      os << "an array";
      break;
    case toml::node_type::table:
      os << "a table";
      break;
    default:
      os << "a date/time";
      break;
  }
  return os.str();
}

std::string where(const toml::node& n) {
  const auto& src = n.source();
  if (src.path && src.begin.line > 0) return str_cat(*src.path, ":", src.begin.line, ": ");
  return "";
}

// Section names and keys are bare TOML keys (letters, digits, '_', '-'): every name rlrec reads is
// one, and a quoted key with other characters is not written back as valid TOML by toml++'s
// formatter (a section named ' came out as [']; found by fuzz/config_fuzz.cc).
bool is_bare_key(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

void check_bare(std::string_view k, std::string_view what, std::string_view source) {
  if (!is_bare_key(k))
    invalid_argument(source, ": ", what, " '", k,
                     "' is not a bare key: use letters, digits, '_' and '-' only");
}

// Every key of t and of the tables inside it (arrays included) is a bare key.
void check_keys(const toml::table& t, std::string_view source, bool top) {
  for (auto&& [k, v] : t) {
    check_bare(k.str(), top ? "section name" : "key", source);
    if (const auto* sub = v.as_table()) check_keys(*sub, source, false);
    if (const auto* arr = v.as_array())
      for (const auto& e : *arr)
        if (const auto* st = e.as_table()) check_keys(*st, source, false);
  }
}

toml::table parse_or_throw(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw Error(ErrorCode::kCorrupt,
                str_cat(source, ":", b.line, ":", b.column, ": invalid TOML: ", e.description()));
  }
}

}  // namespace

Config Config::parse_string(std::string_view text, std::string_view source) {
  Config c;
  c.impl_->table = parse_or_throw(text, source);
  c.source_ = std::string(source);
  for (auto&& [k, v] : c.impl_->table) {
    if (!v.is_table())
      throw Error(ErrorCode::kInvalidArgument,
                  str_cat(source, ": top-level key '", k.str(),
                          "' must be inside a section such as [env], [policy] or [run]"));
  }
  check_keys(c.impl_->table, source, true);
  return c;
}

Config Config::parse_file(const std::string& path) {
  // A directory opens (and reads as an empty file) and a device reads as anything: both are
  // mistakes, not configs. A fifo (a shell's <(...)) is read like a file.
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto type = fs::status(path, ec).type();
  if (type == fs::file_type::directory)
    invalid_argument("config file '", path, "' is a directory; give a TOML file");
  if (type == fs::file_type::character || type == fs::file_type::block)
    invalid_argument("config file '", path, "' is a device, not a TOML file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw Error(ErrorCode::kNotFound, str_cat("cannot open config file '", path,
                                              "': ", err ? std::strerror(err) : "unreadable"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(ErrorCode::kIo, str_cat("cannot read config file '", path, "'"));
  return parse_string(ss.str(), path);
}

void Config::set(std::string_view assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0)
    invalid_argument("--set expects section.key=value, got '", assignment, "'");
  std::string path(assignment.substr(0, eq));
  std::string value(assignment.substr(eq + 1));
  while (!path.empty() && path.back() == ' ') path.pop_back();
  const auto dot = path.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == path.size() ||
      path.find('.', dot + 1) != std::string::npos)
    invalid_argument("--set key must be section.key (e.g. env.slate_size), got '", path, "'");
  const std::string section = path.substr(0, dot), key = path.substr(dot + 1);
  check_bare(section, "section name", "--set");
  check_bare(key, "key", "--set");
  // Parse the value as TOML; a bare word that is not valid TOML is taken as a string.
  toml::table parsed;
  bool ok = true;
  try {
    parsed = toml::parse(std::string_view("v = " + value), std::string_view("--set"));
  } catch (const toml::parse_error&) {
    ok = false;
  }
  auto* tbl = impl_->table.get_as<toml::table>(section);
  if (!tbl) {
    impl_->table.insert_or_assign(section, toml::table{});
    tbl = impl_->table.get_as<toml::table>(section);
  }
  if (ok) check_keys(parsed, "--set", false);  // an inline table's keys too
  if (ok && parsed.contains("v")) {
    tbl->insert_or_assign(key, *parsed.get("v"));
  } else {
    tbl->insert_or_assign(key, value);
  }
}

void Config::set_string(std::string_view section, std::string_view key, std::string_view value) {
  auto* tbl = impl_->table.get_as<toml::table>(section);
  if (!tbl) {
    impl_->table.insert_or_assign(section, toml::table{});
    tbl = impl_->table.get_as<toml::table>(section);
  }
  tbl->insert_or_assign(key, std::string(value));
}

void Config::set_int(std::string_view section, std::string_view key, int64_t value) {
  auto* tbl = impl_->table.get_as<toml::table>(section);
  if (!tbl) {
    impl_->table.insert_or_assign(section, toml::table{});
    tbl = impl_->table.get_as<toml::table>(section);
  }
  tbl->insert_or_assign(key, value);
}

bool Config::has_section(std::string_view section) const {
  return impl_->table.get_as<toml::table>(section) != nullptr;
}

std::vector<std::string> Config::sections() const {
  std::vector<std::string> out;
  for (auto&& [k, v] : impl_->table) out.emplace_back(k.str());
  return out;
}

std::vector<std::string> Config::keys(std::string_view section) const {
  std::vector<std::string> out;
  if (auto* t = impl_->table.get_as<toml::table>(section))
    for (auto&& [k, v] : *t) out.emplace_back(k.str());
  return out;
}

std::optional<std::string> Config::get_string(std::string_view section,
                                              std::string_view key) const {
  auto* t = impl_->table.get_as<toml::table>(section);
  if (!t) return std::nullopt;
  auto* n = t->get(key);
  if (!n) return std::nullopt;
  if (!n->is_string())
    invalid_argument(where(*n), section, ".", key, " must be a string, got ", describe_node(*n));
  return n->value_or<std::string>("");
}

std::optional<std::vector<std::string>> Config::get_strings(std::string_view section,
                                                            std::string_view key) const {
  auto* t = impl_->table.get_as<toml::table>(section);
  if (!t) return std::nullopt;
  auto* n = t->get(key);
  if (!n) return std::nullopt;
  auto* arr = n->as_array();
  if (!arr)
    invalid_argument(where(*n), section, ".", key, " must be an array of strings, got ",
                     describe_node(*n));
  std::vector<std::string> out;
  for (auto& e : *arr) {
    if (!e.is_string())
      invalid_argument(where(e), section, ".", key, " must contain only strings, got ",
                       describe_node(e));
    out.push_back(e.value_or<std::string>(""));
  }
  return out;
}

void Config::overlay_section(const Config& from, std::string_view section, std::string_view into) {
  const auto* src = from.impl().table.get_as<toml::table>(section);
  if (!src) return;
  if (into.empty()) into = section;
  auto* dst = impl_->table.get_as<toml::table>(into);
  if (!dst) {
    impl_->table.insert_or_assign(into, toml::table{});
    dst = impl_->table.get_as<toml::table>(into);
  }
  for (auto&& [k, v] : *src) dst->insert_or_assign(k, v);
}

void Config::overlay(const Config& from) {
  for (const auto& s : from.sections()) overlay_section(from, s, s);
}

std::string Config::to_toml() const {
  std::ostringstream os;
  os << impl_->table;
  return os.str();
}

namespace {

class Reader : public FieldVisitor {
 public:
  Reader(const toml::table* t, std::string_view section) : t_(t), section_(section) {}
  std::set<std::string> claimed;
  std::vector<std::string> all_keys;

  void field(const char* key, bool& v, const char*) override {
    if (auto* n = find(key)) {
      if (!n->is_boolean()) bad(*n, key, "a boolean (true or false)");
      v = n->value_or(false);
    }
  }
  void field(const char* key, int& v, const char*) override {
    int64_t w = v;
    field(key, w, nullptr);
    if (w < std::numeric_limits<int>::min() || w > std::numeric_limits<int>::max())
      invalid_argument(section_, ".", key, " must fit in a 32-bit integer, got ", w);
    v = static_cast<int>(w);
  }
  void field(const char* key, int64_t& v, const char*) override {
    if (auto* n = find(key)) {
      if (n->is_integer()) {
        v = n->value_or<int64_t>(0);
      } else if (n->is_floating_point()) {
        double d = n->value_or(0.0);
        if (d != std::floor(d) || std::abs(d) > 9e15) bad(*n, key, "an integer");
        v = static_cast<int64_t>(d);
      } else {
        bad(*n, key, "an integer");
      }
    }
  }
  void field(const char* key, double& v, const char*) override {
    if (auto* n = find(key)) {
      if (n->is_floating_point() || n->is_integer()) {
        v = n->is_integer() ? static_cast<double>(n->value_or<int64_t>(0)) : n->value_or(0.0);
      } else if (n->is_string()) {
        // Allow "inf" / "-inf" spelled as strings for readability.
        auto s = n->value_or<std::string>("");
        if (s == "inf")
          v = std::numeric_limits<double>::infinity();
        else if (s == "-inf")
          v = -std::numeric_limits<double>::infinity();
        else
          bad(*n, key, "a number");
      } else {
        bad(*n, key, "a number");
      }
    }
  }
  void field(const char* key, std::string& v, const char*) override {
    if (auto* n = find(key)) {
      if (!n->is_string()) bad(*n, key, "a string");
      v = n->value_or<std::string>("");
    }
  }
  void field(const char* key, std::vector<double>& v, const char*) override {
    if (auto* n = find(key)) {
      auto* arr = n->as_array();
      if (!arr) bad(*n, key, "an array of numbers");
      std::vector<double> out;
      for (auto& e : *arr) {
        if (!(e.is_floating_point() || e.is_integer())) bad(e, key, "an array of numbers");
        out.push_back(e.is_integer() ? static_cast<double>(e.value_or<int64_t>(0))
                                     : e.value_or(0.0));
      }
      v = std::move(out);
    }
  }
  void field(const char* key, std::vector<int64_t>& v, const char*) override {
    if (auto* n = find(key)) {
      auto* arr = n->as_array();
      if (!arr) bad(*n, key, "an array of integers");
      std::vector<int64_t> out;
      for (auto& e : *arr) {
        if (!e.is_integer()) bad(e, key, "an array of integers");
        out.push_back(e.value_or<int64_t>(0));
      }
      v = std::move(out);
    }
  }
  void field(const char* key, std::vector<std::string>& v, const char*) override {
    if (auto* n = find(key)) {
      auto* arr = n->as_array();
      if (!arr) bad(*n, key, "an array of strings");
      std::vector<std::string> out;
      for (auto& e : *arr) {
        if (!e.is_string()) bad(e, key, "an array of strings");
        out.push_back(e.value_or<std::string>(""));
      }
      v = std::move(out);
    }
  }

 private:
  const toml::node* find(const char* key) {
    all_keys.emplace_back(key);
    if (!t_) return nullptr;
    auto* n = t_->get(key);
    if (n) claimed.insert(key);
    return n;
  }
  [[noreturn]] void bad(const toml::node& n, const char* key, const char* want) {
    invalid_argument(where(n), section_, ".", key, " must be ", want, ", got ", describe_node(n));
  }
  const toml::table* t_;
  std::string section_;
};

}  // namespace

void read_section_fields(const Config& cfg, std::string_view section,
                         const std::vector<std::string>& extra_keys,
                         const std::function<void(FieldVisitor&)>& visit) {
  const toml::table* t = cfg.impl().table.get_as<toml::table>(section);
  if (!t && cfg.impl().table.contains(section))
    invalid_argument(cfg.source(), ": '", section, "' must be a section ([", section, "])");
  Reader r(t, section);
  visit(r);
  if (!t) return;
  std::vector<std::string> known = r.all_keys;
  known.insert(known.end(), extra_keys.begin(), extra_keys.end());
  for (auto&& [k, v] : *t) {
    std::string key(k.str());
    if (r.claimed.count(key)) continue;
    bool extra = false;
    for (auto& e : extra_keys) extra |= (e == key);
    if (extra) continue;
    std::string msg = str_cat(where(v), "unknown key '", section, ".", key, "'");
    std::string near = closest_match(key, known);
    if (!near.empty()) msg += str_cat("; did you mean '", section, ".", near, "'?");
    msg += str_cat(near.empty() ? "; valid keys: " : " valid keys: ", join(known));
    throw Error(ErrorCode::kInvalidArgument, msg);
  }
}

std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

namespace {
std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

class Dumper : public FieldVisitor {
 public:
  std::ostringstream os;
  void field(const char* k, bool& v, const char* d) override { put(k, v ? "true" : "false", d); }
  void field(const char* k, int& v, const char* d) override { put(k, std::to_string(v), d); }
  void field(const char* k, int64_t& v, const char* d) override { put(k, std::to_string(v), d); }
  void field(const char* k, double& v, const char* d) override {
    put(k, std::isinf(v) ? quote(format_double(v)) : format_double(v), d);
  }
  void field(const char* k, std::string& v, const char* d) override { put(k, quote(v), d); }
  void field(const char* k, std::vector<double>& v, const char* d) override {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + format_double(v[i]);
    put(k, s + "]", d);
  }
  void field(const char* k, std::vector<int64_t>& v, const char* d) override {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    put(k, s + "]", d);
  }
  void field(const char* k, std::vector<std::string>& v, const char* d) override {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + quote(v[i]);
    put(k, s + "]", d);
  }

 private:
  void put(const char* k, const std::string& v, const char* doc) {
    if (doc && *doc) os << "# " << doc << "\n";
    os << k << " = " << v << "\n";
  }
};
}  // namespace

std::string dump_section_fields(std::string_view section, std::string_view name,
                                const std::function<void(FieldVisitor&)>& visit) {
  Dumper d;
  d.os << "[" << section << "]\n";
  if (!name.empty()) d.os << "name = " << quote(std::string(name)) << "\n";
  visit(d);
  return d.os.str();
}

void check_range(std::string_view key, double value, double lo, double hi) {
  if (!(value >= lo && value <= hi))
    invalid_argument(key, " must be in [", format_double(lo), ", ", format_double(hi), "], got ",
                     format_double(value));
}

void check_range(std::string_view key, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) {
    if (hi == std::numeric_limits<int64_t>::max())
      invalid_argument(key, " must be >= ", lo, ", got ", value);
    invalid_argument(key, " must be in [", lo, ", ", hi, "], got ", value);
  }
}

void check_positive(std::string_view key, double value) {
  if (!(value > 0)) invalid_argument(key, " must be > 0, got ", format_double(value));
  // inf passed "> 0": an infinite learning rate diverged, an infinite budget never ended.
  if (std::isinf(value)) invalid_argument(key, " must be finite, got ", format_double(value));
}

void check_one_of(std::string_view key, const std::string& value,
                  const std::vector<std::string>& choices) {
  for (auto& c : choices)
    if (c == value) return;
  std::string msg = str_cat(key, " must be one of ", join(choices), ", got '", value, "'");
  std::string near = closest_match(value, choices);
  if (!near.empty()) msg += str_cat(" (did you mean '", near, "'?)");
  throw Error(ErrorCode::kInvalidArgument, msg);
}

}  // namespace rlrec
