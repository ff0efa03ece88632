// RLREC_CHECK(cond, msg...): a broken invariant is a bug in rlrec, not bad input. It prints
// file:line and the message to stderr and aborts. Never use it on user input (throw rlrec::Error).
#pragma once

#include <cstdio>
#include <cstdlib>

#include "rlrec/core/error.h"

#define RLREC_CHECK(cond, ...)                                                                  \
  do {                                                                                          \
    if (!(cond)) [[unlikely]] {                                                                 \
      std::fprintf(stderr, "%s:%d: internal check failed: %s: %s\n", __FILE__, __LINE__, #cond, \
                   ::rlrec::str_cat("" __VA_OPT__(, ) __VA_ARGS__).c_str());                    \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)
