// Whole-file reads and crash-safe whole-file writes (temp file + fsync + rename + directory fsync).
#include "base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace tapegrad {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void throw_errno(const char* function, const char* step, const fs::path& path, int err) {
    throw std::runtime_error(fmt::format("{}: cannot {} '{}': {}", function, step, path.string(), std::strerror(err)));
}

// Owns a POSIX file descriptor; close() reports its error, the destructor only cleans up.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }
    // Returns 0 or the errno of a failed close (which can carry a delayed write error on NFS).
    int close() {
        const int result = ::close(fd_);
        fd_ = -1;
        return result == 0 ? 0 : errno;
    }

private:
    int fd_;
};

// Writes all of bytes, retrying short writes and EINTR; returns 0 or the errno.
int write_all(int fd, std::string_view bytes) {
    const char* cursor = bytes.data();
    std::size_t remaining = bytes.size();
    while (remaining > 0) {
        // Linux writes at most ~2 GiB per call; ask for less and loop.
        const ssize_t written = ::write(fd, cursor, std::min<std::size_t>(remaining, std::size_t{1} << 30));
        if (written < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        cursor += written;
        remaining -= static_cast<std::size_t>(written);
    }
    return 0;
}

// ".name.tmp-<pid>-<n>-<t>": hidden, next to the target, and distinct between processes (pid), threads
// of one process (n) and reruns after a crash left a stale temp file behind (t, plus O_EXCL retries).
fs::path temp_path_for(const fs::path& path, int attempt) {
    static std::atomic<uint64_t> counter{0};
    const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
    const std::string name = fmt::format(".{}.tmp-{}-{}-{}-{}", path.filename().string(), ::getpid(),
                                         counter.fetch_add(1), ticks, attempt);
    return path.parent_path() / name;
}

// Makes a completed rename durable: the new directory entry must reach the disk too.
int sync_directory(const fs::path& directory) {
    const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    FileDescriptor dir(fd);
    // Some filesystems cannot fsync a directory (EINVAL); there is nothing more we can do there.
    if (::fsync(dir.get()) != 0 && errno != EINVAL) return errno;
    return dir.close();
}

}  // namespace

void write_file_atomically(const fs::path& path, std::string_view bytes) {
    constexpr const char* function = "write_file_atomically";
    if (!path.has_filename())
        throw std::runtime_error(fmt::format("{}: path '{}' does not name a file", function, path.string()));

    fs::path temp;
    int fd = -1;
    for (int attempt = 0; fd < 0; ++attempt) {
        temp = temp_path_for(path, attempt);
        // 0666 and the umask give the same permissions an ordinary create would.
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && (errno != EEXIST || attempt >= 100))
            throw std::runtime_error(fmt::format("{}: cannot create temporary file '{}' for '{}': {}", function,
                                                 temp.string(), path.string(), std::strerror(errno)));
    }

    FileDescriptor file(fd);
    const char* step = nullptr;
    int err = 0;
    if ((err = write_all(file.get(), bytes)) != 0) {
        step = "write";
    } else if (::fsync(file.get()) != 0) {
        err = errno, step = "fsync";
    } else if ((err = file.close()) != 0) {
        step = "close";
    } else if (::rename(temp.c_str(), path.c_str()) != 0) {
        err = errno, step = "rename temporary file over";
    }
    if (step != nullptr) {
        ::unlink(temp.c_str());  // best effort: the error we report is the one that matters
        throw_errno(function, step, path, err);
    }
    if ((err = sync_directory(path.parent_path())) != 0) throw_errno(function, "sync the directory of", path, err);
}

std::string read_file(const fs::path& path, std::size_t max_bytes) {
    constexpr const char* function = "read_file";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno(function, "open", path, errno);
    FileDescriptor file(fd);

    std::string bytes;
    struct stat info {};
    auto refuse_size = [&] {
        throw std::runtime_error(fmt::format("{}: '{}' holds more than {} bytes, the limit for this file", function,
                                             path.string(), max_bytes));
    };
    if (::fstat(file.get(), &info) == 0 && info.st_size > 0) {
        if (static_cast<std::size_t>(info.st_size) > max_bytes) refuse_size();
        bytes.reserve(static_cast<std::size_t>(info.st_size));
    }
    char buffer[1 << 16];
    while (true) {
        const ssize_t got = ::read(file.get(), buffer, sizeof buffer);
        if (got == 0) break;
        if (got < 0) {
            if (errno == EINTR) continue;
            throw_errno(function, "read", path, errno);  // e.g. EISDIR for a directory
        }
        if (static_cast<std::size_t>(got) > max_bytes - bytes.size()) refuse_size();
        bytes.append(buffer, static_cast<std::size_t>(got));
    }
    return bytes;
}

}  // namespace tapegrad
