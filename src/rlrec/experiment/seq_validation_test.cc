// The movielens_seq validation (seq_validation.h): wrong environment and no held-out users are
// one-line errors; on MovieLens 100K (when present, shrunk: one window, 100 resamples) the
// held-out users' simulated ratings reproduce the logged slope within the CIs, and the static MF
// user (history terms off) does not reach it.
#include "rlrec/experiment/seq_validation.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "rlrec/core/error.h"

namespace rlrec::experiment {
namespace {

TEST(SeqValidation, NamesBadInput) {
  try {
    validate_sequence_simulator(Config::parse_string("[env]\nname = \"movielens_mf\"\n"), 1, {});
    ADD_FAILURE() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("movielens_seq"), std::string::npos) << e.what();
  }
}

TEST(SeqValidation, MovieLens100kReproducesTheSlope) {
  const std::string path = std::string(RLREC_SHARED_DATA_DIR) + "/movielens-100k/u.data";
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << path << " not found (MovieLens 100K is not shipped: see README)";
  Config cfg = Config::parse_string(datasim::movielens_seq_defaults(), "defaults");
  cfg.set_string("env", "data", path);
  try {
    validate_sequence_simulator(
        [&] {
          Config c = cfg;
          c.set("env.history_holdout=0.0");
          return c;
        }(),
        1, {});
    ADD_FAILURE() << "expected an Error without held-out users";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("env.history_holdout"), std::string::npos) << e.what();
  }
  SequenceEffectOptions o;
  o.n = {5};
  o.bootstrap = 100;
  const SeqValidationResult v = validate_sequence_simulator(cfg, 1, o);
  EXPECT_TRUE(v.terms.fitted);
  EXPECT_GT(v.heldout_users, 100);
  EXPECT_GT(v.terms.c1, 0.1);  // the fit finds the mood docs/drr.md measured
  const auto &logged = v.logged.rows[0].slope, &sim = v.simulated.rows[0].slope,
             &flat = v.static_mf.rows[0].slope;
  EXPECT_LE(sim.lo, logged.hi) << "simulated " << sim.value << " vs logged " << logged.value;
  EXPECT_GE(sim.hi, logged.lo) << "simulated " << sim.value << " vs logged " << logged.value;
  EXPECT_LT(flat.hi, logged.lo) << "static MF " << flat.value << " vs logged " << logged.value;
}

}  // namespace
}  // namespace rlrec::experiment
