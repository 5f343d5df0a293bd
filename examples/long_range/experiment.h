// One whole run of examples/long_range: the three measurements in order, each model built from the same
// seed, with a line of progress per measurement on `progress`.
#pragma once

#include <ostream>

#include "examples/long_range/results.h"
#include "examples/long_range/settings.h"

namespace tapegrad::long_range {

// Throws std::invalid_argument naming the setting when the settings cannot run (a distance longer than
// the Transformer's max_length − 1, no distances, a thread count below 1).
LongRangeResults run_long_range(const LongRangeSettings& settings, std::ostream& progress);

}  // namespace tapegrad::long_range
