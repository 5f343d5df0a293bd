// Proleptic Gregorian calendar arithmetic for the dates task: leap years, days since 1970, weekdays.
#pragma once

#include <cstdint>
#include <string>

namespace tapegrad::data {

struct Date {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..days_in_month(year, month)
    bool operator==(const Date&) const = default;
};

// Divisible by 4, except centuries, except every fourth century: 2000 is leap, 1900 is not.
bool is_leap_year(int year);
// 28..31; throws std::invalid_argument for a month outside 1..12.
int days_in_month(int year, int month);
bool is_valid_date(const Date& date);

// Days since 1970-01-01 (negative before), and back (H. Hinnant's days_from_civil / civil_from_days).
int64_t days_from_civil(const Date& date);
Date civil_from_days(int64_t days);

// ISO weekday index: 0 = Monday ... 6 = Sunday.
int day_of_week(const Date& date);

// "2026-11-27"; throws std::invalid_argument for an invalid date or a year outside 0..9999.
std::string to_iso(const Date& date);

}  // namespace tapegrad::data
