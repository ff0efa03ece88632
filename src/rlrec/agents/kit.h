// The agent kit: the glue every learning agent needs, written once. Torch-free (the torch parts of
// a checkpoint are added through nn.h: nn::add_module, nn::add_optimizer). Beside this header:
// replay.h (uniform and prioritized replay), history.h (session history), dqn_config.h, targets.h
// and ddpg.h (TD targets, DDPG losses), slate_optim.h, item_search.h (catalogue kNN),
// slate_serving.h (Boltzmann serving with propensities), episode_store.h (own episodes, returns).
//
//   RowSlots<Row>   per-row bookkeeping between act() and observe(): grows with the batch, marks a
//                   row as acted, hands it back exactly once in observe() (RLREC_CHECK otherwise),
//                   forgets pending rows after load().
//   UserState       the network's user input: the observation's user vector, followed by the
//                   session statistics of history.h when history features are on (one session
//                   history per row), with the next state's vector for a transition.
//   AgentBase       what every learning agent keeps (name, environment, RNG stream, training flag,
//                   step and update counters, checkpoint) and the Agent methods that follow from
//                   it (name, set_training, save, load); the agent supplies meta().
//   read_agent_config, agent_as   the factory's config reading and the test hooks' cast.
//   Checkpoint      a declarative checkpoint: the agent lists its parts once (files written and
//                   read by callbacks: networks, optimizers, replay buffers, RNGs, counters);
//                   save(dir) writes meta.toml (checkpoint_meta.h), every part and manifest.json;
//                   load(dir) checks meta.toml, then the manifest (format version, part list, size
//                   and FNV-1a 64 checksum of every part file) before reading any part.
//
// Manifest (manifest.json written and verified by core/manifest.h, one part per line):
//   {"format": 1, "agent": "slateq", "parts": [
//    {"file": "online.pt", "bytes": 1234, "fnv1a64": "0123456789abcdef"},
//    ...]}
// Load errors are one line naming the file and the mismatch, e.g. (kCorrupt)
//   "DIR/replay.bin: 30 bytes, the checkpoint manifest says 5120"
//   "DIR/online.pt: checksum 0x.. differs from the checkpoint manifest's 0x.."
//   "DIR/manifest.json: format 2, this build reads format 1"
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "rlrec/agents/agent.h"
#include "rlrec/agents/checkpoint_meta.h"
#include "rlrec/agents/history.h"
#include "rlrec/core/check.h"
#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::agents {

class ReplayBuffer;
class PrioritizedSampler;

// ------------------------------------------------------------------------------------ row slots
// Row: the agent's per-row scratch (what act() remembers for observe()). `init` sizes a new row.
template <class Row>
class RowSlots {
 public:
  explicit RowSlots(std::function<void(Row&)> init = {}) : init_(std::move(init)) {}

  // Grows to at least B rows (new rows made by init); existing rows are kept.
  void ensure(int B) {
    while (static_cast<int>(rows_.size()) < B) {
      rows_.emplace_back();
      if (init_) init_(rows_.back().row);
    }
  }
  int size() const { return static_cast<int>(rows_.size()); }
  Row& operator[](int b) { return rows_[b].row; }
  const Row& operator[](int b) const { return rows_[b].row; }

  // act(): row b waits for its observe().
  void mark_acted(int b) { rows_[b].acted = true; }
  // observe(): row b, which must have acted since its last observe().
  Row& take(int b) {
    RLREC_CHECK(b < size() && rows_[b].acted, "observe() without act() for row ", b);
    rows_[b].acted = false;
    return rows_[b].row;
  }
  // After load(): no row waits any more; `reset` (if given) clears what else a row keeps pending.
  void forget_pending(const std::function<void(Row&)>& reset = {}) {
    for (auto& s : rows_) {
      s.acted = false;
      if (reset) reset(s.row);
    }
  }

 private:
  struct Slot {
    Row row;
    bool acted = false;
  };
  std::function<void(Row&)> init_;
  std::vector<Slot> rows_;
};

// ------------------------------------------------------------------------------------ candidates
// Row b's candidate features in position order (N x D floats) to out.
inline void copy_candidate_features(const sim::Observation& obs, int b, float* out) {
  const size_t D = obs.item_dim;
  for (int p = 0; p < obs.num_candidates; ++p)
    std::copy(obs.item_features(b, p), obs.item_features(b, p) + D, out + p * D);
}
// The features of the K items of row b's slate (positions into its candidates) to out (K x D).
inline void copy_slate_features(const sim::Observation& obs, int b, const int32_t* slate, int K,
                                float* out) {
  const size_t D = obs.item_dim;
  for (int i = 0; i < K; ++i)
    std::copy(obs.item_features(b, slate[i]), obs.item_features(b, slate[i]) + D, out + i * D);
}

// ------------------------------------------------------------------------------------ user state
// The user input of value-based agents: [observation user vector (obs_dim), session statistics
// (SessionHistory::dim(), only with history features)].
class UserState {
 public:
  UserState(const sim::EnvSpec& spec, bool history_features)
      : obs_dim_(spec.user_dim),
        history_(spec.slate_size, spec.response_dim()),
        on_(history_features) {}

  int obs_dim() const { return obs_dim_; }
  int dim() const { return obs_dim_ + (on_ ? history_.dim() : 0); }
  bool history_features() const { return on_; }

  // Call once per act() for each active row: advances the row's session and fills its vector.
  void advance(const sim::Observation& obs, int b) {
    ensure(b + 1);
    float* u = &buf_[static_cast<size_t>(b) * dim()];
    std::copy(obs.user_row(b), obs.user_row(b) + obs_dim_, u);
    if (on_) {
      history_.advance(obs, b);
      seen_ = std::max(seen_, b + 1);
      std::copy(history_.features(b), history_.features(b) + history_.dim(), u + obs_dim_);
    }
  }
  // Row b's vector from the last advance().
  const float* row(int b) const { return &buf_[static_cast<size_t>(b) * dim()]; }

  // The next state's vector of row b after this step (choice, the slate's responses).
  void next(const sim::Observation& next_obs, int b, int choice, const float* responses,
            float* out) const {
    std::copy(next_obs.user_row(b), next_obs.user_row(b) + obs_dim_, out);
    if (on_) history_.next_features(b, choice, responses, out + obs_dim_);
  }

  // Row b's vector for `obs` without advancing its session (zeros if it has none yet).
  void peek(const sim::Observation& obs, int b, float* out) const {
    std::fill(out, out + dim(), 0.f);
    std::copy(obs.user_row(b), obs.user_row(b) + obs_dim_, out);
    if (on_ && b < seen_)
      std::copy(history_.features(b), history_.features(b) + history_.dim(), out + obs_dim_);
  }

 private:
  void ensure(int B) {
    if (buf_.size() < static_cast<size_t>(B) * dim()) buf_.resize(static_cast<size_t>(B) * dim());
  }
  int obs_dim_;
  SessionHistory history_;
  bool on_;
  int seen_ = 0;  // rows whose session statistics exist
  std::vector<float> buf_;
};

// ------------------------------------------------------------------------------------ checkpoint
class Checkpoint {
 public:
  static constexpr int kFormat = 1;
  using Writer = std::function<void(const std::string& path)>;
  using Reader = std::function<void(const std::string& path)>;

  // `meta` is called at save and load time (it may depend on the agent's state).
  explicit Checkpoint(std::function<CheckpointMeta()> meta) : meta_(std::move(meta)) {}

  // A part: the file `file` in the checkpoint directory, written by `save` and read by `load`.
  Checkpoint& part(std::string file, Writer save, Reader load);
  Checkpoint& replay(std::string file, ReplayBuffer& replay);
  Checkpoint& priorities(std::string file, PrioritizedSampler& sampler);
  // The agent's RNG and its two counters (environment steps, gradient updates).
  Checkpoint& counters(std::string file, Rng& rng, int64_t& env_steps, int64_t& updates);
  // Called after every part has loaded (e.g. to forget pending rows).
  Checkpoint& after_load(std::function<void()> f);

  void save(const std::string& dir) const;
  void load(const std::string& dir) const;

  std::vector<std::string> files() const;

 private:
  struct Part {
    std::string file;
    Writer save;
    Reader load;
  };
  std::function<CheckpointMeta()> meta_;
  std::vector<Part> parts_;
  std::vector<std::function<void()>> after_load_;
};

// ------------------------------------------------------------------------------------ agent base
class AgentBase : public Agent {
 public:
  std::string_view name() const override { return name_; }
  void set_training(bool training) override { training_ = training; }
  void save(const std::string& dir) const override { ckpt_.save(dir); }
  void load(const std::string& dir) override { ckpt_.load(dir); }

 protected:
  // The agent's RNG is Rng(ctx.seed, hash_name(stream)).
  AgentBase(std::string name, const AgentContext& ctx, const char* stream)
      : name_(std::move(name)), env_(ctx.env), rng_(ctx.seed, hash_name(stream)) {}
  // What meta.toml records and load() requires (checkpoint_meta.h).
  virtual CheckpointMeta meta() const = 0;

  std::string name_;
  const sim::Environment* env_;
  Rng rng_;
  bool training_ = false;
  int64_t env_steps_ = 0, updates_ = 0;
  // The derived agent lists its parts in its constructor (they refer to its members).
  Checkpoint ckpt_{[this] { return meta(); }};
};

// The shapes most agents record in meta.toml: user_dim (the agent's user input), then the spec's
// item_dim, num_candidates and slate_size.
inline std::vector<std::pair<std::string, int64_t>> slate_shapes(int64_t user_dim,
                                                                 const sim::EnvSpec& spec) {
  return {{"user_dim", user_dim},
          {"item_dim", spec.item_dim},
          {"num_candidates", spec.num_candidates},
          {"slate_size", spec.slate_size}};
}

// ------------------------------------------------------------------------------------ factories
// An agent's config: `cfg` (its defaults and the variant's presets) overridden by ctx.config's
// [ctx.section] (unknown keys rejected), then validated: cfg.validate(section), or
// cfg.validate(section, env spec) where the config checks against the environment.
template <class Cfg>
Cfg read_agent_config(const AgentContext& ctx, Cfg cfg = Cfg()) {
  read_section(*ctx.config, ctx.section, cfg);
  if constexpr (requires { cfg.validate(ctx.section, ctx.env->spec()); })
    cfg.validate(ctx.section, ctx.env->spec());
  else
    cfg.validate(ctx.section);
  return cfg;
}

// `agent` as the concrete agent class T (for test hooks); kInvalidArgument "agent 'x' is not a
// KIND agent" otherwise.
template <class T>
T& agent_as(Agent& agent, const char* kind) {
  auto* a = dynamic_cast<T*>(&agent);
  if (!a) invalid_argument("agent '", agent.name(), "' is not a ", kind, " agent");
  return *a;
}

}  // namespace rlrec::agents
