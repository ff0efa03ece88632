// Log format: round trip through collect/write/read, observation reconstruction, propensities of
// the stochastic baselines, and every validation error with file + record.
#include "rlrec/logs/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/core/testing.h"
#include "rlrec/sim/plackett_luce.h"

namespace rlrec::logs {
namespace {

namespace fs = std::filesystem;

std::string tmp_path(const std::string& name) { return test::temp_path("logs_" + name); }

Config small_cfg(const std::string& extra = "") {
  return Config::parse_string("[env]\nnum_candidates = 5\nslate_size = 2\nmax_steps = 6\n" + extra +
                              "[policy]\ntemperature = 0.5\n");
}

// Writes a log of `episodes` episodes of `policy` and returns its path.
std::string make_log(const std::string& name, const std::string& policy, int episodes,
                     const Config& cfg = small_cfg(), uint32_t version = kFormatVersion) {
  const std::string path = tmp_path(name);
  sim::VectorEnv env(catalog::make_environment(cfg, 3), 3, 7);
  sim::PolicyContext ctx{&env.env(), &cfg, nullptr};
  auto p = catalog::find_policy(policy).make(ctx);
  LogHeader header = make_header(env.env(), cfg, 7, policy, 11);
  header.format_version = version;
  LogWriter w(path, header);
  collect_log(env, *p, episodes, 11, w);
  w.close();
  return path;
}

using test::error_of;

TEST(PlackettLuce, HandWorkedMarginalsAndConditionals) {
  // p = (0.5, 0.3, 0.2), K = 2. Slot 1: P(1) = 0.5*0.3/0.5 + 0.2*0.3/0.8 = 0.3 + 0.075 = 0.375.
  const double p[3] = {0.5, 0.3, 0.2};
  double m[6];
  ASSERT_TRUE(sim::pl_slot_marginals(p, 3, 2, m));
  EXPECT_NEAR(m[0], 0.5, 1e-12);
  EXPECT_NEAR(m[3 + 1], 0.375, 1e-12);
  EXPECT_NEAR(m[3 + 0] + m[3 + 1] + m[3 + 2], 1.0, 1e-12);
  // P(slate (1, 0)) = 0.3 * 0.5 / 0.7.
  const int32_t s[2] = {1, 0};
  double c[2];
  EXPECT_NEAR(sim::pl_conditionals(p, 3, s, 2, c), 0.3 * 0.5 / 0.7, 1e-12);
  EXPECT_NEAR(c[1], 0.5 / 0.7, 1e-12);
  // Empirical frequency of slot 1 == position 1 over draws matches 0.375 within 4 se.
  Rng rng(1, 2);
  int hits = 0;
  const int n = 20000;
  int32_t out[2];
  for (int i = 0; i < n; ++i) {
    sim::pl_sample(p, 3, 2, rng, out);
    hits += out[1] == 1;
  }
  EXPECT_NEAR(hits / double(n), 0.375, 4 * std::sqrt(0.375 * 0.625 / n));
}

TEST(Log, RoundTripAndObservationReconstruction) {
  const std::string path = make_log("rt.bin", "softmax_myopic", 7);
  LogData d = read_log(path);
  EXPECT_EQ(d.header.env, "interest_evolution");
  EXPECT_EQ(d.header.policy, "softmax_myopic");
  EXPECT_EQ(d.header.env_seed, 7u);
  EXPECT_EQ(d.header.policy_seed, 11u);
  EXPECT_TRUE(d.header.has_candidate_features);
  ASSERT_GT(d.size, 7);
  // Episodes contiguous: 7 distinct episodes, each starting at step 0.
  int starts = 0;
  for (int64_t i = 0; i < d.size; ++i) starts += d.step[i] == 0;
  EXPECT_EQ(starts, 7);
  // Propensities: known, consistent (slate = product of conditionals, marginal of slot 0 equals
  // its conditional), and equal to the policy's own computation on the rebuilt observation.
  Config cfg = small_cfg();
  auto env = catalog::make_environment(cfg, 7);
  sim::PolicyContext ctx{env.get(), &cfg, nullptr};
  auto pol = catalog::find_policy("softmax_myopic").make(ctx);
  LoggedObservation lo(d, nullptr);
  const int K = 2, N = 5;
  std::vector<double> probs(K * N);
  for (int64_t i = 0; i < d.size; ++i) {
    const double* cond = &d.conditional[i * K];
    EXPECT_NEAR(d.slate_propensity[i], cond[0] * cond[1], 1e-12);
    EXPECT_NEAR(d.marginal[i * K], cond[0], 1e-12);
    const auto& obs = lo.at(i);
    EXPECT_NEAR(pol->slate_probability(obs, 0, d.slate_row(i)), d.slate_propensity[i], 1e-12);
    ASSERT_TRUE(pol->slot_probabilities(obs, 0, probs.data()));
    EXPECT_NEAR(probs[N + d.slate_row(i)[1]], d.marginal[i * K + 1], 1e-12);
    EXPECT_GE(d.inclusion[i * K + 1], d.marginal[i * K + 1]);
    if (d.step[i] > 0) {
      EXPECT_EQ(obs.last_choice[0], d.choice[i - 1]);
    }
  }
  // Writing the records back gives the identical file.
  const std::string copy = tmp_path("rt_copy.bin");
  {
    LogReader r(path);
    LogWriter w(copy, r.header());
    LogRecord rec;
    while (r.next(rec)) w.write(rec);
    w.close();
  }
  std::ifstream a(path, std::ios::binary), b(copy, std::ios::binary);
  std::string sa((std::istreambuf_iterator<char>(a)), {}),
      sb((std::istreambuf_iterator<char>(b)), {});
  EXPECT_EQ(sa, sb);
  fs::remove(path);
  fs::remove(copy);
}

TEST(Log, SameSeedsSameLog) {
  const std::string a = make_log("det_a.bin", "biased_softmax", 4);
  const std::string b = make_log("det_b.bin", "biased_softmax", 4);
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  std::string sa((std::istreambuf_iterator<char>(fa)), {}),
      sb((std::istreambuf_iterator<char>(fb)), {});
  EXPECT_EQ(sa, sb);
  fs::remove(a);
  fs::remove(b);
}

TEST(Log, DeterministicPolicyHasUnknownPropensities) {
  const std::string path = make_log("myopic.bin", "myopic", 2);
  LogData d = read_log(path);
  for (int64_t i = 0; i < d.size; ++i) EXPECT_EQ(d.slate_propensity[i], -1.0);
  fs::remove(path);
}

TEST(Log, BiasedLoggerPrefersLowScores) {
  // bias 0.8: logits = -0.6 score / T, so the shown items have a lower mean score than random.
  const std::string path = make_log("bias.bin", "biased_softmax", 30);
  LogData d = read_log(path);
  Config cfg = small_cfg();
  auto env = catalog::make_environment(cfg, 7);
  double shown = 0, all = 0;
  int64_t ns = 0, na = 0;
  const int N = 5, D = d.header.item_dim;
  for (int64_t i = 0; i < d.size; ++i) {
    for (int p = 0; p < N; ++p) {
      const double s = env->observed_score(d.user_row(i), &d.features[(i * N + p) * D]);
      all += s;
      ++na;
      if (p == d.slate_row(i)[0] || p == d.slate_row(i)[1]) {
        shown += s;
        ++ns;
      }
    }
  }
  EXPECT_LT(shown / ns, all / na);
  fs::remove(path);
}

TEST(Log, MalformedRecordsNameFileAndRecord) {
  // Version 1 (fixed-size records): old logs are still read and validated.
  const std::string path = make_log("bad.bin", "softmax_myopic", 3, small_cfg(), 1);
  std::string bytes;
  {
    std::ifstream is(path, std::ios::binary);
    bytes.assign((std::istreambuf_iterator<char>(is)), {});
  }
  LogReader r0(path);
  const int64_t rec = 8 + r0.header().payload_bytes() + 4;
  int64_t n = 0;
  {
    LogRecord x;
    while (r0.next(x)) ++n;
  }
  const int64_t first = static_cast<int64_t>(bytes.size()) - n * rec;  // offset of record 0
  auto write = [&](const std::string& b) {
    std::ofstream os(path, std::ios::binary | std::ios::trunc);
    os.write(b.data(), static_cast<std::streamsize>(b.size()));
  };
  auto read_all = [&] { read_log(path); };
  // A flipped byte inside record 2's payload: checksum mismatch at record 2.
  std::string b = bytes;
  b[first + 2 * rec + 20] ^= 0x5a;
  write(b);
  EXPECT_EQ(error_of(read_all), path + ": record 2 (byte offset " +
                                    std::to_string(first + 2 * rec) +
                                    "): checksum mismatch (corrupted bytes)");
  // Cut short inside the last record.
  write(bytes.substr(0, bytes.size() - 10));
  EXPECT_NE(error_of(read_all).find("record " + std::to_string(n - 1) + " "), std::string::npos);
  EXPECT_NE(error_of(read_all).find("truncated record payload"), std::string::npos);
  // The last record removed entirely: its episode is left unfinished.
  write(bytes.substr(0, bytes.size() - rec));
  EXPECT_NE(error_of(read_all).find("the log was cut short"), std::string::npos);
  // Not a log.
  write("hello world, this is not a log file");
  EXPECT_NE(error_of(read_all).find("bad magic"), std::string::npos);
  // Missing file.
  fs::remove(path);
  EXPECT_EQ(error_of(read_all), "log file '" + path + "' not found");
}

std::string file_bytes(const std::string& path) {
  std::ifstream is(path, std::ios::binary);
  return {(std::istreambuf_iterator<char>(is)), {}};
}

// Byte offsets of the records of a log (walking the u32 payload lengths).
std::vector<int64_t> record_offsets(const std::string& bytes, int64_t first) {
  std::vector<int64_t> at;
  for (int64_t o = first; o + 8 <= static_cast<int64_t>(bytes.size());) {
    at.push_back(o);
    uint32_t len = 0;
    std::memcpy(&len, bytes.data() + o + 4, 4);  // the tests run on little-endian hosts
    o += 8 + len + 4;
  }
  return at;
}

TEST(Log, Version2ReadsBackBitForBitAndIsAtLeastFourTimesSmaller) {
  // Fresh-items interest_evolution as in the ablation config (N = 10, K = 3, D = 20).
  const Config cfg = Config::parse_string(
      "[env]\nnum_candidates = 10\nslate_size = 3\n[policy]\ntemperature = 0.5\nbias = 0.8\n");
  const std::string a = make_log("v1.bin", "biased_softmax", 8, cfg, 1);
  const std::string b = make_log("v2.bin", "biased_softmax", 8, cfg, 2);
  const LogData d1 = read_log(a), d2 = read_log(b);
  ASSERT_EQ(d1.size, d2.size);
  ASSERT_GT(d1.size, 8);
  EXPECT_EQ(d2.header.format_version, 2u);
  for (int64_t i = 0; i < d1.size; ++i) {
    const LogRecord x = record_at(d1, i), y = record_at(d2, i);
    auto same_bits = [](const auto& u, const auto& v) {
      return u.size() == v.size() &&
             std::memcmp(u.data(), v.data(), u.size() * sizeof(u.empty() ? 0 : u[0])) == 0;
    };
    EXPECT_EQ(x.episode, y.episode);
    EXPECT_EQ(x.step, y.step);
    EXPECT_TRUE(same_bits(x.user, y.user)) << i;
    EXPECT_TRUE(same_bits(x.candidate_ids, y.candidate_ids)) << i;
    EXPECT_TRUE(same_bits(x.candidate_features, y.candidate_features)) << i;
    EXPECT_EQ(x.slate, y.slate);
    EXPECT_TRUE(same_bits(x.responses, y.responses)) << i;
    EXPECT_EQ(x.choice, y.choice);
    EXPECT_EQ(std::memcmp(&x.reward, &y.reward, 8), 0);
    EXPECT_EQ(x.terminated, y.terminated);
    EXPECT_EQ(x.truncated, y.truncated);
    EXPECT_EQ(std::memcmp(&x.slate_propensity, &y.slate_propensity, 8), 0);
    EXPECT_TRUE(same_bits(x.marginal, y.marginal)) << i;
    EXPECT_TRUE(same_bits(x.inclusion, y.inclusion)) << i;
    EXPECT_TRUE(same_bits(x.conditional, y.conditional)) << i;
  }
  const auto s1 = fs::file_size(a), s2 = fs::file_size(b);
  EXPECT_GE(s1, 4 * s2) << s1 << " vs " << s2;
  fs::remove(a);
  fs::remove(b);
}

TEST(Log, Version2MalformedRecordsNameFileAndRecord) {
  const std::string path = make_log("bad2.bin", "softmax_myopic", 3);
  const std::string bytes = file_bytes(path);
  int64_t n = 0;
  int64_t first = 0;
  {
    LogReader r0(path);
    LogRecord x;
    while (r0.next(x)) ++n;
    // The header: 16-byte preamble, metadata, u32 config length, config.
    uint32_t meta_len = 0;
    std::memcpy(&meta_len, bytes.data() + 12, 4);
    first = 16 + meta_len + 4 + static_cast<int64_t>(r0.header().env_config.size());
  }
  const auto at = record_offsets(bytes, first);
  ASSERT_EQ(static_cast<int64_t>(at.size()), n);
  auto write = [&](const std::string& b) {
    std::ofstream os(path, std::ios::binary | std::ios::trunc);
    os.write(b.data(), static_cast<std::streamsize>(b.size()));
  };
  auto read_all = [&] { read_log(path); };
  std::string b = bytes;
  b[at[2] + 8 + 3] ^= 0x5a;
  write(b);
  EXPECT_EQ(error_of(read_all), path + ": record 2 (byte offset " + std::to_string(at[2]) +
                                    "): checksum mismatch (corrupted bytes)");
  write(bytes.substr(0, bytes.size() - 3));
  EXPECT_NE(error_of(read_all).find("record " + std::to_string(n - 1) + " "), std::string::npos);
  EXPECT_NE(error_of(read_all).find("truncated record payload"), std::string::npos);
  write(bytes.substr(0, at[n - 1]));
  EXPECT_NE(error_of(read_all).find("the log was cut short"), std::string::npos);
  // A record cut inside its fields, with a checksum that matches: the length check names it.
  b = bytes.substr(0, at[1]);
  {
    const uint32_t len = 3;
    std::string rec(bytes.substr(at[1], 8 + len));
    std::memcpy(rec.data() + 4, &len, 4);
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; ++i) {
      h ^= static_cast<uint8_t>(rec[8 + i]);
      h *= 16777619u;
    }
    rec.append(reinterpret_cast<const char*>(&h), 4);
    write(b + rec);
  }
  EXPECT_NE(error_of(read_all).find("record 1 (byte offset " + std::to_string(at[1]) +
                                    "): payload of 3 bytes ends inside a field"),
            std::string::npos)
      << error_of(read_all);
  fs::remove(path);
}

TEST(Log, ZeroPropensityAndBadSlateAreRejectedWithRecordNumber) {
  const std::string path = tmp_path("sem.bin");
  Config cfg = small_cfg();
  auto env = catalog::make_environment(cfg, 1);
  auto write_one = [&](const std::function<void(LogRecord&)>& edit) {
    LogWriter w(path, make_header(*env, cfg, 1, "hand", 2));
    LogRecord r;
    r.user.assign(env->spec().user_dim, 0.f);
    r.candidate_ids.assign(5, 1);
    r.candidate_features.assign(5 * env->spec().item_dim, 0.f);
    r.slate = {0, 1};
    r.responses.assign(2 * env->spec().response_dim(), 0.f);
    r.marginal = r.inclusion = r.conditional = {-1, -1};
    r.terminated = true;
    w.write(r);  // record 0 is fine
    r.episode = 1;
    edit(r);
    w.write(r);
    w.close();
  };
  write_one([](LogRecord& r) { r.slate_propensity = 0.0; });
  EXPECT_NE(error_of([&] { read_log(path); }).find(": record 1 (byte offset "), std::string::npos);
  EXPECT_NE(error_of([&] { read_log(path); }).find("slate_propensity 0 must be in (0, 1]"),
            std::string::npos);
  write_one([](LogRecord& r) { r.slate = {3, 3}; });
  EXPECT_NE(error_of([&] { read_log(path); }).find("slate repeats position 3"), std::string::npos);
  write_one([](LogRecord& r) { r.choice = 2; });
  EXPECT_NE(error_of([&] { read_log(path); }).find("choice 2 must be a slot in [0, 2)"),
            std::string::npos);
  write_one([](LogRecord& r) { r.step = 3; });
  EXPECT_NE(error_of([&] { read_log(path); }).find("starts at step 3, not 0"), std::string::npos);
  // A record with the wrong shape never reaches the file.
  EXPECT_NE(error_of([&] {
              write_one([](LogRecord& r) { r.slate = {0}; });
            }).find("slate has 1 values, the header needs 2"),
            std::string::npos);
  fs::remove(path);
}

TEST(Log, LogFromAnotherEnvironmentOrCatalogueIsRejected) {
  const std::string path = make_log("compat.bin", "random", 2);
  LogData d = read_log(path);
  Config other = Config::parse_string("[env]\nnum_candidates = 6\nslate_size = 2\n");
  auto e6 = catalog::make_environment(other, 1);
  EXPECT_NE(error_of([&] { check_compatible(d.header, *e6, path); }).find("do not match"),
            std::string::npos);
  auto ex = catalog::make_environment(
      Config::parse_string("[env]\nname = \"interest_exploration\"\n"), 1);
  EXPECT_NE(
      error_of([&] {
        check_compatible(d.header, *ex, path);
      }).find("log was written for environment 'interest_evolution', not 'interest_exploration'"),
      std::string::npos);
  // Fixed corpus: another seed builds another catalogue.
  Config fc = Config::parse_string(
      "[env]\ncorpus_size = 50\nnum_candidates = 5\nslate_size = 2\nmax_steps = 4\n");
  const std::string fpath = make_log("fc.bin", "random", 2, fc);
  LogData fd = read_log(fpath);
  EXPECT_FALSE(fd.header.has_candidate_features);
  auto same = catalog::make_environment(fc, 3), diff = catalog::make_environment(fc, 4);
  EXPECT_NO_THROW(check_compatible(fd.header, *same, fpath));
  EXPECT_NE(error_of([&] { check_compatible(fd.header, *diff, fpath); }).find("fingerprint"),
            std::string::npos);
  EXPECT_NO_THROW(LoggedObservation(fd, same->catalogue()));
  EXPECT_NE(error_of([&] { LoggedObservation(fd, nullptr); }).find("catalogue is needed"),
            std::string::npos);
  fs::remove(path);
  fs::remove(fpath);
}

TEST(Policies, TemperatureAndBiasValidated) {
  Config cfg = Config::parse_string("[policy]\ntemperature = 0\n");
  auto env = catalog::make_environment(cfg, 1);
  sim::PolicyContext ctx{env.get(), &cfg, nullptr};
  EXPECT_EQ(error_of([&] { catalog::find_policy("softmax_myopic").make(ctx); }),
            "policy.temperature must be > 0, got 0.0");
  Config c2 = Config::parse_string("[policy]\nbias = 1.5\n");
  sim::PolicyContext ctx2{env.get(), &c2, nullptr};
  EXPECT_EQ(error_of([&] { catalog::find_policy("biased_softmax").make(ctx2); }),
            "policy.bias must be in [0.0, 1.0], got 1.5");
  Config c3 = Config::parse_string("[policy]\ntemprature = 0.5\n");
  sim::PolicyContext ctx3{env.get(), &c3, nullptr};
  EXPECT_NE(
      error_of([&] { catalog::find_policy("softmax_myopic").make(ctx3); }).find("did you mean"),
      std::string::npos);
}

}  // namespace
}  // namespace rlrec::logs
