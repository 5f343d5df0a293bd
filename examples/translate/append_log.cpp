// Splitting CSV lines, and cutting an append-only log back to what a (resumed) run continues from.
#include "examples/translate/append_log.h"

#include <charconv>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "base/atomic_file.h"

namespace tapegrad::translate {

namespace fs = std::filesystem;

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = line.find(',', start);
        fields.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (comma == std::string_view::npos) return fields;
        start = comma + 1;
    }
}

std::vector<std::string_view> complete_lines(std::string_view content, std::string_view* torn_tail) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    for (std::size_t newline; (newline = content.find('\n', start)) != std::string_view::npos; start = newline + 1) {
        std::string_view line = content.substr(start, newline - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // tolerate CRLF
        lines.push_back(line);
    }
    *torn_tail = content.substr(start);
    return lines;
}

void prepare_append_log(const fs::path& path, const std::string& header, const AppendLogOptions& options) {
    if (!fs::exists(path) || fs::file_size(path) == 0) {
        write_file_atomically(path, header + "\n");
        return;
    }
    const std::string content = read_file(path, kMaxAppendLogBytes);
    std::string_view torn_tail;
    const std::vector<std::string_view> lines = complete_lines(content, &torn_tail);
    if (lines.empty()) {  // only a torn header
        write_file_atomically(path, header + "\n");
        return;
    }
    const std::string_view old_header = lines.front();
    const bool extended = old_header != header && header.size() > old_header.size() &&
                          std::string_view(header).substr(0, old_header.size()) == old_header &&
                          header[old_header.size()] == ',';
    if (old_header != header && !extended)
        throw std::runtime_error(fmt::format(
            "{}: '{}' has header '{}' but this run logs '{}'; use another directory or move the old log",
            options.owner, path.string(), old_header, header));
    // Each new column is one more comma-separated field at the end of every row.
    const std::string new_fields(static_cast<std::size_t>(split_fields(header).size() - split_fields(old_header).size()),
                                 ',');

    std::string kept = header + "\n";
    bool changed = extended || !torn_tail.empty();
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        if (line.empty()) continue;
        if (options.keep_rows_up_to_step) {
            const std::string_view step_field = split_fields(line).front();
            int64_t step = 0;
            const auto [end, error] = std::from_chars(step_field.data(), step_field.data() + step_field.size(), step);
            if (error != std::errc() || end != step_field.data() + step_field.size())
                throw std::runtime_error(fmt::format("{}: '{}' line {}: the step is not an integer: '{}'", options.owner,
                                                     path.string(), i + 1, step_field));
            if (step > *options.keep_rows_up_to_step) {
                changed = true;
                continue;
            }
        }
        kept.append(line).append(extended ? new_fields : "").push_back('\n');
    }
    if (changed) write_file_atomically(path, kept);
}

}  // namespace tapegrad::translate
