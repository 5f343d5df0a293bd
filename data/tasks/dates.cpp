// The dates task: writing a date in many formats, and sampling (date, format) pairs.
#include "data/tasks/dates.h"

#include <array>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

#include "base/generator.h"

namespace tapegrad::data {

namespace {

constexpr std::array<const char*, 12> kMonthNames = {"January", "February", "March",     "April",   "May",      "June",
                                                     "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 7> kWeekdayNames = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                      "Friday", "Saturday", "Sunday"};

std::string month_name(const Date& date) { return kMonthNames[static_cast<std::size_t>(date.month - 1)]; }
std::string month_abbreviation(const Date& date) { return month_name(date).substr(0, 3); }
std::string weekday_name(const Date& date) { return kWeekdayNames[static_cast<std::size_t>(day_of_week(date))]; }

std::string lowercase(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}
std::string uppercase(std::string text) {
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

bool is_slash(DateFormat format) {
    return format == DateFormat::UsSlashShortYear || format == DateFormat::UsSlash || format == DateFormat::EuSlash;
}

}  // namespace

std::string ordinal(int number) {
    const int last_two = number % 100;
    const int last = number % 10;
    const char* suffix = (last_two >= 11 && last_two <= 13) ? "th"
                         : last == 1                        ? "st"
                         : last == 2                        ? "nd"
                         : last == 3                        ? "rd"
                                                            : "th";
    return fmt::format("{}{}", number, suffix);
}

std::string format_date(const Date& date, DateFormat format) {
    if (!is_valid_date(date))
        throw std::invalid_argument(
            fmt::format("format_date: invalid date {}-{}-{}", date.year, date.month, date.day));
    const int y = date.year, m = date.month, d = date.day;
    switch (format) {
        case DateFormat::DayMonYear: return fmt::format("{} {} {}", d, month_abbreviation(date), y);
        case DateFormat::DayMonthYear: return fmt::format("{} {} {}", d, month_name(date), y);
        case DateFormat::WeekdayMonthDayYear:
            return fmt::format("{}, {} {}, {}", weekday_name(date), month_name(date), d, y);
        case DateFormat::MonthDayYear: return fmt::format("{} {}, {}", month_name(date), d, y);
        case DateFormat::MonDayYear: return fmt::format("{} {}, {}", month_abbreviation(date), d, y);
        case DateFormat::UsSlashShortYear: return fmt::format("{:02}/{:02}/{:02}", m, d, y % 100);
        case DateFormat::UsSlash: return fmt::format("{:02}/{:02}/{:04}", m, d, y);
        case DateFormat::EuDots: return fmt::format("{:02}.{:02}.{:04}", d, m, y);
        case DateFormat::EuSlash: return fmt::format("{:02}/{:02}/{:04}", d, m, y);
        case DateFormat::YearDots: return fmt::format("{:04}.{:02}.{:02}", y, m, d);
        case DateFormat::LowerWeekdayDayMonthYear:
            return lowercase(fmt::format("{} {} {} {}", weekday_name(date), d, month_name(date), y));
        case DateFormat::DayUpperMonYear: return fmt::format("{} {} {}", d, uppercase(month_abbreviation(date)), y);
        case DateFormat::OrdinalOfMonthYear: return fmt::format("the {} of {} {}", ordinal(d), month_name(date), y);
        case DateFormat::WeekdayDayMonYear:
            return fmt::format("{}, {} {} {}", weekday_name(date).substr(0, 3), d, month_abbreviation(date), y);
        case DateFormat::DayDashMonYear: return fmt::format("{}-{}-{}", d, month_abbreviation(date), y);
        case DateFormat::MonthOrdinalYear: return fmt::format("{} {}, {}", month_name(date), ordinal(d), y);
    }
    throw std::invalid_argument(fmt::format("format_date: unknown format {}", static_cast<int>(format)));
}

std::vector<SentencePair> generate_dates(int64_t n, uint64_t seed, DatesOptions options) {
    if (n < 0) throw std::invalid_argument(fmt::format("generate_dates: n must be >= 0, got {}", n));
    if (options.min_year < 1 || options.max_year > 9999 || options.min_year > options.max_year)
        throw std::invalid_argument(fmt::format(
            "generate_dates: need 1 <= min_year <= max_year <= 9999, got min_year {} and max_year {}",
            options.min_year, options.max_year));
    const bool two_digit_year_ok = options.min_year >= 1950 && options.max_year <= 2049;
    const int64_t first_day = days_from_civil({options.min_year, 1, 1});
    const int64_t last_day = days_from_civil({options.max_year, 12, 31});

    Generator generator(seed);
    std::vector<SentencePair> pairs;
    pairs.reserve(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        const Date date = civil_from_days(generator.next_int(first_day, last_day + 1));
        const bool slash_unambiguous = date.day > 12 || date.day == date.month;
        DateFormat format;
        do {
            format = static_cast<DateFormat>(generator.next_int(0, kNumDateFormats));
        } while ((format == DateFormat::UsSlashShortYear && !two_digit_year_ok) ||
                 (is_slash(format) && !slash_unambiguous));
        pairs.push_back({format_date(date, format), to_iso(date)});
    }
    return pairs;
}

}  // namespace tapegrad::data
