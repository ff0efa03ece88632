#include "rlrec/experiment/seq_validation.h"

#include <algorithm>

#include "rlrec/core/error.h"

namespace rlrec::experiment {

SeqValidationResult validate_sequence_simulator(const Config& cfg, uint64_t seed,
                                                const SequenceEffectOptions& options) {
  const std::string name = cfg.get_string("env", "name").value_or("");
  if (name != "movielens_seq")
    invalid_argument("the sequence validation needs env.name = \"movielens_seq\", got '", name,
                     "'");
  auto env = datasim::make_movielens_seq(cfg, seed);
  const datasim::RatingData& d = *datasim::rating_data_of(*env);
  SeqValidationResult r;
  r.terms = *datasim::history_terms_of(*env);
  r.heldout_users = std::count(r.terms.heldout.begin(), r.terms.heldout.end(), uint8_t{1});
  if (r.heldout_users == 0)
    invalid_argument("the sequence validation needs held-out users: env.history_holdout is ",
                     format_double(datasim::read_seq_config(cfg).history_holdout),
                     "; set it in (0, 1)");
  data::InteractionLog logged;
  const data::InteractionLog sim = datasim::simulate_heldout_sequences(d, r.terms, seed, &logged);
  r.logged = measure_sequence_effect(logged, options);
  r.simulated = measure_sequence_effect(sim, options);
  datasim::HistoryTerms flat = r.terms;
  flat.c0 = flat.c1 = flat.c2 = flat.c3 = 0;
  r.static_mf =
      measure_sequence_effect(datasim::simulate_heldout_sequences(d, flat, seed, nullptr), options);
  return r;
}

nlohmann::json to_json(const SeqValidationResult& r) {
  const auto& t = r.terms;
  return {{"terms",
           {{"window", t.window},
            {"fitted", t.fitted},
            {"events", t.events},
            {"fit_users", t.fit_users},
            {"intercept", t.c0},
            {"mood", t.c1},
            {"recent_quality", t.c2},
            {"similarity", t.c3},
            {"noise_sd", t.noise_sd},
            {"r2", t.r2}}},
          {"heldout_users", r.heldout_users},
          {"logged", to_json(r.logged)},
          {"simulated", to_json(r.simulated)},
          {"static_mf", to_json(r.static_mf)}};
}

}  // namespace rlrec::experiment
