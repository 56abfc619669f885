#include <doctest/doctest.h>

#include <cmath>

#include "tools/sortie/summary.hpp"

namespace {

using sortie::cli::quantile;
using sortie::cli::replicate_metrics;
using sortie::cli::summarise;
using sortie::engine::Event;
using sortie::engine::ReplicateResult;
using sortie::engine::ScenarioResult;
using sortie::engine::State;

// One region, two age bands, four days.
ScenarioResult tiny_scenario() {
    ScenarioResult s;
    s.name = "tiny";
    s.agents = 1000;
    s.start_date = "2020-02-27";
    s.days = 4;
    s.regions = {"idf"};
    s.age_bands = {"0-49", "50+"};
    return s;
}

struct Trajectory {
    const ScenarioResult& scenario;
    ReplicateResult replicate;

    explicit Trajectory(const ScenarioResult& s) : scenario(s) {
        replicate.counts.assign(s.days * s.counts_per_day(), 0);
        replicate.incidence.assign(s.days * s.incidence_per_day(), 0);
        replicate.measures.assign(s.days * s.measures_per_day(), 0);
    }
    void set(std::size_t day, std::size_t band, State state, std::int32_t people) {
        const std::size_t cell = day * scenario.age_bands.size() + band;
        replicate.counts[cell * sortie::engine::kStates + static_cast<std::size_t>(state)] = people;
    }
    void add(std::size_t day, std::size_t band, Event event, std::int32_t events) {
        const std::size_t cell = day * scenario.age_bands.size() + band;
        replicate.incidence[cell * sortie::engine::kEvents + static_cast<std::size_t>(event)] +=
            events;
    }
};

// A replicate whose ward + ICU occupancy peaks on `hospital_day` and ICU on `icu_day`.
ReplicateResult peaking(const ScenarioResult& s, std::size_t hospital_day, std::size_t icu_day) {
    Trajectory t(s);
    t.set(hospital_day, 0, State::kHospitalWard, 50);
    t.set(icu_day, 1, State::kIcu, 10);
    return t.replicate;
}

}  // namespace

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

TEST_CASE("the JSON summary has the documented keys in order") {
    ScenarioResult s = tiny_scenario();
    s.replicates = {peaking(s, 1, 3), peaking(s, 2, 3)};
    const auto json = sortie::cli::to_json(summarise({"", {s}}));
    const auto& scenario = json.at("scenarios").at(0);
    CHECK(scenario.at("name") == "tiny");
    CHECK(scenario.at("replicates") == 2);
    CHECK(scenario.at("agents") == 1000);
    std::vector<std::string> keys;
    for (const auto& [key, value] : scenario.at("metrics").items()) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"attack_rate", "peak_icu", "peak_icu_date",
                                           "peak_hospital", "peak_hospital_date",
                                           "hospital_admissions", "deaths", "r0_realised"});
    CHECK(scenario.at("metrics").at("peak_icu").at("p95") == 10.0);
    CHECK(scenario.at("metrics").at("peak_icu_date") == "2020-03-01");
}

TEST_CASE("the text summary shows one row per metric with median and range") {
    ScenarioResult s = tiny_scenario();
    s.replicates = {peaking(s, 1, 3), peaking(s, 2, 3)};
    const std::string text = sortie::cli::to_text(summarise({"", {s}}));
    CHECK(text.starts_with("scenario tiny: 2 replicates, 1000 agents\n"));
    CHECK(text.find("\n  metric                     median  [p05, p95]\n") != std::string::npos);
    CHECK(text.find("\n  peak_icu (C)                 10.0  [10.0, 10.0]              "
                    "median peak day 2020-03-01\n") != std::string::npos);
    CHECK(text.find("\n  attack_rate                0.0000  [0.0000, 0.0000]\n") !=
          std::string::npos);
}

TEST_CASE("CSV fields are quoted as RFC 4180 says, only when they need it") {
    using sortie::cli::csv_field;
    CHECK(csv_field("lockdown") == "lockdown");
    CHECK(csv_field("exit 11 May") == "exit 11 May");
    CHECK(csv_field("sweep[R0=1.5,size=1000]") == "\"sweep[R0=1.5,size=1000]\"");
    CHECK(csv_field("the \"stop\" variant") == "\"the \"\"stop\"\" variant\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field("cr\r") == "\"cr\r\"");
    CHECK(csv_field("") == "");
}

TEST_CASE("the CSV summary has a header and one row per scenario and metric") {
    ScenarioResult s = tiny_scenario();
    s.name = "exit[R0=2,size=10]";
    s.replicates = {peaking(s, 1, 3), peaking(s, 2, 3)};
    s.replicates[0].r0_realised = 2.5;
    s.replicates[1].r0_realised = 3.0;
    const std::string csv = sortie::cli::to_csv(summarise({"", {s}}));
    CHECK(csv ==
          "scenario,replicates,agents,metric,median,p05,p95,peak_date\n"
          "\"exit[R0=2,size=10]\",2,1000,attack_rate,0,0,0,\n"
          "\"exit[R0=2,size=10]\",2,1000,peak_icu,10,10,10,2020-03-01\n"
          "\"exit[R0=2,size=10]\",2,1000,peak_hospital,50,50,50,2020-02-28\n"
          "\"exit[R0=2,size=10]\",2,1000,hospital_admissions,0,0,0,\n"
          "\"exit[R0=2,size=10]\",2,1000,deaths,0,0,0,\n"
          "\"exit[R0=2,size=10]\",2,1000,r0_realised,2.75,2.525,2.975,\n");
}

TEST_CASE("a NaN in the CSV summary is an empty field, which pandas and R read as missing") {
    ScenarioResult s = tiny_scenario();
    s.agents = 0;  // attack rate undefined
    s.replicates = {peaking(s, 1, 3)};
    const std::string csv = sortie::cli::to_csv(summarise({"", {s}}));
    CHECK(csv.find("\ntiny,1,0,attack_rate,,,,\n") != std::string::npos);
}

namespace {

using sortie::engine::HospitalMeasure;
using sortie::engine::Measure;
using sortie::engine::SupplyMeasure;

// The tiny scenario with hospital records, one consumable and one equipment.
ScenarioResult with_hospitals() {
    ScenarioResult s = tiny_scenario();
    s.hospitals = true;
    s.supplies = {{"ffp2_masks", "masks", false}, {"ventilators", "ventilators", true}};
    return s;
}

struct HospitalDays {
    const ScenarioResult& scenario;
    ReplicateResult replicate;

    explicit HospitalDays(const ScenarioResult& s)
        : scenario(s), replicate(Trajectory(s).replicate) {
        replicate.hospital.assign(s.days * s.hospital_per_day(), 0);
        replicate.supplies.assign(s.days * s.supplies_per_day(), 0.0);
        for (std::size_t i = std::size_t(SupplyMeasure::kDaysLeft); i < replicate.supplies.size();
             i += sortie::engine::kSupplyMeasures)
            replicate.supplies[i] = INFINITY;
    }
    void set(std::size_t day, HospitalMeasure m, std::int32_t value) {
        replicate.hospital[day * sortie::engine::kHospitalMeasures + std::size_t(m)] = value;
    }
    void demand(std::size_t day, State state, std::int32_t people) {
        replicate.counts[(day * scenario.age_bands.size()) * sortie::engine::kStates +
                         std::size_t(state)] = people;
    }
    void supply(std::size_t day, std::size_t resource, SupplyMeasure m, double value) {
        replicate.supplies[(day * scenario.supplies.size() + resource) *
                               sortie::engine::kSupplyMeasures +
                           std::size_t(m)] = value;
    }
};

// ICU beds 10 every day; demand 5, 12, 20, 8: peak 20 on day 2, two days over.
ReplicateResult saturated(const ScenarioResult& s, std::size_t first_shortage) {
    HospitalDays h(s);
    const std::int32_t demand[] = {5, 12, 20, 8};
    for (std::size_t day = 0; day < s.days; ++day) {
        h.set(day, HospitalMeasure::kIcuCapacity, 10);
        h.set(day, HospitalMeasure::kWardCapacity, 100);
        h.demand(day, State::kIcu, demand[day]);
        h.demand(day, State::kHospitalWard, 30);
        h.supply(day, 0, SupplyMeasure::kUsed, 4);
        h.supply(day, 0, SupplyMeasure::kDaysLeft, 10.0 - double(day));
        if (day >= first_shortage) h.supply(day, 0, SupplyMeasure::kShortage, 1);
    }
    h.set(1, HospitalMeasure::kIcuRefused, 2);
    h.set(2, HospitalMeasure::kIcuRefused, 10);
    h.set(2, HospitalMeasure::kTransfersOut, 3);
    h.set(3, HospitalMeasure::kExcessDeaths, 4);
    return h.replicate;
}

}  // namespace

TEST_CASE("hospital metrics: demand over capacity on the peak day, days over, refusals") {
    const ScenarioResult s = with_hospitals();
    const auto m = sortie::cli::hospital_metrics(s, saturated(s, 2));
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
    const auto json = sortie::cli::to_json({summary});
    const auto& metrics = json.at("scenarios").at(0).at("metrics");
    CHECK(metrics.at("icu_demand_over_capacity").at("median") == 2.0);
    CHECK(metrics.at("supplies").at(0).at("first_shortage_date") == "2020-02-29");
    CHECK(metrics.at("supplies").at(1).at("first_shortage_date").is_null());
    const std::string csv = sortie::cli::to_csv({summary});
    CHECK(csv.find("\ntiny,3,1000,icu_days_over_capacity,2,2,2,\n") != std::string::npos);
    CHECK(csv.find("\ntiny,3,1000,supplies.ffp2_masks.first_shortage_day,2,1.1,2.9,2020-02-29\n") !=
          std::string::npos);
    CHECK(csv.find("\ntiny,3,1000,supplies.ventilators.replicates_with_shortage,0,0,0,\n") !=
          std::string::npos);
    const std::string text = sortie::cli::to_text({summary});
    CHECK(text.find("supply ffp2_masks (masks): shortage in 2 of 3 replicates, median first day "
                    "2020-02-29\n") != std::string::npos);
}

TEST_CASE("tests against capacity: peak daily share and days with unmet requests") {
    const ScenarioResult s = tiny_scenario();
    Trajectory t(s);
    const auto at = [&](std::size_t day, Measure m) -> std::int32_t& {
        return t.replicate.measures[day * sortie::engine::kMeasures + std::size_t(m)];
    };
    const std::int32_t tests[] = {0, 20, 40, 30}, capacity[] = {0, 40, 40, 40};
    for (std::size_t day = 0; day < s.days; ++day) {
        at(day, Measure::kTests) = tests[day];
        at(day, Measure::kTestCapacity) = capacity[day];
    }
    at(2, Measure::kTestsUnmet) = 7;
    const auto m = sortie::cli::test_metrics(s, t.replicate);
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
    CHECK(sortie::cli::to_json({summary}).at("scenarios").at(0).at("metrics").size() == 8);
}
