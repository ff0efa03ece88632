#include "rlrec/eval/ranking_metrics.h"
