// The MF registry: one line per trainer kind.
#include "rlrec/core/registry.h"

#include <array>

#include "rlrec/models/als.h"
#include "rlrec/models/biased_sgd.h"
#include "rlrec/models/bpr.h"
#include "rlrec/models/mf.h"

namespace rlrec::models {

namespace {

template <class Trainer, class Config_>
std::unique_ptr<MfTrainer> create_shared(const Config& cfg, std::string_view section,
                                         const std::vector<std::string>& extra_keys) {
  Config_ c;
  std::vector<std::string> extra = extra_keys;
  extra.emplace_back("name");
  read_section(cfg, section, c, extra);
  c.validate(section);  // messages name this section's keys
  return std::make_unique<Trainer>(c);
}

template <class Trainer, class Config_>
std::unique_ptr<MfTrainer> create(const Config& cfg, std::string_view section) {
  return create_shared<Trainer, Config_>(cfg, section, {});
}

template <class Config_>
std::string defaults(std::string_view section, std::string_view name) {
  return dump_section(section, name, Config_{});
}

const std::array<MfKind, 3> kKinds = {{
    {"biased_sgd", "explicit ratings: mu + b_u + b_i + p_u.q_i by SGD (Koren et al. 2009)",
     Feedback::kExplicit, create<BiasedSgd, BiasedSgdConfig>,
     create_shared<BiasedSgd, BiasedSgdConfig>,
     [](std::string_view s) { return defaults<BiasedSgdConfig>(s, "biased_sgd"); }},
    {"als", "implicit feedback: weighted ALS with CG (Hu et al. 2008; Takacs et al. 2011)",
     Feedback::kImplicit, create<ImplicitAls, AlsConfig>, create_shared<ImplicitAls, AlsConfig>,
     [](std::string_view s) { return defaults<AlsConfig>(s, "als"); }},
    {"bpr", "implicit feedback: Bayesian personalized ranking by SGD (Rendle et al. 2009)",
     Feedback::kImplicit, create<Bpr, BprConfig>, create_shared<Bpr, BprConfig>,
     [](std::string_view s) { return defaults<BprConfig>(s, "bpr"); }},
}};

}  // namespace

std::span<const MfKind> mf_kinds() { return kKinds; }

const MfKind& mf_kind(std::string_view name) {
  return registry_lookup(mf_kinds(), name, "MF model");
}

std::unique_ptr<MfTrainer> make_mf_trainer(const Config& cfg, std::string_view section,
                                           std::string_view name) {
  return mf_kind(name).create(cfg, section);
}

}  // namespace rlrec::models
