#include "rlrec/data/text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rlrec/core/error.h"
#include "rlrec/data/test_files.h"

namespace rlrec::data::text {
namespace {

std::vector<std::string> read_all(const std::string& path, size_t buffer = 1 << 20) {
  LineReader reader(path, buffer);
  std::vector<std::string> lines;
  std::string_view line;
  while (reader.next(line)) lines.emplace_back(line);
  return lines;
}

TEST(LineReader, SplitsLinesAndStripsCarriageReturns) {
  testing::TempDir dir;
  const std::string p = dir.write("a.txt", "one\r\ntwo\n\nthree");
  EXPECT_EQ(read_all(p), (std::vector<std::string>{"one", "two", "", "three"}));
}

TEST(LineReader, LinesLongerThanTheBufferAndLineNumbers) {
  testing::TempDir dir;
  const std::string long_line(1000, 'x');
  const std::string p = dir.write("b.txt", "a\n" + long_line + "\nb\n");
  LineReader reader(p, 64);  // the buffer grows to hold the long line
  std::string_view line;
  ASSERT_TRUE(reader.next(line));
  EXPECT_EQ(line, "a");
  ASSERT_TRUE(reader.next(line));
  EXPECT_EQ(line, long_line);
  EXPECT_EQ(reader.line_number(), 2u);
  ASSERT_TRUE(reader.next(line));
  EXPECT_EQ(line, "b");
  EXPECT_FALSE(reader.next(line));
  EXPECT_EQ(reader.bytes_consumed(), reader.file_size());
}

TEST(LineReader, MissingFileIsNotFound) {
  try {
    LineReader reader("/nonexistent/dir/ratings.csv");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_EQ(std::string(e.what()),
              "cannot open '/nonexistent/dir/ratings.csv': No such file or directory");
  }
}

TEST(Split, SingleAndMultiCharacterSeparators) {
  std::string_view f[8];
  EXPECT_EQ(split("1,2,,4", ",", f, 8), 4);
  EXPECT_EQ(f[0], "1");
  EXPECT_EQ(f[2], "");
  EXPECT_EQ(f[3], "4");
  EXPECT_EQ(split("1::2::5::978300760", "::", f, 8), 4);
  EXPECT_EQ(f[3], "978300760");
  EXPECT_EQ(split("", ",", f, 8), 1);
  // More fields than capacity: counted, not stored.
  EXPECT_EQ(split("a,b,c,d,e", ",", f, 2), 5);
  EXPECT_EQ(f[1], "b");
}

TEST(Split, QuotedFields) {
  std::string_view f[4];
  std::string scratch[4];
  EXPECT_EQ(split(R"x(1,"Toy Story, The (1995)","a ""b""")x", ",", f, 4, true, scratch), 3);
  EXPECT_EQ(f[1], "Toy Story, The (1995)");
  EXPECT_EQ(f[2], "a \"b\"");
  EXPECT_EQ(split(R"(1,"open)", ",", f, 4, true, scratch), -1);
  EXPECT_EQ(split(R"(1,"x"y,2)", ",", f, 4, true, scratch), -1);
  // Without quote handling a quote is an ordinary character.
  EXPECT_EQ(split(R"(1,"x,y")", ",", f, 4), 3);
}

TEST(Parse, WholeFieldNumbers) {
  int64_t i;
  double d;
  float x;
  EXPECT_TRUE(parse_int("978300760", i));
  EXPECT_EQ(i, 978300760);
  EXPECT_TRUE(parse_int(" -5 ", i));
  EXPECT_EQ(i, -5);
  EXPECT_TRUE(parse_int("+7", i));
  EXPECT_EQ(i, 7);
  EXPECT_FALSE(parse_int("12x", i));
  EXPECT_FALSE(parse_int("", i));
  EXPECT_FALSE(parse_int("+", i));
  EXPECT_FALSE(parse_int("+-1", i));
  EXPECT_FALSE(parse_int("1.5", i));
  EXPECT_FALSE(parse_int("99999999999999999999", i));  // overflow
  EXPECT_TRUE(parse_double("3.5", d));
  EXPECT_EQ(d, 3.5);
  EXPECT_TRUE(parse_float("1e-3", x));
  EXPECT_FLOAT_EQ(x, 1e-3f);
  EXPECT_FALSE(parse_float("four", x));
  EXPECT_FALSE(parse_float("4,5", x));
}

TEST(Parse, DateTimes) {
  int64_t us;
  ASSERT_TRUE(parse_datetime_us("1970-01-01 00:00:00", us));
  EXPECT_EQ(us, 0);
  // 2019-11-24 is day 18224 since the epoch (49 years incl. 12 leap days = 17897, + 327 days).
  ASSERT_TRUE(parse_datetime_us("2019-11-24 00:03:13.442536+00:00", us));
  EXPECT_EQ(us, (18224LL * 86400 + 193) * 1000000 + 442536);
  ASSERT_TRUE(parse_datetime_us("2019-11-24T09:03:13+09:00", us));  // same instant, JST
  EXPECT_EQ(us, (18224LL * 86400 + 193) * 1000000);
  ASSERT_TRUE(parse_datetime_us("2000-02-29", us));
  EXPECT_EQ(us, 11016LL * 86400 * 1000000);
  EXPECT_FALSE(parse_datetime_us("2001-02-29", us));  // not a leap year
  EXPECT_FALSE(parse_datetime_us("2019-11-24 25:00:00", us));
  EXPECT_FALSE(parse_datetime_us("2019-11-24 00:00:00+0000", us));
  EXPECT_FALSE(parse_datetime_us("24/11/2019", us));
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
}

TEST(Parse, TimestampSeconds) {
  int64_t t;
  ASSERT_TRUE(parse_timestamp_seconds("881250949", t));
  EXPECT_EQ(t, 881250949);
  ASSERT_TRUE(parse_timestamp_seconds("881250949.0", t));
  EXPECT_EQ(t, 881250949);
  ASSERT_TRUE(parse_timestamp_seconds("1970-01-02 00:00:01", t));
  EXPECT_EQ(t, 86401);
  EXPECT_FALSE(parse_timestamp_seconds("yesterday", t));
  EXPECT_FALSE(parse_timestamp_seconds("nan", t));
}

TEST(Text, ExcerptsAndEncodings) {
  EXPECT_EQ(quote_excerpt("a\tb\x01"), "a\\tb\\x01");
  EXPECT_EQ(quote_excerpt(std::string(100, 'y'), 5), "yyyyy...");
  EXPECT_EQ(base_name("/a/b/u.data"), "u.data");
  EXPECT_EQ(base_name("u.data"), "u.data");
  EXPECT_EQ(latin1_to_utf8("Mis\xE9rables"), "Mis\xC3\xA9rables");
  EXPECT_TRUE(is_valid_utf8("Mis\xC3\xA9rables"));
  EXPECT_FALSE(is_valid_utf8("Mis\xE9rables"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));             // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));         // overlong
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x8E\xAC"));  // U+1F3AC
}

}  // namespace
}  // namespace rlrec::data::text
