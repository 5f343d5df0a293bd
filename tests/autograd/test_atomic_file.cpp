// write_file_atomically and read_file: contents, overwrite, no leftover temp files, clear errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "base/atomic_file.h"

namespace fs = std::filesystem;
using namespace tapegrad;

namespace {

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
struct ScratchDirectory {
    fs::path path;
    ScratchDirectory() {
        std::random_device random;
        path = fs::temp_directory_path() / ("tapegrad-atomic-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(random()));
        fs::create_directories(path);
    }
    ~ScratchDirectory() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& entry : fs::directory_iterator(path)) out.push_back(entry.path().filename().string());
        return out;
    }
};

}  // namespace

TEST_CASE("write_file_atomically writes bytes that read_file returns unchanged", "[atomic]") {
    ScratchDirectory dir;
    const fs::path file = dir.path / "data.bin";
    const std::string bytes("binary\0with\0nul\xff bytes", 23);
    write_file_atomically(file, bytes);
    CHECK(read_file(file) == bytes);
    CHECK(dir.names() == std::vector<std::string>{"data.bin"});
}

TEST_CASE("write_file_atomically replaces an existing file and leaves no temporary files", "[atomic]") {
    ScratchDirectory dir;
    const fs::path file = dir.path / "checkpoint.safetensors";
    write_file_atomically(file, std::string(100000, 'a'));
    write_file_atomically(file, "short");
    CHECK(read_file(file) == "short");
    write_file_atomically(file, "");
    CHECK(read_file(file).empty());
    CHECK(dir.names() == std::vector<std::string>{"checkpoint.safetensors"});
}

TEST_CASE("write_file_atomically handles a large file", "[atomic]") {
    ScratchDirectory dir;
    std::string bytes(3 << 20, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 % 251);
    write_file_atomically(dir.path / "big", bytes);
    CHECK(read_file(dir.path / "big") == bytes);
}

TEST_CASE("write_file_atomically works with a relative path in the current directory", "[atomic]") {
    ScratchDirectory dir;
    {
        // Restores the working directory even when the write throws.
        struct WorkingDirectory {
            fs::path previous = fs::current_path();
            ~WorkingDirectory() { fs::current_path(previous); }
        } restore;
        fs::current_path(dir.path);
        write_file_atomically("relative.txt", "here");
    }
    CHECK(read_file(dir.path / "relative.txt") == "here");
    CHECK(dir.names() == std::vector<std::string>{"relative.txt"});
}

TEST_CASE("write_file_atomically fails clearly for a missing directory", "[atomic]") {
    ScratchDirectory dir;
    const fs::path file = dir.path / "no-such-dir" / "out.bin";
    REQUIRE_THROWS_WITH(write_file_atomically(file, "x"),
                        Catch::Contains("write_file_atomically") && Catch::Contains(file.string()) &&
                            Catch::Contains("No such file or directory"));
    CHECK(dir.names().empty());
}

TEST_CASE("write_file_atomically fails clearly when the target is a directory and cleans up", "[atomic]") {
    ScratchDirectory dir;
    fs::create_directory(dir.path / "occupied");
    fs::create_directory(dir.path / "occupied" / "inner");  // a non-empty directory cannot be renamed over
    REQUIRE_THROWS_WITH(write_file_atomically(dir.path / "occupied", "x"),
                        Catch::Contains("rename") && Catch::Contains((dir.path / "occupied").string()));
    CHECK(dir.names() == std::vector<std::string>{"occupied"});
}

TEST_CASE("write_file_atomically rejects a path without a file name", "[atomic]") {
    ScratchDirectory dir;
    REQUIRE_THROWS_WITH(write_file_atomically(dir.path / "", "x"), Catch::Contains("does not name a file"));
}

TEST_CASE("read_file names the path when it cannot read", "[atomic]") {
    ScratchDirectory dir;
    const fs::path missing = dir.path / "missing.bin";
    REQUIRE_THROWS_WITH(read_file(missing), Catch::Contains("read_file") && Catch::Contains(missing.string()) &&
                                                Catch::Contains("No such file or directory"));
    REQUIRE_THROWS_WITH(read_file(dir.path), Catch::Contains("read_file") && Catch::Contains(dir.path.string()) &&
                                                 Catch::Contains("Is a directory"));
}

TEST_CASE("read_file refuses a file larger than its limit, naming the path and the limit", "[atomic]") {
    ScratchDirectory scratch;
    const fs::path path = scratch.path / "big";
    write_file_atomically(path, std::string(100, 'x'));
    REQUIRE(read_file(path, 100).size() == 100);  // exactly at the limit is fine
    REQUIRE_THROWS_WITH(read_file(path, 99), Catch::Contains(path.string()) && Catch::Contains("more than 99 bytes"));
}

TEST_CASE("read_file stops at its limit on a device that never ends", "[atomic]") {
    // /dev/zero reports size 0 to fstat, so only the check while reading can stop it.
    REQUIRE_THROWS_WITH(read_file("/dev/zero", 1 << 20), Catch::Contains("/dev/zero") && Catch::Contains("more than"));
}
