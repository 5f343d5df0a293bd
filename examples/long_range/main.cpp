// long_range: attention against recurrence, measured on tapegrad (docs/long_range.md).
//
//   long_range [--out DIR] [--seed N] [--steps N] [--distances 10,50,...] [--quick]
//
// Trains and times a Transformer encoder and an LSTM of about the same parameter count, and writes into
// DIR the figures (reach.svg, distance.svg, step_time.svg, decode_time.svg), their data as CSV, and
// summary.md with the tables.
#include <iostream>
#include <sstream>
#include <string>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "examples/long_range/experiment.h"
#include "examples/long_range/report.h"

namespace po = boost::program_options;
using namespace tapegrad::long_range;

namespace {

std::vector<int64_t> parse_distances(const std::string& text) {
    std::vector<int64_t> distances;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        std::size_t used = 0;
        int64_t value = 0;
        try {
            value = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size())
            throw std::invalid_argument(fmt::format("long_range: --distances: '{}' is not a whole number (expected e.g. 10,50,100)", item));
        distances.push_back(value);
    }
    return distances;
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description options("long_range: attention against recurrence, measured (docs/long_range.md)\nOptions");
    options.add_options()
        ("help,h", "print this help")
        ("out", po::value<std::string>()->default_value("long_range_results"), "directory for the figures, CSV files and summary.md")
        ("seed", po::value<uint64_t>()->default_value(0), "seed of the models and the data")
        ("steps", po::value<int64_t>(), "training steps per model and distance (full: 300)")
        ("distances", po::value<std::string>(), "recall distances, comma-separated (full: 10,50,100,250,500,1000)")
        ("parts", po::value<std::string>()->default_value("learning,timing"),
         "what to run: learning (learning-rate choice, recall at each distance, gradient reach), timing (training "
         "step and decoding times; best on an idle machine), or both")
        ("quick", "tiny models and lengths, a few steps: the smoke test's settings (seconds)");
    try {
        po::variables_map arguments;
        po::store(po::parse_command_line(argc, argv, options), arguments);
        po::notify(arguments);
        if (arguments.count("help")) {
            std::cout << options << "\n";
            return 0;
        }
        LongRangeSettings settings = arguments.count("quick") ? quick_settings() : full_settings();
        settings.seed = arguments["seed"].as<uint64_t>();
        if (arguments.count("steps")) settings.budget.steps = arguments["steps"].as<int64_t>();
        if (arguments.count("distances")) settings.distances = parse_distances(arguments["distances"].as<std::string>());

        const std::string parts = arguments["parts"].as<std::string>();
        if (parts != "learning" && parts != "timing" && parts != "learning,timing" && parts != "timing,learning")
            throw std::invalid_argument(fmt::format("long_range: --parts: '{}' is not learning, timing or learning,timing", parts));
        settings.learning = parts.find("learning") != std::string::npos;
        settings.timing = parts.find("timing") != std::string::npos;

        const LongRangeResults results = run_long_range(settings, std::cout);
        const std::string directory = arguments["out"].as<std::string>();
        write_results(directory, results);
        std::cout << "\n" << summary_markdown(results) << fmt::format("\nwrote the figures, CSV files and summary.md to {}/\n", directory);
        return 0;
    } catch (const po::error& error) {
        std::cerr << "long_range: " << error.what() << "\n(see long_range --help)\n";
        return 2;
    } catch (const std::exception& error) {
        std::cerr << error.what() << "\n";
        return 1;
    }
}
