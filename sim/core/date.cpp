#include "sim/core/date.hpp"

#include <array>
#include <stdexcept>

#include <fmt/format.h>

namespace sortie::core {
namespace {

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// Days from 1970-01-01 to year-month-day, after the well-known era decomposition
// (400-year cycles of 146097 days); valid for the whole proleptic Gregorian calendar.
std::int32_t days_from_civil(int year, int month, int day) {
    const int y = year - (month <= 2 ? 1 : 0);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int year_of_era = y - era * 400;
    const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

struct Civil {
    int year, month, day;
};

Civil civil_from_days(std::int32_t days) {
    const int z = days + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int day_of_era = z - era * 146097;
    const int year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const int day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const int shifted_month = (5 * day_of_year + 2) / 153;
    const int day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    const int month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    return {year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool all_digits(std::string_view text) {
    for (char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return !text.empty();
}

int to_int(std::string_view digits) {
    int value = 0;
    for (char c : digits) value = value * 10 + (c - '0');
    return value;
}

}  // namespace

bool is_leap_year(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
    constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && is_leap_year(year)) return 29;
    return kDays.at(static_cast<std::size_t>(month - 1));
}

Date Date::from_ymd(int year, int month, int day) {
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
        throw std::invalid_argument(fmt::format("no such date: {}-{}-{}", year, month, day));
    }
    return Date(days_from_civil(year, month, day));
}

std::string Date::parse_problem(std::string_view text) {
    const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                        all_digits(text.substr(0, 4)) && all_digits(text.substr(5, 2)) &&
                        all_digits(text.substr(8, 2));
    if (!shaped) return "expected an ISO date YYYY-MM-DD";
    const int year = to_int(text.substr(0, 4));
    const int month = to_int(text.substr(5, 2));
    const int day = to_int(text.substr(8, 2));
    if (year < 1000) return "year must be between 1000 and 9999";
    if (month < 1 || month > 12) return "month must be between 01 and 12";
    const int last = days_in_month(year, month);
    if (day < 1 || day > last) {
        return fmt::format("{} {} has {} days", kMonthNames[static_cast<std::size_t>(month - 1)],
                           year, last);
    }
    return {};
}

std::optional<Date> Date::parse(std::string_view text) {
    if (!parse_problem(text).empty()) return std::nullopt;
    return from_ymd(to_int(text.substr(0, 4)), to_int(text.substr(5, 2)),
                    to_int(text.substr(8, 2)));
}

Date Date::parse_or_throw(std::string_view text, const SourceLocation& where,
                          const std::string& key_path) {
    const std::string problem = parse_problem(text);
    if (!problem.empty()) {
        throw InputError(where, key_path, fmt::format("invalid date '{}': {}", text, problem));
    }
    return *parse(text);
}

int Date::year() const {
    return civil_from_days(days_).year;
}
int Date::month() const {
    return civil_from_days(days_).month;
}
int Date::day() const {
    return civil_from_days(days_).day;
}

std::string Date::to_string() const {
    const Civil civil = civil_from_days(days_);
    return fmt::format("{:04d}-{:02d}-{:02d}", civil.year, civil.month, civil.day);
}

}  // namespace sortie::core
