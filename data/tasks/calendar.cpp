// Gregorian calendar arithmetic.
#include "data/tasks/calendar.h"

#include <stdexcept>

#include <fmt/format.h>

namespace tapegrad::data {

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        throw std::invalid_argument(fmt::format("days_in_month: month must be in 1..12, got {}", month));
    return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

bool is_valid_date(const Date& date) {
    return date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= days_in_month(date.year, date.month);
}

// The year is shifted to start in March, so the leap day is the last day of the (shifted) year; an "era" is 400
// years = 146097 days, after which the calendar repeats exactly.
int64_t days_from_civil(const Date& date) {
    const int64_t y = date.year - (date.month <= 2 ? 1 : 0);
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t year_of_era = y - era * 400;                                      // [0, 399]
    const int64_t month_from_march = (date.month + 9) % 12;                         // March = 0
    const int64_t day_of_year = (153 * month_from_march + 2) / 5 + date.day - 1;    // [0, 365]
    const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;  // 719468 days from 0000-03-01 to 1970-01-01
}

Date civil_from_days(int64_t days) {
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t day_of_era = days - era * 146097;
    const int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const int64_t month_from_march = (5 * day_of_year + 2) / 153;
    const int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    const int month = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    const int year = static_cast<int>(year_of_era + era * 400 + (month <= 2 ? 1 : 0));
    return {year, month, day};
}

int day_of_week(const Date& date) {
    const int64_t days = days_from_civil(date);
    // 1970-01-01 was a Thursday (index 3).
    return static_cast<int>(((days + 3) % 7 + 7) % 7);
}

std::string to_iso(const Date& date) {
    if (date.year < 0 || date.year > 9999 || !is_valid_date(date))
        throw std::invalid_argument(
            fmt::format("to_iso: not a valid date in years 0..9999: {}-{}-{}", date.year, date.month, date.day));
    return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

}  // namespace tapegrad::data
