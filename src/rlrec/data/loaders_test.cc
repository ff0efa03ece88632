#include "rlrec/data/loaders.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <numeric>
#include <string>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/testing.h"
#include "rlrec/data/test_files.h"
#include "rlrec/data/text.h"

namespace rlrec::data {
namespace {

using testing::TempDir;

// The message of the kCorrupt (or code) one-line error fn throws.
template <class Fn>
std::string error_of(Fn fn, ErrorCode code = ErrorCode::kCorrupt) {
  return test::error_of(fn, code);
}

std::string load_error(const std::string& path, const LoadOptions& options = {}) {
  return error_of([&] { load_interactions(path, options); });
}

TEST(Format, NamesRoundTripAndTyposSuggest) {
  for (const std::string& name : format_names()) EXPECT_EQ(format_name(parse_format(name)), name);
  EXPECT_EQ(parse_format("ml-100k"), Format::kMovieLens100K);
  const std::string msg = error_of([] { parse_format("ml-100"); }, ErrorCode::kNotFound);
  EXPECT_NE(msg.find("unknown format 'ml-100'; did you mean 'ml-100k'?"), std::string::npos) << msg;
  EXPECT_NE(msg.find("recbole"), std::string::npos) << msg;
}

TEST(LoadMovieLens100K, ReadsTabSeparatedRatings) {
  TempDir dir;
  const std::string p = dir.write(
      "u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t377\t1\t878887116\n");
  LoadReport report;
  const InteractionLog log = load_interactions(p, {}, &report);
  EXPECT_EQ(report.format, Format::kMovieLens100K);
  EXPECT_EQ(report.read, 3u);
  EXPECT_EQ(report.kept, 3u);
  EXPECT_EQ(report.rejected, 0u);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log.num_users(), 2);
  EXPECT_EQ(log.num_items(), 3);
  EXPECT_EQ(log.user, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(log.item, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(log.rating, (std::vector<float>{3, 3, 1}));
  EXPECT_EQ(log.timestamp, (std::vector<int64_t>{881250949, 891717742, 878887116}));
  EXPECT_EQ(log.users.original(1), "186");
  EXPECT_EQ(log.items.original(2), "377");
  EXPECT_EQ(report.summary(), p + " (ml-100k): 3 rows read, 3 kept, 0 rejected");
}

TEST(LoadMovieLens1M, ReadsDoubleColonRatings) {
  TempDir dir;
  const std::string p = dir.write(
      "ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n");
  LoadReport report;
  const InteractionLog log = load_interactions(p, {}, &report);
  EXPECT_EQ(report.format, Format::kMovieLens1M);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log.num_users(), 2);
  EXPECT_EQ(log.num_items(), 2);
  EXPECT_EQ(log.item, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(log.rating[0], 5.0f);
  EXPECT_EQ(log.timestamp[2], 978298413);
}

TEST(LoadMovieLensCsv, ReadsHeaderAndHalfStars) {
  TempDir dir;
  const std::string p = dir.write(
      "ratings.csv",
      "userId,movieId,rating,timestamp\r\n1,296,5.0,1147880044\r\n1,306,0.5,1147868817\r\n");
  LoadReport report;
  const InteractionLog log = load_interactions(p, {}, &report);
  EXPECT_EQ(report.format, Format::kMovieLensCsv);
  EXPECT_EQ(report.read, 2u);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log.rating, (std::vector<float>{5.0f, 0.5f}));
  EXPECT_EQ(log.timestamp[1], 1147868817);
}

TEST(LoadCsv, ColumnMappingImplicitSignalAndQuotes) {
  TempDir dir;
  // item first, then user, then an ISO date; no rating column -> implicit 1.0.
  const std::string p = dir.write("clicks.csv",
                                  "item,user,when,extra\n"
                                  "\"sku,1\",alice,2020-01-01 00:00:10,x\n"
                                  "sku2,bob,1970-01-01T00:01:00Z,y\n"
                                  "sku2,alice,100,z\n");
  LoadOptions options;
  options.format = Format::kCsv;
  options.columns = {
      .user = 1, .item = 0, .rating = -1, .timestamp = 2, .header = true, .separator = ','};
  const InteractionLog log = load_interactions(p, options);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log.items.original(0), "sku,1");
  EXPECT_EQ(log.users.original(0), "alice");
  EXPECT_EQ(log.user, (std::vector<int32_t>{0, 1, 0}));
  EXPECT_EQ(log.rating, (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(log.timestamp, (std::vector<int64_t>{1577836810, 60, 100}));
}

TEST(LoadCsv, CustomSeparatorAndRatingRange) {
  TempDir dir;
  const std::string p = dir.write("r.txt", "u;i;r\n1;2;9\n1;3;11\n");
  LoadOptions options;
  options.format = Format::kCsv;
  options.columns = {
      .user = 0, .item = 1, .rating = 2, .timestamp = -1, .header = true, .separator = ';'};
  options.max_rating = 10;
  EXPECT_EQ(load_error(p, options), p + ":3: rating 11 is outside [-inf, 10]");
  options.skip_malformed = true;
  LoadReport report;
  const InteractionLog log = load_interactions(p, options, &report);
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(log.timestamp[0], 0);
  EXPECT_EQ(report.rejected, 1u);
}

TEST(LoadTsv, NoHeader) {
  TempDir dir;
  const std::string p = dir.write("x.tsv", "u1\ti1\t4.5\t10\nu2\ti1\t2\t11\n");
  LoadOptions options;
  options.format = Format::kTsv;
  options.columns.header = false;
  const InteractionLog log = load_interactions(p, options);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log.rating[0], 4.5f);
  EXPECT_EQ(log.items.original(0), "i1");
}

TEST(LoadRecBole, ReadsTypedHeaderAndIgnoresOtherColumns) {
  TempDir dir;
  const std::string p =
      dir.write("ml-100k.inter",
                "user_id:token\titem_id:token\trating:float\ttimestamp:float\tgenres:token_seq\n"
                "196\t242\t3\t881250949.0\ta b\n"
                "186\t302\t3.5\t891717742\t\n");
  LoadReport report;
  const InteractionLog log = load_interactions(p, {}, &report);
  EXPECT_EQ(report.format, Format::kRecBole);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log.rating[1], 3.5f);
  EXPECT_EQ(log.timestamp[0], 881250949);
}

TEST(LoadRecBole, ImplicitWithoutRatingAndHeaderErrors) {
  TempDir dir;
  const std::string p = dir.write("a.inter", "item_id:token\tuser_id:token\nx\tu\n");
  const InteractionLog log = load_interactions(p);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log.users.original(0), "u");
  EXPECT_EQ(log.rating[0], 1.0f);
  EXPECT_EQ(log.timestamp[0], 0);
  const std::string q = dir.write("b.inter", "user_id:token\titem:token\nu\tx\n");
  EXPECT_EQ(load_error(q), q + ":1: RecBole header lacks 'item_id:token'; columns: user_id, item");
  const std::string r = dir.write("c.inter", "user_id:token\titem_id:int\nu\tx\n");
  EXPECT_EQ(load_error(r), r + ":1: RecBole column 'item_id' has unknown type 'int'; known: token, "
                               "token_seq, float, float_seq");
  const std::string s = dir.write("d.inter", "user_id:token\titem_id:token\trating:token\n");
  EXPECT_EQ(load_error(s), s + ":1: RecBole column 'rating' must have type 'float', got 'token'");
}

TEST(LoadAuto, SniffsTheFirstLine) {
  TempDir dir;
  LoadReport report;
  load_interactions(dir.write("a.txt", "1::2::3::4\n"), {}, &report);
  EXPECT_EQ(report.format, Format::kMovieLens1M);
  load_interactions(dir.write("b.txt", "userId,movieId,rating,timestamp\n1,2,3,4\n"), {}, &report);
  EXPECT_EQ(report.format, Format::kMovieLensCsv);
  load_interactions(dir.write("c.txt", "user_id:token\titem_id:token\n1\t2\n"), {}, &report);
  EXPECT_EQ(report.format, Format::kRecBole);
  // TAB without a header: the first line is data.
  InteractionLog log =
      load_interactions(dir.write("d.txt", "7\t8\t3\t100\n7\t9\t4\t101\n"), {}, &report);
  EXPECT_EQ(report.format, Format::kTsv);
  EXPECT_EQ(report.read, 2u);
  EXPECT_EQ(log.size(), 2u);
  // Comma with a header: detected, skipped.
  log = load_interactions(dir.write("e.csv", "user,item,stars,time\n7,8,3,100\n"), {}, &report);
  EXPECT_EQ(report.format, Format::kCsv);
  EXPECT_EQ(report.read, 1u);
  EXPECT_EQ(log.users.original(0), "7");
  const std::string f = dir.write("f.txt", "just some words\n");
  EXPECT_EQ(
      load_error(f),
      f + ": cannot detect the format from the file name or the first line 'just some words'; "
          "name it with --format (auto, ml-100k, ml-1m, ml-csv, csv, tsv, recbole)");
}

TEST(LoadAuto, FileNamesPickMovieLensFormats) {
  TempDir dir;
  LoadReport report;
  for (const char* name : {"u.data", "u1.base", "u5.test", "ua.base", "ub.test"}) {
    load_interactions(dir.write(name, "1\t2\t3\t4\n"), {}, &report);
    EXPECT_EQ(report.format, Format::kMovieLens100K) << name;
  }
}

TEST(LoadIds, OriginalStringsKeptAndLargeIds) {
  TempDir dir;
  const std::string p =
      dir.write("x.tsv", "7\ta\n007\ta\n123456789012\tb\n7\tb\n123456789012\ta\n");
  LoadOptions options;
  options.format = Format::kTsv;
  options.columns = {.user = 0, .item = 1, .rating = -1, .timestamp = -1, .header = false};
  const InteractionLog log = load_interactions(p, options);
  EXPECT_EQ(log.num_users(), 3);
  EXPECT_EQ(log.users.originals(), (std::vector<std::string>{"7", "007", "123456789012"}));
  EXPECT_EQ(log.user, (std::vector<int32_t>{0, 1, 2, 0, 2}));
  EXPECT_EQ(log.item, (std::vector<int32_t>{0, 0, 1, 1, 0}));
}

TEST(LoadIds, BomAndBlankLines) {
  TempDir dir;
  const std::string p =
      dir.write("ratings.csv", "\xEF\xBB\xBFuserId,movieId,rating,timestamp\n\n1,2,3,4\n\n");
  LoadReport report;
  EXPECT_EQ(load_interactions(p, {}, &report).size(), 1u);
  EXPECT_EQ(report.read, 1u);  // blank lines are not rows
}

// Rows in the common shape take a one-scan fast path; rows that miss it (here: spaces around the
// numbers, which the general path trims) take the general path. Both must give identical logs.
TEST(LoadFastPath, MatchesTheGeneralPathBitForBit) {
  TempDir dir;
  Rng rng(5);
  std::string fast, general, strings;
  for (int r = 0; r < 3000; ++r) {
    const std::string user = std::to_string(rng.uniform_int(300)),
                      item = std::to_string(rng.uniform_int(2000000000));
    // Ratings like 4, 17, 3.5, 0.1, 4.25, 123.456, 1e2: short forms are parsed directly, others by
    // from_chars.
    const int form = static_cast<int>(rng.uniform_int(6));
    const uint64_t m = rng.uniform_int(100000);
    std::string rating = form == 0   ? std::to_string(m % 10)
                         : form == 1 ? std::to_string(m % 100)
                         : form == 2 ? std::to_string(m % 10) + "." + std::to_string(m / 10 % 10)
                         : form == 3 ? std::to_string(m % 1000) + "." + std::to_string(m % 97)
                         : form == 4 ? "0.0" + std::to_string(m % 1000)
                                     : std::to_string(m % 9 + 1) + "e" + std::to_string(m % 5);
    const std::string ts = std::to_string(rng.uniform_int(uint64_t{1} << 40));
    fast += user + "," + item + "," + rating + "," + ts + "\n";
    general += user + ", " + item + " ," + rating + " , " + ts + "\n";
    strings += "u" + user + "," + item + "," + rating + "," + ts + "\n";
  }
  LoadOptions options;
  options.format = Format::kCsv;
  options.columns.header = false;
  const InteractionLog a = load_interactions(dir.write("fast.csv", fast), options);
  const InteractionLog b = load_interactions(dir.write("general.csv", general), options);
  ASSERT_EQ(a.size(), 3000u);
  ASSERT_EQ(b.size(), 3000u);
  EXPECT_EQ(a.timestamp, b.timestamp);
  for (size_t k = 0; k < a.size(); ++k) {
    ASSERT_EQ(std::bit_cast<uint32_t>(a.rating[k]), std::bit_cast<uint32_t>(b.rating[k]))
        << "row " << k;
  }
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.item, b.item);
  EXPECT_EQ(a.users.originals(), b.users.originals());
  EXPECT_EQ(a.items.originals(), b.items.originals());
  // String ids miss the fast path on every row (it switches itself off); the result is the same.
  const InteractionLog c = load_interactions(dir.write("strings.csv", strings), options);
  EXPECT_EQ(c.user, a.user);
  EXPECT_EQ(c.rating, a.rating);
  EXPECT_EQ(c.users.original(0), "u" + a.users.original(0));
}

// ---- bad input: each a one-line message naming file:line and the problem ----

TEST(LoadErrors, MissingFile) {
  const std::string msg =
      error_of([] { load_interactions("/no/such/dir/u.data"); }, ErrorCode::kNotFound);
  EXPECT_EQ(msg, "cannot open '/no/such/dir/u.data': No such file or directory");
  TempDir dir;
  const std::string d = dir.path();
  EXPECT_EQ(error_of([&] { load_interactions(d); }, ErrorCode::kNotFound),
            "cannot open '" + d + "': it is a directory, not a file");
}

TEST(LoadErrors, EmptyFileAndHeaderOnly) {
  TempDir dir;
  const std::string e = dir.write("u.data", "");
  EXPECT_EQ(load_error(e), e + ": empty file (no rows)");
  const std::string b = dir.write("blank.csv", "\n\n");
  EXPECT_EQ(load_error(b), b + ": empty file (no rows)");
  const std::string h = dir.write("ratings.csv", "userId,movieId,rating,timestamp\n");
  EXPECT_EQ(load_error(h), h + ": no data rows after the header");
}

TEST(LoadErrors, WrongSeparator) {
  TempDir dir;
  const std::string p = dir.write("ratings.csv", "userId,movieId,rating,timestamp\n1\t2\t3\t4\n");
  EXPECT_EQ(load_error(p), p + ":2: expected 4 fields separated by ',', got 1 (the line has TAB: "
                               "wrong separator or --format?)");
  const std::string q = dir.write("u.data", "1,2,3,4\n");
  EXPECT_EQ(load_error(q), q + ":1: expected 4 fields separated by TAB, got 1 (the line has ',': "
                               "wrong separator or --format?)");
  const std::string r = dir.write("ratings.dat", "1\t2\t3\t4\n");
  EXPECT_EQ(load_error(r), r + ":1: expected 4 fields separated by '::', got 1 (the line has TAB: "
                               "wrong separator or --format?)");
  // A generic CSV whose header does not split: caught at line 1.
  const std::string s = dir.write("s.csv", "user;item;rating;ts\n1;2;3;4\n");
  LoadOptions options;
  options.format = Format::kCsv;
  EXPECT_EQ(load_error(s, options), s + ":1: the header has 1 field separated by ',' but the "
                                        "column mapping needs 4 (the line has ';': wrong "
                                        "separator or --format?)");
}

TEST(LoadErrors, NonNumericFields) {
  TempDir dir;
  const std::string p = dir.write("u.data", "1\t2\t3\t4\n1\t3\tfour\t5\n");
  EXPECT_EQ(load_error(p), p + ":2: rating 'four' is not a number");
  const std::string q = dir.write("ratings.dat", "1::2::3::4\nx::2::3::4\n");
  EXPECT_EQ(load_error(q), q + ":2: user id 'x' is not a positive integer");
  const std::string r = dir.write("ratings.csv", "userId,movieId,rating,timestamp\n1,0,3,4\n");
  EXPECT_EQ(load_error(r), r + ":2: item id '0' is not a positive integer");
  const std::string s = dir.write("u1.base", "1\t2\t3\t4.5\n");
  EXPECT_EQ(load_error(s), s + ":1: timestamp '4.5' is not an integer");
  const std::string t = dir.write("t.csv", "u,i,r,t\na,b,1,noon\n");
  EXPECT_EQ(load_error(t), t + ":2: timestamp 'noon' is not a number or an ISO 8601 date-time");
}

TEST(LoadErrors, TimestampTooLongForInt64) {
  // 25 digits: the fast path once accumulated them in an int64 (signed overflow, found by
  // fuzz/movielens_fuzz.cc under UBSan); now the row is malformed, on every MovieLens format.
  TempDir dir;
  const std::string digits = "8812509517777777777777777";
  const std::string p = dir.write("u.data", "1\t2\t3\t" + digits + "\n");
  EXPECT_EQ(load_error(p), p + ":1: timestamp '" + digits + "' is not an integer");
  const std::string q = dir.write("ratings.dat", "1::2::3::" + digits + "\n");
  EXPECT_EQ(load_error(q), q + ":1: timestamp '" + digits + "' is not an integer");
}

TEST(LoadErrors, OutOfRangeRatings) {
  TempDir dir;
  const std::string p = dir.write("u.data", "1\t2\t6\t4\n");
  EXPECT_EQ(load_error(p), p + ":1: rating 6 is outside [1, 5]");
  const std::string q = dir.write("ratings.csv", "userId,movieId,rating,timestamp\n1,2,0,4\n");
  EXPECT_EQ(load_error(q), q + ":2: rating 0 is outside [0.5, 5]");
  const std::string r = dir.write("x.csv", "u,i,r,t\na,b,nan,1\n");
  EXPECT_EQ(load_error(r), r + ":2: rating nan is outside [-inf, inf]");
  // The options' range replaces the MovieLens default where set.
  LoadOptions options;
  options.max_rating = 10;
  EXPECT_EQ(load_interactions(p, options).rating[0], 6.0f);
  options.min_rating = 7;
  EXPECT_EQ(load_error(p, options), p + ":1: rating 6 is outside [7, 10]");
  options.min_rating = 11;
  EXPECT_EQ(error_of([&] { load_interactions(p, options); }, ErrorCode::kInvalidArgument),
            "min_rating must be <= max_rating, got [11, 10]");
}

TEST(LoadErrors, TooFewAndTooManyFields) {
  TempDir dir;
  const std::string p = dir.write("u.data", "1\t2\t3\t4\n5\t6\t7\n");
  EXPECT_EQ(load_error(p), p + ":2: expected 4 fields separated by TAB, got 3");
  const std::string q = dir.write("ratings.dat", "1::2::3::4::5\n");
  EXPECT_EQ(load_error(q), q + ":1: expected 4 fields separated by '::', got 5");
  const std::string r = dir.write("r.csv", "a,b,c,d\n1,2,3\n");
  EXPECT_EQ(load_error(r), r + ":2: expected at least 4 fields separated by ',', got 3");
  const std::string s = dir.write("s.csv", "a,b,c,d\n1,,3,4\n");
  EXPECT_EQ(load_error(s), s + ":2: empty item id (column 1)");
  const std::string t = dir.write("t.csv", "a,b,c,d\n\"1,2,3,4\n");
  EXPECT_EQ(load_error(t), t + ":2: unterminated quoted field or text after a closing quote");
}

TEST(LoadErrors, BadMovieLensCsvHeader) {
  TempDir dir;
  const std::string p = dir.write("ratings.csv", "1,2,3,4\n");
  EXPECT_EQ(load_error(p),
            p + ":1: expected the ml-csv header 'userId,movieId,rating,timestamp', got '1,2,3,4'");
}

TEST(LoadErrors, BadColumnMapping) {
  TempDir dir;
  const std::string p = dir.write("a.csv", "1,2\n");
  LoadOptions options;
  options.format = Format::kCsv;
  options.columns.user = -1;
  EXPECT_EQ(error_of([&] { load_interactions(p, options); }, ErrorCode::kInvalidArgument),
            "columns.user must be a column index 0..1023, got -1");
  options.columns = {.user = 0, .item = 0};
  EXPECT_EQ(error_of([&] { load_interactions(p, options); }, ErrorCode::kInvalidArgument),
            "columns.user and columns.item are both column 0; each column holds one thing");
}

TEST(LoadSkip, CountsAndReportsMalformedRows) {
  TempDir dir;
  const std::string p = dir.write("u.data",
                                  "1\t2\t3\t4\n"
                                  "1\t2\t9\t4\n"  // out of range
                                  "1\t3\n"        // too few fields
                                  "x\t3\t3\t4\n"  // bad user id
                                  "2\t3\t5\t7\n");
  LoadOptions options;
  options.skip_malformed = true;
  LoadReport report;
  const InteractionLog log = load_interactions(p, options, &report);
  EXPECT_EQ(report.read, 5u);
  EXPECT_EQ(report.kept, 2u);
  EXPECT_EQ(report.rejected, 3u);
  ASSERT_EQ(report.problems.size(), 3u);
  EXPECT_EQ(report.problems[0], p + ":2: rating 9 is outside [1, 5]");
  EXPECT_EQ(report.problems[1], p + ":3: expected 4 fields separated by TAB, got 2");
  EXPECT_EQ(report.problems[2], p + ":4: user id 'x' is not a positive integer");
  // Rejected rows add no ids: user "x" is unknown.
  EXPECT_EQ(log.num_users(), 2);
  EXPECT_EQ(log.users.find("x"), -1);
  EXPECT_EQ(report.summary(), p + " (ml-100k): 5 rows read, 2 kept, 3 rejected; first problem: " +
                                  p + ":2: rating 9 is outside [1, 5]");
}

TEST(LoadSkip, KeepsOnlyTheFirstProblemsAndFailsWhenNothingIsLeft) {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 25; ++i) content += "1\t2\t0\t4\n";
  const std::string p = dir.write("u.data", content);
  LoadOptions options;
  options.skip_malformed = true;
  LoadReport report;
  EXPECT_EQ(error_of([&] { load_interactions(p, options, &report); }),
            p + ": all 25 rows are malformed; first: " + p + ":1: rating 0 is outside [1, 5]");
  EXPECT_EQ(report.rejected, 25u);
  EXPECT_EQ(report.problems.size(), LoadReport::kMaxProblems);
}

// ---- align_to ----

InteractionLog make_log(const std::vector<std::pair<std::string, std::string>>& rows) {
  InteractionLog log;
  for (const auto& [u, i] : rows) log.push_back(log.users.add(u), log.items.add(i), 1.0f, 0);
  return log;
}

TEST(AlignTo, DropPolicyCountsUnseenUsersAndItems) {
  const InteractionLog train = make_log({{"a", "x"}, {"b", "y"}, {"a", "z"}});
  const InteractionLog test =
      make_log({{"b", "x"}, {"c", "x"}, {"a", "w"}, {"c", "w"}, {"a", "z"}});
  AlignReport report;
  const InteractionLog out = align_to(test, train, UnseenPolicy::kDrop, &report);
  EXPECT_EQ(report.kept, 2u);
  EXPECT_EQ(report.dropped_unseen_user, 2u);  // ("c","x") and ("c","w")
  EXPECT_EQ(report.dropped_unseen_item, 1u);  // ("a","w")
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out.num_users(), train.num_users());
  EXPECT_EQ(out.num_items(), train.num_items());
  EXPECT_EQ(out.user, (std::vector<int32_t>{1, 0}));  // train ids: b=1, a=0
  EXPECT_EQ(out.item, (std::vector<int32_t>{0, 2}));  // x=0, z=2
}

TEST(AlignTo, ErrorPolicyNamesTheFirstUnseenId) {
  const InteractionLog train = make_log({{"a", "x"}});
  const InteractionLog test = make_log({{"a", "x"}, {"a", "q"}, {"zz", "x"}});
  EXPECT_EQ(
      error_of([&] { align_to(test, train, UnseenPolicy::kError); }, ErrorCode::kInvalidArgument),
      "test row 2: item 'q' does not occur in the training data (unseen policy 'error'; 'drop' "
      "drops such rows)");
  EXPECT_EQ(parse_unseen_policy("drop"), UnseenPolicy::kDrop);
  EXPECT_EQ(unseen_policy_name(parse_unseen_policy("error")), std::string("error"));
  EXPECT_NE(error_of([] { parse_unseen_policy("dorp"); }, ErrorCode::kNotFound)
                .find("did you mean 'drop'?"),
            std::string::npos);
}

// ---- item metadata ----

TEST(ItemInfo, MovieLensItemFiles) {
  TempDir dir;
  const std::string flags = "|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0";
  const std::string p =
      dir.write("u.item", "1|Toy Story (1995)|01-Jan-1995||http://x" + flags + "\n" +
                              "2|Mis\xE9rables, Les (1995)|01-Jan-1995||" + flags + "\n");
  const std::vector<ItemInfo> items = load_item_info(p);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].id, "1");
  EXPECT_EQ(items[1].title, "Mis\xC3\xA9rables, Les (1995)");
  EXPECT_EQ(items[0].genres, (std::vector<std::string>{"Animation", "Children's", "Comedy"}));
  const std::string q =
      dir.write("movies.dat", "1::Toy Story (1995)::Animation|Children's|Comedy\n");
  EXPECT_EQ(load_item_info(q)[0].genres.size(), 3u);
  const std::string r =
      dir.write("movies.csv",
                "movieId,title,genres\n11,\"American President, The (1995)\",Comedy|Drama|Romance\n"
                "12,Nothing (2000),(no genres listed)\n");
  const std::vector<ItemInfo> csv = load_item_info(r);
  EXPECT_EQ(csv[0].title, "American President, The (1995)");
  EXPECT_EQ(csv[0].genres.size(), 3u);
  EXPECT_TRUE(csv[1].genres.empty());
  const std::string s = dir.write("u.item", "1|x|y\n");
  EXPECT_EQ(error_of([&] { load_item_info(s); }),
            s + ":1: expected 24 fields separated by '|', got 3");
}

// ---- the real MovieLens 100K ----

const std::string kMl100k = RLREC_SHARED_DATA_DIR "/movielens-100k";

TEST(RealMovieLens100K, UDataCountsMatchTheReadme) {
  if (!std::filesystem::exists(kMl100k + "/u.data"))
    GTEST_SKIP() << "MovieLens 100K not found at " << kMl100k << ", skipping";
  LoadReport report;
  const InteractionLog log = load_interactions(kMl100k + "/u.data", {}, &report);
  EXPECT_EQ(report.format, Format::kMovieLens100K);
  EXPECT_EQ(report.read, 100000u);
  EXPECT_EQ(report.rejected, 0u);
  EXPECT_EQ(log.size(), 100000u);
  EXPECT_EQ(log.num_users(), 943);
  EXPECT_EQ(log.num_items(), 1682);
  std::vector<int> counts(6, 0);
  for (float r : log.rating) ++counts[static_cast<int>(r)];
  EXPECT_EQ(counts, (std::vector<int>{0, 6110, 11370, 27145, 34174, 21201}));
  EXPECT_EQ(*std::min_element(log.timestamp.begin(), log.timestamp.end()), 874724710);
  EXPECT_EQ(*std::max_element(log.timestamp.begin(), log.timestamp.end()), 893286638);
  // The first row of u.data is "196 242 3 881250949".
  EXPECT_EQ(log.users.original(log.user[0]), "196");
  EXPECT_EQ(log.items.original(log.item[0]), "242");
}

TEST(RealMovieLens100K, UItemIsLatin1) {
  if (!std::filesystem::exists(kMl100k + "/u.item"))
    GTEST_SKIP() << "MovieLens 100K not found at " << kMl100k << ", skipping";
  const std::vector<ItemInfo> items = load_item_info(kMl100k + "/u.item");
  ASSERT_EQ(items.size(), 1682u);
  EXPECT_EQ(items[0].title, "Toy Story (1995)");
  EXPECT_EQ(items[266].id, "267");
  EXPECT_EQ(items[266].title, "unknown");
  size_t non_ascii = 0;
  for (const ItemInfo& item : items) {
    EXPECT_TRUE(text::is_valid_utf8(item.title)) << item.id;
    non_ascii += std::any_of(item.title.begin(), item.title.end(), [](char c) { return c & 0x80; });
  }
  EXPECT_GT(non_ascii, 0u);
}

}  // namespace
}  // namespace rlrec::data
