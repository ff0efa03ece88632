#include "rlrec/data/open_bandit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"
#include "rlrec/data/test_files.h"

namespace rlrec::data {
namespace {

using testing::TempDir;

// The message of the kCorrupt (or code) one-line error fn throws.
template <class Fn>
std::string error_of(Fn fn, ErrorCode code = ErrorCode::kCorrupt) {
  return test::error_of(fn, code);
}

// A three-item campaign in OBD's layout.
const char* kContext =
    ",item_id,item_feature_0,item_feature_1\n"
    "0,0,-0.5,aaa\n"
    "1,2,0.25,bbb\n"  // rows need not be in id order
    "2,1,1.5,aaa\n";
const char* kHeader =
    ",timestamp,item_id,position,click,propensity_score,user_feature_0,user_feature_1,"
    "user-item_affinity_0,user-item_affinity_1,user-item_affinity_2\n";

std::string row(int index, const std::string& rest) {
  return std::to_string(index) + "," + rest + "\n";
}

TEST(ItemContext, TypesColumnsAndIndexesById) {
  TempDir dir;
  const ItemContext ctx = load_item_context(dir.write("item_context.csv", kContext));
  EXPECT_EQ(ctx.num_items, 3);
  EXPECT_EQ(ctx.numeric_names, (std::vector<std::string>{"item_feature_0"}));
  EXPECT_EQ(ctx.categorical_names, (std::vector<std::string>{"item_feature_1"}));
  EXPECT_EQ(ctx.numeric(2, 0), 0.25f);  // item 2 is on the file's second data row
  EXPECT_EQ(ctx.numeric(1, 0), 1.5f);
  // Codes in item-id order: item 0 "aaa" -> 0, item 1 "aaa" -> 0, item 2 "bbb" -> 1.
  EXPECT_EQ(ctx.categorical(0, 0), 0);
  EXPECT_EQ(ctx.categorical(1, 0), 0);
  EXPECT_EQ(ctx.categorical(2, 0), 1);
  EXPECT_EQ(ctx.categorical_values[0].original(1), "bbb");
}

TEST(ItemContext, Errors) {
  TempDir dir;
  const std::string a = dir.write("a.csv", ",item_id,f\n0,0,x\n1,5,y\n");
  EXPECT_EQ(error_of([&] { load_item_context(a); }),
            a + ":3: item_id 5 is out of range: the file has 2 items, so ids must be 0..1");
  const std::string b = dir.write("b.csv", ",item_id,f\n0,0,x\n1,0,y\n");
  EXPECT_EQ(error_of([&] { load_item_context(b); }), b + ":3: item_id 0 repeats line 2");
  const std::string c = dir.write("c.csv", ",item,f\n0,0,x\n");
  EXPECT_EQ(error_of([&] { load_item_context(c); }),
            c + ":1: item context header lacks column 'item_id'; columns: , item, f");
  const std::string d = dir.write("d.csv", "");
  EXPECT_EQ(error_of([&] { load_item_context(d); }), d + ": empty file (no header)");
  const std::string e = dir.write("e.csv", ",item_id,f\n0,0\n");
  EXPECT_EQ(error_of([&] { load_item_context(e); }),
            e + ":2: expected 3 fields separated by ',' (as the header), got 2");
}

TEST(OpenBandit, LoadsRoundsFeaturesAndAffinities) {
  TempDir dir;
  const std::string ctx = dir.write("item_context.csv", kContext);
  const std::string csv =
      dir.write("men.csv", std::string(kHeader) +
                               row(0, "2019-11-24 00:00:01.5+00:00,2,3,1,0.5,h1,g1,0.0,0.1,0.2") +
                               row(1, "2019-11-24 00:00:02+00:00,0,1,0,1,h2,g1,1,2,3"));
  LoadReport report;
  const BanditLog log = load_open_bandit(csv, ctx, {}, &report);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(report.read, 2u);
  EXPECT_EQ(report.kept, 2u);
  EXPECT_EQ(log.item, (std::vector<int32_t>{2, 0}));
  EXPECT_EQ(log.position, (std::vector<int32_t>{2, 0}));  // 0-based
  EXPECT_EQ(log.click, (std::vector<int8_t>{1, 0}));
  EXPECT_EQ(log.propensity, (std::vector<double>{0.5, 1.0}));
  // 2019-11-24 is day 18224 after 1970-01-01.
  EXPECT_EQ(log.timestamp_us[0], 18224LL * 86400 * 1000000 + 1500000);
  EXPECT_EQ(log.user_feature_names, (std::vector<std::string>{"user_feature_0", "user_feature_1"}));
  EXPECT_EQ(log.user_features(1, 0), 1);  // "h2" is the second value of user_feature_0
  EXPECT_EQ(log.user_features(1, 1), 0);
  EXPECT_EQ(log.user_feature_values[0].original(1), "h2");
  ASSERT_EQ(log.affinity.cols(), 3u);
  EXPECT_FLOAT_EQ(log.affinity(0, 2), 0.2f);
  EXPECT_FLOAT_EQ(log.affinity(1, 1), 2.0f);
  EXPECT_TRUE(log.ignored_columns.empty());
  EXPECT_EQ(log.items.num_items, 3);
}

TEST(OpenBandit, ValidatesEveryField) {
  TempDir dir;
  const std::string ctx = dir.write("item_context.csv", kContext);
  const std::string good = "2019-11-24 00:00:01+00:00,2,3,1,0.5,h1,g1,0,0,0";
  struct Case {
    std::string rest, message;
  };
  const std::vector<Case> cases = {
      {"2019-11-24 00:00:01+00:00,3,3,1,0.5,h1,g1,0,0,0",
       "item_id '3' is not an item of " + ctx + " (0..2)"},
      {"2019-11-24 00:00:01+00:00,2,4,1,0.5,h1,g1,0,0,0", "position '4' is not an integer in 1..3"},
      {"2019-11-24 00:00:01+00:00,2,0,1,0.5,h1,g1,0,0,0", "position '0' is not an integer in 1..3"},
      {"2019-11-24 00:00:01+00:00,2,3,2,0.5,h1,g1,0,0,0", "click '2' is not 0 or 1"},
      {"2019-11-24 00:00:01+00:00,2,3,1,0,h1,g1,0,0,0", "propensity_score '0' is not in (0, 1]"},
      {"2019-11-24 00:00:01+00:00,2,3,1,1.01,h1,g1,0,0,0",
       "propensity_score '1.01' is not in (0, 1]"},
      {"yesterday,2,3,1,0.5,h1,g1,0,0,0",
       "timestamp 'yesterday' is not an ISO 8601 date-time (YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM])"},
      {"2019-11-24 00:00:01+00:00,2,3,1,0.5,,g1,0,0,0", "column 'user_feature_0' is empty"},
      {"2019-11-24 00:00:01+00:00,2,3,1,0.5,h1,g1,0,x,0",
       "user-item_affinity_1 'x' is not a finite number"},
      {"2019-11-24 00:00:01+00:00,2,3,1,0.5,h1,g1,0,0",
       "expected 11 fields separated by ',' (as the header), got 10"},
  };
  std::string all_rows = std::string(kHeader) + row(0, good);
  for (size_t k = 0; k < cases.size(); ++k) {
    const std::string csv = dir.write("bad" + std::to_string(k) + ".csv",
                                      std::string(kHeader) + row(0, good) + row(1, cases[k].rest));
    EXPECT_EQ(error_of([&] { load_open_bandit(csv, ctx); }), csv + ":3: " + cases[k].message);
    all_rows += row(static_cast<int>(k + 1), cases[k].rest);
  }
  // With skip_malformed every bad row is counted and the good one kept.
  const std::string csv = dir.write("mixed.csv", all_rows);
  BanditLoadOptions options;
  options.skip_malformed = true;
  LoadReport report;
  const BanditLog log = load_open_bandit(csv, ctx, options, &report);
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(report.read, 1 + cases.size());
  EXPECT_EQ(report.rejected, cases.size());
  EXPECT_EQ(report.problems.size(), LoadReport::kMaxProblems);
  EXPECT_EQ(log.user_feature_values[0].size(), 1);  // rejected rows add no feature values
}

TEST(OpenBandit, HeaderErrors) {
  TempDir dir;
  const std::string ctx = dir.write("item_context.csv", kContext);
  const std::string a = dir.write("a.csv", ",timestamp,item_id,position,propensity_score\n");
  EXPECT_EQ(error_of([&] { load_open_bandit(a, ctx); }),
            a + ":1: header lacks column 'click'; columns: , timestamp, item_id, position, "
                "propensity_score");
  const std::string b = dir.write(
      "b.csv", ",timestamp,item_id,position,click,propensity_score,user-item_affinity_0\n");
  EXPECT_EQ(error_of([&] { load_open_bandit(b, ctx); }),
            b + ":1: has 1 user-item_affinity columns but " + ctx +
                " has 3 items (missing user-item_affinity_1)");
  const std::string c = dir.write(
      "c.csv", ",timestamp,item_id,position,click,propensity_score,user-item_affinity_7\n");
  EXPECT_EQ(
      error_of([&] { load_open_bandit(c, ctx); }),
      c + ":1: column 'user-item_affinity_7' names item 7 but " + ctx + " has 3 items (0..2)");
  const std::string d = dir.write("d.csv", std::string(kHeader));
  EXPECT_EQ(error_of([&] { load_open_bandit(d, ctx); }), d + ": no data rows after the header");
  // Unknown columns are listed, not lost.
  const std::string e = dir.write("e.csv",
                                  ",timestamp,item_id,position,click,propensity_score,note\n"
                                  "0,2019-11-24 00:00:01+00:00,1,1,0,0.1,hi\n");
  const BanditLog log = load_open_bandit(e, ctx);
  EXPECT_EQ(log.ignored_columns, (std::vector<std::string>{"note"}));
  EXPECT_EQ(log.affinity.cols(), 0u);
  EXPECT_EQ(error_of([] { load_open_bandit_campaign("/x", "bst", "men"); }, ErrorCode::kNotFound),
            "unknown OBD behavior policy 'bst'; did you mean 'bts'? known: random, bts");
}

const std::string kObd = RLREC_SHARED_DATA_DIR "/open-bandit-dataset";

TEST(RealOpenBandit, SampleFilesLoadAndMatchTheReadme) {
  if (!std::filesystem::exists(kObd + "/random/men/men.csv"))
    GTEST_SKIP() << "Open Bandit Dataset sample not found at " << kObd << ", skipping";
  struct Expect {
    const char* policy;
    const char* campaign;
    int items;
    int clicks;
  };
  // Click counts and item counts from the data README (random/men 46, random/women 46, bts/men 69,
  // bts/women 46).
  for (const Expect& e : {Expect{"random", "men", 34, 46}, Expect{"random", "women", 46, 46},
                          Expect{"bts", "men", 34, 69}, Expect{"bts", "women", 46, 46}}) {
    LoadReport report;
    const BanditLog log = load_open_bandit_campaign(kObd, e.policy, e.campaign, {}, &report);
    SCOPED_TRACE(std::string(e.policy) + "/" + e.campaign);
    EXPECT_EQ(log.size(), 10000u);
    EXPECT_EQ(report.rejected, 0u);
    EXPECT_EQ(log.items.num_items, e.items);
    EXPECT_EQ(log.affinity.cols(), static_cast<size_t>(e.items));
    EXPECT_EQ(log.user_feature_names.size(), 4u);
    EXPECT_EQ(log.items.numeric_names, (std::vector<std::string>{"item_feature_0"}));
    EXPECT_EQ(log.items.categorical_names.size(), 3u);
    EXPECT_EQ(std::accumulate(log.click.begin(), log.click.end(), 0), e.clicks);
    EXPECT_TRUE(log.ignored_columns.empty());
    std::vector<int> per_position(3, 0);
    for (int32_t p : log.position) ++per_position[static_cast<size_t>(p)];
    for (int c : per_position) EXPECT_GT(c, 3000);  // roughly balanced, ~3,300 each
    if (std::string(e.policy) == "random") {
      for (double p : log.propensity) ASSERT_NEAR(p, 1.0 / e.items, 1e-12);
    }
    // Timestamps lie within 2019-11-24 .. 2019-11-30 (UTC).
    const int64_t day = 86400LL * 1000000;
    const auto [lo, hi] = std::minmax_element(log.timestamp_us.begin(), log.timestamp_us.end());
    EXPECT_GE(*lo, 18224 * day);
    EXPECT_LT(*hi, 18231 * day);
  }
  // The sample lacks the large "all" campaign log, but has its item context.
  EXPECT_EQ(load_item_context(kObd + "/random/all/item_context.csv").num_items, 80);
  const std::string msg =
      error_of([] { load_open_bandit_campaign(kObd, "random", "all"); }, ErrorCode::kNotFound);
  EXPECT_NE(msg.find("all.csv"), std::string::npos) << msg;
}

}  // namespace
}  // namespace rlrec::data
