// What every fuzz target shares: an invariant check that stops the run (libFuzzer saves the input), the
// exception-type policy, and a scratch directory for readers that take a path.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

namespace tapegrad::fuzz {

// A broken invariant: print it and abort, which libFuzzer reports as a crash and saves the input for.
[[noreturn]] inline void fail(std::string_view what) {
    std::fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
    std::abort();
}

inline void require(bool condition, std::string_view what) {
    if (!condition) fail(what);
}

// A documented error must say where it came from: its message contains `source` and (unless a reader
// documents a list, as load_state_dict's mismatches) is one line.
inline void require_message_names(const std::exception& error, std::string_view source, bool one_line = true) {
    const std::string_view message = error.what();
    if (message.find(source) == std::string_view::npos || (one_line && message.find('\n') != std::string_view::npos)) {
        std::fprintf(stderr, "error message: %s\n", error.what());
        fail("the error message does not name its source on one line");
    }
}

// A directory of this process's own under /dev/shm (memory, so a file per execution costs little), created
// on first use and removed at exit.
inline const std::filesystem::path& scratch_directory() {
    static const std::filesystem::path directory = [] {
        const std::filesystem::path base =
            std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm") : std::filesystem::temp_directory_path();
        std::filesystem::path path = base / ("tapegrad-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(path);
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all(scratch_directory(), ignored);
        });
        return path;
    }();
    return directory;
}

inline void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!file) fail("cannot write the scratch file");
}

inline std::string_view as_text(const uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace tapegrad::fuzz
