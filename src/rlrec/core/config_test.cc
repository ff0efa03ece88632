#include "rlrec/core/config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "rlrec/core/testing.h"

namespace rlrec {
namespace {

struct Demo {
  int size = 10;           // number of things
  double rate = 0.5;       // a rate
  bool flag = false;       // a flag
  std::string mode = "a";  // a mode
  std::vector<double> weights{1, 2};
  void visit(FieldVisitor& v) {
    v.field("size", size, "number of things");
    v.field("rate", rate, "a rate");
    v.field("flag", flag, "a flag");
    v.field("mode", mode, "a mode");
    v.field("weights", weights, "weights");
  }
};

using test::error_of;

TEST(Config, ReadsTypedFieldsAndKeepsDefaults) {
  Config c = Config::parse_string("[demo]\nsize = 3\nflag = true\nweights = [0.5, 1]\n");
  Demo d;
  read_section(c, "demo", d);
  EXPECT_EQ(d.size, 3);
  EXPECT_TRUE(d.flag);
  EXPECT_EQ(d.rate, 0.5);
  EXPECT_EQ(d.weights, (std::vector<double>{0.5, 1.0}));
}

TEST(Config, SetOverridesParseTomlValuesAndBareWords) {
  Config c = Config::parse_string("[demo]\nsize = 3\n");
  c.set("demo.size=12");
  c.set("demo.mode=fancy");
  c.set("demo.rate=inf");
  c.set("other.name=x");
  Demo d;
  read_section(c, "demo", d);
  EXPECT_EQ(d.size, 12);
  EXPECT_EQ(d.mode, "fancy");
  EXPECT_TRUE(std::isinf(d.rate));
  EXPECT_EQ(c.get_string("other", "name"), "x");
}

TEST(Config, UnknownKeyGetsDidYouMean) {
  Config c = Config::parse_string("[demo]\nszie = 3\n", "exp.toml");
  Demo d;
  auto msg = error_of([&] { read_section(c, "demo", d); });
  EXPECT_NE(msg.find("exp.toml:2: unknown key 'demo.szie'; did you mean 'demo.size'?"),
            std::string::npos)
      << msg;
}

TEST(Config, WrongTypeNamesKeyAndValue) {
  Config c = Config::parse_string("[demo]\nsize = \"two\"\n", "exp.toml");
  Demo d;
  auto msg = error_of([&] { read_section(c, "demo", d); });
  EXPECT_EQ(msg, "exp.toml:2: demo.size must be an integer, got string \"two\"");
}

TEST(Config, MalformedTomlNamesLine) {
  auto msg = error_of([] { Config::parse_string("[demo]\nsize = = 3\n", "bad.toml"); });
  EXPECT_EQ(msg.rfind("bad.toml:2:", 0), 0u) << msg;
}

TEST(Config, MalformedSetRejected) {
  Config c;
  EXPECT_NE(error_of([&] { c.set("noequals"); }), "");
  EXPECT_NE(error_of([&] { c.set("nosection=3"); }), "");
}

TEST(Config, DumpRoundTrips) {
  Demo d;
  d.size = 7;
  d.mode = "q\"x";
  std::string text = dump_section("demo", "", d);
  Config c = Config::parse_string(text);
  Demo e;
  read_section(c, "demo", e);
  EXPECT_EQ(e.size, 7);
  EXPECT_EQ(e.mode, "q\"x");
  EXPECT_NE(text.find("# number of things\nsize = 7\n"), std::string::npos);
}

// Names are bare keys: toml++ writes a quoted name such as ' back as invalid TOML ("[']"), so
// such a file is refused where it is read (found by fuzz/config_fuzz.cc), and so is --set.
TEST(Config, SectionNamesAndKeysAreBareKeys) {
  for (const char* text : {"[\"'\"]\n", "[env]\n\"a b\" = 1\n", "[env]\nx = {\"'\" = 1}\n",
                           "[env]\nx = [{\"\" = 2}]\n"}) {
    const std::string msg =
        error_of([&] { Config::parse_string(text, "odd.toml"); }, ErrorCode::kInvalidArgument);
    EXPECT_NE(msg.find("odd.toml: "), std::string::npos) << msg;
    EXPECT_NE(msg.find("is not a bare key: use letters, digits, '_' and '-' only"),
              std::string::npos)
        << msg;
  }
  Config c = Config::parse_string("[env-2]\nkey_1 = {inner-x = 3}\n");  // bare keys are fine
  EXPECT_NO_THROW(Config::parse_string(c.to_toml()));
  EXPECT_NE(error_of([&] { c.set("e'nv.x=1"); }).find("section name 'e'nv'"), std::string::npos);
  EXPECT_NE(error_of([&] { c.set("env.x y=1"); }).find("key 'x y'"), std::string::npos);
  EXPECT_NE(error_of([&] { c.set("env.x={\"'\" = 1}"); }).find("key '''"), std::string::npos);
}

TEST(Config, RangeChecksNameTheRule) {
  EXPECT_EQ(error_of([] { check_range("env.slate_size", int64_t{12}, 1, 10); }),
            "env.slate_size must be in [1, 10], got 12");
  EXPECT_EQ(error_of([] { check_positive("agent.lr", -1.0); }), "agent.lr must be > 0, got -1.0");
  EXPECT_EQ(error_of([] { check_positive("agent.lr", std::numeric_limits<double>::infinity()); }),
            "agent.lr must be finite, got inf");
  EXPECT_EQ(error_of([] { check_positive("agent.lr", -0.0); }), "agent.lr must be > 0, got -0.0");
}

}  // namespace
}  // namespace rlrec
