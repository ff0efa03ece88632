// Memory bounds for sizes read from flags, TOML or Python: a size that drives a large allocation
// (episodes x per-episode results, replay capacity, corpus, bootstrap resamples, index items,
// network widths, log sizes) is checked against an estimate of the bytes it needs BEFORE anything
// is allocated, so that a typo such as run.episodes = 1e12 is a one-line error (exit 2) instead of
// std::bad_alloc or gigabytes of swap.
//
//   check_memory(8.0 * 3 * episodes, str_cat("run.episodes = ", episodes, " (per-episode
//   results)"));
//
// The limit is the machine's physical memory (MemTotal of /proc/meminfo); RLREC_MEMORY_LIMIT
// (bytes, for tests and for sharing a machine) lowers it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rlrec {

// Physical memory of this machine in bytes (MemTotal of /proc/meminfo; 0 when unknown).
uint64_t machine_memory_bytes();
// The limit check_memory compares with: machine_memory_bytes(), or RLREC_MEMORY_LIMIT when it is
// set to a smaller positive number of bytes (0 when neither is known: no limit).
uint64_t memory_limit_bytes();
// "1.5 GiB", "320 MiB", "12 KiB", "800 B".
std::string format_bytes(double bytes);
// Throws kInvalidArgument when `bytes_estimate` (a double: products of sizes do not overflow)
// exceeds memory_limit_bytes(): "WHAT needs about X of memory, more than this machine's Y
// (MemTotal); lower it". A NaN or infinite estimate is rejected as too large.
void check_memory(double bytes_estimate, std::string_view what);

// The same for a file about to be written: throws kInvalidArgument when `bytes_estimate` exceeds
// the space available to this user on the file system that will hold `path` (its directory):
// "WHAT needs about X of disk space, more than the Y free in DIR; lower it". Nothing when the
// space cannot be read (the write reports its own error then).
void check_disk(double bytes_estimate, const std::string& path, std::string_view what);

}  // namespace rlrec
