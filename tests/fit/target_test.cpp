// Targets: an observed column read over a window (missing days, cumulative totals differenced,
// bad tables refused at their line), and model quantities taken from a real replicate over the
// same days, by region or nationally, scaled to the people observed.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/fit/target.hpp"
#include "sim/model/model.hpp"
#include "tests/support/prepared.hpp"

using namespace sortie;
using fit::ObservedColumn;
using fit::SeriesKind;
using sortie::testing::kScenarios;

namespace {

const auto kNational =
    kScenarios / "data" / "france-2020" / "national_hospital_2020-03-01_2020-05-11.csv";
const auto kRegional = kScenarios / "data" / "france-2020" / "regions" /
                       "hospital_by_region_2020-03-18_2020-05-11.csv";

core::Date day(const char* text) {
    return *core::Date::parse(text);
}

std::filesystem::path write_table(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / ("sortie-fit-" + name + ".csv");
    std::ofstream(path) << text;
    return path;
}

// The message of the InputError `read` throws, as the command line prints it.
template <typename Read>
std::string error_of(Read read) {
    try {
        read();
    } catch (const core::InputError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("an observed column over a window: values as in the table, NaN where not reported") {
    const auto icu = fit::read_observed({kNational, "icu", "date", SeriesKind::kStock},
                                        day("2020-03-06"), day("2020-03-09"));
    CHECK(icu.first == day("2020-03-06"));
    REQUIRE(icu.values.size() == 4);
    CHECK(icu.values[0] == 39);
    CHECK(icu.values[1] == 45);
    CHECK(std::isnan(icu.values[2]));  // 8 March has no row
    CHECK(icu.values[3] == 66);
    CHECK(icu.last() == day("2020-03-09"));
    const auto hospitalised =
        fit::read_observed({kNational, "hospitalised"}, day("2020-03-01"), day("2020-03-02"));
    CHECK(hospitalised.values[0] == 116);
    CHECK(std::isnan(hospitalised.values[1]));  // an empty cell
}

TEST_CASE("a cumulative column gives its daily differences, and NaN next to a missing day") {
    const auto deaths = fit::read_observed(
        {kNational, "hospital_deaths_cumulative", "date", SeriesKind::kCumulative},
        day("2020-03-17"), day("2020-03-20"));
    // 2020-03-16 has no row: the 17th has no difference; then 264 - 175, 372 - 264, 450 - 372.
    REQUIRE(deaths.values.size() == 4);
    CHECK(std::isnan(deaths.values[0]));
    CHECK(deaths.values[1] == 89);
    CHECK(deaths.values[2] == 108);
    CHECK(deaths.values[3] == 78);
    // The day before the window is read: the first day has its difference.
    const auto from_18 = fit::read_observed(
        {kNational, "hospital_deaths_cumulative", "date", SeriesKind::kCumulative},
        day("2020-03-18"), day("2020-03-18"));
    CHECK(from_18.values == std::vector<double>{89});
}

TEST_CASE("bad observed tables are refused at their line") {
    const auto decreasing = write_table("decreasing", "date,deaths\n2020-04-01,10\n2020-04-02,8\n");
    const ObservedColumn total{decreasing, "deaths", "date", SeriesKind::kCumulative};
    CHECK(error_of([&] { fit::read_observed(total, day("2020-04-02"), day("2020-04-02")); })
              .find("sortie-fit-decreasing.csv:3: deaths: the running total decreases from 10 on "
                    "2020-04-01 to 8") != std::string::npos);
    // The same table as daily counts is fine.
    CHECK(fit::read_observed({decreasing, "deaths"}, day("2020-04-01"), day("2020-04-02")).values ==
          std::vector<double>{10, 8});

    const auto unordered = write_table("unordered", "date,n\n2020-04-02,1\n2020-04-01,2\n");
    CHECK(error_of([&] {
              fit::read_observed({unordered, "n"}, day("2020-04-01"), day("2020-04-02"));
          }).find(":3: date: dates must increase from row to row (2020-04-01 after 2020-04-02)") !=
          std::string::npos);
    const auto repeated = write_table("repeated", "date,n\n2020-04-01,1\n2020-04-01,2\n");
    CHECK(error_of([&] {
              fit::read_observed({repeated, "n"}, day("2020-04-01"), day("2020-04-02"));
          }).find("dates must increase") != std::string::npos);
    const auto bad_date = write_table("bad-date", "date,n\n2020-02-30,1\n");
    CHECK(error_of([&] {
              fit::read_observed({bad_date, "n"}, day("2020-04-01"), day("2020-04-02"));
          }).find(":2:") != std::string::npos);
    const auto negative = write_table("negative", "date,n\n2020-04-01,-3\n");
    CHECK(error_of([&] {
              fit::read_observed({negative, "n"}, day("2020-04-01"), day("2020-04-01"));
          }).find(":2: n:") != std::string::npos);
    CHECK(
        error_of([&] {
            fit::read_observed({kNational, "no_such_column"}, day("2020-04-01"), day("2020-04-01"));
        }).find("no_such_column") != std::string::npos);
    CHECK(error_of([&] {
              fit::read_observed({kNational.parent_path() / "missing.csv", "n"}, day("2020-04-01"),
                                 day("2020-04-01"));
          }).find("missing.csv") != std::string::npos);
}

TEST_CASE("a long table's series is chosen by `where`, and a total is read as it stands") {
    // The regional file holds 13 rows a day: one region's rows, by its INSEE code.
    ObservedColumn grand_est{kRegional, "icu", "date", SeriesKind::kStock};
    grand_est.where = {{"region_code", "44"}};
    const auto ges = fit::read_observed(grand_est, day("2020-04-03"), day("2020-04-03"));
    CHECK(ges.values == std::vector<double>{971});  // Grand Est's ICU peak (README)
    ObservedColumn paris = grand_est;
    paris.where = {{"region_code", "11"}, {"region", "Île-de-France"}};
    CHECK(fit::read_observed(paris, day("2020-04-08"), day("2020-04-08")).values ==
          std::vector<double>{2668});
    // Without `where` the 13 rows of a day are dates repeated.
    CHECK(error_of([&] {
              fit::read_observed({kRegional, "icu", "date", SeriesKind::kStock}, day("2020-04-01"),
                                 day("2020-04-01"));
          }).find("dates must increase") != std::string::npos);
    ObservedColumn typo = grand_est;
    typo.where = {{"region_code", "4"}};
    CHECK(error_of([&] {
              fit::read_observed(typo, day("2020-04-01"), day("2020-04-01"));
          }).find("region_code: no row has region_code = '4'") != std::string::npos);
    ObservedColumn unknown = grand_est;
    unknown.where = {{"region_key", "ges"}};
    CHECK(error_of([&] {
              fit::read_observed(unknown, day("2020-04-01"), day("2020-04-01"));
          }).find("region_key") != std::string::npos);
    // A total is not differenced: care-home deaths on 11 May 2020 as reported.
    const auto care_homes =
        fit::read_observed({kNational, "care_home_deaths_cumulative", "date", SeriesKind::kTotal},
                           day("2020-05-11"), day("2020-05-11"));
    CHECK(care_homes.values == std::vector<double>{9823});
}

TEST_CASE("binned sums: whole bins from the first day, NaN where a day is missing") {
    const double nan = std::nan("");
    const std::vector<double> days = {1, 2, 3, 4, 5, nan, 7, 8};
    const auto twos = fit::binned(days, 2);
    REQUIRE(twos.size() == 4);
    CHECK(twos[0] == 3);
    CHECK(twos[1] == 7);
    CHECK(std::isnan(twos[2]));  // 5 and a day not reported
    CHECK(twos[3] == 15);
    const auto threes = fit::binned(days, 3);  // 8 days: the last 2 left out
    REQUIRE(threes.size() == 2);
    CHECK(threes[0] == 6);
    CHECK(std::isnan(threes[1]));
    const auto ones = fit::binned(std::vector<double>{1, 2, 3}, 1);
    CHECK(ones == std::vector<double>{1, 2, 3});
    CHECK(fit::binned(std::vector<double>{1, 2}, 3).empty());
    CHECK_THROWS_AS(fit::binned(days, 0), std::invalid_argument);
}

TEST_CASE("model quantities are parsed from RECORD.LABEL+LABEL and say what they are") {
    std::string problem;
    const auto in_hospital = fit::parse_quantity("counts.H+C", problem);
    REQUIRE(in_hospital);
    CHECK(in_hospital->is_stock());
    CHECK(in_hospital->to_string() == "counts.H+C");
    const auto admissions = fit::parse_quantity("incidence.hospital_admissions", problem);
    REQUIRE(admissions);
    CHECK_FALSE(admissions->is_stock());
    CHECK(fit::parse_quantity("hospital.icu_occupancy", problem)->is_stock());
    CHECK_FALSE(fit::parse_quantity("hospital.icu_admissions", problem)->is_stock());

    CHECK_FALSE(fit::parse_quantity("counts.H+X", problem));
    CHECK(problem ==
          "unknown label 'X' of counts; expected one of: S, E, Ip, Ia, Is, H, C, F, R, D");
    CHECK_FALSE(fit::parse_quantity("occupancy.H", problem));
    CHECK(problem.find("a record among counts, incidence, hospital") != std::string::npos);
    CHECK_FALSE(fit::parse_quantity("counts", problem));
    CHECK_FALSE(fit::parse_quantity("counts.H+H", problem));
    CHECK(problem == "'H' appears twice in 'counts.H+H'");
    CHECK_FALSE(fit::parse_quantity("counts.", problem));
    const auto outside = fit::parse_quantity("incidence.deaths-hospital_deaths", problem);
    REQUIRE(outside);
    CHECK(outside->to_string() == "incidence.deaths-hospital_deaths");
    CHECK(outside->subtracted == std::vector<bool>{false, true});
    CHECK_FALSE(fit::parse_quantity("incidence.deaths-hospital_death", problem));
}

TEST_CASE("a model quantity over a window is the replicate's records summed, times the scale") {
    const auto& run = sortie::testing::hospital_epidemic();
    auto scenario = model::describe(run.scenario, *run.model);
    scenario.replicates = {run.simulation(0).run()};
    const auto start = day("2020-02-01");
    REQUIRE(scenario.start_date == "2020-02-01");
    const std::size_t regions = scenario.regions.size(), bands = scenario.age_bands.size();
    const auto& result = scenario.replicates[0];
    const auto states_on = [&](std::size_t d, std::size_t region_first, std::size_t region_last,
                               results::State state) {
        double sum = 0;
        for (std::size_t g = region_first; g < region_last; ++g)
            for (std::size_t b = 0; b < bands; ++b)
                sum += result.counts[((d * regions + g) * bands + b) * results::kStates +
                                     std::size_t(state)];
        return sum;
    };
    std::string problem;
    const auto in_hospital = *fit::parse_quantity("counts.H+C", problem);
    const auto from = day("2020-04-01"), to = day("2020-04-10");
    const auto national = fit::model_series(scenario, 0, in_hospital, std::nullopt, from, to, 2.5);
    REQUIRE(national.size() == 10);
    double total = 0;
    for (std::size_t i = 0; i < national.size(); ++i) {
        const std::size_t d = std::size_t(from.days_since(start)) + i;
        CHECK(national[i] == 2.5 * (states_on(d, 0, regions, results::State::kHospitalWard) +
                                    states_on(d, 0, regions, results::State::kIcu)));
        total += national[i];
    }
    CHECK(total > 0);  // the window is in the wave: the check above is not 0 == 0
    // By region: the regions add up to the nation.
    std::vector<double> summed(national.size(), 0.0);
    for (std::size_t g = 0; g < regions; ++g) {
        const auto one = fit::model_series(scenario, 0, in_hospital, g, from, to, 2.5);
        for (std::size_t i = 0; i < one.size(); ++i) summed[i] += one[i];
    }
    for (std::size_t i = 0; i < national.size(); ++i)
        CHECK(summed[i] == doctest::Approx(national[i]));
    // Admissions: the incidence record, summed the same way.
    const auto admissions = *fit::parse_quantity("incidence.hospital_admissions", problem);
    const auto flow = fit::model_series(scenario, 0, admissions, std::nullopt, start,
                                        start.plus_days(int(scenario.days) - 1), 1.0);
    double admitted = 0;
    for (std::size_t i = 0; i < result.incidence.size(); i += results::kEvents)
        admitted += result.incidence[i + std::size_t(results::Event::kHospitalAdmissions)];
    double summed_flow = 0;
    for (const double v : flow) summed_flow += v;
    CHECK(summed_flow == admitted);
    CHECK(admitted > 0);
    // Deaths outside hospital: every death less those at the end of a hospital course.
    const auto outside = *fit::parse_quantity("incidence.deaths-hospital_deaths", problem);
    const auto outside_flow = fit::model_series(scenario, 0, outside, std::nullopt, start,
                                                start.plus_days(int(scenario.days) - 1), 1.0);
    double deaths = 0, in_hospital_deaths = 0, outside_total = 0;
    for (std::size_t i = 0; i < result.incidence.size(); i += results::kEvents) {
        deaths += result.incidence[i + std::size_t(results::Event::kDeaths)];
        in_hospital_deaths += result.incidence[i + std::size_t(results::Event::kHospitalDeaths)];
    }
    for (const double v : outside_flow) {
        CHECK(v >= 0);
        outside_total += v;
    }
    CHECK(outside_total == deaths - in_hospital_deaths);
    CHECK(in_hospital_deaths > 0);
    CHECK(outside_total > 0);

    CHECK_THROWS_AS(
        fit::model_series(scenario, 0, in_hospital, std::nullopt, day("2020-01-31"), to, 1.0),
        std::invalid_argument);
    CHECK_THROWS_AS(
        fit::model_series(scenario, 0, in_hospital, std::nullopt, from, day("2020-07-01"), 1.0),
        std::invalid_argument);
    CHECK_THROWS_AS(fit::model_series(scenario, 0, in_hospital, regions, from, to, 1.0),
                    std::invalid_argument);
    const auto icu_beds = *fit::parse_quantity("hospital.icu_occupancy", problem);
    CHECK_THROWS_AS(fit::model_series(scenario, 0, icu_beds, std::nullopt, from, to, 1.0),
                    std::invalid_argument);  // this scenario has no hospitals:
}
