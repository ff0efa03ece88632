// Factories of the DRR variants (drr.cc) and a torch-free test hook for the state modules.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rlrec/agents/agent.h"

namespace rlrec::agents {

std::unique_ptr<Agent> make_drr_n(const AgentContext& ctx);
std::unique_ptr<Agent> make_drr_p(const AgentContext& ctx);
std::unique_ptr<Agent> make_drr_u(const AgentContext& ctx);
std::unique_ptr<Agent> make_drr_ave(const AgentContext& ctx);
std::string drr_n_defaults();
std::string drr_p_defaults();
std::string drr_u_defaults();
std::string drr_ave_defaults();

// Test hook: builds state module `kind` (n | p | u | ave) for history length n, embedding dim D and
// raw user dim U, runs it on a random batch of `batch` states, backpropagates sum(s) and reports
// the output shape and the gradient norm of every weight tensor (name, norm).
struct DrrStateModuleCheck {
  int64_t rows = 0, cols = 0;  // output shape
  int expected_cols = 0;       // the paper's dimension for this module
  std::vector<std::pair<std::string, double>> grad_norms;
};
DrrStateModuleCheck drr_check_state_module(const std::string& kind, int n, int D, int U, int batch);

}  // namespace rlrec::agents
