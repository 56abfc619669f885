#include <doctest/doctest.h>

#include "sim/core/date.hpp"

using sortie::core::Date;
using sortie::core::InputError;

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
