#include "examples/long_range/report.h"

#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "examples/long_range/charts.h"

namespace tapegrad::long_range {

namespace {

// A time in the unit that keeps 3 significant digits readable.
std::string format_seconds(double seconds) {
    if (seconds < 1e-3) return fmt::format("{:.0f} µs", seconds * 1e6);
    if (seconds < 1) return fmt::format("{:.1f} ms", seconds * 1e3);
    return fmt::format("{:.2f} s", seconds);
}

std::string reach_csv(const LongRangeResults& results) {
    std::string out = "model,moment,distance,reach\n";
    for (const ReachCurve& curve : results.reach)
        for (std::size_t d = 0; d < curve.reach.size(); ++d)
            out += fmt::format("{},{},{},{:.6e}\n", curve.model, curve.moment, d, curve.reach[d]);
    return out;
}

std::string distance_csv(const LongRangeResults& results) {
    std::string out = "model,distance,accuracy,final_loss,seconds\n";
    for (const ModelDistanceResult& r : results.distances)
        out += fmt::format("{},{},{:.4f},{:.4f},{:.3f}\n", r.model, r.result.distance, r.result.accuracy,
                           r.result.final_loss, r.result.seconds);
    return out;
}

std::string step_time_csv(const LongRangeResults& results) {
    std::string out = "model,length,threads,seconds,sequential_steps\n";
    for (const StepTime& t : results.step_times)
        out += fmt::format("{},{},{},{:.6f},{}\n", t.model, t.length, t.threads, t.seconds, t.sequential_steps);
    return out;
}

std::string decode_time_csv(const LongRangeResults& results) {
    std::string out = "decoder,output_length,seconds\n";
    for (const DecodeTime& t : results.decode_times)
        out += fmt::format("{},{},{:.6f}\n", t.decoder, t.output_length, t.seconds);
    return out;
}

}  // namespace

std::string summary_markdown(const LongRangeResults& results) {
    std::string out;
    out += fmt::format("Parameters: Transformer {}, LSTM {} (hidden size {}).\n\n", results.transformer_parameters,
                       results.lstm_parameters, results.lstm_hidden_size);

    out += "Gradient reach ‖∂y_last / ∂x_(last−d)‖:\n\n| model, moment |";
    std::vector<std::size_t> shown;
    const std::size_t length = results.reach.empty() ? 0 : results.reach.front().reach.size();
    for (std::size_t d : {1, 10, 50, 100, 250, 500, 1000})
        if (d < length) shown.push_back(d);
    if (length > 1 && (shown.empty() || shown.back() != length - 1)) shown.push_back(length - 1);
    for (std::size_t d : shown) out += fmt::format(" d = {} |", d);
    out += "\n|---|";
    for (std::size_t k = 0; k < shown.size(); ++k) out += "---:|";
    out += "\n";
    for (const ReachCurve& curve : results.reach) {
        out += fmt::format("| {}, {} |", curve.model, curve.moment);
        for (std::size_t d : shown) out += fmt::format(" {:.2e} |", d < curve.reach.size() ? curve.reach[d] : 0.0);
        out += "\n";
    }

    out += "\nLearning rate chosen at the shortest distance (Adam; the best accuracy, on a tie the smaller rate):\n\n"
           "| model | learning rate | accuracy | final loss |\n|---|---:|---:|---:|\n";
    for (const LearningRateTrial& trial : results.learning_rate_trials) {
        const double chosen = trial.model == "LSTM" ? results.lstm_learning_rate : results.transformer_learning_rate;
        out += fmt::format("| {} | {:g}{} | {:.3f} | {:.3f} |\n", trial.model, trial.learning_rate,
                           trial.learning_rate == chosen ? " (chosen)" : "", trial.result.accuracy, trial.result.final_loss);
    }

    out += fmt::format("\nRecall accuracy after {} steps of {} sequences (chance {:.3f}):\n\n"
                       "| distance d | model | accuracy | final loss | training time |\n|---:|---|---:|---:|---:|\n",
                       results.budget.steps, results.budget.batch,
                       results.vocab_size > 0 ? 1.0 / static_cast<double>(results.vocab_size) : 0.0);
    for (const ModelDistanceResult& r : results.distances)
        out += fmt::format("| {} | {} | {:.3f} | {:.3f} | {} |\n", r.result.distance, r.model, r.result.accuracy,
                           r.result.final_loss, format_seconds(r.result.seconds));

    out += "\nOne training step (forward + backward):\n\n"
           "| T | model | 1 thread | 2 threads | speed-up | sequential steps |\n|---:|---|---:|---:|---:|---:|\n";
    std::map<std::pair<int64_t, std::string>, std::map<int, const StepTime*>> steps;
    for (const StepTime& t : results.step_times) steps[{t.length, t.model}][t.threads] = &t;
    for (const auto& [key, per_threads] : steps) {
        const StepTime* one = per_threads.contains(1) ? per_threads.at(1) : nullptr;
        const StepTime* two = per_threads.contains(2) ? per_threads.at(2) : nullptr;
        const StepTime* any = one ? one : two;
        out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", key.first, key.second,
                           one ? format_seconds(one->seconds) : "–", two ? format_seconds(two->seconds) : "–",
                           one && two && two->seconds > 0 ? fmt::format("{:.2f}×", one->seconds / two->seconds) : "–",
                           any->sequential_steps);
    }

    out += "\nGreedy decoding (no early stop):\n\n| output tokens | decoder | time |\n|---:|---|---:|\n";
    for (const DecodeTime& t : results.decode_times)
        out += fmt::format("| {} | {} | {} |\n", t.output_length, t.decoder, format_seconds(t.seconds));
    return out;
}

void write_results(const std::filesystem::path& directory, const LongRangeResults& results) {
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) throw std::runtime_error(fmt::format("long_range: cannot create '{}': {}", directory.string(), error.message()));
    write_file_atomically(directory / "reach.svg", reach_svg(results));
    write_file_atomically(directory / "distance.svg", distance_svg(results));
    write_file_atomically(directory / "step_time.svg", step_time_svg(results));
    write_file_atomically(directory / "decode_time.svg", decode_time_svg(results));
    write_file_atomically(directory / "reach.csv", reach_csv(results));
    write_file_atomically(directory / "distance.csv", distance_csv(results));
    write_file_atomically(directory / "step_time.csv", step_time_csv(results));
    write_file_atomically(directory / "decode_time.csv", decode_time_csv(results));
    write_file_atomically(directory / "summary.md", summary_markdown(results));
}

}  // namespace tapegrad::long_range
