// log.csv: one row of training metrics per step, appended across resumed runs, and its reader for plots.
#include "examples/translate/metrics_log.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/atomic_file.h"
#include "examples/translate/append_log.h"

namespace tapegrad::translate {

namespace fs = std::filesystem;

const std::vector<std::string> metrics_log_fixed_columns = {"step",   "epoch",        "loss",     "lr",
                                                            "tokens", "tokens_per_s", "elapsed_s"};

namespace {

// A double in the shortest form that reads back exactly; "nan" / "inf" for non-finite values.
std::string format_value(double value) { return fmt::format("{}", value); }

}  // namespace

MetricsLog::MetricsLog(const fs::path& directory, MetricsLogOptions options)
    : path_(directory / "log.csv"), options_(std::move(options)) {
    if (options_.flush_every < 1)
        throw std::invalid_argument(fmt::format("MetricsLog: flush_every must be >= 1, got {}", options_.flush_every));
    std::vector<std::string> seen = metrics_log_fixed_columns;
    for (const auto& [kind, columns] : {std::pair{"eval", &options_.eval_columns}, std::pair{"health", &options_.health_columns}})
        for (const std::string& column : *columns) {
            if (column.empty() || column.find_first_of(",\"\n\r") != std::string::npos ||
                std::find(seen.begin(), seen.end(), column) != seen.end())
                throw std::invalid_argument(fmt::format(
                    "MetricsLog: {} column '{}' must be non-empty, unique and free of commas, quotes and newlines", kind,
                    column));
            seen.push_back(column);
        }

    std::error_code error;
    fs::create_directories(directory, error);
    if (error)
        throw std::runtime_error(fmt::format("MetricsLog: cannot create directory '{}': {}", directory.string(),
                                             error.message()));

    prepare_append_log(path_, header(), {.keep_rows_up_to_step = options_.keep_rows_up_to_step, .owner = "MetricsLog"});
    file_.open(path_, std::ios::out | std::ios::app);
    if (!file_) throw std::runtime_error(fmt::format("MetricsLog: cannot open '{}' for appending", path_.string()));
}

MetricsLog::~MetricsLog() {
    if (file_.is_open()) file_.flush();  // errors here have nowhere to go; append() reports them while running
}

std::string MetricsLog::header() const {
    std::string line;
    for (const std::string& column : metrics_log_fixed_columns) line += (line.empty() ? "" : ",") + column;
    for (const std::string& column : options_.eval_columns) line += "," + column;
    for (const std::string& column : options_.health_columns) line += "," + column;
    return line;
}

void MetricsLog::append(const MetricsRow& row) {
    for (const auto& [kind, values, columns] :
         {std::tuple{"eval", &row.eval, &options_.eval_columns}, std::tuple{"health", &row.health, &options_.health_columns}})
        for (const auto& [name, value] : *values)
            if (std::find(columns->begin(), columns->end(), name) == columns->end())
                throw std::invalid_argument(fmt::format(
                    "MetricsLog::append: step {} has {} value '{}', which is not one of the log's {} columns [{}]",
                    row.step, kind, name, kind, fmt::join(*columns, ", ")));

    std::string line = fmt::format("{},{},{},{},{},{:.1f},{:.3f}", row.step, row.epoch, format_value(row.loss),
                                   format_value(row.lr), row.tokens, row.tokens_per_s, row.elapsed_s);
    for (const auto& [values, columns] : {std::pair{&row.eval, &options_.eval_columns}, std::pair{&row.health, &options_.health_columns}})
        for (const std::string& column : *columns) {
            line += ',';
            if (auto found = values->find(column); found != values->end()) line += format_value(found->second);
        }
    file_ << line << '\n';
    if (++rows_since_flush_ >= options_.flush_every) flush();
    if (!file_) throw std::runtime_error(fmt::format("MetricsLog::append: cannot write step {} to '{}'", row.step,
                                                     path_.string()));
}

void MetricsLog::flush() {
    file_.flush();
    rows_since_flush_ = 0;
}

MetricsSeries read_metrics_log(const fs::path& path) {
    const std::string content = read_file(path, kMaxAppendLogBytes);
    std::string_view torn_tail;  // a crash mid-row: ignored
    const std::vector<std::string_view> lines = complete_lines(content, &torn_tail);
    MetricsSeries series;
    if (lines.empty()) return series;

    const std::vector<std::string_view> columns = split_fields(lines.front());
    // A column named twice would feed one series two values per step (found by tests/fuzz/fuzz_metrics_log).
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (std::find(columns.begin(), columns.begin() + static_cast<std::ptrdiff_t>(i), columns[i]) != columns.begin() + static_cast<std::ptrdiff_t>(i))
            throw std::runtime_error(fmt::format("read_metrics_log: '{}' line 1: column '{}' appears twice in header '{}'",
                                                 path.string(), columns[i], lines.front().substr(0, 200)));
    auto column_index = [&](std::string_view name) -> std::size_t {
        const auto found = std::find(columns.begin(), columns.end(), name);
        if (found == columns.end())
            throw std::runtime_error(fmt::format("read_metrics_log: '{}' line 1: no '{}' column in header '{}'",
                                                 path.string(), name, lines.front()));
        return static_cast<std::size_t>(found - columns.begin());
    };
    const std::size_t step_index = column_index("step");
    const std::size_t loss_index = column_index("loss");
    std::vector<std::pair<std::size_t, std::string>> other_indices;  // every column that is not a fixed one
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (std::find(metrics_log_fixed_columns.begin(), metrics_log_fixed_columns.end(), columns[i]) ==
            metrics_log_fixed_columns.end()) {
            other_indices.emplace_back(i, std::string(columns[i]));
            series.column_order.emplace_back(columns[i]);
        }

    for (std::size_t line_number = 2; line_number <= lines.size(); ++line_number) {
        const std::string_view line = lines[line_number - 1];
        if (line.empty()) continue;
        const std::vector<std::string_view> fields = split_fields(line);
        if (fields.size() != columns.size())
            throw std::runtime_error(fmt::format("read_metrics_log: '{}' line {}: expected {} fields, got {}",
                                                 path.string(), line_number, columns.size(), fields.size()));
        // Empty → NaN (an eval or health column on a step that did not measure it); "nan"/"inf" parse as themselves.
        auto number = [&](std::size_t index) {
            const std::string_view field = fields[index];
            if (field.empty()) return std::numeric_limits<double>::quiet_NaN();
            double value = 0.0;
            const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
            if (error != std::errc() || end != field.data() + field.size())
                throw std::runtime_error(fmt::format("read_metrics_log: '{}' line {}: column '{}' is not a number: '{}'",
                                                     path.string(), line_number, columns[index], field));
            return value;
        };
        const double step = number(step_index);
        if (fields[step_index].empty())
            throw std::runtime_error(
                fmt::format("read_metrics_log: '{}' line {}: the step is empty", path.string(), line_number));
        // "nan" and "inf" parse, and a NaN step would compare false against every earlier one.
        if (!(step >= 0 && step <= 1e12 && step == std::floor(step)))
            throw std::runtime_error(fmt::format("read_metrics_log: '{}' line {}: step '{}' is not an integer in [0, 1e12]",
                                                 path.string(), line_number, fields[step_index]));
        // A resumed run re-logging steps supersedes what the interrupted run logged from that step on.
        while (!series.loss.empty() && series.loss.back().first >= step) series.loss.pop_back();
        for (auto& [name, points] : series.columns)
            while (!points.empty() && points.back().first >= step) points.pop_back();

        series.loss.emplace_back(step, number(loss_index));
        for (const auto& [index, name] : other_indices)
            if (const double value = number(index); !std::isnan(value)) series.columns[name].emplace_back(step, value);
    }
    return series;
}

}  // namespace tapegrad::translate
