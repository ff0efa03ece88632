// Text-file primitives shared by the data loaders: a buffered line reader, field splitting and
// number/date parsing without locales or regex (std::from_chars). Internal to data/, but public so
// tests and benchmarks can use it.
//
// All parsers take the whole field: "12x" is not the number 12. Leading/trailing spaces around a
// number are tolerated ("1, 2" is common in hand-written CSV); nothing else is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace rlrec::data::text {

// Reads a file line by line through one large buffer. Lines are returned without the '\n' and
// without a trailing '\r' (CRLF files read like LF files). The views stay valid until the next
// call.
class LineReader {
 public:
  // Throws Error kNotFound ("cannot open '<path>': <reason>") if the file cannot be opened.
  explicit LineReader(const std::string& path, size_t buffer_bytes = size_t{1} << 20);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line, or false at the end of the file. Throws Error kIo on a read error.
  bool next(std::string_view& line);
  // 1-based number of the line last returned by next() (0 before the first).
  size_t line_number() const { return line_; }
  // Bytes consumed so far (including newlines), and the size of the file (0 if unknown).
  size_t bytes_consumed() const { return consumed_; }
  size_t file_size() const { return file_size_; }
  const std::string& path() const { return path_; }

 private:
  bool refill();

  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  size_t line_ = 0;
  size_t consumed_ = 0;
  size_t file_size_ = 0;
};

// Splits `line` at `sep` (one or more characters, e.g. "," or "::"). Stores at most `capacity`
// fields in `fields` and returns the total number of fields (which may exceed capacity).
// With `quotes`, a field that starts with '"' is an RFC 4180 quoted field: it may contain the
// separator, and "" inside stands for one '"' (such fields are unescaped into `scratch`, which must
// have `capacity` strings). Returns -1 for an unterminated quoted field or garbage after a closing
// quote.
int split(std::string_view line, std::string_view sep, std::string_view* fields, int capacity,
          bool quotes = false, std::string* scratch = nullptr);

// Whole-field parsers; false if the field is not exactly one number of that type.
bool parse_int(std::string_view s, int64_t& out);
bool parse_double(std::string_view s, double& out);  // finite or not: the caller checks range
bool parse_float(std::string_view s, float& out);

// ISO 8601 date-time "YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z|+HH:MM|-HH:MM]" (or a bare "YYYY-MM-DD")
// to microseconds since 1970-01-01 UTC (no offset = UTC). False if malformed or out of range.
bool parse_datetime_us(std::string_view s, int64_t& out_us);

// A timestamp field in seconds: an integer, a decimal number (RecBole writes "881250949.0";
// truncated toward negative infinity) or an ISO 8601 date-time. False if none of these.
bool parse_timestamp_seconds(std::string_view s, int64_t& out);

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12, day 1..31).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

// The line shortened to `max_chars` (with "...") and with control characters shown as \t, \r,
// \xNN, for quoting in one-line error messages.
std::string quote_excerpt(std::string_view s, size_t max_chars = 60);

// The last path component ("dir/u.data" -> "u.data").
std::string_view base_name(std::string_view path);

// Latin-1 (ISO-8859-1) bytes to UTF-8.
std::string latin1_to_utf8(std::string_view s);
// True if `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

}  // namespace rlrec::data::text
