#include "rlrec/agents/offline.h"

namespace rlrec::agents {

OfflineLearner* as_offline_learner(Agent& agent) { return dynamic_cast<OfflineLearner*>(&agent); }

}  // namespace rlrec::agents
