// The progress reporter with an injected stream and clock: terminal line, log lines, ETA, budgets, formatting.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "examples/translate/progress.h"
#include "test_helpers.h"

using namespace tapegrad::translate;
using tapegrad::translate::testing::count_occurrences;

namespace {

// A hand-driven clock: the reporter reads `now`.
struct FakeClock {
    double now = 0.0;
    ProgressReporter::Clock function() {
        return [this] { return now; };
    }
};

}  // namespace

TEST_CASE("format_duration and format_rate", "[translate][progress]") {
    CHECK(format_duration(0) == "00:00");
    CHECK(format_duration(42.9) == "00:42");
    CHECK(format_duration(63) == "01:03");
    CHECK(format_duration(3599) == "59:59");
    CHECK(format_duration(3600) == "1:00:00");
    CHECK(format_duration(86400 + 3661) == "1d 01:01:01");
    CHECK(format_duration(-1) == "--:--");
    CHECK(format_duration(INFINITY) == "--:--");

    CHECK(format_rate(0) == "0");
    CHECK(format_rate(532.4) == "532");
    CHECK(format_rate(999.4) == "999");
    CHECK(format_rate(999.6) == "1.00k");  // would round to "1000"
    CHECK(format_rate(15300) == "15.3k");
    CHECK(format_rate(153000) == "153k");
    CHECK(format_rate(2.5e6) == "2.50M");
    CHECK(format_rate(NAN) == "-");
}

TEST_CASE("on a terminal the line is redrawn in place with a bar, rate, lr and ETA", "[translate][progress]") {
    std::ostringstream out;
    FakeClock clock;
    {
        ProgressReporter progress({.max_steps = 3000, .is_terminal = true}, out, clock.function());
        clock.now = 42.0;
        // 1200 of 3000 steps in 42 s: ETA = 1800 · 42/1200 = 63 s. 642600 tokens / 42 s = 15300 tok/s.
        progress.update({.step = 1200, .loss = 0.412, .tokens = 642600, .lr = 4.1e-4});
        const std::string expected_line =
            "step 1200/3000 [########............] loss 0.412 | 15.3k tok/s | lr 4.1e-4 | 00:42 elapsed, ETA 01:03";
        CHECK(out.str() == "\r" + expected_line + "\x1b[K");
        CHECK(progress.status_line() == expected_line);

        // Within refresh_seconds nothing is redrawn; after it, the line is rewritten (again starting with \r).
        clock.now = 42.05;
        progress.update({.step = 1201, .loss = 0.4, .tokens = 500, .lr = 4.1e-4});
        CHECK(count_occurrences(out.str(), "\r") == 1);
        clock.now = 42.2;
        progress.update({.step = 1202, .loss = 0.4, .tokens = 500, .lr = 4.1e-4});
        CHECK(count_occurrences(out.str(), "\r") == 2);
        CHECK(out.str().find('\n') == std::string::npos);

        progress.finish();
        CHECK(out.str().back() == '\n');
        const std::size_t length = out.str().size();
        progress.finish();  // idempotent
        CHECK(out.str().size() == length);
    }
}

TEST_CASE("not on a terminal: plain lines every N steps, no carriage returns", "[translate][progress]") {
    std::ostringstream out;
    FakeClock clock;
    ProgressReporter progress({.max_steps = 250, .is_terminal = false, .print_every_steps = 100, .print_every_seconds = 0},
                              out, clock.function());
    for (int step = 1; step <= 240; ++step) {
        clock.now = 0.1 * step;
        progress.update({.step = step, .loss = static_cast<double>(step), .tokens = 100});
    }
    progress.finish();
    const std::string text = out.str();
    CHECK(text.find('\r') == std::string::npos);
    CHECK(text.find('\x1b') == std::string::npos);
    // Step 1 (the first), 100, 200, and the final state at finish().
    CHECK(count_occurrences(text, "\n") == 4);
    CHECK(text.find("step 1/250 (0%) loss 1.000") == 0);
    // The line at step 100 shows the mean loss of steps 2..100 = (2 + 100)/2 = 51.
    CHECK(text.find("step 100/250 (40%) loss 51.000 | 1.00k tok/s") != std::string::npos);
    CHECK(text.find("step 240/250 (96%) loss 220.500") != std::string::npos);  // mean of 201..240
    CHECK(text.find("ETA 00:01") != std::string::npos);  // 10 steps left at 0.1 s each
}

TEST_CASE("not on a terminal: plain lines every M seconds", "[translate][progress]") {
    std::ostringstream out;
    FakeClock clock;
    ProgressReporter progress({.is_terminal = false, .print_every_steps = 0, .print_every_seconds = 30}, out,
                              clock.function());
    for (int step = 1; step <= 100; ++step) {
        clock.now = step;
        progress.update({.step = step, .loss = 1.0});
    }
    progress.finish();
    // t = 1 (first), 31, 61, 91, and step 100 at finish(). No budget: no bar, no percentage, no ETA.
    CHECK(count_occurrences(out.str(), "\n") == 5);
    CHECK(out.str().find("step 31 loss 1.000 | 00:31 elapsed\n") != std::string::npos);
    CHECK(out.str().find("ETA") == std::string::npos);
    CHECK(out.str().find("tok/s") == std::string::npos);  // no tokens reported
}

TEST_CASE("the ETA follows whichever budget runs out first", "[translate][progress]") {
    std::ostringstream out;
    FakeClock clock;
    ProgressReporter progress({.max_steps = 10000, .max_minutes = 1.0, .is_terminal = true}, out, clock.function());
    clock.now = 30.0;
    progress.update({.step = 100, .loss = 2.0});
    // Steps: 9900 · 30/100 = 2970 s left; time: 60 − 30 = 30 s left → the time limit wins, bar at 50%.
    CHECK(progress.status_line() == "step 100/10000 [##########..........] loss 2.000 | 00:30 elapsed, ETA 00:30 (time limit)");

    ProgressReporter resumed({.max_steps = 3000, .start_step = 1000, .is_terminal = false}, out, clock.function());
    clock.now = 40.0;  // 10 s after `resumed` started at t = 30
    resumed.update({.step = 1100, .loss = 1.0});
    // This run did 100 steps in 10 s: 1900 left → 190 s = 03:10; the bar counts the global step (1100/3000).
    CHECK(resumed.status_line() == "step 1100/3000 (37%) loss 1.000 | 00:10 elapsed, ETA 03:10");
}

TEST_CASE("note() prints a message on its own line without mangling the live line", "[translate][progress]") {
    std::ostringstream out;
    FakeClock clock;
    ProgressReporter progress({.max_steps = 10, .is_terminal = true}, out, clock.function());
    progress.update({.step = 1, .loss = 1.0});
    progress.note("eval: BLEU = 12.3");
    CHECK(out.str().find("\x1b[K\r\x1b[Keval: BLEU = 12.3\n") != std::string::npos);
    progress.update({.step = 2, .loss = 1.0});  // redrawn at once, refresh_seconds notwithstanding
    CHECK(out.str().substr(out.str().rfind('\n') + 1).find("\rstep 2/10") == 0);
}

TEST_CASE("a terminal line is cut to the terminal width — the destructor ends an open line", "[translate][progress]") {
    std::ostringstream out;
    FakeClock clock;
    {
        ProgressReporter progress({.max_steps = 3000, .is_terminal = true, .terminal_columns = 40}, out,
                                  clock.function());
        clock.now = 1.0;
        progress.update({.step = 1, .loss = 1.0, .tokens = 10, .lr = 1e-3});
        CHECK(out.str() == "\r" + progress.status_line().substr(0, 39) + "\x1b[K");
    }
    CHECK(out.str().back() == '\n');
}

TEST_CASE("ProgressReporter rejects negative budgets and an empty bar", "[translate][progress]") {
    std::ostringstream out;
    FakeClock clock;
    REQUIRE_THROWS_WITH(ProgressReporter({.max_steps = -5}, out, clock.function()),
                        Catch::Contains("ProgressReporter") && Catch::Contains("max_steps") && Catch::Contains("-5"));
    REQUIRE_THROWS_WITH(ProgressReporter({.bar_width = 0}, out, clock.function()), Catch::Contains("bar_width"));
}
