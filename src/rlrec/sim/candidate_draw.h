// Fresh-item candidate draws of RecSim's samplers (interest_evolution's UtilityModelVideoSampler):
// n items, each a topic c ~ Uniform{0..T-1} (Rng::uniform_int) then a quality
// q = float(N(means[c], stddev)) (Rng::normal), consumed from the session's stream in that order.
//
// draw_topic_quality() is the plain loop over one stream. draw_topic_quality_x4() does the same for
// four independent streams at once with AVX2 (4 x 64-bit lanes: xoshiro256++, Lemire's multiply,
// the ziggurat's fast path), where the CPU has AVX2 (checked at run time; the build stays portable).
// Its outputs and the streams' states afterwards are bit-identical to four calls of the plain loop:
// every floating operation is the scalar one in the same order (no FMA), and a draw that leaves the
// fast path in any lane (ziggurat wedge or tail, about 1.2% of draws; a Lemire rejection, about
// T / 2^64) is redone for all four lanes from their states before it by the scalar code.
#pragma once

#include <cstdint>

#include "rlrec/core/rng.h"

namespace rlrec::sim {

struct TopicQualityDraw {
  int n = 0;                     // items per stream
  int num_topics = 1;            // T >= 1
  const double* means = nullptr;  // T topic quality means
  double stddev = 0;
};

// One stream: for i < n: topic[i] = rng.uniform_int(T); quality[i] = float(rng.normal(means[c], sd)).
inline void draw_topic_quality(const TopicQualityDraw& d, Rng& rng, int32_t* topic,
                               float* quality) {
  Rng r = rng;  // a local copy: its state stays in registers while the buffers are written
  for (int i = 0; i < d.n; ++i) {
    const int c = static_cast<int>(r.uniform_int(static_cast<uint64_t>(d.num_topics)));
    topic[i] = c;
    quality[i] = static_cast<float>(r.normal(d.means[c], d.stddev));
  }
  rng = r;
}

// Whether draw_topic_quality_x4 runs the AVX2 code on this CPU (else it loops over the streams).
bool simd_candidate_draws();

// Four streams: draw_topic_quality(d, *rngs[l], topic[l], quality[l]) for l = 0..3, same results.
void draw_topic_quality_x4(const TopicQualityDraw& d, Rng* const rngs[4], int32_t* const topic[4],
                           float* const quality[4]);

}  // namespace rlrec::sim
