// Writing one run's results: the four SVG figures, a CSV file per measurement, and summary.md — the
// tables docs/long_range.md shows under each figure.
#pragma once

#include <filesystem>
#include <string>

#include "examples/long_range/results.h"

namespace tapegrad::long_range {

// The markdown tables: parameters, gradient reach at chosen distances, accuracy per distance, step times,
// decoding times.
std::string summary_markdown(const LongRangeResults& results);

// Writes into `directory` (created if missing), each file atomically: reach.svg, distance.svg,
// step_time.svg, decode_time.svg, reach.csv, distance.csv, step_time.csv, decode_time.csv, summary.md.
void write_results(const std::filesystem::path& directory, const LongRangeResults& results);

}  // namespace tapegrad::long_range
