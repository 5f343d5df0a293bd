// The reverse task, the dates task (calendar, formats, generated pairs) and the task dispatcher.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>

#include "data/tasks/dates.h"
#include "data/tasks/reverse.h"
#include "data/tasks/task.h"

using namespace tapegrad::data;

TEST_CASE("tasks: reverse pairs are reversals of lowercase strings", "[data][tasks]") {
    const auto pairs = generate_reverse(500, 11, {.min_length = 2, .max_length = 5});
    std::map<std::size_t, int> lengths;
    for (const auto& [source, target] : pairs) {
        CHECK(std::string(source.rbegin(), source.rend()) == target);
        CHECK(source.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos);
        ++lengths[source.size()];
    }
    CHECK(lengths.size() == 4);  // every length 2..5 occurs, and no other
    CHECK(lengths.begin()->first == 2);
    CHECK(lengths.rbegin()->first == 5);
    REQUIRE_THROWS_WITH(generate_reverse(1, 0, {.min_length = 5, .max_length = 4}),
                        Catch::Contains("generate_reverse") && Catch::Contains("5") && Catch::Contains("4"));
}

TEST_CASE("tasks: generators are deterministic from the seed, and n only truncates", "[data][tasks]") {
    for (const auto& name : task_names()) {
        const auto a = generate_task(name, 200, 5);
        CHECK(a == generate_task(name, 200, 5));
        CHECK(a != generate_task(name, 200, 6));
        const auto prefix = generate_task(name, 50, 5);
        CHECK(prefix == std::vector<SentencePair>(a.begin(), a.begin() + 50));
    }
}

TEST_CASE("tasks: the dispatcher names the known tasks", "[data][tasks]") {
    CHECK(task_names() == std::vector<std::string>{"reverse", "dates", "en-pl"});
    CHECK(generate_task("reverse", 10, 3) == generate_reverse(10, 3));
    CHECK(generate_task("dates", 10, 3) == generate_dates(10, 3));
    REQUIRE_THROWS_WITH(generate_task("copy", 10, 0), Catch::Contains("generate_task") && Catch::Contains("'copy'") &&
                                                          Catch::Contains("reverse, dates, en-pl"));
    REQUIRE_THROWS_WITH(generate_task("dates", -1, 0), Catch::Contains("-1"));
}

TEST_CASE("tasks: calendar leap years, month lengths and day counts", "[data][tasks][dates]") {
    CHECK(is_leap_year(2000));
    CHECK(is_leap_year(2024));
    CHECK_FALSE(is_leap_year(1900));
    CHECK_FALSE(is_leap_year(2023));
    CHECK(days_in_month(2024, 2) == 29);
    CHECK(days_in_month(2023, 2) == 28);
    CHECK(days_in_month(2023, 4) == 30);
    CHECK_FALSE(is_valid_date({2023, 2, 29}));
    CHECK(days_from_civil({1970, 1, 1}) == 0);
    CHECK(days_from_civil({2000, 3, 1}) == 11017);
    CHECK(days_from_civil({1969, 12, 31}) == -1);
    for (int64_t day = days_from_civil({1899, 1, 1}); day < days_from_civil({2101, 1, 1}); day += 13)
        CHECK(days_from_civil(civil_from_days(day)) == day);
    REQUIRE_THROWS_WITH(days_in_month(2020, 13), Catch::Contains("days_in_month") && Catch::Contains("13"));
}

TEST_CASE("tasks: weekdays agree with std::chrono", "[data][tasks][dates]") {
    using namespace std::chrono;
    for (int64_t day = days_from_civil({1950, 1, 1}); day <= days_from_civil({2049, 12, 31}); day += 17) {
        const Date date = civil_from_days(day);
        const year_month_day ymd{year{date.year}, month{static_cast<unsigned>(date.month)},
                                 std::chrono::day{static_cast<unsigned>(date.day)}};
        CHECK(day_of_week(date) == static_cast<int>(weekday{sys_days{ymd}}.iso_encoding()) - 1);
    }
    CHECK(day_of_week({2026, 11, 27}) == 4);  // a Friday
}

TEST_CASE("tasks: every date format, shown for 2026-11-27 and 2004-02-01", "[data][tasks][dates]") {
    const std::vector<std::pair<DateFormat, std::string>> expected = {
        {DateFormat::DayMonYear, "27 Nov 2026"},
        {DateFormat::DayMonthYear, "27 November 2026"},
        {DateFormat::WeekdayMonthDayYear, "Friday, November 27, 2026"},
        {DateFormat::MonthDayYear, "November 27, 2026"},
        {DateFormat::MonDayYear, "Nov 27, 2026"},
        {DateFormat::UsSlashShortYear, "11/27/26"},
        {DateFormat::UsSlash, "11/27/2026"},
        {DateFormat::EuDots, "27.11.2026"},
        {DateFormat::EuSlash, "27/11/2026"},
        {DateFormat::YearDots, "2026.11.27"},
        {DateFormat::LowerWeekdayDayMonthYear, "friday 27 november 2026"},
        {DateFormat::DayUpperMonYear, "27 NOV 2026"},
        {DateFormat::OrdinalOfMonthYear, "the 27th of November 2026"},
        {DateFormat::WeekdayDayMonYear, "Fri, 27 Nov 2026"},
        {DateFormat::DayDashMonYear, "27-Nov-2026"},
        {DateFormat::MonthOrdinalYear, "November 27th, 2026"},
    };
    REQUIRE(expected.size() == kNumDateFormats);
    for (const auto& [format, text] : expected) CHECK(format_date({2026, 11, 27}, format) == text);
    CHECK(format_date({2004, 2, 1}, DateFormat::WeekdayMonthDayYear) == "Sunday, February 1, 2004");
    CHECK(format_date({2004, 2, 1}, DateFormat::UsSlashShortYear) == "02/01/04");
    CHECK(format_date({2004, 2, 1}, DateFormat::OrdinalOfMonthYear) == "the 1st of February 2004");
    CHECK(ordinal(2) == "2nd");
    CHECK(ordinal(3) == "3rd");
    CHECK(ordinal(11) == "11th");
    CHECK(ordinal(12) == "12th");
    CHECK(ordinal(13) == "13th");
    CHECK(ordinal(22) == "22nd");
    CHECK(ordinal(31) == "31st");
    REQUIRE_THROWS_WITH(format_date({2023, 2, 29}, DateFormat::EuDots), Catch::Contains("2023-2-29"));
}
