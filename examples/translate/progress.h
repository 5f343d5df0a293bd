// The training progress line: a live, rewritten line on a terminal, plain periodic lines in a log file.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <iosfwd>
#include <limits>
#include <optional>
#include <string>

namespace tapegrad::translate {

// "mm:ss" below an hour, "h:mm:ss" from an hour, "Nd hh:mm:ss" from a day; seconds are truncated.
// Negative or non-finite input gives "--:--" (an unknown duration, e.g. an ETA before the first step).
std::string format_duration(double seconds);

// A rate with three significant digits and a k / M / G suffix: 532 → "532", 15300 → "15.3k",
// 153000 → "153k", 2.5e6 → "2.50M". Non-finite or negative input gives "-".
std::string format_rate(double per_second);

struct ProgressOptions {
    int64_t max_steps = 0;     // the step budget; 0 = unbounded (no "/max", no bar unless max_minutes is set)
    double max_minutes = 0.0;  // the wall-clock budget of this run; 0 = none. The ETA and the bar follow
                               // whichever budget runs out first.
    int64_t start_step = 0;    // the step a resumed run starts from, so rates and the ETA count only this run's steps
    std::optional<bool> is_terminal = {};  // unset: isatty(STDOUT_FILENO), i.e. assumes the stream is stdout
    int64_t print_every_steps = 100;  // not a terminal: a line at least every this many steps (0 = never by steps)
    double print_every_seconds = 30.0;  // not a terminal: ... or when this much time has passed (0 = never by time)
    double refresh_seconds = 0.1;       // terminal: redraw at most this often
    double rate_window_seconds = 10.0;  // tokens/s is measured over about this much recent time
    int bar_width = 20;                 // characters between the brackets of the terminal bar
    std::optional<int> terminal_columns = {};  // terminal: cut the line to this width so it never wraps (a wrapped
                                          // line breaks \r redrawing); unset: ask stdout's terminal when
                                          // is_terminal was detected too, otherwise don't cut
};

// What one optimizer step reports.
struct StepStats {
    int64_t step = 0;    // steps completed so far, counting the one just taken (1 after the first step)
    double loss = std::numeric_limits<double>::quiet_NaN();  // this step's training loss
    int64_t tokens = 0;  // tokens processed by this step (for tokens/s)
    double lr = std::numeric_limits<double>::quiet_NaN();    // learning rate used by this step
};

// Reports training progress.
// On a terminal: one line, redrawn in place ("\r", the line, then ESC[K to erase what a longer previous line
// left), at most every refresh_seconds:
//   step 1200/3000 [########............] loss 0.412 | 15.3k tok/s | lr 4.1e-4 | 00:42 elapsed, ETA 01:03
// Otherwise (a log file, a pipe, CI): the same facts as ordinary lines, no "\r" and no escape codes, printed
// at the first step, then every print_every_steps steps or print_every_seconds seconds, whichever comes first:
//   step 1200/3000 (40%) loss 0.412 | 15.3k tok/s | lr 4.1e-4 | 00:42 elapsed, ETA 01:03
// The loss shown is the mean over the steps since the previous line, so a periodic line summarises its
// period instead of showing one noisy step. The ETA is the sooner of (remaining steps at this run's average
// step time) and (time left in max_minutes); "(time limit)" marks the latter.
// The clock is a function returning monotonic seconds, so tests can drive time by hand.
class ProgressReporter {
public:
    using Clock = std::function<double()>;

    // Throws std::invalid_argument naming a negative budget, interval or start_step, or a bar_width < 1.
    explicit ProgressReporter(ProgressOptions options);  // writes to std::cout with a steady clock
    ProgressReporter(ProgressOptions options, std::ostream& out, Clock clock);
    // Ends a live line left open (e.g. by an exception unwinding past finish()), so the shell prompt or the
    // error message starts on its own line.
    ~ProgressReporter();
    ProgressReporter(const ProgressReporter&) = delete;
    ProgressReporter& operator=(const ProgressReporter&) = delete;

    void update(const StepStats& stats);

    // Prints `message` as a line of its own (e.g. evaluation results) without mangling the live line: on a
    // terminal the live line is erased first and redrawn on the next update.
    void note(const std::string& message);

    // Prints the final state (unless the last step was already printed in line mode) and ends the line.
    // Idempotent; update() after finish() starts reporting again.
    void finish();

    // The text of the current status line (without "\r" or escape codes): what update() would print now.
    std::string status_line() const;

private:
    void print_line();
    double seconds_remaining(bool* limited_by_time) const;

    ProgressOptions options_;
    std::ostream& out_;
    Clock clock_;
    bool terminal_;
    std::optional<int> columns_;
    double start_time_;

    StepStats last_;                 // the most recent update
    bool has_update_ = false;
    double loss_sum_ = 0.0;          // losses since the last printed line
    int64_t loss_count_ = 0;
    double shown_loss_ = std::numeric_limits<double>::quiet_NaN();
    int64_t tokens_total_ = 0;
    std::deque<std::pair<double, int64_t>> token_history_;  // (time, tokens_total_) within the rate window

    bool line_open_ = false;         // terminal: a live line is on screen without its newline
    bool finished_ = false;
    double last_print_time_ = -std::numeric_limits<double>::infinity();
    int64_t last_printed_step_ = -1;
};

}  // namespace tapegrad::translate
