// Validation of the movielens_seq user simulator (datasim.h; issue 17 item 3): does the simulator
// fitted to a rating log reproduce the log's sequential effect on users it was not fitted on?
//
// The environment (built from `cfg`'s [env] section with env.name = movielens_seq and `seed`)
// fits its history terms on the users not held out. Every held-out user re-rates her own logged
// item sequence with the simulator (datasim::simulate_heldout_sequences: the first w ratings are
// the logged ones, the rest simulated with the fitted noise). sequence_effect.h's statistic (the
// slope of the next rating's deviation from the user's mean on the recent n ratings' deviation,
// with bootstrap CIs over users) is measured on the held-out users' logged ratings and on their
// simulated ratings: the simulator reproduces the effect when the two slopes' CIs overlap. The
// same statistic on a static-MF user (the history terms set to 0, noise sd kept) is the
// reference that shows what the history terms add.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "rlrec/core/config.h"
#include "rlrec/datasim/datasim.h"
#include "rlrec/experiment/sequence_effect.h"

namespace rlrec::experiment {

struct SeqValidationResult {
  datasim::HistoryTerms terms;  // as the environment fitted (or read) them
  int64_t heldout_users = 0;
  SequenceEffectResult logged, simulated, static_mf;
};

// Throws rlrec::Error for a bad [env] section or sequence options (sequence_effect.h).
SeqValidationResult validate_sequence_simulator(const Config& cfg, uint64_t seed,
                                                const SequenceEffectOptions& options);
nlohmann::json to_json(const SeqValidationResult& r);

}  // namespace rlrec::experiment
