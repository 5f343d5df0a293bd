// Whole-file reads and crash-safe whole-file writes, for checkpoints and other artifacts.
#pragma once

#include <cstddef>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>

namespace tapegrad {

// Replaces the file at `path` with `bytes` so that a reader (or a crash) sees either the old file or
// the complete new one, never a torn mix: the bytes go to a uniquely named temporary file in the same
// directory (same filesystem, so the rename is atomic), which is flushed and fsynced, renamed over
// `path`, and then the directory is fsynced so the rename itself is durable.
// The new file's permissions follow the umask (like an ordinary create).
// Throws std::runtime_error naming the path, the step that failed and strerror; the temporary file
// is removed on failure and `path` is left untouched.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// The whole content of the file at `path`, as bytes.
// Throws std::runtime_error naming the path and strerror when it cannot be opened or read, and naming the
// path and the limit when it holds more than `max_bytes` (checked before reading, and again while reading,
// so a file that grows or a device that never ends cannot make it allocate more).
std::string read_file(const std::filesystem::path& path,
                      std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

}  // namespace tapegrad
