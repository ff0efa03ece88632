// Ranking metrics (placeholder; being written).
#pragma once
