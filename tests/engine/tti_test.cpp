// Test-trace-isolate: its pure rules, and its effect in the engine with paired random numbers
// (same seed with and without it), capacities checked day by day in the measures.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <set>

#include "sim/core/date.hpp"
#include "sim/interventions/plan.hpp"
#include "sim/interventions/tti.hpp"
#include "tests/support/fingerprint.hpp"
#include "tests/support/prepared.hpp"

using namespace sortie;
using results::Measure;
using sortie::testing::Prepared;

namespace {

const std::filesystem::path kUnmitigated =
    sortie::testing::kScenarios / "france-2020" / "unmitigated.yaml";
constexpr std::size_t kRegions = 13;  // France

// Testing of symptomatic cases (household quarantine) from `start`, with `per_100k` tests a day.
std::string testing_yaml(const std::string& start, double per_100k, double compliance = 0.9,
                         bool household_quarantine = true) {
    return fmt::format(
        "testing: {{type: testing, start: {}, seek_test: 0.8, delay_days: 1, "
        "result_delay_days: 1, specificity: 0.998, per_100k: {}, "
        "isolation: {{compliance: {}, days: 10, household_quarantine: {}}}}}",
        start, per_100k, compliance, household_quarantine);
}

std::string tracing_yaml(const std::string& start, double per_100k, double compliance = 0.8,
                         const std::string& traceable =
                             "{household: 1, school: 0.8, work: 0.6, "
                             "community: 0.3}",
                         const std::string& app = "") {
    return fmt::format(
        "tracing: {{type: tracing, start: {}, traceable: {}, lookback_days: 2, delay_days: 1, "
        "index_cases_per_100k: {}, {} quarantine: {{compliance: {}, days: 14, test: true}}}}",
        start, traceable, per_100k, app, compliance);
}

// France structure, 20,000 agents, February to April 2020, plus these interventions.
std::vector<std::string> small_france(const std::vector<std::string>& interventions,
                                      const std::string& end = "2020-04-30") {
    std::vector<std::string> overrides = {"population.size=20000", "end=" + end,
                                          "seeding=[{date: 2020-02-01, infections: 20}]"};
    if (!interventions.empty()) {
        std::string joined;
        for (const auto& i : interventions) joined += (joined.empty() ? "" : ", ") + i;
        overrides.push_back("interventions={" + joined + "}");
    }
    return overrides;
}

double total_infections(const results::ReplicateResult& r) {
    double total = 0;
    for (std::size_t i = std::size_t(results::Event::kInfections); i < r.incidence.size();
         i += results::kEvents)
        total += r.incidence[i];
    return total;
}

std::int32_t measure(const results::ReplicateResult& r, std::size_t day, std::size_t region,
                     Measure m) {
    return r.measures[(day * kRegions + region) * results::kMeasures + std::size_t(m)];
}

double measure_total(const results::ReplicateResult& r, Measure m) {
    double total = 0;
    for (std::size_t d = 0; d < r.measures.size() / (kRegions * results::kMeasures); ++d)
        for (std::size_t region = 0; region < kRegions; ++region) total += measure(r, d, region, m);
    return total;
}

double people(const Prepared& run, std::size_t region) {
    return run.population.region_offsets[region + 1] - run.population.region_offsets[region];
}

}  // namespace

TEST_CASE("daily capacity is whole, never random, and sums to the exact mean over any run") {
    // 30 per 100,000 among 20,000 people: 6 a day; 0.7 per 100,000: 0.14 a day.
    for (std::uint32_t d = 0; d < 10; ++d) CHECK(interventions::daily_capacity(30, 20000, d) == 6);
    std::uint32_t total = 0;
    for (std::uint32_t d = 0; d < 100; ++d) total += interventions::daily_capacity(0.7, 20000, d);
    CHECK(total == 14);
    CHECK(interventions::daily_capacity(0, 20000, 3) == 0);
}

TEST_CASE(
    "sensitivity by day since infection holds its last value, and app uptake goes by age range") {
    const std::vector<double> table = {0.0, 0.5, 0.8};
    CHECK(interventions::sensitivity_at(table, 0) == 0.0);
    CHECK(interventions::sensitivity_at(table, 2) == 0.8);
    CHECK(interventions::sensitivity_at(table, 40) == 0.8);
    CHECK(interventions::sensitivity_at({}, 4) == 0.0);
    const std::vector<interventions::AppUptake> uptake = {{15, 29, 0.4}, {30, 74, 0.2}};
    CHECK(interventions::app_share(uptake, 14) == 0.0);
    CHECK(interventions::app_share(uptake, 15) == 0.4);
    CHECK(interventions::app_share(uptake, 74) == 0.2);
    CHECK(interventions::app_share(uptake, 75) == 0.0);
}

TEST_CASE("tracing lowers the attack rate in every paired replicate") {
    const Prepared tested(kUnmitigated, small_france({testing_yaml("2020-02-15", 1000)}));
    const Prepared traced(kUnmitigated, small_france({testing_yaml("2020-02-15", 1000),
                                                      tracing_yaml("2020-02-15", 1000)}));
    for (std::uint32_t r = 0; r < 4; ++r) {
        CAPTURE(r);
        const auto without = tested.simulation(r).run(), with = traced.simulation(r).run();
        CHECK(total_infections(with) < total_infections(without));
        CHECK(measure_total(with, Measure::kTraced) > 0);
        CHECK(measure_total(without, Measure::kTraced) == 0);
        CHECK(measure_total(with, Measure::kQuarantined) > 0);
    }
}

TEST_CASE("test and tracer capacities are never exceeded, day by day and region by region") {
    // 20 tests and 5 index cases a day per 100,000: 4 and 1 a day among 20,000 people, far
    // below the demand, so capacity binds and requests go unmet.
    const Prepared run(kUnmitigated, small_france({testing_yaml("2020-02-15", 20),
                                                   tracing_yaml("2020-02-15", 5)}));
    const auto result = run.simulation(0).run();
    const std::size_t days = run.scenario.days();
    double unmet = 0, at_capacity_days = 0;
    const auto testing_from =
        std::size_t(core::Date::parse("2020-02-15")->days_since(run.scenario.start));
    for (std::size_t d = 0; d < days; ++d) {
        for (std::size_t region = 0; region < kRegions; ++region) {
            const auto day = std::uint32_t(d);
            const auto tests = interventions::daily_capacity(20, people(run, region), day);
            const auto tracers = interventions::daily_capacity(5, people(run, region), day);
            // The capacity is recorded while testing is in force (the summary's denominator).
            REQUIRE(measure(result, d, region, Measure::kTestCapacity) ==
                    (d >= testing_from ? std::int32_t(tests) : 0));
            REQUIRE(measure(result, d, region, Measure::kTests) <= std::int32_t(tests));
            REQUIRE(measure(result, d, region, Measure::kIndexCases) <= std::int32_t(tracers));
            REQUIRE(measure(result, d, region, Measure::kTestsPositive) <=
                    measure(result, d, region, Measure::kTests));
            REQUIRE(measure(result, d, region, Measure::kIsolated) >= 0);
            REQUIRE(measure(result, d, region, Measure::kQuarantined) >= 0);
            unmet += measure(result, d, region, Measure::kTestsUnmet);
            if (tests > 0 && measure(result, d, region, Measure::kTests) == std::int32_t(tests))
                ++at_capacity_days;
        }
    }
    CHECK(unmet > 0);
    CHECK(at_capacity_days > 0);
    CHECK(measure_total(result, Measure::kIndexCases) > 0);
}

TEST_CASE("the isolated and quarantined stocks are exact: people counted equal people flagged") {
    const Prepared run(kUnmitigated, small_france({testing_yaml("2020-02-15", 200, 0.7),
                                                   tracing_yaml("2020-02-15", 50, 0.5)}));
    auto simulation = run.simulation(1);
    std::vector<std::int64_t> isolated_seen, quarantined_seen;
    // After day d, the flags say who is isolated on day d + 1: the stock recorded for day d.
    const auto result = simulation.run([&](std::uint32_t day) {
        std::int64_t isolated = 0, quarantined = 0;
        for (population::AgentId a = 0; a < run.population.size(); ++a) {
            isolated += simulation.isolated(a, day + 1);
            quarantined += simulation.quarantined(a, day + 1);
        }
        isolated_seen.push_back(isolated);
        quarantined_seen.push_back(quarantined);
    });
    double peak = 0;
    for (std::size_t d = 0; d < isolated_seen.size(); ++d) {
        double isolated = 0, quarantined = 0;
        for (std::size_t region = 0; region < kRegions; ++region) {
            isolated += measure(result, d, region, Measure::kIsolated);
            quarantined += measure(result, d, region, Measure::kQuarantined);
        }
        CAPTURE(d);
        REQUIRE(isolated == double(isolated_seen[d]));
        REQUIRE(quarantined == double(quarantined_seen[d]));
        peak = std::max(peak, quarantined);
    }
    CHECK(peak > 0);
}

TEST_CASE(
    "isolated and quarantined people who comply have no contact outside home, and the share "
    "who comply matches the compliance") {
    // The households of positive cases quarantine with the isolation's compliance: left to
    // tracing here (which traces households too), so that every quarantine has the tracing's.
    const double isolation_compliance = 0.6, quarantine_compliance = 0.5;
    const Prepared run(kUnmitigated,
                       small_france({testing_yaml("2020-02-15", 500, isolation_compliance, false),
                                     tracing_yaml("2020-02-15", 200, quarantine_compliance)}));
    auto simulation = run.simulation(0);
    simulation.record_transmissions(true);
    const std::size_t agents = run.population.size();
    // Who stays home on day d + 1, known at the end of day d; first episode of each person.
    std::vector<std::vector<population::AgentId>> home(run.scenario.days() + 1);
    std::vector<std::int8_t> first_isolation(agents, -1), first_quarantine(agents, -1);
    simulation.run([&](std::uint32_t day) {
        for (population::AgentId a = 0; a < agents; ++a) {
            const bool stays = simulation.stays_home(a, day + 1);
            if (stays) home[day + 1].push_back(a);
            if (simulation.isolated(a, day + 1) && first_isolation[a] < 0)
                first_isolation[a] = stays;
            else if (simulation.quarantined(a, day + 1) && first_quarantine[a] < 0)
                first_quarantine[a] = stays;
        }
    });
    // No infection outside the household involves someone staying home that day.
    std::size_t checked = 0;
    for (const auto& t : simulation.transmissions()) {
        if (t.infector == engine::kNoInfector || t.layer == contacts::Layer::kHousehold) continue;
        const auto& staying = home[t.day];
        CAPTURE(t.day);
        REQUIRE_FALSE(std::binary_search(staying.begin(), staying.end(), t.infector));
        REQUIRE_FALSE(std::binary_search(staying.begin(), staying.end(), t.infectee));
        ++checked;
    }
    CHECK(checked > 100);
    // The share of episodes that comply, within 4 binomial standard errors.
    for (const auto& [episodes, p] : {std::pair{&first_isolation, isolation_compliance},
                                      std::pair{&first_quarantine, quarantine_compliance}}) {
        double n = 0, complying = 0;
        for (const auto e : *episodes) {
            if (e < 0) continue;
            ++n;
            complying += e;
        }
        CAPTURE(n);
        CAPTURE(complying / n);
        CAPTURE(p);
        REQUIRE(n > 200);
        CHECK(std::fabs(complying / n - p) < 4 * std::sqrt(p * (1 - p) / n));
    }
}

TEST_CASE("test-trace-isolate switched on at day d leaves the days before d bit-identical") {
    const Prepared none(kUnmitigated, small_france({}));
    const Prepared tti(kUnmitigated, small_france({testing_yaml("2020-03-16", 200),
                                                   tracing_yaml("2020-03-16", 100)}));
    const std::size_t day = 44;  // 2020-03-16
    const std::size_t cells = kRegions * contacts::kAgeBands;
    for (std::uint32_t r = 0; r < 2; ++r) {
        CAPTURE(r);
        const auto with = tti.simulation(r).run(), without = none.simulation(r).run();
        CHECK(std::equal(with.counts.begin(),
                         with.counts.begin() + long(day * cells * results::kStates),
                         without.counts.begin()));
        CHECK(std::equal(with.incidence.begin(),
                         with.incidence.begin() + long(day * cells * results::kEvents),
                         without.incidence.begin()));
        CHECK(std::all_of(with.measures.begin(),
                          with.measures.begin() + long(day * kRegions * results::kMeasures),
                          [](auto m) { return m == 0; }));
        CHECK(with.counts != without.counts);
    }
}

TEST_CASE("without test-trace-isolate a run is bit-identical to the engine before it existed") {
    // Fingerprints of the lockdown scenario (schools and contacts interventions), 20,000
    // agents, replicates 0 and 1, taken with the engine of commit 9b6db42, before testing,
    // tracing and isolation (`sortie run` of that commit gave the same counts and incidence),
    // and taken again when seeding by people, the calibration by pilot runs, contact factors
    // on the probability of a contact and the calibration's exact expectation changed every
    // result, and when the states gained F, follow-up care (replicate 0 draws no seed at this
    // size). A TTI intervention whose trigger never fires
    // must not change them.
    const auto lockdown = sortie::testing::kScenarios / "france-2020" / "lockdown.yaml";
    // Without the hospitals of the France 2020 scenarios, which came later, and with the
    // lockdown's work factor, the national seeding, R0 and the parameter file's severities and
    // stays that the scenarios had then (they now take the work factor from a survey and the
    // rest from the first wave's fit).
    const std::vector<std::string> small = {
        "population.size=20000",
        "end=2020-06-30",
        "hospitals=null",
        "interventions.lockdown.layers.work=0.3",
        "interventions.lockdown.scale=1",
        "disease.R0=2.9",
        "disease.severity={}",
        "disease.stays={}",
        "seeding=[{date: 2020-02-01, per_million: 2.0, days: 30}]"};
    const Prepared run(lockdown, small);
    auto never = small;
    never.push_back("triggers={never: {indicator: icu_occupancy, on_above: 1e9, off_below: 0}}");
    never.push_back(
        "interventions.testing={type: testing, trigger: never, seek_test: 1, "
        "delay_days: 0, result_delay_days: 0, specificity: 1, per_100k: 1e5, "
        "isolation: {compliance: 1, days: 10}}");
    const Prepared dormant(lockdown, never);
    const std::uint64_t expected[] = {0xd48c632dd1836fcfull, 0xbb21d207df74aae6ull};
    for (std::uint32_t r = 0; r < 2; ++r) {
        CAPTURE(r);
        const auto result = run.simulation(r).run();
        CHECK(sortie::testing::fingerprint(result) == expected[r]);
        CHECK(sortie::testing::fingerprint(dormant.simulation(r).run()) ==
              sortie::testing::fingerprint(result));
    }
}

TEST_CASE("with test-trace-isolate, 1 and 2 threads give bit-identical results") {
    const Prepared run(kUnmitigated, small_france({testing_yaml("2020-02-15", 200),
                                                   tracing_yaml("2020-02-15", 100)}));
    const auto one = run.run_on_threads(1), two = run.run_on_threads(2);
    CHECK(one.counts == two.counts);
    CHECK(one.incidence == two.incidence);
    CHECK(one.measures == two.measures);
    CHECK(measure_total(one, Measure::kTraced) > 0);
}

TEST_CASE("digital tracing reaches contacts only when both people have the app") {
    const std::string none = "{household: 0, school: 0, work: 0, community: 0}";
    const auto app = [](double share) {
        return fmt::format("app: {{uptake: [{{from: 0, to: 120, share: {}}}], delay_days: 0}},",
                           share);
    };
    const Prepared everyone(kUnmitigated,
                            small_france({testing_yaml("2020-02-15", 500),
                                          tracing_yaml("2020-02-15", 500, 0.8, none, app(1.0))}));
    const Prepared nobody(kUnmitigated,
                          small_france({testing_yaml("2020-02-15", 500),
                                        tracing_yaml("2020-02-15", 500, 0.8, none, app(0.0))}));
    const auto all = everyone.simulation(0).run(), zero = nobody.simulation(0).run();
    CHECK(measure_total(all, Measure::kIndexCases) > 0);
    CHECK(measure_total(all, Measure::kTraced) > 5 * measure_total(all, Measure::kIndexCases));
    CHECK(measure_total(zero, Measure::kIndexCases) > 0);
    CHECK(measure_total(zero, Measure::kTraced) == 0);
}

TEST_CASE("mass testing performs its daily tests in its regions only and finds infections") {
    const std::string mass =
        "mass: {type: mass_testing, start: 2020-03-01, end: 2020-03-31, per_100k: 500, "
        "ages: {from: 20, to: 59}, regions: [idf], result_delay_days: 1, specificity: 0.998, "
        "isolation: {compliance: 0.8, days: 10}}";
    const Prepared run(kUnmitigated, small_france({mass}));
    const auto result = run.simulation(0).run();
    const std::size_t idf = 0, first = 29, last = 59;  // 2020-03-01 .. 2020-03-31
    REQUIRE(run.population.regions[idf].key == "idf");
    for (std::size_t d = 0; d < run.scenario.days(); ++d) {
        for (std::size_t region = 0; region < kRegions; ++region) {
            const bool on = region == idf && d >= first && d <= last;
            const auto expected =
                on ? interventions::daily_capacity(500, people(run, region), std::uint32_t(d)) : 0;
            CAPTURE(d);
            CAPTURE(region);
            REQUIRE(measure(result, d, region, Measure::kTests) == std::int32_t(expected));
        }
    }
    CHECK(measure_total(result, Measure::kTestsPositive) > 0);
    CHECK(measure_total(result, Measure::kIsolated) > 0);
}

TEST_CASE("a trigger on test positivity watches the percent of tests positive") {
    interventions::TriggerSpec positivity;
    positivity.name = "positivity";
    positivity.indicator = interventions::Indicator::kTestPositivity;
    positivity.on_above = 10;
    positivity.off_below = 5;
    interventions::InterventionSpec relock;
    relock.name = "relock";
    relock.trigger = 0;
    interventions::Plan plan({relock}, {positivity}, 2);
    interventions::Indicators day;
    day.people = {1000, 1000};
    for (auto* v : {&day.icu, &day.hospital, &day.admissions, &day.infections}) v->assign(2, 0.0);
    // 12 positives of 200 tests nationally (6%): stays off; 30 of 200 (15%): on.
    day.tests = {100, 100};
    day.tests_positive = {12, 0};
    plan.end_of_day(day);
    plan.policy_for(1);
    CHECK(plan.active()[0] == 0);
    day.tests_positive = {30, 0};
    plan.end_of_day(day);
    plan.policy_for(2);
    CHECK(plan.active()[0] == 1);
    // No test at all reads as 0%: below off_below, so off again.
    day.tests = {0, 0};
    day.tests_positive = {0, 0};
    plan.end_of_day(day);
    plan.policy_for(3);
    CHECK(plan.active()[0] == 0);
}
