#include <doctest/doctest.h>

#include "sim/core/date.hpp"

using sortie::core::Date;
using sortie::core::days_in_month;
using sortie::core::InputError;
using sortie::core::is_leap_year;

TEST_CASE("dates round-trip through text for every day of 1900-2100") {
    const Date first = Date::from_ymd(1900, 1, 1);
    const Date last = Date::from_ymd(2100, 12, 31);
    int previous_day = 31;
    for (Date d = first; d <= last; d = d.plus_days(1)) {
        const auto parsed = Date::parse(d.to_string());
        REQUIRE(parsed.has_value());
        REQUIRE(*parsed == d);
        // Consecutive days either advance the day of month or restart it at 1.
        REQUIRE((d.day() == previous_day + 1 || d.day() == 1));
        previous_day = d.day();
    }
    CHECK(last.days_since(first) == 73413);  // 201 years with 49 leap days (1900, 2100 not)
}

TEST_CASE("the epoch and known differences") {
    CHECK(Date::from_ymd(1970, 1, 1).days_since_epoch() == 0);
    CHECK(Date::from_ymd(1969, 12, 31).days_since_epoch() == -1);
    CHECK(Date::from_ymd(2020, 3, 17).days_since_epoch() == 18338);
    const Date lockdown = *Date::parse("2020-03-17");
    const Date exit = *Date::parse("2020-05-11");
    CHECK(exit.days_since(lockdown) == 55);
    CHECK(lockdown.days_since(exit) == -55);
    CHECK(lockdown.plus_days(55) == exit);
    CHECK(Date::parse("2020-02-28")->plus_days(1).to_string() == "2020-02-29");
    CHECK(Date::parse("2021-02-28")->plus_days(1).to_string() == "2021-03-01");
    CHECK(Date::parse("2020-12-31")->plus_days(1).to_string() == "2021-01-01");
}

TEST_CASE("leap years follow the Gregorian rule") {
    CHECK(Date::parse("2020-02-29").has_value());
    CHECK(Date::parse("2000-02-29").has_value());
    CHECK_FALSE(Date::parse("2019-02-29").has_value());
    CHECK_FALSE(Date::parse("2100-02-29").has_value());
    CHECK_FALSE(Date::parse("1900-02-29").has_value());
}

TEST_CASE("text that is not an ISO date is refused, with the reason") {
    CHECK(Date::parse_problem("2020-02-30") == "February 2020 has 29 days");
    CHECK(Date::parse_problem("2021-04-31") == "April 2021 has 30 days");
    CHECK(Date::parse_problem("2020-13-01") == "month must be between 01 and 12");
    CHECK(Date::parse_problem("2020-00-10") == "month must be between 01 and 12");
    CHECK(Date::parse_problem("2020-01-00") == "January 2020 has 31 days");
    CHECK(Date::parse_problem("0999-01-01") == "year must be between 1000 and 9999");
    for (const char* bad : {"2020-2-03", "20200203", " 2020-02-03", "2020-02-03 ", "2020/02/03", "",
                            "today", "2020-02-3x", "+020-02-03"}) {
        CAPTURE(bad);
        CHECK(Date::parse_problem(bad) == "expected an ISO date YYYY-MM-DD");
        CHECK_FALSE(Date::parse(bad).has_value());
    }
}

TEST_CASE("a bad date in a file is reported at its location") {
    try {
        Date::parse_or_throw("2020-02-30", {"exit.yaml", 7, 12}, "interventions[0].start");
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()) ==
              "exit.yaml:7:12: interventions[0].start: invalid date '2020-02-30': "
              "February 2020 has 29 days");
    }
    CHECK(Date::parse_or_throw("2020-02-29", {"x", 1, 1}) == Date::from_ymd(2020, 2, 29));
}

TEST_CASE("from_ymd refuses impossible dates") {
    CHECK_THROWS_AS(Date::from_ymd(2020, 2, 30), std::invalid_argument);
    CHECK_THROWS_AS(Date::from_ymd(2020, 0, 1), std::invalid_argument);
    CHECK(Date::from_ymd(2020, 5, 11).year() == 2020);
    CHECK(Date::from_ymd(2020, 5, 11).month() == 5);
    CHECK(Date::from_ymd(2020, 5, 11).day() == 11);
}

TEST_CASE("century years are leap only when divisible by 400") {
    CHECK_FALSE(is_leap_year(1900));
    CHECK(is_leap_year(2000));
    CHECK(is_leap_year(1600));
    CHECK_FALSE(is_leap_year(2100));
    CHECK(is_leap_year(2024));
    CHECK_FALSE(is_leap_year(2023));
    CHECK(days_in_month(1900, 2) == 28);
    CHECK(days_in_month(2000, 2) == 29);
    CHECK(days_in_month(2023, 4) == 30);
    CHECK(days_in_month(2023, 12) == 31);
    CHECK_THROWS_AS(days_in_month(2023, 13), std::out_of_range);
    CHECK_THROWS_AS(days_in_month(2023, 0), std::out_of_range);
    // The rule holds beyond std::chrono::year's range and before year 0.
    CHECK_FALSE(is_leap_year(32900));
    CHECK(is_leap_year(40000));
    CHECK_FALSE(is_leap_year(-100));
    CHECK(is_leap_year(-400));

    CHECK(Date::parse("2024-02-29").has_value());
    CHECK(Date::from_ymd(2024, 2, 29).to_string() == "2024-02-29");
    CHECK_FALSE(Date::parse("2023-02-29").has_value());
    CHECK(Date::parse_problem("2023-02-29") == "February 2023 has 28 days");
    CHECK(Date::parse_problem("1900-02-29") == "February 1900 has 28 days");
    CHECK(Date::parse_problem("2000-02-30") == "February 2000 has 29 days");
    CHECK_THROWS_AS(Date::from_ymd(2023, 2, 29), std::invalid_argument);
    CHECK_THROWS_AS(Date::from_ymd(1900, 2, 29), std::invalid_argument);
    CHECK(Date::parse("1900-03-01")->plus_days(-1).to_string() == "1900-02-28");
    CHECK(Date::parse("2000-03-01")->plus_days(-1).to_string() == "2000-02-29");
}

TEST_CASE("differences across centuries and far from 1970") {
    // One 400-year Gregorian cycle is 146097 days.
    CHECK(Date::from_ymd(2400, 3, 1).days_since(Date::from_ymd(1600, 3, 1)) == 292194);
    CHECK(Date::from_ymd(1600, 3, 1).days_since_epoch() == -135080);
    CHECK(Date::from_ymd(2400, 3, 1).days_since_epoch() == 157114);
    CHECK(Date::from_ymd(1582, 10, 15).days_since_epoch() == -141427);
    CHECK(Date::from_ymd(2000, 2, 29).days_since_epoch() == 11016);
    const Date first = *Date::parse("1000-01-01");
    const Date last = *Date::parse("9999-12-31");
    CHECK(first.days_since_epoch() == -354285);
    CHECK(last.days_since_epoch() == 2932896);
    CHECK(last.days_since(first) == 3287181);
    CHECK(Date::from_days_since_epoch(-354285).to_string() == "1000-01-01");
    CHECK(Date::from_days_since_epoch(2932896).to_string() == "9999-12-31");
    CHECK(Date::from_ymd(2100, 3, 1).days_since(Date::from_ymd(1900, 2, 28)) == 73050);
}

TEST_CASE("plus_days round-trips with negative offsets") {
    CHECK(Date::parse("2025-01-01")->plus_days(-366).to_string() == "2024-01-01");
    CHECK(Date::parse("2024-01-01")->plus_days(-365).to_string() == "2023-01-01");
    CHECK(Date::parse("1970-01-01")->plus_days(-1).to_string() == "1969-12-31");
    CHECK(Date::parse("2400-03-01")->plus_days(-292194).to_string() == "1600-03-01");
    for (const char* text :
         {"1000-01-01", "1600-02-29", "1900-03-01", "2000-02-29", "2024-12-31", "9999-12-31"}) {
        const Date d = *Date::parse(text);
        for (const std::int32_t offset : {1, 59, 365, 366, 1461, 36524, 146097, 354285}) {
            CAPTURE(text);
            CAPTURE(offset);
            const Date back = d.plus_days(-offset);
            CHECK(back.days_since(d) == -offset);
            CHECK(back.plus_days(offset) == d);
            // Through text too, so to_string and parse agree far from the epoch.
            if (back.year() >= 1000) CHECK(*Date::parse(back.to_string()) == back);
        }
    }
}

TEST_CASE("from_ymd refuses fields that would wrap in std::chrono") {
    CHECK_THROWS_AS(Date::from_ymd(2020, 257, 1), std::invalid_argument);  // 257 % 256 == 1
    CHECK_THROWS_AS(Date::from_ymd(2020, 1, 257), std::invalid_argument);
    CHECK_THROWS_AS(Date::from_ymd(2020, -1, 1), std::invalid_argument);
    CHECK_THROWS_AS(Date::from_ymd(40000, 1, 1), std::invalid_argument);
    CHECK(Date::from_ymd(-32767, 1, 1) < Date::from_ymd(32767, 12, 31));
}
