#include <doctest/doctest.h>

#include <cmath>

#include "sim/results/summary.hpp"
#include "tests/support/summary_fixtures.hpp"

using namespace sortie::test;
using sortie::results::quantile;
using sortie::results::replicate_metrics;
using sortie::results::summarise;

TEST_CASE("quantiles interpolate linearly between order statistics like numpy") {
    const std::vector<double> values = {4, 2, 1, 3};
    CHECK(quantile(values, 0.5) == doctest::Approx(2.5).epsilon(1e-15));
    CHECK(quantile(values, 0.05) == doctest::Approx(1.15).epsilon(1e-15));
    CHECK(quantile(values, 0.95) == doctest::Approx(3.85).epsilon(1e-15));
    CHECK(quantile(values, 0.0) == 1);
    CHECK(quantile(values, 1.0) == 4);
    // numpy.quantile([1, 2, 3, 4], [0.05, 0.95]) prints these exact doubles.
    CHECK(quantile(values, 0.05) == 1.15);
    CHECK(quantile(values, 0.95) == 3.8499999999999996);
}

TEST_CASE("quantiles of one value and of none") {
    const std::vector<double> one = {7};
    CHECK(quantile(one, 0.05) == 7);
    CHECK(quantile(one, 0.95) == 7);
    CHECK(std::isnan(quantile(std::vector<double>{}, 0.5)));
}

TEST_CASE("the hospital peak counts ward and ICU and keeps the first day of a tie") {
    const ScenarioResult s = tiny_scenario();
    Trajectory t(s);
    t.set(1, 0, State::kHospitalWard, 30);
    t.set(1, 1, State::kIcu, 5);  // day 1: 35 in hospital, 5 in ICU
    t.set(2, 0, State::kHospitalWard, 20);
    t.set(2, 1, State::kIcu, 15);  // day 2: 35 in hospital (a tie), 15 in ICU
    t.set(3, 1, State::kIcu, 12);
    const auto m = replicate_metrics(s, t.replicate);
    CHECK(m.peak_hospital == 35);
    CHECK(m.peak_hospital_day == 1);
    CHECK(m.peak_icu == 15);
    CHECK(m.peak_icu_day == 2);
}

TEST_CASE("attack rate, admissions and deaths sum events over days, regions and bands") {
    ScenarioResult s = tiny_scenario();
    Trajectory t(s);
    t.add(0, 0, Event::kInfections, 100);
    t.add(3, 1, Event::kInfections, 150);
    t.add(2, 1, Event::kInfectionsHousehold, 999);  // a part of infections, not added again
    t.add(1, 0, Event::kHospitalAdmissions, 7);
    t.add(2, 1, Event::kHospitalAdmissions, 3);
    t.add(3, 1, Event::kDeaths, 2);
    t.replicate.r0_realised = 2.75;
    const auto m = replicate_metrics(s, t.replicate);
    CHECK(m.attack_rate == 0.25);
    CHECK(m.hospital_admissions == 10);
    CHECK(m.deaths == 2);
    CHECK(m.r0_realised == 2.75);
}

TEST_CASE("a scenario's peak date is that of the median peak day, rounded down") {
    ScenarioResult s = tiny_scenario();
    s.replicates = {peaking(s, 1, 3), peaking(s, 2, 3), peaking(s, 3, 0)};
    const auto summary = summarise({"", {s}});
    REQUIRE(summary.size() == 1);
    CHECK(summary[0].peak_hospital_date == "2020-02-29");  // median day 2; 2020 is a leap year
    CHECK(summary[0].peak_icu_date == "2020-03-01");       // median day 3
    CHECK(summary[0].peak_hospital.median == 50);
    s.replicates.pop_back();
    CHECK(summarise({"", {s}})[0].peak_hospital_date == "2020-02-28");  // day 1.5 -> 1
}

TEST_CASE("hospital metrics: demand over capacity on the peak day, days over, refusals") {
    const ScenarioResult s = with_hospitals();
    const auto m = sortie::results::hospital_metrics(s, saturated(s, 2));
    CHECK(m.icu_demand_over_capacity == 2.0);
    CHECK(m.icu_days_over_capacity == 2);
    CHECK(m.ward_demand_over_capacity == 0.3);
    CHECK(m.ward_days_over_capacity == 0);
    CHECK(m.icu_refused == 12);
    CHECK(m.transfers == 3);
    CHECK(m.excess_deaths == 4);
    REQUIRE(m.supplies.size() == 2);
    CHECK(m.supplies[0].first_shortage_day == 2);
    CHECK(m.supplies[0].min_days_left == 7);
    CHECK(std::isnan(m.supplies[1].first_shortage_day));  // never short
    CHECK(std::isinf(m.supplies[1].min_days_left));       // equipment: not used up
}

TEST_CASE("supply summary: shortages counted over replicates, median first date") {
    ScenarioResult s = with_hospitals();
    s.replicates = {saturated(s, 1), saturated(s, 3), saturated(s, 9)};  // the last: none
    const auto summary = summarise({"", {s}})[0];
    REQUIRE(summary.hospitals);
    REQUIRE(summary.supplies.size() == 2);
    CHECK(summary.supplies[0].replicates_with_shortage == 2);
    CHECK(summary.supplies[0].first_shortage_day.median == 2);
    CHECK(summary.supplies[0].first_shortage_date == "2020-02-29");
    CHECK(summary.supplies[0].min_days_left.median == 7);
    CHECK(summary.supplies[1].replicates_with_shortage == 0);
    CHECK(summary.supplies[1].first_shortage_date.empty());
    CHECK(std::isnan(summary.supplies[1].min_days_left.median));
}

TEST_CASE("tests against capacity: peak daily share and days with unmet requests") {
    const ScenarioResult s = tiny_scenario();
    Trajectory t(s);
    const auto at = [&](std::size_t day, Measure m) -> std::int32_t& {
        return t.replicate.measures[day * sortie::results::kMeasures + std::size_t(m)];
    };
    const std::int32_t tests[] = {0, 20, 40, 30}, capacity[] = {0, 40, 40, 40};
    for (std::size_t day = 0; day < s.days; ++day) {
        at(day, Measure::kTests) = tests[day];
        at(day, Measure::kTestCapacity) = capacity[day];
    }
    at(2, Measure::kTestsUnmet) = 7;
    const auto m = sortie::results::test_metrics(s, t.replicate);
    CHECK(m.tests == 90);
    CHECK(m.capacity == 120);
    CHECK(m.peak_share == 1.0);
    CHECK(m.days_at_capacity == 1);
}

TEST_CASE("nothing new in the summary without hospitals or testing") {
    ScenarioResult s = tiny_scenario();
    s.replicates = {peaking(s, 1, 3)};
    const auto summary = summarise({"", {s}})[0];
    CHECK_FALSE(summary.hospitals);
    CHECK_FALSE(summary.testing);
}
