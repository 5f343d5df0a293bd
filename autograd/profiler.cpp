// The profiler's clocks and its table (see profiler.h for how time is attributed).
#include "autograd/profiler.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "autograd/allocator.h"

namespace tapegrad {
namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

struct ProfilerState {
    bool active = false;
    Clock::time_point start;
    Clock::time_point last_mark;
    Profile profile;
    AllocatorStats allocator_at_start;
};

ProfilerState& state() {
    static ProfilerState instance;
    return instance;
}

}  // namespace

bool is_profiling() { return state().active; }

Profiler::Profiler() {
    ProfilerState& s = state();
    if (s.active) throw std::logic_error("Profiler: a profiler is already running");
    s = ProfilerState{};
    s.active = true;
    reset_peak_allocator_stats();
    s.allocator_at_start = allocator_stats();
    s.start = s.last_mark = Clock::now();
}

Profiler::~Profiler() {
    if (running_) stop();
}

Profile Profiler::stop() {
    ProfilerState& s = state();
    if (!running_) throw std::logic_error("Profiler: stop() called twice");
    running_ = false;
    s.active = false;
    const AllocatorStats allocator = allocator_stats();
    s.profile.total_ms = milliseconds_between(s.start, Clock::now());
    s.profile.allocations = allocator.allocations - s.allocator_at_start.allocations;
    s.profile.system_allocations = allocator.system_allocations - s.allocator_at_start.system_allocations;
    s.profile.peak_mib = static_cast<double>(allocator.peak_bytes_in_use) / (1 << 20);
    return std::move(s.profile);
}

ProfileSection::ProfileSection(const char* name) : name_(name), start_(Clock::now()) {}

ProfileSection::~ProfileSection() {
    if (!is_profiling()) return;
    const Clock::time_point now = Clock::now();
    state().profile.sections_ms[name_] += milliseconds_between(start_, now);
    state().last_mark = now;  // the section's time is not the next op's forward
}

namespace detail {

void profile_forward(const char* op) {
    ProfilerState& s = state();
    const Clock::time_point now = Clock::now();
    OpProfile& entry = s.profile.ops[op];
    ++entry.forward_calls;
    entry.forward_ms += milliseconds_between(s.last_mark, now);
    s.last_mark = now;
}

void profile_backward(const char* op, double milliseconds) {
    OpProfile& entry = state().profile.ops[op];
    ++entry.backward_calls;
    entry.backward_ms += milliseconds;
}

void profile_mark() { state().last_mark = Clock::now(); }

}  // namespace detail

double Profile::forward_ms() const {
    double total = 0;
    for (const auto& [name, op] : ops) total += op.forward_ms;
    return total;
}

double Profile::backward_ms() const {
    double total = 0;
    for (const auto& [name, op] : ops) total += op.backward_ms;
    return total;
}

std::string Profile::table() const {
    std::vector<std::pair<std::string, OpProfile>> rows(ops.begin(), ops.end());
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        return a.second.forward_ms + a.second.backward_ms > b.second.forward_ms + b.second.backward_ms;
    });
    const double percent_base = total_ms > 0 ? 100.0 / total_ms : 0;
    std::string out = fmt::format("{:<22} {:>7} {:>11} {:>8} {:>12} {:>7}\n", "op", "calls", "forward ms", "bwd calls",
                                  "backward ms", "% total");
    for (const auto& [name, op] : rows)
        out += fmt::format("{:<22} {:>7} {:>11.2f} {:>8} {:>12.2f} {:>6.1f}%\n", name, op.forward_calls, op.forward_ms,
                           op.backward_calls, op.backward_ms, (op.forward_ms + op.backward_ms) * percent_base);
    out += fmt::format("{:<22} {:>7} {:>11.2f} {:>8} {:>12.2f} {:>6.1f}%\n", "(all ops)", "", forward_ms(), "",
                       backward_ms(), (forward_ms() + backward_ms()) * percent_base);
    for (const auto& [name, ms] : sections_ms)
        out += fmt::format("{:<22} {:>7} {:>11.2f} {:>8} {:>12} {:>6.1f}%\n", fmt::format("[{}]", name), "", ms, "", "",
                           ms * percent_base);
    out += fmt::format("total {:.2f} ms; {} tensor allocations ({} from the system); peak {:.1f} MiB held by tensors\n",
                       total_ms, allocations, system_allocations, peak_mib);
    return out;
}

}  // namespace tapegrad
