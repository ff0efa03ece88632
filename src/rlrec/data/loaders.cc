#include "rlrec/data/loaders.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <sstream>
#include <unordered_map>

#include "rlrec/core/error.h"
#include "rlrec/data/text.h"

namespace rlrec::data {

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr int kMaxColumn = 1023;  // a column index beyond this is surely a mistake

const std::array<const char*, 7> kFormatNames = {"auto", "ml-100k", "ml-1m",  "ml-csv",
                                                 "csv",  "tsv",     "recbole"};

// How to read the rows of one file, resolved from the format, the options and the header.
struct Schema {
  Format format = Format::kAuto;
  std::string sep;
  bool quotes = false;
  bool header = false;
  int user = 0, item = 1, rating = 2, timestamp = 3;
  int exact_fields = 0;  // > 0: every row has exactly this many fields
  int min_fields = 0;    // every row has at least this many
  bool integer_ids = false;
  bool integer_timestamp = false;
  float min_rating = -kInf, max_rating = kInf;
};

std::string describe_sep(std::string_view sep) {
  if (sep == "\t") return "TAB";
  if (sep == " ") return "space";
  return str_cat("'", sep, "'");
}

// " (the line has ','; wrong separator or --format?)" when another common separator occurs.
std::string separator_hint(std::string_view line, std::string_view sep) {
  static const std::array<std::string_view, 5> kCommon = {"\t", "::", ",", ";", "|"};
  for (std::string_view other : kCommon) {
    if (other == sep || (sep == "::" && other == ":")) continue;
    if (line.find(other) != std::string_view::npos)
      return str_cat(" (the line has ", describe_sep(other), ": wrong separator or --format?)");
  }
  return "";
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool is_positive_integer(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  bool nonzero = false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    nonzero |= c != '0';
  }
  return nonzero;
}

// Dense ids for one IdMap. Canonical non-negative decimal ids ("0", "17", not "017") go through a
// direct table (small values) or an integer hash map, so IdMap::add runs once per distinct id.
// Canonical decimal strings and their values are in one-to-one correspondence, so the cache never
// merges ids that the IdMap would keep apart.
class IdCache {
 public:
  explicit IdCache(IdMap& map) : map_(map) {}

  int32_t get(std::string_view token) {
    uint64_t value;
    if (canonical_value(token, value)) return get(value, token);
    return map_.add(token);
  }

  // `token` must be the canonical decimal spelling of `value`.
  int32_t get(uint64_t value, std::string_view token) {
    if (value < kDirectLimit) {
      if (value >= direct_.size()) [[unlikely]]
        direct_.resize(
            std::min<uint64_t>(kDirectLimit, std::max<uint64_t>(value + 1, 2 * direct_.size())),
            -1);
      int32_t& slot = direct_[value];
      if (slot < 0) [[unlikely]]
        slot = map_.add(token);
      return slot;
    }
    auto [it, inserted] = large_.try_emplace(value, 0);
    if (inserted) it->second = map_.add(token);
    return it->second;
  }

  static bool canonical_value(std::string_view s, uint64_t& value) {
    if (s.empty() || s.size() > 18 || (s[0] == '0' && s.size() > 1)) return false;
    uint64_t v = 0;
    for (char c : s) {
      const unsigned d = static_cast<unsigned char>(c) - '0';
      if (d > 9) return false;
      v = v * 10 + d;
    }
    value = v;
    return true;
  }

 private:
  static constexpr uint64_t kDirectLimit = uint64_t{1} << 22;  // 16 MiB table at most

  IdMap& map_;
  std::vector<int32_t> direct_;
  std::unordered_map<uint64_t, int32_t> large_;
};

// The common row shape, parsed in one scan: "<user><sep><item><sep><rating><sep><timestamp>" with
// canonical decimal ids, a plain decimal rating and a plain non-negative integer timestamp, nothing
// after. Anything else returns false and the row goes through the general path, which accepts or
// rejects it with a message; for rows it accepts, this function gives the same result.
struct FastRow {
  uint64_t user, item;
  std::string_view user_token, item_token;
  float rating;
  int64_t timestamp;
};

inline bool fast_parse(std::string_view line, char sep, bool double_colon, FastRow& row) {
  const char* p = line.data();
  const char* const end = p + line.size();
  auto id = [&](uint64_t& value, std::string_view& token) {
    const char* start = p;
    uint64_t v = 0;
    while (p < end && static_cast<unsigned>(*p - '0') <= 9)
      v = v * 10 + static_cast<unsigned>(*p++ - '0');
    const size_t n = static_cast<size_t>(p - start);
    if (n == 0 || n > 18 || (*start == '0' && n > 1)) return false;
    value = v;
    token = std::string_view(start, n);
    return true;
  };
  auto separator = [&] {
    if (p >= end || *p != sep) return false;
    ++p;
    if (double_colon) {
      if (p >= end || *p != ':') return false;
      ++p;
    }
    return true;
  };
  if (!id(row.user, row.user_token) || !separator() || !id(row.item, row.item_token) ||
      !separator())
    return false;
  // Rating: "d", "dd", "d.d" are computed directly (m / 10 in double, then float, equals the
  // correctly rounded float for these short inputs); longer decimals use from_chars.
  const char* start = p;
  while (p < end && (static_cast<unsigned>(*p - '0') <= 9 || *p == '.')) ++p;
  const size_t n = static_cast<size_t>(p - start);
  if (n == 0) return false;
  if (n == 1) {
    row.rating = static_cast<float>(*start - '0');
  } else if (n == 2 && start[1] != '.' && start[0] != '.') {
    row.rating = static_cast<float>((start[0] - '0') * 10 + (start[1] - '0'));
  } else if (n == 3 && start[1] == '.' && start[0] != '.' && start[2] != '.') {
    row.rating =
        static_cast<float>(static_cast<double>((start[0] - '0') * 10 + (start[2] - '0')) / 10.0);
  } else {
    auto [ptr, ec] = std::from_chars(start, p, row.rating);
    if (ec != std::errc() || ptr != p) return false;
  }
  if (!separator()) return false;
  start = p;
  // Unsigned accumulation: a run of more than 18 digits wraps (defined) and is rejected below,
  // where signed arithmetic would overflow first (found by fuzz/movielens_fuzz.cc).
  uint64_t t = 0;
  while (p < end && static_cast<unsigned>(*p - '0') <= 9)
    t = t * 10 + static_cast<unsigned>(*p++ - '0');
  if (p != end || p == start || p - start > 18) return false;
  row.timestamp = static_cast<int64_t>(t);
  return true;
}

void check_mapping(const ColumnMapping& c) {
  auto check = [](const char* name, int col, bool required) {
    if (col < (required ? 0 : -1) || col > kMaxColumn)
      invalid_argument("columns.", name, " must be ",
                       required ? "a column index 0.." : "-1 (absent) or 0..", kMaxColumn, ", got ",
                       col);
  };
  check("user", c.user, true);
  check("item", c.item, true);
  check("rating", c.rating, false);
  check("timestamp", c.timestamp, false);
  const std::array<std::pair<const char*, int>, 4> cols = {
      {{"user", c.user}, {"item", c.item}, {"rating", c.rating}, {"timestamp", c.timestamp}}};
  for (size_t a = 0; a < cols.size(); ++a)
    for (size_t b = a + 1; b < cols.size(); ++b)
      if (cols[a].second >= 0 && cols[a].second == cols[b].second)
        invalid_argument("columns.", cols[a].first, " and columns.", cols[b].first,
                         " are both column ", cols[a].second, "; each column holds one thing");
  if (c.separator == '\n' || c.separator == '\r' || c.separator == '"' || c.separator == '\0')
    invalid_argument("columns.separator must be a printable character or TAB, got code ",
                     static_cast<int>(static_cast<unsigned char>(c.separator)));
}

void finish_columns(Schema& s) {
  const int max_col = std::max({s.user, s.item, s.rating, s.timestamp});
  s.min_fields = max_col + 1;
}

Schema movielens_schema(Format format) {
  Schema s;
  s.format = format;
  s.exact_fields = 4;
  s.min_fields = 4;
  s.integer_ids = true;
  s.integer_timestamp = true;
  s.min_rating = 1.0f;
  s.max_rating = 5.0f;
  switch (format) {
    case Format::kMovieLens100K:
      s.sep = "\t";
      break;
    case Format::kMovieLens1M:
      s.sep = "::";
      break;
    default:
      s.sep = ",";
      s.header = true;
      s.min_rating = 0.5f;
      break;
  }
  return s;
}

Schema generic_schema(Format format, const ColumnMapping& c) {
  check_mapping(c);
  Schema s;
  s.format = format;
  s.sep = format == Format::kTsv ? std::string("\t") : std::string(1, c.separator);
  s.quotes = s.sep != "\t";
  s.header = c.header;
  s.user = c.user;
  s.item = c.item;
  s.rating = c.rating;
  s.timestamp = c.timestamp;
  finish_columns(s);
  return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Format implied by a file name, or kAuto.
Format format_from_name(std::string_view path) {
  const std::string_view name = text::base_name(path);
  if (name == "u.data") return Format::kMovieLens100K;
  if (name.size() == 7 && name[0] == 'u' &&
      (ends_with(name, ".base") || ends_with(name, ".test")) &&
      ((name[1] >= '1' && name[1] <= '5') || name[1] == 'a' || name[1] == 'b'))
    return Format::kMovieLens100K;
  if (name == "ratings.dat") return Format::kMovieLens1M;
  if (name == "ratings.csv") return Format::kMovieLensCsv;
  if (ends_with(name, ".inter")) return Format::kRecBole;
  return Format::kAuto;
}

constexpr std::string_view kMovieLensCsvHeader = "userId,movieId,rating,timestamp";

bool looks_like_recbole_header(std::string_view line) {
  if (line.find('\t') == std::string_view::npos && line.find(':') == std::string_view::npos)
    return false;
  std::array<std::string_view, 64> f;
  const int n = text::split(line, "\t", f.data(), static_cast<int>(f.size()));
  if (n < 2 || n > static_cast<int>(f.size())) return false;
  for (int i = 0; i < n; ++i) {
    const size_t colon = f[i].find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == f[i].size()) return false;
  }
  return true;
}

// Reads `name:type` columns of a RecBole header into the schema.
void parse_recbole_header(std::string_view line, const std::string& where, Schema& s) {
  std::vector<std::string_view> f(kMaxColumn + 1);
  const int n = text::split(line, "\t", f.data(), static_cast<int>(f.size()));
  if (n > kMaxColumn + 1)
    throw_error(ErrorCode::kCorrupt, where, ": RecBole header has ", n, " columns (max ",
                kMaxColumn + 1, ")");
  s.user = s.item = s.rating = s.timestamp = -1;
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) {
    const size_t colon = f[i].find(':');
    if (colon == std::string_view::npos)
      throw_error(ErrorCode::kCorrupt, where, ": RecBole header field '", text::quote_excerpt(f[i]),
                  "' is not 'name:type' (types: token, token_seq, float, float_seq)");
    const std::string_view name = f[i].substr(0, colon), type = f[i].substr(colon + 1);
    if (type != "token" && type != "token_seq" && type != "float" && type != "float_seq")
      throw_error(ErrorCode::kCorrupt, where, ": RecBole column '", name, "' has unknown type '",
                  text::quote_excerpt(type), "'; known: token, token_seq, float, float_seq");
    names.emplace_back(name);
    auto want = [&](const char* column, std::string_view needed_type, int& slot) {
      if (name != column) return;
      if (type != needed_type)
        throw_error(ErrorCode::kCorrupt, where, ": RecBole column '", column, "' must have type '",
                    needed_type, "', got '", type, "'");
      slot = i;
    };
    want("user_id", "token", s.user);
    want("item_id", "token", s.item);
    want("rating", "float", s.rating);
    want("timestamp", "float", s.timestamp);
  }
  if (s.user < 0 || s.item < 0)
    throw_error(ErrorCode::kCorrupt, where, ": RecBole header lacks '",
                s.user < 0 ? "user_id:token" : "item_id:token", "'; columns: ", join(names));
  s.exact_fields = n;
  finish_columns(s);
}

// Resolves a sniffed file: separator, and whether the first line is a header.
Schema sniff_generic(std::string_view first, const ColumnMapping& columns,
                     const std::string& path) {
  Format format;
  ColumnMapping c = columns;
  if (first.find('\t') != std::string_view::npos) {
    format = Format::kTsv;
  } else if (first.find(c.separator) != std::string_view::npos) {
    format = Format::kCsv;
  } else if (first.find(',') != std::string_view::npos) {
    format = Format::kCsv;
    c.separator = ',';
  } else if (first.find(';') != std::string_view::npos) {
    format = Format::kCsv;
    c.separator = ';';
  } else {
    throw_error(ErrorCode::kCorrupt, path,
                ": cannot detect the format from the file name or the first line '",
                text::quote_excerpt(first), "'; name it with --format (", join(format_names()),
                ")");
  }
  Schema s = generic_schema(format, c);
  if (s.rating >= 0 || s.timestamp >= 0) {
    std::vector<std::string_view> f(s.min_fields);
    std::vector<std::string> scratch(s.min_fields);
    const int n = text::split(first, s.sep, f.data(), s.min_fields, s.quotes, scratch.data());
    bool numeric = n >= s.min_fields;
    double v;
    int64_t t;
    if (numeric && s.rating >= 0) numeric = text::parse_double(f[s.rating], v);
    if (numeric && s.timestamp >= 0) numeric = text::parse_timestamp_seconds(f[s.timestamp], t);
    s.header = !numeric;
  }
  return s;
}

Schema resolve(Format format, const LoadOptions& options, std::string_view first,
               const std::string& path) {
  if (format == Format::kAuto) format = format_from_name(path);
  if (format == Format::kAuto) {
    if (first.find("::") != std::string_view::npos) {
      format = Format::kMovieLens1M;
    } else if (first.substr(0, 14) == "userId,movieId") {
      format = Format::kMovieLensCsv;
    } else if (looks_like_recbole_header(first)) {
      format = Format::kRecBole;
    } else {
      return sniff_generic(first, options.columns, path);
    }
  }
  switch (format) {
    case Format::kMovieLens100K:
    case Format::kMovieLens1M:
    case Format::kMovieLensCsv:
      return movielens_schema(format);
    case Format::kCsv:
    case Format::kTsv:
      return generic_schema(format, options.columns);
    case Format::kRecBole: {
      Schema s;
      s.format = Format::kRecBole;
      s.sep = "\t";
      s.header = true;
      return s;  // columns come from the header
    }
    case Format::kAuto:
      break;
  }
  invalid_argument("unknown format value ", static_cast<int>(format));
}

class RowSink {
 public:
  RowSink(const std::string& path, bool skip, LoadReport& report)
      : path_(path), skip_(skip), report_(report) {}

  // A malformed row: throw, or count and remember.
  void reject(size_t line, const std::string& problem) {
    std::string msg = str_cat(path_, ":", line, ": ", problem);
    if (!skip_) throw Error(ErrorCode::kCorrupt, msg);
    ++report_.rejected;
    if (report_.problems.size() < LoadReport::kMaxProblems)
      report_.problems.push_back(std::move(msg));
  }

 private:
  const std::string& path_;
  bool skip_;
  LoadReport& report_;
};

std::string format_rating(float r) {
  std::ostringstream os;
  os << r;
  return os.str();
}

}  // namespace

const std::vector<std::string>& format_names() {
  static const std::vector<std::string> names(kFormatNames.begin(), kFormatNames.end());
  return names;
}

Format parse_format(std::string_view name) {
  for (size_t i = 0; i < kFormatNames.size(); ++i)
    if (name == kFormatNames[i]) return static_cast<Format>(i);
  throw_unknown("format", name, format_names());
}

const char* format_name(Format format) {
  const auto i = static_cast<size_t>(format);
  return i < kFormatNames.size() ? kFormatNames[i] : "?";
}

std::string LoadReport::summary() const {
  std::string s = str_cat(path, " (", format_name(format), "): ", read, " rows read, ", kept,
                          " kept, ", rejected, " rejected");
  if (!problems.empty()) s += str_cat("; first problem: ", problems.front());
  return s;
}

InteractionLog load_interactions(const std::string& path, const LoadOptions& options,
                                 LoadReport* report_out) {
  if (std::isnan(options.min_rating) || std::isnan(options.max_rating) ||
      options.min_rating > options.max_rating)
    invalid_argument("min_rating must be <= max_rating, got [", options.min_rating, ", ",
                     options.max_rating, "]");
  if (options.format == Format::kCsv || options.format == Format::kTsv)
    check_mapping(options.columns);

  LoadReport local;
  LoadReport& report = report_out ? *report_out : local;
  report = LoadReport();
  report.path = path;

  text::LineReader reader(path);
  RowSink sink(path, options.skip_malformed, report);

  // The first non-blank line decides the schema (and may be a header).
  std::string_view line;
  bool have_line = false;
  while (reader.next(line)) {
    if (reader.line_number() == 1 && line.substr(0, 3) == "\xEF\xBB\xBF")
      line.remove_prefix(3);  // UTF-8 BOM
    if (!line.empty()) {
      have_line = true;
      break;
    }
  }
  if (!have_line) throw_error(ErrorCode::kCorrupt, path, ": empty file (no rows)");

  Schema s = resolve(options.format, options, line, path);
  report.format = s.format;
  // Options win where set; the MovieLens ranges apply only to bounds left infinite.
  if (std::isfinite(options.min_rating) || s.min_rating == -kInf) s.min_rating = options.min_rating;
  if (std::isfinite(options.max_rating) || s.max_rating == kInf) s.max_rating = options.max_rating;
  if (s.min_rating > s.max_rating)
    invalid_argument("min_rating ", s.min_rating, " is above the ", format_name(s.format),
                     " maximum rating ", s.max_rating);

  const std::string where_first = str_cat(path, ":", reader.line_number());
  bool pending = true;  // `line` holds the first line, not yet used as data
  if (s.format == Format::kRecBole) {
    parse_recbole_header(line, where_first, s);
    pending = false;
  } else if (s.header) {
    if (s.format == Format::kMovieLensCsv && line != kMovieLensCsvHeader)
      throw_error(ErrorCode::kCorrupt, where_first, ": expected the ml-csv header '",
                  kMovieLensCsvHeader, "', got '", text::quote_excerpt(line), "'");
    std::vector<std::string_view> f(s.min_fields);
    std::vector<std::string> scratch(s.min_fields);
    const int n = text::split(line, s.sep, f.data(), s.min_fields, s.quotes, scratch.data());
    if (n >= 0 && n < s.min_fields)
      throw_error(ErrorCode::kCorrupt, where_first, ": the header has ", n, " field",
                  n == 1 ? "" : "s", " separated by ", describe_sep(s.sep),
                  " but the column mapping needs ", s.min_fields, separator_hint(line, s.sep));
    pending = false;
  }

  InteractionLog log;
  IdCache users(log.users), items(log.items);
  const int capacity = std::max(s.min_fields, s.exact_fields);
  std::vector<std::string_view> fields(capacity);
  std::vector<std::string> scratch(capacity);
  bool reserved = false;

  auto parse_row = [&](std::string_view row) {
    const size_t line_no = reader.line_number();
    ++report.read;
    const int n = text::split(row, s.sep, fields.data(), capacity, s.quotes, scratch.data());
    if (n < 0)
      return sink.reject(line_no, "unterminated quoted field or text after a closing quote");
    if (s.exact_fields > 0 ? n != s.exact_fields : n < s.min_fields)
      return sink.reject(line_no, str_cat("expected ", s.exact_fields > 0 ? "" : "at least ",
                                          capacity, " fields separated by ", describe_sep(s.sep),
                                          ", got ", n, separator_hint(row, s.sep)));
    const std::string_view user = trim_spaces(fields[s.user]), item = trim_spaces(fields[s.item]);
    if (s.integer_ids) {
      if (!is_positive_integer(user))
        return sink.reject(line_no, str_cat("user id '", text::quote_excerpt(user),
                                            "' is not a positive integer"));
      if (!is_positive_integer(item))
        return sink.reject(line_no, str_cat("item id '", text::quote_excerpt(item),
                                            "' is not a positive integer"));
    } else {
      if (user.empty()) return sink.reject(line_no, str_cat("empty user id (column ", s.user, ")"));
      if (item.empty()) return sink.reject(line_no, str_cat("empty item id (column ", s.item, ")"));
    }
    float rating = 1.0f;
    if (s.rating >= 0) {
      if (!text::parse_float(fields[s.rating], rating))
        return sink.reject(line_no, str_cat("rating '", text::quote_excerpt(fields[s.rating]),
                                            "' is not a number"));
      if (!(rating >= s.min_rating && rating <= s.max_rating))  // also rejects NaN
        return sink.reject(
            line_no, str_cat("rating ", text::quote_excerpt(fields[s.rating]), " is outside [",
                             format_rating(s.min_rating), ", ", format_rating(s.max_rating), "]"));
    }
    int64_t timestamp = 0;
    if (s.timestamp >= 0) {
      const std::string_view t = fields[s.timestamp];
      if (s.integer_timestamp ? !text::parse_int(t, timestamp)
                              : !text::parse_timestamp_seconds(t, timestamp))
        return sink.reject(
            line_no,
            str_cat("timestamp '", text::quote_excerpt(t), "' is not ",
                    s.integer_timestamp ? "an integer" : "a number or an ISO 8601 date-time"));
    }
    log.push_back(users.get(user), items.get(item), rating, timestamp);
  };

  // The fast path serves files in the common shape; it switches itself off when most rows miss it
  // (string ids, say), since each miss costs a second parse.
  bool fast = s.user == 0 && s.item == 1 && s.rating == 2 && s.timestamp == 3 &&
              (s.sep.size() == 1 || s.sep == "::") && (s.exact_fields == 0 || s.exact_fields == 4);
  const char sep0 = s.sep[0];
  const bool double_colon = s.sep == "::";
  size_t fast_hits = 0, fast_misses = 0;
  FastRow fr;

  if (pending) parse_row(line);
  while (reader.next(line)) {
    if (line.empty()) continue;
    if (fast) {
      if (fast_parse(line, sep0, double_colon, fr) && fr.rating >= s.min_rating &&
          fr.rating <= s.max_rating && (!s.integer_ids || (fr.user > 0 && fr.item > 0))) {
        ++report.read;
        ++fast_hits;
        log.push_back(users.get(fr.user, fr.user_token), items.get(fr.item, fr.item_token),
                      fr.rating, fr.timestamp);
      } else {
        if (++fast_misses > 1000 && fast_misses > fast_hits) fast = false;
        parse_row(line);
      }
    } else {
      parse_row(line);
    }
    if (!reserved && report.read == 4096) {
      // Size the columns from the bytes per row seen so far (+5%), to avoid regrowing 20M-row logs.
      reserved = true;
      if (reader.file_size() > 0 && reader.bytes_consumed() > 0) {
        const double rows = static_cast<double>(reader.file_size()) * 4096.0 /
                            static_cast<double>(reader.bytes_consumed());
        log.reserve(static_cast<size_t>(rows * 1.05) + 64);
      }
    }
  }
  report.kept = log.size();
  if (report.read == 0) throw_error(ErrorCode::kCorrupt, path, ": no data rows after the header");
  if (report.kept == 0)
    throw_error(ErrorCode::kCorrupt, path, ": all ", report.read,
                " rows are malformed; first: ", report.problems.front());
  return log;
}

UnseenPolicy parse_unseen_policy(std::string_view name) {
  if (name == "drop") return UnseenPolicy::kDrop;
  if (name == "error") return UnseenPolicy::kError;
  static const std::vector<std::string> known = {"drop", "error"};
  throw_unknown("unseen policy", name, known);
}

const char* unseen_policy_name(UnseenPolicy policy) {
  return policy == UnseenPolicy::kDrop ? "drop" : "error";
}

InteractionLog align_to(const InteractionLog& test, const InteractionLog& train,
                        UnseenPolicy policy, AlignReport* report) {
  std::vector<int32_t> user_map(test.num_users()), item_map(test.num_items());
  for (int32_t u = 0; u < test.num_users(); ++u)
    user_map[u] = train.users.find(test.users.original(u));
  for (int32_t i = 0; i < test.num_items(); ++i)
    item_map[i] = train.items.find(test.items.original(i));
  InteractionLog out;
  out.users = train.users;
  out.items = train.items;
  out.reserve(test.size());
  AlignReport r;
  for (size_t k = 0; k < test.size(); ++k) {
    const int32_t u = user_map[test.user[k]], i = item_map[test.item[k]];
    if (u < 0 || i < 0) {
      if (policy == UnseenPolicy::kError) {
        const bool user_unseen = u < 0;
        invalid_argument(
            "test row ", k + 1, ": ", user_unseen ? "user '" : "item '",
            user_unseen ? test.users.original(test.user[k]) : test.items.original(test.item[k]),
            "' does not occur in the training data (unseen policy 'error'; 'drop' drops such "
            "rows)");
      }
      ++(u < 0 ? r.dropped_unseen_user : r.dropped_unseen_item);
      continue;
    }
    out.push_back(u, i, test.rating[k], test.timestamp[k]);
  }
  r.kept = out.size();
  if (report) *report = r;
  return out;
}

std::vector<ItemInfo> load_item_info(const std::string& path, Format format) {
  if (format == Format::kAuto) {
    const std::string_view name = text::base_name(path);
    if (name == "u.item")
      format = Format::kMovieLens100K;
    else if (name == "movies.dat")
      format = Format::kMovieLens1M;
    else if (name == "movies.csv")
      format = Format::kMovieLensCsv;
    else
      invalid_argument(
          "cannot tell the item file format of '", path,
          "' from its name (u.item, movies.dat or movies.csv); name it: ml-100k, ml-1m or ml-csv");
  }
  static const std::array<const char*, 19> kGenres100K = {
      "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
      "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
      "Romance",     "Sci-Fi", "Thriller",  "War",       "Western"};
  auto decode = [](std::string_view s) {
    return text::is_valid_utf8(s) ? std::string(s) : text::latin1_to_utf8(s);
  };
  auto split_genres = [](std::string_view g, std::vector<std::string>& out) {
    if (g.empty() || g == "(no genres listed)") return;
    size_t pos = 0;
    for (;;) {
      const size_t bar = g.find('|', pos);
      out.emplace_back(
          g.substr(pos, bar == std::string_view::npos ? std::string_view::npos : bar - pos));
      if (bar == std::string_view::npos) break;
      pos = bar + 1;
    }
  };

  text::LineReader reader(path);
  std::vector<ItemInfo> out;
  std::string_view line;
  std::array<std::string_view, 24> f;
  std::array<std::string, 24> scratch;
  bool first = true;
  while (reader.next(line)) {
    const std::string where = str_cat(path, ":", reader.line_number());
    if (line.empty()) continue;
    if (format == Format::kMovieLensCsv && first) {
      first = false;
      if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      if (line != "movieId,title,genres")
        throw_error(ErrorCode::kCorrupt, where,
                    ": expected the header 'movieId,title,genres', got '",
                    text::quote_excerpt(line), "'");
      continue;
    }
    ItemInfo info;
    if (format == Format::kMovieLens100K) {
      const int n = text::split(line, "|", f.data(), 24);
      if (n != 24)
        throw_error(ErrorCode::kCorrupt, where, ": expected 24 fields separated by '|', got ", n,
                    separator_hint(line, "|"));
      for (int g = 0; g < 19; ++g) {
        if (f[5 + g] == "1")
          info.genres.emplace_back(kGenres100K[g]);
        else if (f[5 + g] != "0")
          throw_error(ErrorCode::kCorrupt, where, ": genre flag ", g, " is '",
                      text::quote_excerpt(f[5 + g]), "', expected 0 or 1");
      }
    } else if (format == Format::kMovieLens1M) {
      const int n = text::split(line, "::", f.data(), 24);
      if (n != 3)
        throw_error(ErrorCode::kCorrupt, where, ": expected 3 fields separated by '::', got ", n);
      split_genres(f[2], info.genres);
    } else if (format == Format::kMovieLensCsv) {
      const int n = text::split(line, ",", f.data(), 24, true, scratch.data());
      if (n != 3)
        throw_error(ErrorCode::kCorrupt, where, ": expected 3 fields (movieId,title,genres), got ",
                    n);
      split_genres(f[2], info.genres);
    } else {
      invalid_argument("item files exist for ml-100k, ml-1m and ml-csv, not '", format_name(format),
                       "'");
    }
    if (!is_positive_integer(f[0]))
      throw_error(ErrorCode::kCorrupt, where, ": item id '", text::quote_excerpt(f[0]),
                  "' is not a positive integer");
    info.id = std::string(f[0]);
    info.title = decode(f[1]);
    out.push_back(std::move(info));
  }
  if (out.empty()) throw_error(ErrorCode::kCorrupt, path, ": no items");
  return out;
}

}  // namespace rlrec::data
