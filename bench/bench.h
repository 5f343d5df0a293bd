// What every bench subcommand shares: its entry-point signature, timing, and one-JSON-object-per-line output.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tapegrad::bench {

// A subcommand's entry point: the arguments after its name. Returns the process exit status.
using SubcommandMain = int (*)(const std::vector<std::string>& args);

// Wall time of one call of `run`, in milliseconds, over `repeats` samples: the median (what results
// report) and the fastest (the least disturbed by other processes on a shared machine). A warm-up call
// comes first; each sample then times as many back-to-back calls as make it last at least
// `min_sample_ms`, so that microsecond-scale calls are not lost in timer noise.
struct Timing {
    double median_ms = 0;
    double min_ms = 0;
};
Timing time_calls(const std::function<void()>& run, int repeats, double min_sample_ms = 20.0);

// Writes `record` as one line of JSON on stdout (what scripts collecting results read).
void print_json_line(const nlohmann::json& record);

}  // namespace tapegrad::bench
