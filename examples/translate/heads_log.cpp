// heads.csv: per-head attention statistics at every evaluation, and its reader for heads.svg.
#include "examples/translate/heads_log.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "base/atomic_file.h"
#include "examples/translate/append_log.h"

namespace tapegrad::translate {

namespace fs = std::filesystem;

HeadsLog::HeadsLog(const fs::path& directory, std::optional<int64_t> keep_rows_up_to_step)
    : path_(directory / "heads.csv") {
    std::error_code error;
    fs::create_directories(directory, error);
    if (error)
        throw std::runtime_error(
            fmt::format("HeadsLog: cannot create directory '{}': {}", directory.string(), error.message()));
    prepare_append_log(path_, header(), {.keep_rows_up_to_step = keep_rows_up_to_step, .owner = "HeadsLog"});
    file_.open(path_, std::ios::out | std::ios::app);
    if (!file_) throw std::runtime_error(fmt::format("HeadsLog: cannot open '{}' for appending", path_.string()));
}

std::string HeadsLog::header() { return "step," + nn::head_statistics_csv_header(); }

void HeadsLog::append(int64_t step, const std::vector<nn::HeadStatistics>& heads) {
    for (const nn::HeadStatistics& head : heads) file_ << step << ',' << nn::head_statistics_csv_row(head) << '\n';
    file_.flush();
    if (!file_)
        throw std::runtime_error(fmt::format("HeadsLog::append: cannot write step {} to '{}'", step, path_.string()));
}

std::vector<HeadEntropySeries> read_heads_log(const fs::path& path) {
    const std::string content = read_file(path, kMaxAppendLogBytes);
    std::string_view torn_tail;  // a crash mid-row: ignored
    const std::vector<std::string_view> lines = complete_lines(content, &torn_tail);
    std::vector<HeadEntropySeries> series;
    if (lines.empty()) return series;
    if (lines.front() != HeadsLog::header())
        throw std::runtime_error(fmt::format("read_heads_log: '{}' line 1: header '{}' is not heads.csv's '{}'",
                                             path.string(), lines.front(), HeadsLog::header()));
    // step,kind,layer,head,rows,entropy,...: the fields read all come before the quoted description.
    constexpr std::size_t step_field = 0, kind_field = 1, layer_field = 2, head_field = 3, entropy_field = 5;
    for (std::size_t line_number = 2; line_number <= lines.size(); ++line_number) {
        const std::string_view line = lines[line_number - 1];
        if (line.empty()) continue;
        const std::vector<std::string_view> fields = split_fields(line);
        if (fields.size() <= entropy_field)
            throw std::runtime_error(fmt::format("read_heads_log: '{}' line {}: expected at least {} fields, got {}",
                                                 path.string(), line_number, entropy_field + 1, fields.size()));
        auto integer = [&](std::size_t index) {
            int64_t value = 0;
            const std::string_view field = fields[index];
            const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
            if (error != std::errc() || end != field.data() + field.size())
                throw std::runtime_error(fmt::format("read_heads_log: '{}' line {}: field {} is not an integer: '{}'",
                                                     path.string(), line_number, index + 1, field));
            return value;
        };
        const auto step = static_cast<double>(integer(step_field));
        nn::AttentionKind kind;
        try {
            kind = nn::attention_kind_from_name(fields[kind_field]);
        } catch (const std::invalid_argument& error) {
            throw std::runtime_error(fmt::format("read_heads_log: '{}' line {}: {}", path.string(), line_number, error.what()));
        }
        const int64_t layer = integer(layer_field), head = integer(head_field);
        double entropy = std::numeric_limits<double>::quiet_NaN();  // empty: no row had a choice to make
        if (const std::string_view field = fields[entropy_field]; !field.empty()) {
            const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), entropy);
            if (error != std::errc() || end != field.data() + field.size())
                throw std::runtime_error(fmt::format("read_heads_log: '{}' line {}: the entropy is not a number: '{}'",
                                                     path.string(), line_number, field));
        }

        auto found = std::find_if(series.begin(), series.end(), [&](const HeadEntropySeries& s) {
            return s.kind == kind && s.layer == layer && s.head == head;
        });
        if (found == series.end()) found = series.insert(series.end(), {.kind = kind, .layer = layer, .head = head, .entropy = {}});
        // A re-logged evaluation supersedes the older rows from its step on.
        while (!found->entropy.empty() && found->entropy.back().first >= step) found->entropy.pop_back();
        if (!std::isnan(entropy)) found->entropy.emplace_back(step, entropy);
    }
    return series;
}

}  // namespace tapegrad::translate
