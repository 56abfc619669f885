#include <doctest/doctest.h>

#include <cmath>

#include "tests/support/summary_fixtures.hpp"
#include "tools/sortie/summary_print.hpp"

using namespace sortie::test;
using sortie::results::quantile;
using sortie::results::replicate_metrics;
using sortie::results::summarise;

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
    CHECK(text.find("\n  peak_icu (C+waiting)         10.0  [10.0, 10.0]              "
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

TEST_CASE("supply metrics in the JSON, CSV and text summaries") {
    ScenarioResult s = with_hospitals();
    s.replicates = {saturated(s, 1), saturated(s, 3), saturated(s, 9)};  // the last: none
    const auto summary = summarise({"", {s}})[0];
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

TEST_CASE("the JSON summary has the 8 headline metrics only, without hospitals or testing") {
    ScenarioResult s = tiny_scenario();
    s.replicates = {peaking(s, 1, 3)};
    const auto summary = summarise({"", {s}})[0];
    CHECK(sortie::cli::to_json({summary}).at("scenarios").at(0).at("metrics").size() == 8);
}
