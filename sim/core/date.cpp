#include "sim/core/date.hpp"

#include <array>
#include <chrono>
#include <stdexcept>

#include <fmt/format.h>

namespace sortie::core {
namespace {

namespace chr = std::chrono;

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// std::chrono::year only holds -32767..32767, but the leap rule repeats every 400 years,
// so this stand-in year has the same leap status (and month lengths) for any int.
chr::year same_leap_status(int year) {
    return chr::year{year % 400};
}

// chrono's year, month and day keep a short / unsigned char, so out-of-range ints would wrap
// into plausible values (month 257 -> 1). Bound them first, then let .ok() apply the calendar.
std::optional<chr::year_month_day> checked_ymd(int year, int month, int day) {
    const bool in_range = year >= static_cast<int>(chr::year::min()) &&
                          year <= static_cast<int>(chr::year::max()) && month >= 1 && month <= 12 &&
                          day >= 1 && day <= 31;
    if (!in_range) return std::nullopt;
    const chr::year_month_day ymd{chr::year{year}, chr::month{static_cast<unsigned>(month)},
                                  chr::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) return std::nullopt;  // e.g. February 30th, or the 29th in a common year
    return ymd;
}

// Days since 1970-01-01 are exactly chrono's sys_days, so chrono does the conversion.
chr::year_month_day civil(std::int32_t days) {
    return chr::year_month_day{chr::sys_days{chr::days{days}}};
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
    return same_leap_status(year).is_leap();
}

int days_in_month(int year, int month) {
    // An impossible month is an error, never a guess (chr::month would wrap 257 to 1).
    if (month < 1 || month > 12) {
        throw std::out_of_range(fmt::format("no such month: {}", month));
    }
    const chr::year_month_day_last last{
        same_leap_status(year), chr::month_day_last{chr::month{static_cast<unsigned>(month)}}};
    return static_cast<int>(static_cast<unsigned>(last.day()));
}

Date Date::from_ymd(int year, int month, int day) {
    const auto ymd = checked_ymd(year, month, day);
    if (!ymd) throw std::invalid_argument(fmt::format("no such date: {}-{}-{}", year, month, day));
    // Every year chrono accepts is within about 12 million days of 1970, so int32 holds it.
    return Date(static_cast<std::int32_t>(chr::sys_days{*ymd}.time_since_epoch().count()));
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
    if (!checked_ymd(year, month, day)) {
        return fmt::format("{} {} has {} days", kMonthNames[static_cast<std::size_t>(month - 1)],
                           year, days_in_month(year, month));
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
    return static_cast<int>(civil(days_).year());
}
int Date::month() const {
    return static_cast<int>(static_cast<unsigned>(civil(days_).month()));
}
int Date::day() const {
    return static_cast<int>(static_cast<unsigned>(civil(days_).day()));
}

std::string Date::to_string() const {
    const chr::year_month_day ymd = civil(days_);  // convert once, not once per field
    return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

}  // namespace sortie::core
