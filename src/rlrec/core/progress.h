// Progress: a progress bar on stderr, drawn only when stderr is a terminal (never in pipes, logs
// or CI), redrawn at most 10 times a second. Results never go to stderr, so scripts are unaffected.
// The total grows to `done` when more than `total` is done (never "8636/8000"). A bar with an
// empty label draws nothing (callers pass "" for no progress).
// Thread-safety: call advance() from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace rlrec {

class Progress {
 public:
  Progress(std::string label, uint64_t total);
  ~Progress();
  void advance(uint64_t n = 1);
  void set(uint64_t done);
  void finish();
  // Erases the line (to print something else on the terminal); the next set() redraws it.
  void clear();
  static bool enabled();  // stderr is a terminal and RLREC_NO_PROGRESS is unset

 private:
  void draw(bool final);
  std::string label_;
  uint64_t total_, done_ = 0;
  bool active_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace rlrec
