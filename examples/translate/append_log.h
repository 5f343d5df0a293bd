// The append-only CSV logs of a training run (log.csv, heads.csv): splitting their lines, and making one
// ready for a new or resumed run to append to without duplicated or missing rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tapegrad::translate {

// The most a log read back may hold: 1 GiB, about ten million rows of log.csv — far more than any run
// writes, and a bound on what resuming or plotting a log someone handed us can allocate.
inline constexpr std::size_t kMaxAppendLogBytes = std::size_t{1} << 30;

// The fields of one CSV line split at every comma (no quoting: callers read only fields before any quoted one).
std::vector<std::string_view> split_fields(std::string_view line);

// The complete lines of a file's content (a trailing '\r' dropped); a final line without its newline — a row
// torn by a crash — is returned through `torn_tail` instead.
std::vector<std::string_view> complete_lines(std::string_view content, std::string_view* torn_tail);

struct AppendLogOptions {
    // Rows whose step (the first field) is greater are dropped: a run resuming from the checkpoint of this
    // step logs those steps again; a new run passes -1 and starts an empty log. Unset: every row is kept.
    std::optional<int64_t> keep_rows_up_to_step = std::nullopt;
    std::string_view owner = "log";  // names the caller in error messages, e.g. "MetricsLog"
};

// Makes the CSV file at `path` (its directory must exist) ready for appending rows under `header`:
//   no file, or an empty one     the header alone is written;
//   a torn last row              is cut off, so the next row starts on a line of its own;
//   rows past keep_rows_up_to_step  are dropped;
//   an older header that `header` extends with columns at the end (a log written before those columns
//                                existed): the header is replaced and every kept row gets empty fields for
//                                the new columns, so the file stays rectangular.
// Any change is written atomically (the old file or the new one, never a mix). Throws std::runtime_error
// naming the path — and the line, for a row whose step is not an integer — when the file cannot be read or
// written, holds more than kMaxAppendLogBytes, or when its header is neither `header` nor a prefix of it (it shows both).
void prepare_append_log(const std::filesystem::path& path, const std::string& header, const AppendLogOptions& options);

}  // namespace tapegrad::translate
