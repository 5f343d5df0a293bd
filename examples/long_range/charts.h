// The figures of examples/long_range, as SVG documents (drawn with the translate example's line panels).
#pragma once

#include <string>

#include "examples/long_range/results.h"

namespace tapegrad::long_range {

// ‖∂y_last/∂x_{last−d}‖ against d, log scale, one line per model and moment.
std::string reach_svg(const LongRangeResults& results);
// Recall accuracy after the fixed budget against the distance d, one line per model, chance marked.
std::string distance_svg(const LongRangeResults& results);
// Training-step time against T (1 and 2 threads), the speed-up of the second thread, and the number of
// sequential steps, one panel each.
std::string step_time_svg(const LongRangeResults& results);
// Greedy decoding time against the output length: Transformer with and without KV cache, LSTM.
std::string decode_time_svg(const LongRangeResults& results);

}  // namespace tapegrad::long_range
