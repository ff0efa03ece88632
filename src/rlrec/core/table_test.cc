// Text tables: alignment (numbers right-aligned after the first column), the rule under the header,
// CSV quoting; fmt's fixed point and NaN.
#include "rlrec/core/table.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rlrec {
namespace {

TEST(Table, AlignsColumnsAndRightAlignsNumbers) {
  Table t({"agent", "mean"});
  t.add_row({"random", "1.5"});
  t.add_row({"x", "-12.25"});
  EXPECT_EQ(t.to_string(),
            "agent   mean\n"
            "--------------\n"
            "random     1.5\n"
            "x       -12.25\n");
}

TEST(Table, CsvQuotesCellsWithCommasQuotesAndNewlines) {
  Table t({"a", "95% CI"});
  t.add_row({"x", "[1.00, 2.00]"});
  t.add_row({"q\"", "-"});
  t.add_header("n");
  t.add_row({"two\nlines", "1", "2"});
  EXPECT_EQ(t.to_csv(), "a,95% CI,n\nx,\"[1.00, 2.00]\"\n\"q\"\"\",-\n\"two\nlines\",1,2\n");
}

TEST(Table, FixedPointFormatting) {
  EXPECT_EQ(fmt(3.14159, 2), "3.14");
  EXPECT_EQ(fmt(2.0, 0), "2");
  EXPECT_EQ(fmt(std::nan(""), 3), "nan");
  EXPECT_EQ(fmt_pm(1.0, 0.25, 2), "1.00 ± 0.25");
}

}  // namespace
}  // namespace rlrec
