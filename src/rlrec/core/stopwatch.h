// Wall time for the timing fields of results (seconds, steps/s): never an input to a result.
#pragma once

#include <chrono>

namespace rlrec {

// Seconds elapsed on the steady clock since t0.
inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace rlrec
