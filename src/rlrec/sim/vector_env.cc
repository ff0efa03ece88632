#include "rlrec/sim/vector_env.h"

#include <algorithm>

#include "rlrec/core/error.h"
#include "rlrec/core/interrupt.h"
#include "rlrec/core/memory.h"

namespace rlrec::sim {

VectorEnv::VectorEnv(std::unique_ptr<Environment> env, int batch, uint64_t seed, ThreadPool* pool)
    : env_(std::move(env)), batch_(batch), seed_(seed), pool_(pool) {
  if (batch < 1) invalid_argument("batch size must be >= 1, got ", batch);
  const EnvSpec& s = env_->spec();
  N_ = s.num_candidates;
  K_ = s.slate_size;
  ids_present_ = !s.candidates_are_catalogue();
  quality_present_ = !s.candidates_are_catalogue();
  features_present_ = !s.fixed_corpus();
  const size_t B = batch;
  // The buffers below, before anything is allocated (core/memory.h): a huge batch is a one-line
  // error, not std::bad_alloc.
  const double per_slot = 4.0 * s.user_dim + (ids_present_ ? 8.0 * N_ : 0.0) +
                          (quality_present_ ? 4.0 * N_ : 0.0) +
                          (features_present_ ? 4.0 * N_ * s.item_dim : 0.0) +
                          4.0 * K_ * s.response_dim() + 26.0 + sizeof(Rng);
  check_memory(per_slot * static_cast<double>(B),
               str_cat("a batch of ", batch, " sessions of ", s.name, " (N = ", N_, ")"));
  user_.assign(B * s.user_dim, 0.f);
  if (ids_present_) ids_.assign(B * N_, 0);
  if (quality_present_) quality_.assign(B * N_, 0.f);
  if (features_present_) features_.assign(B * N_ * s.item_dim, 0.f);
  responses_.assign(B * K_ * s.response_dim(), 0.f);
  rewards_.assign(B, 0.0);
  terminated_.assign(B, 0);
  truncated_.assign(B, 0);
  choices_.assign(B, -1);
  steps_.assign(B, 0);
  episode_.assign(B, 0);
  rngs_.assign(B, Rng());
  env_->set_batch(batch);
}

SlotBuffers VectorEnv::buffers(int slot) {
  const EnvSpec& s = env_->spec();
  const size_t b = slot;
  SlotBuffers out;
  out.user = user_.data() + b * s.user_dim;
  if (ids_present_) out.candidate_ids = ids_.data() + b * N_;
  if (quality_present_) out.candidate_quality = quality_.data() + b * N_;
  if (features_present_) out.candidate_features = features_.data() + b * N_ * s.item_dim;
  out.responses = responses_.data() + b * K_ * s.response_dim();
  return out;
}

void VectorEnv::reset(int slot, uint64_t episode) {
  rngs_[slot] = Rng(seed_, episode);
  episode_[slot] = episode;
  steps_[slot] = 0;
  rewards_[slot] = 0;
  terminated_[slot] = truncated_[slot] = 0;
  choices_[slot] = -1;
  std::fill_n(responses_.begin() + static_cast<size_t>(slot) * K_ * env_->spec().response_dim(),
              K_ * env_->spec().response_dim(), 0.f);
  env_->reset(slot, rngs_[slot], buffers(slot));
}

void VectorEnv::reset_all(uint64_t first_episode) {
  auto body = [&](size_t begin, size_t end) {
    for (size_t b = begin; b < end; ++b) reset(static_cast<int>(b), first_episode + b);
  };
  if (pool_)
    pool_->parallel_for(batch_, body);
  else
    body(0, batch_);
}

void Environment::step_slots(const StepBatch& batch, int begin, int end) {
  const EnvSpec& s = spec();
  for (int b = begin; b < end; ++b) {
    if (!batch.is_active(b)) continue;
    const StepOutcome o = step(b, batch.slates + static_cast<size_t>(b) * s.slate_size,
                               batch.rngs[b], batch.slot(b, s));
    batch.reward[b] = o.reward;
    batch.choice[b] = o.choice;
    batch.terminated[b] = o.terminated;
  }
}

void VectorEnv::check_slate(int b, const int32_t* slate) const {
  // Small slates: pairwise check; large: a bitmap (rare, so allocation is acceptable here).
  for (int i = 0; i < K_; ++i) {
    const int32_t p = slate[i];
    if (p < 0 || p >= N_)
      invalid_argument("slate for user ", b, ": position ", p, " at slot ", i,
                       " is out of range (positions index the candidates: [0, ", N_, "))");
  }
  if (K_ <= 32) {
    for (int i = 0; i < K_; ++i)
      for (int j = 0; j < i; ++j)
        if (slate[i] == slate[j])
          invalid_argument("slate for user ", b, ": duplicate position ", slate[i], " at slots ", j,
                           " and ", i, " (a slate shows ", K_, " distinct candidates)");
  } else {
    std::vector<int32_t> seen(N_, -1);
    for (int i = 0; i < K_; ++i) {
      if (seen[slate[i]] >= 0)
        invalid_argument("slate for user ", b, ": duplicate position ", slate[i], " at slots ",
                         seen[slate[i]], " and ", i, " (a slate shows ", K_,
                         " distinct candidates)");
      seen[slate[i]] = i;
    }
  }
}

namespace {

// Whether a slate of k positions is valid for n candidates, without a message (the fast path of
// the per-step check; check_slate() explains a failure). Positions below 256 are tracked in a
// bitmap; larger ones (n > 256) are compared pairwise against the earlier ones.
bool slate_ok(const int32_t* slate, int k, int n) {
  uint64_t seen[4] = {0, 0, 0, 0};
  bool ok = true;
  for (int i = 0; i < k; ++i) {
    const auto p = static_cast<uint32_t>(slate[i]);
    ok &= p < static_cast<uint32_t>(n);
    if (p < 256) {
      const uint64_t bit = uint64_t{1} << (p & 63);
      ok &= (seen[p >> 6] & bit) == 0;
      seen[p >> 6] |= bit;
    } else {
      for (int j = 0; j < i; ++j) ok &= slate[j] != slate[i];
    }
  }
  return ok;
}

}  // namespace

void VectorEnv::step(const int32_t* slates, const uint8_t* active) {
  throw_if_interrupted();  // core/interrupt.h: a caller asked long calls to stop
  // Check every active slate before anything is stepped; on a failure, check_slate() names the
  // first bad row. Slates larger than 32 go straight to check_slate() (its bitmap).
  if (K_ <= 32) {
    bool ok = true;
    for (int b = 0; b < batch_; ++b)
      if (!active || active[b]) ok &= slate_ok(slates + static_cast<size_t>(b) * K_, K_, N_);
    if (!ok)
      for (int b = 0; b < batch_; ++b)
        if (!active || active[b]) check_slate(b, slates + static_cast<size_t>(b) * K_);
  } else {
    for (int b = 0; b < batch_; ++b)
      if (!active || active[b]) check_slate(b, slates + static_cast<size_t>(b) * K_);
  }
  StepBatch batch;
  batch.slates = slates;
  batch.active = active;
  batch.rngs = rngs_.data();
  batch.user = user_.data();
  if (ids_present_) batch.candidate_ids = ids_.data();
  if (features_present_) batch.candidate_features = features_.data();
  if (quality_present_) batch.candidate_quality = quality_.data();
  batch.responses = responses_.data();
  batch.reward = rewards_.data();
  batch.choice = choices_.data();
  batch.terminated = terminated_.data();
  const int max_steps = env_->spec().max_steps;
  auto body = [&](size_t begin, size_t end) {
    env_->step_slots(batch, static_cast<int>(begin), static_cast<int>(end));
    for (size_t b = begin; b < end; ++b) {
      if (active && !active[b]) continue;
      ++steps_[b];
      truncated_[b] = !terminated_[b] && steps_[b] >= max_steps;
    }
  };
  if (pool_ && pool_->size() > 1 && batch_ > 1)
    pool_->parallel_for(batch_, body);
  else
    body(0, batch_);
}

Observation VectorEnv::observation(const uint8_t* active) const {
  const EnvSpec& s = env_->spec();
  Observation o;
  o.batch = batch_;
  o.num_candidates = N_;
  o.slate_size = K_;
  o.user_dim = s.user_dim;
  o.item_dim = s.item_dim;
  o.user = user_.data();
  o.candidate_ids = ids_present_ ? ids_.data() : nullptr;
  o.candidate_features = features_present_ ? features_.data() : nullptr;
  o.candidate_quality = quality_present_ ? quality_.data() : nullptr;
  o.catalogue = env_->catalogue();
  o.active = active;
  o.response_dim = s.response_dim();
  o.episode_step = steps_.data();
  o.last_responses = responses_.data();
  o.last_choice = choices_.data();
  return o;
}

}  // namespace rlrec::sim
