#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/core/error.hpp"

namespace sortie::core {

/// A calendar day of the proleptic Gregorian calendar, stored as days since 1970-01-01.
/// No time of day, no time zone, no locale: the same text gives the same date everywhere.
/// Calendar arithmetic is std::chrono's, so years are limited to its range, -32767..32767.
class Date {
  public:
    constexpr Date() = default;

    /// The date with this many days since 1970-01-01 (negative before).
    static constexpr Date from_days_since_epoch(std::int32_t days) { return Date(days); }

    /// The date year-month-day; throws std::invalid_argument if it does not exist or its year
    /// is outside -32767..32767.
    static Date from_ymd(int year, int month, int day);

    /// Parses ISO-8601 "YYYY-MM-DD" (years 1000-9999). Returns nullopt on any other text.
    static std::optional<Date> parse(std::string_view text);

    /// Why `text` is not a date ("February 2020 has 29 days", ...), or "" if it is one.
    static std::string parse_problem(std::string_view text);

    /// Parses like `parse`; on failure throws InputError at `where`, naming the problem.
    static Date parse_or_throw(std::string_view text, const SourceLocation& where,
                               const std::string& key_path = {});

    constexpr std::int32_t days_since_epoch() const { return days_; }
    int year() const;
    int month() const;  ///< 1-12
    int day() const;    ///< 1-31

    /// "YYYY-MM-DD".
    std::string to_string() const;

    constexpr Date plus_days(std::int32_t days) const { return Date(days_ + days); }
    /// Days from `earlier` to this date (negative if `earlier` is later).
    constexpr std::int32_t days_since(Date earlier) const { return days_ - earlier.days_; }

    friend constexpr auto operator<=>(Date, Date) = default;

  private:
    constexpr explicit Date(std::int32_t days) : days_(days) {}
    std::int32_t days_ = 0;
};

/// Gregorian leap rule; exact for any int year, even beyond Date's range.
bool is_leap_year(int year);
/// Days in `month` (1-12) of `year`; throws std::out_of_range for any other month.
int days_in_month(int year, int month);

}  // namespace sortie::core
