// Logged interaction data: what a behaviour policy showed, what users did, and the propensities
// behind it, for off-policy learning (agents/topk_reinforce) and off-policy evaluation (ope/).
// The byte-level specification is docs/logs.md; this header is the contract.
//
// A log is one file: a header, then one record per step of one user session ("event"). The records
// of an episode are contiguous and in step order (0, 1, 2, ...), and every episode ends with a
// record that is terminated or truncated, so a reader can rebuild each step's full Observation:
//   user features, candidates (ids, and features in fresh-items mode; in fixed-corpus mode the
//   features come from the catalogue, rebuilt from the header's env config + env_seed and checked
//   against catalogue_fingerprint), episode_step = step, and last_responses / last_choice = the
//   previous record of the same episode (zeros / -1 at step 0).
// With the observation rebuilt, any target policy's act()/slot_probabilities() can be evaluated on
// the logged context, exactly as the simulator would have shown it.
//
// Propensities (all of the behaviour policy, on this step's observation; -1 = unknown):
//   slate_propensity  P(the whole slate, in this order)          (Policy::slate_probability)
//   marginal[k]       P(slate[k] is shown in slot k)              (Policy::slot_probabilities)
//   inclusion[k]      P(slate[k] is shown in any slot) = Σ_j P(slate[k] in slot j)
//   conditional[k]    P(slate[k] in slot k | slate[0..k-1] in slots 0..k-1): the Plackett-Luce
//                     factor of sequential sampling without replacement; the slate propensity is
//                     their product. Computed as slate_probability(prefix..k) / slate_probability(
//                     prefix..k-1) when the policy only gives slate probabilities; -1 if unknown.
// Deterministic policies report one-hot probabilities (propensity 1) where they can.
//
// Binary, little-endian, no padding between fields (docs/logs.md):
//   file    = "RLRECLOG" u32 version u32 meta_len meta[meta_len] u32 config_len config[config_len]
//             record*
//   meta    = TOML text, section [log] (LogHeader fields below)
//   config  = TOML text of the experiment config that built the environment (its [env] section)
//   record  = u32 0x32434552 ("REC2") u32 payload_len payload u32 fnv1a32(payload)
//   payload = varint episode, zigzag step, floats user[U], zigzag id deltas[N] (if
//             has_candidate_ids), floats features[N*D] (if has_candidate_features), zigzag
//             slate[K], floats responses[K*R], zigzag choice, f64 reward, u8 flags (1 terminated,
//             2 truncated), bitmap of the known propensities (slate_propensity, marginal[K],
//             inclusion[K], conditional[K]; unknown = -1) and their f64 values
//   floats  = u8 reference (0: zeros; 1: the previous record's vector, within an episode), a bitmap
//             of the values that differ from it bitwise, then those f32 values
// Every value is stored exactly (a log reads back bit for bit). Version 1 (fixed-size records of
// raw values, "REC1") is still read, and written when the header's format_version is 1.
// Errors: a malformed file throws rlrec::Error(kCorrupt) "FILE: record R (byte offset O): problem"
// (R counts from 0); a header mismatch with an environment throws kInvalidArgument naming both.
//
// Thread-safety: LogWriter and LogReader are single-threaded objects; LogData is immutable after
// read_log and may be read from many threads.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rlrec/core/config.h"
#include "rlrec/core/output.h"
#include "rlrec/sim/environment.h"
#include "rlrec/sim/policy.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::logs {

constexpr uint32_t kFormatVersion = 2;  // written by default; versions 1 and 2 are read

struct LogHeader {
  uint32_t format_version = kFormatVersion;
  std::string env;           // environment registry name (EnvSpec::name)
  std::string policy;        // behaviour policy name
  uint64_t env_seed = 0;     // VectorEnv seed (and the catalogue's seed in fixed-corpus mode)
  uint64_t policy_seed = 0;  // episode e used policy stream Rng(policy_seed, e)
  uint64_t catalogue_fingerprint = 0;  // Catalogue::fingerprint, 0 in fresh-items mode
  int num_candidates = 0, slate_size = 0, user_dim = 0, item_dim = 0;  // N, K, U, D
  std::vector<std::string> response_fields;                            // R = size
  bool has_candidate_ids = true;       // false when the candidates are the whole catalogue
  bool has_candidate_features = true;  // true in fresh-items mode (no catalogue to look up)
  std::string env_config;              // TOML: the experiment config that built the env

  int response_dim() const { return static_cast<int>(response_fields.size()); }
  // Bytes of one version-1 record's payload for these dimensions (fixed size).
  int64_t payload_bytes() const;
  // The largest payload a record of this header's format_version can have.
  int64_t max_payload_bytes() const;
};

// The header describing logs of `env` (built from `config` with `env_seed`).
LogHeader make_header(const sim::Environment& env, const Config& config, uint64_t env_seed,
                      std::string policy, uint64_t policy_seed);

// Throws kInvalidArgument ("LOG: log was written for environment 'a', not 'b'" / dimension or
// catalogue fingerprint mismatch) when the log cannot describe `env`. `what` names the log file.
void check_compatible(const LogHeader& header, const sim::Environment& env,
                      const std::string& what);

// One event. Vectors are sized by the header (features empty when not stored, ids empty when the
// candidates are the catalogue).
struct LogRecord {
  uint64_t episode = 0;
  int32_t step = 0;
  std::vector<float> user;                // U
  std::vector<int64_t> candidate_ids;     // N or empty
  std::vector<float> candidate_features;  // N x D or empty
  std::vector<int32_t> slate;             // K positions into the candidates
  std::vector<float> responses;           // K x R
  int32_t choice = -1;                    // slot or -1
  double reward = 0;
  bool terminated = false, truncated = false;
  double slate_propensity = -1;
  std::vector<double> marginal, inclusion, conditional;  // K each, -1 = unknown
};

class LogWriter {
 public:
  // Claims `path` (core/output.h: an exclusive lock on "path.lock", so a second writer of the same
  // log gets a one-line error naming the first) and writes the header. An existing `path` is
  // replaced only if it is an rlrec log, or with `force` a regular file; never a directory, device,
  // fifo or socket. Records go to a unique temporary file beside `path` until close(), which
  // flushes it and renames it, so a crashed or interrupted run never leaves a valid-looking partial
  // log (SIGINT/SIGTERM remove the temporary file where install_cleanup_handlers() ran).
  LogWriter(std::string path, LogHeader header, bool force = false);
  ~LogWriter();  // without close(): removes the temporary file
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;
  // Throws kInvalidArgument if the record's sizes do not match the header.
  void write(const LogRecord& r);
  void close();
  int64_t records() const { return records_; }
  const LogHeader& header() const { return header_; }

 private:
  std::string path_;
  LogHeader header_;
  std::optional<OutputLock> lock_;
  std::optional<TempFile> tmp_file_;
  std::string tmp_;
  std::ofstream os_;
  void encode_v1(const LogRecord& r);
  void encode_v2(const LogRecord& r);
  std::vector<char> buf_;
  LogRecord prev_;  // the previous record's vectors (version-2 deltas)
  int64_t records_ = 0;
  bool closed_ = false;
};

// Streams records with full validation: magic, lengths, checksum, finite values, slate positions
// distinct and in [0, N), choice in [-1, K), propensities in (0, 1] or -1, episode contiguity and
// step order, no episode left unfinished at the end of the file.
class LogReader {
 public:
  explicit LogReader(std::string path);  // reads and validates the header
  const LogHeader& header() const { return header_; }
  // Reads the next record into r; false at a clean end of file.
  bool next(LogRecord& r);
  int64_t records_read() const { return index_; }

 private:
  [[noreturn]] void fail(const std::string& problem) const;
  void decode_v1(LogRecord& r);
  void decode_v2(LogRecord& r, uint32_t len);
  std::string path_;
  LogHeader header_;
  std::ifstream is_;
  std::vector<char> buf_;
  int64_t index_ = 0, offset_ = 0, record_offset_ = 0;
  uint64_t episode_ = 0;
  int32_t last_step_ = -1;
  bool episode_open_ = false;
  std::vector<float> prev_user_, prev_features_, prev_responses_;  // version-2 deltas
  std::vector<int64_t> prev_ids_;
};

// A whole log in memory, column by column (row i = record i); for training and estimators.
struct LogData {
  LogHeader header;
  int64_t size = 0;
  std::vector<uint64_t> episode;
  std::vector<int32_t> step, slate, choice;      // slate: size x K
  std::vector<float> user, features, responses;  // size x U, size x N x D (or empty), size x K x R
  std::vector<int64_t> ids;                      // size x N (or empty)
  std::vector<double> reward, slate_propensity, marginal, inclusion, conditional;  // K per row
  std::vector<uint8_t> terminated, truncated;

  const float* user_row(int64_t i) const { return user.data() + i * header.user_dim; }
  const int32_t* slate_row(int64_t i) const { return slate.data() + i * header.slate_size; }
  // The row's item id at candidate position p.
  int64_t item_id(int64_t i, int p) const {
    return ids.empty() ? p : ids[static_cast<size_t>(i * header.num_candidates + p)];
  }
};
LogData read_log(const std::string& path);
// Appends one record as the last row (no validation: for in-memory stores of valid records).
void append(LogData& data, const LogRecord& r);
// Row i as a record (to write a LogData back to a file).
LogRecord record_at(const LogData& data, int64_t i);

// Rebuilds the batch-1 Observation the behaviour policy saw at record i (pointers into `data` and
// into this object's buffers; valid until the next call). `catalogue` is required when the log does
// not store candidate features (fixed-corpus mode) and must match the header's fingerprint.
class LoggedObservation {
 public:
  LoggedObservation(const LogData& data, const sim::Catalogue* catalogue);
  const sim::Observation& at(int64_t i);

 private:
  const LogData& data_;
  const sim::Catalogue* catalogue_;
  sim::Observation obs_;
  std::vector<float> last_responses_;
  int32_t last_choice_ = -1, step_ = 0;
};

// Runs `policy` for `episodes` episodes in `env` (episode e: env stream Rng(env seed, e), policy
// stream Rng(policy_seed, e), as eval::run_episodes) and writes every step to `writer`, with the
// propensities the policy can compute (slot_probabilities / slate_probability on the observation
// act() saw). Episodes are buffered per slot and written whole, in episode-completion order.
struct CollectStats {
  int64_t episodes = 0, steps = 0;
  double return_sum = 0;
  bool propensities = false;  // the policy reported slot probabilities
};
CollectStats collect_log(sim::VectorEnv& env, sim::Policy& policy, int64_t episodes,
                         uint64_t policy_seed, LogWriter& writer);

}  // namespace rlrec::logs
