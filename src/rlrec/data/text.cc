#include "rlrec/data/text.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "rlrec/core/error.h"

namespace rlrec::data::text {

LineReader::LineReader(const std::string& path, size_t buffer_bytes)
    : path_(path), buffer_(buffer_bytes < 64 ? 64 : buffer_bytes) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw_error(ErrorCode::kNotFound, "cannot open '", path, "': it is a directory, not a file");
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) throw_error(ErrorCode::kNotFound, "cannot open '", path, "': ", std::strerror(errno));
  if (::fstat(fileno(file_), &st) == 0 && st.st_size > 0)
    file_size_ = static_cast<size_t>(st.st_size);
}

LineReader::~LineReader() {
  if (file_) std::fclose(file_);
}

bool LineReader::refill() {
  if (eof_) return false;
  // Keep the unconsumed tail at the front; grow when one line fills the whole buffer.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  const size_t n = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_);
  if (n == 0) {
    if (std::ferror(file_))
      throw_error(ErrorCode::kIo, "cannot read '", path_, "': ", std::strerror(errno));
    eof_ = true;
    return false;
  }
  end_ += n;
  return true;
}

bool LineReader::next(std::string_view& line) {
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl) {
      const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start);
      line = std::string_view(start, len);
      begin_ += len + 1;
      consumed_ += len + 1;
      break;
    }
    if (!refill()) {
      if (begin_ == end_) return false;
      // The last line has no newline.
      line = std::string_view(buffer_.data() + begin_, end_ - begin_);
      consumed_ += end_ - begin_;
      begin_ = end_;
      break;
    }
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ++line_;
  return true;
}

int split(std::string_view line, std::string_view sep, std::string_view* fields, int capacity,
          bool quotes, std::string* scratch) {
  int count = 0;
  size_t pos = 0;
  const size_t n = line.size();
  const char s0 = sep[0];
  const bool single = sep.size() == 1;
  for (;;) {
    if (quotes && pos < n && line[pos] == '"') {
      // Quoted field: scan to the closing quote; "" is an escaped quote.
      std::string* out = (count < capacity && scratch) ? &scratch[count] : nullptr;
      if (out) out->clear();
      size_t i = pos + 1;
      bool closed = false;
      while (i < n) {
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            if (out) out->push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        if (out) out->push_back(line[i]);
        ++i;
      }
      if (!closed) return -1;
      if (count < capacity)
        fields[count] = out ? std::string_view(*out) : line.substr(pos + 1, i - pos - 2);
      ++count;
      if (i == n) return count;
      if (line.compare(i, sep.size(), sep) != 0) return -1;  // garbage after the closing quote
      pos = i + sep.size();
      continue;
    }
    size_t end;
    if (single) {
      const void* p = std::memchr(line.data() + pos, s0, n - pos);
      end = p ? static_cast<size_t>(static_cast<const char*>(p) - line.data()) : n;
    } else {
      end = line.find(sep, pos);
      if (end == std::string_view::npos) end = n;
    }
    if (count < capacity) fields[count] = line.substr(pos, end - pos);
    ++count;
    if (end == n) return count;
    pos = end + sep.size();
  }
}

namespace {

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

template <class T>
bool parse_whole(std::string_view s, T& out) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') {
    s = trim_spaces(s);
    if (s.empty()) return false;
  }
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (*first == '+') {  // from_chars rejects a leading '+'; accept it, but not "+-1" or "+"
    ++first;
    if (first == last || *first == '-' || *first == '+') return false;
  }
  auto [ptr, ec] = std::from_chars(first, last, out);
  return ec == std::errc() && ptr == last;
}

// Reads exactly `width` digits at s[pos..].
bool digits(std::string_view s, size_t pos, size_t width, int64_t& out) {
  if (pos + width > s.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

bool parse_int(std::string_view s, int64_t& out) { return parse_whole(s, out); }
bool parse_double(std::string_view s, double& out) { return parse_whole(s, out); }
bool parse_float(std::string_view s, float& out) { return parse_whole(s, out); }

int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  using namespace std::chrono;
  const sys_days d{std::chrono::year{static_cast<int>(year)} / std::chrono::month{month} /
                   std::chrono::day{day}};
  return d.time_since_epoch().count();
}

bool parse_datetime_us(std::string_view s, int64_t& out_us) {
  int64_t y, mo, d;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return false;
  const std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(y)},
                                        std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return false;
  int64_t seconds = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400;
  int64_t micros = 0;
  size_t pos = 10;
  if (pos < s.size()) {
    int64_t h, mi, sec;
    if ((s[pos] != ' ' && s[pos] != 'T') || !digits(s, pos + 1, 2, h) || s.size() < pos + 9 ||
        s[pos + 3] != ':' || !digits(s, pos + 4, 2, mi) || s[pos + 6] != ':' ||
        !digits(s, pos + 7, 2, sec))
      return false;
    if (h > 23 || mi > 59 || sec > 60) return false;  // 60: a leap second
    seconds += h * 3600 + mi * 60 + sec;
    pos += 9;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      int64_t scale = 100000;
      size_t start = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        micros += (s[pos] - '0') * scale;  // digits beyond microseconds are dropped
        scale /= 10;
        ++pos;
      }
      if (pos == start) return false;
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z' && pos + 1 == s.size()) {
        pos = s.size();
      } else if (s[pos] == '+' || s[pos] == '-') {
        int64_t oh, om;
        if (s.size() != pos + 6 || !digits(s, pos + 1, 2, oh) || s[pos + 3] != ':' ||
            !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
          return false;
        const int64_t offset = oh * 3600 + om * 60;
        seconds += s[pos] == '+' ? -offset : offset;  // local = UTC + offset
        pos = s.size();
      } else {
        return false;
      }
    }
  }
  out_us = seconds * 1000000 + micros;
  return true;
}

bool parse_timestamp_seconds(std::string_view s, int64_t& out) {
  if (parse_int(s, out)) return true;
  double v;
  if (parse_double(s, v)) {
    // Only values an int64 holds exactly enough (|t| < 2^62) and finite.
    if (!std::isfinite(v) || std::fabs(v) >= 4.6e18) return false;
    out = static_cast<int64_t>(std::floor(v));
    return true;
  }
  int64_t us;
  if (parse_datetime_us(trim_spaces(s), us)) {
    out = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    return true;
  }
  return false;
}

std::string quote_excerpt(std::string_view s, size_t max_chars) {
  std::string out;
  const bool cut = s.size() > max_chars;
  if (cut) s = s.substr(0, max_chars);
  for (unsigned char c : s) {
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (cut) out += "...";
  return out;
}

std::string_view base_name(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace rlrec::data::text
