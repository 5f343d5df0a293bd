// What every bench subcommand shares: its entry-point signature, option parsing, timing, peak memory,
// and one-JSON-object-per-line output.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

namespace tapegrad::bench {

// A subcommand's entry point: the arguments after its name. Returns the process exit status.
using SubcommandMain = int (*)(const std::vector<std::string>& args);

// Parses `args` into `values` and runs the options' notifiers. Returns false after printing the help
// when --help was given (the subcommand then exits 0); throws on unknown or missing options. Every
// subcommand also accepts --gemm tapegrad|blas, which selects the GEMM backend for the run.
bool parse_options(const boost::program_options::options_description& options, const std::vector<std::string>& args,
                   boost::program_options::variables_map& values);

// Wall time of one call of `run`, in milliseconds, over `repeats` samples: the median (what results
// report) and the fastest (the least disturbed by other processes on a shared machine). A warm-up call
// comes first; each sample then times as many back-to-back calls as make it last at least
// `min_sample_ms`, so that microsecond-scale calls are not lost in timer noise.
struct Timing {
    double median_ms = 0;
    double min_ms = 0;
};
Timing time_calls(const std::function<void()>& run, int repeats, double min_sample_ms = 20.0);

// Milliseconds since `start` on the steady clock (a std::chrono::steady_clock::now() reading).
double milliseconds_since(std::chrono::steady_clock::time_point start);

// Median, fastest and slowest of a set of samples (e.g. one wall time per training step).
struct Summary {
    double median = 0;
    double min = 0;
    double max = 0;
};
Summary summarize(std::vector<double> samples);

// The process's peak resident set so far, in MiB (getrusage's ru_maxrss), as PyTorch's side reports it.
double peak_rss_mib();

// Writes `record` as one line of JSON on stdout (what scripts collecting results read), with the GEMM
// backend that ran it ("gemm": "tapegrad" or "blas") added.
void print_json_line(const nlohmann::json& record);

}  // namespace tapegrad::bench
