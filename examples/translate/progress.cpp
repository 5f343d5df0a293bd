// The training progress reporter: live terminal line or periodic log lines, rates, ETA under step/time budgets.
#include "examples/translate/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <stdexcept>

#include <fmt/format.h>

namespace tapegrad::translate {

namespace {

double steady_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::optional<int> stdout_columns() {
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return std::nullopt;
}

// "4.1e-4": scientific with two significant digits and no zero padding in the exponent.
std::string format_lr(double lr) {
    std::string text = fmt::format("{:.1e}", lr);
    const std::size_t e = text.find('e');
    if (e == std::string::npos) return text;  // inf, nan
    std::size_t digits = e + 2;               // after the exponent's sign
    while (digits + 1 < text.size() && text[digits] == '0') text.erase(digits, 1);
    if (text[e + 1] == '+') text.erase(e + 1, 1);
    return text;
}

std::string format_loss(double loss) {
    if (!std::isfinite(loss)) return fmt::format("{}", loss);  // "nan", "inf": a diverged run says so
    return std::abs(loss) >= 0.01 ? fmt::format("{:.3f}", loss) : fmt::format("{:.2e}", loss);
}

}  // namespace

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0.0) return "--:--";
    auto total = static_cast<int64_t>(seconds);
    const int64_t days = total / 86400;
    const int64_t hours = total / 3600 % 24;
    const int64_t minutes = total / 60 % 60;
    const int64_t secs = total % 60;
    if (days > 0) return fmt::format("{}d {:02}:{:02}:{:02}", days, hours, minutes, secs);
    if (hours > 0) return fmt::format("{}:{:02}:{:02}", hours, minutes, secs);
    return fmt::format("{:02}:{:02}", minutes, secs);
}

std::string format_rate(double per_second) {
    if (!std::isfinite(per_second) || per_second < 0.0) return "-";
    static constexpr const char* suffixes[] = {"", "k", "M", "G"};
    double value = per_second;
    std::size_t unit = 0;
    // Move up a unit while the value would round to 1000 or more in three significant digits.
    while (unit + 1 < std::size(suffixes) && value >= 999.5) {
        value /= 1000.0;
        ++unit;
    }
    if (unit == 0) return fmt::format("{:.0f}", value);
    const int decimals = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2;
    return fmt::format("{:.{}f}{}", value, decimals, suffixes[unit]);
}

ProgressReporter::ProgressReporter(ProgressOptions options)
    : ProgressReporter(std::move(options), std::cout, steady_seconds) {}

ProgressReporter::ProgressReporter(ProgressOptions options, std::ostream& out, Clock clock)
    : options_(std::move(options)), out_(out), clock_(std::move(clock)) {
    auto require = [](bool ok, const char* what, auto value) {
        if (!ok) throw std::invalid_argument(fmt::format("ProgressReporter: {}, got {}", what, value));
    };
    require(options_.max_steps >= 0, "max_steps must be >= 0 (0 = unbounded)", options_.max_steps);
    require(options_.max_minutes >= 0.0, "max_minutes must be >= 0 (0 = no time budget)", options_.max_minutes);
    require(options_.start_step >= 0, "start_step must be >= 0", options_.start_step);
    require(options_.print_every_steps >= 0, "print_every_steps must be >= 0", options_.print_every_steps);
    require(options_.print_every_seconds >= 0.0, "print_every_seconds must be >= 0", options_.print_every_seconds);
    require(options_.bar_width >= 1, "bar_width must be >= 1", options_.bar_width);
    terminal_ = options_.is_terminal.value_or(::isatty(STDOUT_FILENO) == 1);
    columns_ = options_.terminal_columns;
    if (!columns_ && terminal_ && !options_.is_terminal) columns_ = stdout_columns();  // only when it is stdout
    start_time_ = clock_();
    token_history_.emplace_back(start_time_, 0);
}

ProgressReporter::~ProgressReporter() {
    try {
        if (line_open_) out_ << '\n' << std::flush;
    } catch (...) {  // a destructor must not throw; losing a newline is harmless
    }
}

double ProgressReporter::seconds_remaining(bool* limited_by_time) const {
    const double elapsed = clock_() - start_time_;
    double remaining = std::numeric_limits<double>::infinity();
    *limited_by_time = false;
    const int64_t steps_this_run = last_.step - options_.start_step;
    if (options_.max_steps > 0 && steps_this_run > 0)
        remaining = static_cast<double>(std::max<int64_t>(0, options_.max_steps - last_.step)) * elapsed /
                    static_cast<double>(steps_this_run);
    if (options_.max_minutes > 0.0) {
        const double time_left = std::max(0.0, options_.max_minutes * 60.0 - elapsed);
        if (time_left < remaining) {
            remaining = time_left;
            *limited_by_time = true;
        }
    }
    return remaining;
}

std::string ProgressReporter::status_line() const {
    const double now = clock_();
    const double elapsed = now - start_time_;
    std::string line = fmt::format("step {}", last_.step);
    if (options_.max_steps > 0) line += fmt::format("/{}", options_.max_steps);

    // Progress toward whichever budget is closer to exhausted.
    const bool has_budget = options_.max_steps > 0 || options_.max_minutes > 0.0;
    if (has_budget) {
        double fraction = 0.0;
        if (options_.max_steps > 0)
            fraction = static_cast<double>(last_.step) / static_cast<double>(options_.max_steps);
        if (options_.max_minutes > 0.0) fraction = std::max(fraction, elapsed / (options_.max_minutes * 60.0));
        fraction = std::clamp(fraction, 0.0, 1.0);
        if (terminal_) {
            const auto filled = static_cast<int>(fraction * options_.bar_width);
            line += fmt::format(" [{}{}]", std::string(static_cast<std::size_t>(filled), '#'),
                                std::string(static_cast<std::size_t>(options_.bar_width - filled), '.'));
        } else {
            line += fmt::format(" ({:.0f}%)", 100.0 * fraction);
        }
    }

    const double loss = loss_count_ > 0 ? loss_sum_ / static_cast<double>(loss_count_) : shown_loss_;
    line += fmt::format(" loss {}", format_loss(loss));
    if (tokens_total_ > 0) {
        const auto& [since, tokens_then] = token_history_.front();
        const double rate = now > since ? static_cast<double>(tokens_total_ - tokens_then) / (now - since) : 0.0;
        line += fmt::format(" | {} tok/s", format_rate(rate));
    }
    if (!std::isnan(last_.lr)) line += fmt::format(" | lr {}", format_lr(last_.lr));
    line += fmt::format(" | {} elapsed", format_duration(elapsed));
    if (has_budget) {
        bool limited_by_time = false;
        const double remaining = seconds_remaining(&limited_by_time);
        line += fmt::format(", ETA {}{}", format_duration(remaining), limited_by_time ? " (time limit)" : "");
    }
    return line;
}

void ProgressReporter::print_line() {
    std::string line = status_line();
    shown_loss_ = loss_count_ > 0 ? loss_sum_ / static_cast<double>(loss_count_) : shown_loss_;
    loss_sum_ = 0.0;
    loss_count_ = 0;
    last_print_time_ = clock_();
    last_printed_step_ = last_.step;
    if (terminal_) {
        // One column short of the width: writing the last column makes some terminals wrap early.
        if (columns_ && *columns_ > 1 && line.size() >= static_cast<std::size_t>(*columns_))
            line.resize(static_cast<std::size_t>(*columns_ - 1));
        out_ << '\r' << line << "\x1b[K" << std::flush;
        line_open_ = true;
    } else {
        out_ << line << '\n' << std::flush;
    }
}

void ProgressReporter::update(const StepStats& stats) {
    const double now = clock_();
    finished_ = false;
    last_ = stats;
    has_update_ = true;
    if (!std::isnan(stats.loss)) {
        loss_sum_ += stats.loss;
        ++loss_count_;
    }
    tokens_total_ += stats.tokens;
    // Keep one sample at or before the window's start as the base of the rate, drop older ones.
    token_history_.emplace_back(now, tokens_total_);
    while (token_history_.size() > 2 && token_history_[1].first <= now - options_.rate_window_seconds)
        token_history_.pop_front();

    const bool last_step = options_.max_steps > 0 && stats.step >= options_.max_steps;
    bool due = false;
    if (terminal_) {
        due = now - last_print_time_ >= options_.refresh_seconds || last_step;
    } else {
        due = last_printed_step_ < 0 || last_step ||
              (options_.print_every_steps > 0 && stats.step % options_.print_every_steps == 0) ||
              (options_.print_every_seconds > 0.0 && now - last_print_time_ >= options_.print_every_seconds);
    }
    if (due) print_line();
}

void ProgressReporter::note(const std::string& message) {
    if (line_open_) {
        out_ << "\r\x1b[K";
        line_open_ = false;
        last_print_time_ = -std::numeric_limits<double>::infinity();  // redraw on the next update
    }
    out_ << message << '\n' << std::flush;
}

void ProgressReporter::finish() {
    if (finished_) return;
    finished_ = true;
    if (has_update_ && (terminal_ || last_.step != last_printed_step_)) print_line();
    if (line_open_) {
        out_ << '\n' << std::flush;
        line_open_ = false;
    }
}

}  // namespace tapegrad::translate
