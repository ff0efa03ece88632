// Plot axes (train/plots.h) and the HTML report's pieces (train/report.h).
#include "rlrec/train/report.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "rlrec/core/testing.h"
#include "rlrec/train/plots.h"

namespace rlrec::train {
namespace {

namespace fs = std::filesystem;

TEST(Plots, TickLabelsHaveThousandsSeparatorsAndTheStepsDecimals) {
  EXPECT_EQ(tick_label(12000, 2000), "12,000");
  EXPECT_EQ(tick_label(1234567, 500000), "1,234,567");
  EXPECT_EQ(tick_label(999, 100), "999");
  EXPECT_EQ(tick_label(0, 2000), "0");
  EXPECT_EQ(tick_label(-0.25, 0.05), "-0.25");
  EXPECT_EQ(tick_label(-1500.5, 0.5), "-1,500.5");
  EXPECT_EQ(tick_label(-0.0001, 1), "0");  // no "-0"
}

TEST(Plots, NiceTicksCoverTheRangeInFewSteps) {
  // 0..8636 in at most 6 steps: 2,000 apart (1,000 would take 9), 0 to 10,000.
  EXPECT_EQ(nice_ticks(0, 8636, 6), (std::vector<double>{0, 2000, 4000, 6000, 8000, 10000}));
  EXPECT_EQ(nice_ticks(163.2, 168.0, 8), (std::vector<double>{163, 164, 165, 166, 167, 168}));
  for (auto [lo, hi] : {std::pair{0.0, 1.0}, {-3.5, 7.25}, {1e5, 3.3e6}, {5.0, 5.0}}) {
    const auto t = nice_ticks(lo, hi, 6);
    ASSERT_GE(t.size(), 2u);
    EXPECT_LE(t.size(), 8u);
    EXPECT_LE(t.front(), lo);
    EXPECT_GE(t.back(), hi);
  }
}

TEST(Report, Base64AndEscaping) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64(std::string("\xff\x00\x10", 3)), "/wAQ");
  EXPECT_EQ(html_escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
}

// A baseline-only comparison: no learning-curve plot, a report that says so, every table.
TEST(Report, BaselineOnlyComparisonHasNoLearningCurves) {
  CompareOptions o;
  o.experiment = Config::parse_string(
      "[env]\nname = \"interest_evolution\"\nnum_candidates = 5\nslate_size = 2\nmax_steps = 6\n"
      "[run]\nepisodes = 3\nseed = 1\nthreads = 1\n"
      "[compare]\nagents = [\"random\", \"myopic\", \"quality_oracle\"]\nseeds = 2\n",
      "tiny.toml");
  o.out = test::temp_path("report_baselines");
  fs::remove_all(o.out);
  fs::create_directories(o.out);
  std::ofstream(o.out + "/learning_curves.png") << "stale";
  const CompareResult r = run_compare(o);
  EXPECT_FALSE(fs::exists(o.out + "/learning_curves.png"));
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
    EXPECT_TRUE(fs::exists(o.out + "/leaderboard.png"));
  }
  std::ifstream is(o.out + "/report.html");
  const std::string html((std::istreambuf_iterator<char>(is)), std::istreambuf_iterator<char>());
  for (const char* s :
       {"<table id=\"leaderboard\">", "<table id=\"paired\">", "<table id=\"reward\">",
        "No learning curves", "<td>quality_oracle (oracle)", "Paired differences to myopic",
        "[compare]", "hardware threads"})
    EXPECT_NE(html.find(s), std::string::npos) << s;
  fs::remove_all(o.out);
}

}  // namespace
}  // namespace rlrec::train
