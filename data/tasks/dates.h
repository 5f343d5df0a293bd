// The dates task: a date written the way people write it -> the ISO form YYYY-MM-DD.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/parallel_corpus.h"
#include "data/tasks/calendar.h"

namespace tapegrad::data {

// The human-readable formats, shown for 2026-11-27 (a Friday).
enum class DateFormat {
    DayMonYear,                // 27 Nov 2026
    DayMonthYear,              // 27 November 2026
    WeekdayMonthDayYear,       // Friday, November 27, 2026
    MonthDayYear,              // November 27, 2026
    MonDayYear,                // Nov 27, 2026
    UsSlashShortYear,          // 11/27/26   (two-digit year: 50..99 -> 19xx, 00..49 -> 20xx)
    UsSlash,                   // 11/27/2026
    EuDots,                    // 27.11.2026
    EuSlash,                   // 27/11/2026
    YearDots,                  // 2026.11.27
    LowerWeekdayDayMonthYear,  // friday 27 november 2026
    DayUpperMonYear,           // 27 NOV 2026
    OrdinalOfMonthYear,        // the 27th of November 2026
    WeekdayDayMonYear,         // Fri, 27 Nov 2026
    DayDashMonYear,            // 27-Nov-2026
    MonthOrdinalYear,          // November 27th, 2026
};
inline constexpr int kNumDateFormats = 16;

// `date` written in `format`. Days are not zero-padded in formats with month names and are in numeric ones.
// Throws std::invalid_argument for an invalid date.
std::string format_date(const Date& date, DateFormat format);

// 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st, 22nd, 23rd, ..., 31st.
std::string ordinal(int number);

struct DatesOptions {
    int min_year = 1950;  // dates are uniform over every day from min_year-01-01 ...
    int max_year = 2049;  // ... to max_year-12-31 (so leap days appear at their true rate)
};

// n pairs {"Friday, November 27, 2026", "2026-11-27"}: a uniform random day, then a uniform random format,
// except that
//  - a numeric slash date is only written when it reads one way: "05/03/2026" could be May 3 (US) or
//    5 March (European), so the slash formats are redrawn unless day > 12 or day == month;
//  - the two-digit-year format is used only when min_year..max_year lies within 1950..2049, so the century
//    is recoverable.
// Throws std::invalid_argument for a negative n or a year range outside 1..9999 or reversed.
std::vector<SentencePair> generate_dates(int64_t n, uint64_t seed, DatesOptions options = {});

}  // namespace tapegrad::data
