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
