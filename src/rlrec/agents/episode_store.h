// Logged episodes as training data for policy-gradient agents (part of the agent kit; torch-free).
//   LogEventIndex  per-event quantities of a log (logs::LogData), extended as episodes arrive:
//                    ret[i]         R_i = Σ_{t=i}^{i+H−1} γ^{t−i} r_t within i's episode (H =
//                                   horizon; 0 = to the episode's end), as float
//                    click_rank[i]  events with a choice before i (over the whole log)
//                    ep_click0[i]   click_rank at the start of i's episode
//                    clicked        the events with a choice, in order
//                  (an episode ends at terminated, truncated or the log's last event).
//   EpisodeStore   an agent's own served episodes (online training): whole episodes are appended
//                  (episode ids 0, 1, ...), indexed as above, and trimmed to the most recent whole
//                  episodes totalling at most `capacity` events once the store exceeds 1.5 x
//                  capacity; saved and loaded as an rlrec log (logs/log.h), a checkpoint part.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rlrec/logs/log.h"

namespace rlrec::agents {

struct LogEventIndex {
  std::vector<float> ret;
  std::vector<int64_t> click_rank, ep_click0, clicked;
  void clear() { *this = LogEventIndex(); }
  // Extends the index over events [from, d.size) of d; `from` is 0 or an episode start after the
  // events already indexed.
  void extend(const logs::LogData& d, int64_t from, double gamma, int64_t horizon);
};

class EpisodeStore {
 public:
  EpisodeStore(int64_t capacity, double gamma, int64_t horizon)
      : capacity_(capacity), gamma_(gamma), horizon_(horizon) {}

  logs::LogHeader& header() { return data_.header; }
  const logs::LogData& data() const { return data_; }
  const LogEventIndex& index() const { return index_; }

  // Appends one finished episode (its records get the next episode id) and clears `episode`.
  void append_episode(std::vector<logs::LogRecord>& episode);

  void save(const std::string& path) const;
  // Reads a store written by save(); rejects one logged on another environment (kInvalidArgument).
  void load(const std::string& path, const sim::Environment& env);

 private:
  void trim();
  int64_t capacity_;
  double gamma_;
  int64_t horizon_;
  logs::LogData data_;
  LogEventIndex index_;
  uint64_t next_episode_ = 0;
};

}  // namespace rlrec::agents
