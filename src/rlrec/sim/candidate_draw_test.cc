#include "rlrec/sim/candidate_draw.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace rlrec::sim {
namespace {

// draw_topic_quality_x4 must give exactly the plain per-stream loop: the same topics, the same
// quality bits and the same stream states afterwards, over many draws (so the ziggurat's wedge and
// tail fall-backs are exercised) and several topic counts and spreads.
TEST(CandidateDraw, FourStreamsAtOnceMatchOneAtATime) {
  RecordProperty("simd", simd_candidate_draws() ? "avx2" : "none (scalar loop)");
  struct Case {
    int n, topics;
    double stddev;
  };
  for (const Case c : {Case{10, 20, 0.1}, Case{100, 20, 0.1}, Case{7, 1, 1.0}, Case{33, 4096, 3.0},
                       Case{1, 3, 0.0}}) {
    std::vector<double> means(c.topics);
    for (int t = 0; t < c.topics; ++t) means[t] = -3.0 + 0.37 * t;
    const TopicQualityDraw d{c.n, c.topics, means.data(), c.stddev};
    std::vector<Rng> plain, grouped;
    for (int l = 0; l < 4; ++l) {
      plain.emplace_back(11, 100 + l);
      grouped.emplace_back(11, 100 + l);
    }
    std::vector<int32_t> topic_a(4 * c.n), topic_b(4 * c.n);
    std::vector<float> quality_a(4 * c.n), quality_b(4 * c.n);
    // One-hot feature rows, moved by the draws (one case draws without them).
    const size_t row = static_cast<size_t>(c.n) * c.topics;
    std::vector<float> one_hot_a(4 * row, 0.f), one_hot_b(4 * row, 0.f);
    int64_t tails = 0;
    for (int round = 0; round < 2000; ++round) {
      const bool with_features = c.n != 7;
      for (int l = 0; l < 4; ++l)
        draw_topic_quality(d, plain[l], &topic_a[l * c.n], &quality_a[l * c.n],
                           with_features ? &one_hot_a[l * row] : nullptr);
      Rng* rngs[4];
      int32_t* topics[4];
      float* qualities[4];
      float* features[4];
      for (int l = 0; l < 4; ++l) {
        rngs[l] = &grouped[l];
        topics[l] = &topic_b[l * c.n];
        qualities[l] = &quality_b[l * c.n];
        features[l] = &one_hot_b[l * row];
      }
      draw_topic_quality_x4(d, rngs, topics, qualities, with_features ? features : nullptr);
      if (with_features) {
        // Each row holds exactly one 1, at the item's topic (the previous draw's was cleared).
        for (int l = 0; l < 4; ++l)
          for (int i = 0; i < c.n; ++i)
            for (int t = 0; t < c.topics; ++t)
              ASSERT_EQ(one_hot_a[l * row + static_cast<size_t>(i) * c.topics + t],
                        t == topic_a[l * c.n + i] ? 1.f : 0.f);
        ASSERT_EQ(one_hot_a, one_hot_b);
      }
      ASSERT_EQ(topic_a, topic_b) << "n " << c.n << " T " << c.topics << " round " << round;
      ASSERT_EQ(0,
                std::memcmp(quality_a.data(), quality_b.data(), quality_a.size() * sizeof(float)))
          << "n " << c.n << " T " << c.topics << " round " << round;
      for (int l = 0; l < 4; ++l) ASSERT_EQ(plain[l].state(), grouped[l].state());
      for (int i = 0; i < 4 * c.n; ++i) {
        ASSERT_GE(topic_a[i], 0);
        ASSERT_LT(topic_a[i], c.topics);
        tails += c.stddev > 0 && std::abs(quality_a[i] - means[topic_a[i]]) > 3.6 * c.stddev;
      }
    }
    if (c.n * c.stddev >= 10) {
      EXPECT_GT(tails, 0) << "the tail fall-back was not exercised";
    }
  }
}

}  // namespace
}  // namespace rlrec::sim
