// The generated dates corpus: targets are valid ISO dates that match their sources.
#include <catch2/catch.hpp>

#include <cctype>
#include <cstdio>
#include <optional>
#include <set>

#include "data/tasks/dates.h"

using namespace tapegrad::data;

namespace {

Date parse_iso(const std::string& iso) {
    Date date;
    REQUIRE(iso.size() == 10);
    REQUIRE(std::sscanf(iso.c_str(), "%4d-%2d-%2d", &date.year, &date.month, &date.day) == 3);
    REQUIRE(to_iso(date) == iso);  // zero-padded and nothing else
    return date;
}

int month_from_name(const std::string& name) {
    static const char* kNames[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    std::string prefix = name.substr(0, 3);
    for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int m = 0; m < 12; ++m)
        if (prefix == kNames[m]) return m + 1;
    return 0;
}

// Reads a source back for the formats that a test can parse without a full date parser; nullopt otherwise.
std::optional<Date> parse_source(const std::string& source) {
    Date d;
    char month[16] = {};
    int yy = 0;
    if (std::sscanf(source.c_str(), "%2d.%2d.%4d", &d.day, &d.month, &d.year) == 3 && source.size() == 10 &&
        source[2] == '.')
        return d;
    if (std::sscanf(source.c_str(), "%4d.%2d.%2d", &d.year, &d.month, &d.day) == 3 && source[4] == '.') return d;
    if (source.size() == 8 && std::sscanf(source.c_str(), "%2d/%2d/%2d", &d.month, &d.day, &yy) == 3) {
        d.year = yy >= 50 ? 1900 + yy : 2000 + yy;
        return d;
    }
    if (std::sscanf(source.c_str(), "%d %15s %d", &d.day, month, &d.year) == 3) {  // 27 Nov 2026, 27 NOV 2026
        d.month = month_from_name(month);
        return d;
    }
    if (std::sscanf(source.c_str(), "%15s %d, %d", month, &d.day, &d.year) == 3 && month_from_name(month) > 0) {
        d.month = month_from_name(month);  // November 27, 2026 / Nov 27, 2026
        return d;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("dates: targets are valid ISO dates that match the source", "[data][tasks][dates]") {
    const auto pairs = generate_dates(3000, 9);
    int parsed = 0;
    for (const auto& [source, target] : pairs) {
        const Date date = parse_iso(target);
        CHECK(is_valid_date(date));
        CHECK(date.year >= 1950);
        CHECK(date.year <= 2049);
        if (auto read_back = parse_source(source)) {
            CHECK(*read_back == date);
            ++parsed;
        }
        // Any weekday named in the source is the right one.
        for (const char* weekday : {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}) {
            const std::string name(weekday);
            std::string lower = name;  // (built in place: GCC 12 warns falsely on char + string concatenation)
            lower[0] = static_cast<char>(std::tolower(lower[0]));
            if (source.find(name.substr(0, 3)) == 0 || source.find(lower) == 0)
                CHECK(format_date(date, DateFormat::WeekdayMonthDayYear).substr(0, 3) == name.substr(0, 3));
        }
    }
    CHECK(parsed > 1000);  // the parseable formats are over a third of the corpus
}

TEST_CASE("dates: slash dates only where they read one way", "[data][tasks][dates]") {
    for (const auto& [source, target] : generate_dates(3000, 10)) {
        if (source.find('/') == std::string::npos) continue;
        const Date date = parse_iso(target);
        INFO(source << " -> " << target);
        CHECK((date.day > 12 || date.day == date.month));
    }
}

TEST_CASE("dates: every format occurs, leap days occur only in leap years", "[data][tasks][dates]") {
    const auto pairs = generate_dates(20000, 12);
    int leap_days = 0;
    std::set<std::string> years;
    for (const auto& [source, target] : pairs) {
        const Date date = parse_iso(target);
        if (date.month == 2 && date.day == 29) {
            ++leap_days;
            CHECK(is_leap_year(date.year));
        }
        years.insert(target.substr(0, 4));
    }
    CHECK(leap_days > 0);
    CHECK(years.size() == 100);  // 1950..2049 all appear
    // The formats are all used: a source shape characteristic of each appears.
    auto count_containing = [&](const std::string& needle) {
        int count = 0;
        for (const auto& pair : pairs) count += pair.source.find(needle) != std::string::npos;
        return count;
    };
    CHECK(count_containing("the ") > 0);
    CHECK(count_containing("th, ") + count_containing("st, ") > 0);
    CHECK(count_containing("day, ") > 0);
    CHECK(count_containing("-") > 0);
}

TEST_CASE("dates: options are validated and a two-digit year needs a 1950..2049 range", "[data][tasks][dates]") {
    REQUIRE_THROWS_WITH(generate_dates(5, 0, {.min_year = 2000, .max_year = 1999}),
                        Catch::Contains("generate_dates") && Catch::Contains("2000") && Catch::Contains("1999"));
    for (const auto& [source, target] : generate_dates(2000, 1, {.min_year = 1800, .max_year = 1900})) {
        const bool two_digit_slash = source.size() == 8 && source[2] == '/' && source[5] == '/';
        CHECK_FALSE(two_digit_slash);
        CHECK(parse_iso(target).year <= 1900);
    }
}
