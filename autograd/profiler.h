// The profiler: where a training step's time goes, per op, forward and backward, plus named sections
// (the optimizer, data) and the allocator's counts.
//
//   Profiler profiler;                       // starts measuring this thread's ops
//   loss = model.forward(...); loss.backward();
//   { ProfileSection section("optimizer"); optimizer.step(); }
//   fmt::print("{}", profiler.stop().table());
//
// How time is attributed, with no hook inside any op: every recorded op calls record() right after
// computing its output, so the forward time of an op is the time since the previous recording (or
// since the previous section ended). Work done between ops without recording (mask building, shape
// checks, anything under NoGradGuard) is therefore counted in the op that follows it. Backward time is
// measured exactly, around each tape entry's backward function. Off, the profiler costs one branch per
// recorded op.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace tapegrad {

struct OpProfile {
    int64_t forward_calls = 0;
    double forward_ms = 0;
    int64_t backward_calls = 0;
    double backward_ms = 0;
};

struct Profile {
    std::map<std::string, OpProfile> ops;          // by op name, as on the tape
    std::map<std::string, double> sections_ms;     // ProfileSection totals, by name
    double total_ms = 0;                           // wall time from start to stop
    int64_t allocations = 0;                       // tensor storage allocations ...
    int64_t system_allocations = 0;                // ... of which not served by the caching allocator
    double peak_mib = 0;                           // peak bytes held by tensors while profiling, MiB

    double forward_ms() const;
    double backward_ms() const;
    // A table sorted by forward + backward time, with the sections and allocator counts below it.
    std::string table() const;
};

// Measures from construction until stop() (or destruction). One at a time, on the thread that records.
class Profiler {
public:
    Profiler();
    ~Profiler();
    Profiler(const Profiler&) = delete;
    Profiler& operator=(const Profiler&) = delete;
    Profile stop();

private:
    bool running_ = true;
};

// Times its scope under `name` (e.g. "optimizer") when a Profiler is running; otherwise does nothing.
class ProfileSection {
public:
    explicit ProfileSection(const char* name);
    ~ProfileSection();
    ProfileSection(const ProfileSection&) = delete;
    ProfileSection& operator=(const ProfileSection&) = delete;

private:
    const char* name_;
    std::chrono::steady_clock::time_point start_;
};

bool is_profiling();

namespace detail {
void profile_forward(const char* op);                    // called by the tape when it records an op
void profile_backward(const char* op, double milliseconds);  // called by the tape after an entry's backward
void profile_mark();                                     // restarts the forward clock (backward start, sections)
}  // namespace detail

}  // namespace tapegrad
