// Fresh-item candidate draws of RecSim's samplers (interest_evolution's UtilityModelVideoSampler):
// n items, each a topic c ~ Uniform{0..T-1} (Rng::uniform_int) then a quality
// q = float(N(means[c], stddev)) (Rng::normal), consumed from the session's stream in that order.
//
// draw_topic_quality() is the plain loop over one stream. draw_topic_quality_x4() does the same for
// four independent streams at once with AVX2, one stream per 64-bit lane, where the CPU has AVX2
// (checked at run time; the build stays portable): xoshiro256++ (Blackman & Vigna 2021, "Scrambled
// Linear Pseudorandom Number Generators"), Lemire's multiply for the topic (Lemire 2019, "Fast
// Random Integer Generation in an Interval") and the fast path of the ziggurat (Marsaglia & Tsang
// 2000, "The Ziggurat Method for Generating Random Variables"), exactly as core/rng.h computes
// them. Its outputs and the streams' states afterwards are bit-identical to four calls of the plain
// loop: every floating operation is the scalar one in the same order (no FMA), and in a lane whose
// draw leaves the fast path (ziggurat wedge or tail, about 1.2% of draws; a possible Lemire
// rejection, about T / 2^64) the item is redone by the scalar code from that lane's state before
// it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "rlrec/core/rng.h"

namespace rlrec::sim {

struct TopicQualityDraw {
  int n = 0;                      // items per stream
  int num_topics = 1;             // T >= 1
  const double* means = nullptr;  // T topic quality means
  double stddev = 0;
};

// Item i's topic becomes c. With one_hot (n rows of T floats, the items' one-hot features), the
// row's 1 moves from the previous topic (topic[i] on entry) to c: the redraw updates the feature
// rows in the same pass instead of clearing and rewriting them in two more.
inline void set_item_topic(int32_t* topic, float* one_hot, int T, int i, int c) {
  if (one_hot) {
    float* row = one_hot + static_cast<size_t>(i) * T;
    row[topic[i]] = 0.f;
    row[c] = 1.f;
  }
  topic[i] = c;
}

// One stream: for i < n: c = rng.uniform_int(T), set_item_topic(topic, one_hot, T, i, c),
// quality[i] = float(rng.normal(means[c], sd)). one_hot may be nullptr.
inline void draw_topic_quality(const TopicQualityDraw& d, Rng& rng, int32_t* topic, float* quality,
                               float* one_hot = nullptr) {
  Rng r = rng;  // a local copy: its state stays in registers while the buffers are written
  for (int i = 0; i < d.n; ++i) {
    const int c = static_cast<int>(r.uniform_int(static_cast<uint64_t>(d.num_topics)));
    set_item_topic(topic, one_hot, d.num_topics, i, c);
    quality[i] = static_cast<float>(r.normal(d.means[c], d.stddev));
  }
  rng = r;
}

// Whether draw_topic_quality_x4 runs the AVX2 code on this CPU (else it loops over the streams).
bool simd_candidate_draws();

// Four streams: draw_topic_quality(d, *rngs[l], topic[l], quality[l], one_hot[l]) for l = 0..3,
// same results. one_hot may be nullptr (no feature rows).
void draw_topic_quality_x4(const TopicQualityDraw& d, Rng* const rngs[4], int32_t* const topic[4],
                           float* const quality[4], float* const one_hot[4] = nullptr);

}  // namespace rlrec::sim
