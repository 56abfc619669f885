// Interventions: triggers on scripted series, the policy a plan makes, and each measure's
// effect in the engine with paired random numbers (same seed, with and without it).
#include <doctest/doctest.h>

#include <numeric>

#include "sim/interventions/plan.hpp"
#include "tests/support/prepared.hpp"

using namespace sortie;
using interventions::Trigger;
using interventions::TriggerSpec;

namespace {

TriggerSpec trigger_spec(double on, double off, std::uint32_t minimum, std::uint32_t delay = 0,
                         std::uint32_t window = 1) {
    TriggerSpec spec;
    spec.name = "t";
    spec.on_above = on;
    spec.off_below = off;
    spec.minimum_days = minimum;
    spec.reporting_delay_days = delay;
    spec.window_days = window;
    return spec;
}

std::vector<int> run_trigger(Trigger trigger, const std::vector<double>& series) {
    std::vector<int> on;
    for (double v : series) on.push_back(trigger.observe(v) ? 1 : 0);
    return on;
}

// France structure, 20,000 agents, February to June 2020, 4 replicates, plus `extra`.
std::vector<std::string> small_france(std::vector<std::string> extra) {
    std::vector<std::string> overrides = {"population.size=20000", "end=2020-06-30",
                                          "seeding=[{date: 2020-02-01, infections: 20}]"};
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    return overrides;
}

const std::filesystem::path kUnmitigated =
    sortie::testing::kScenarios / "france-2020" / "unmitigated.yaml";

double event_total(const results::ReplicateResult& r, results::Event event,
                   std::size_t from_day = 0, std::size_t cells = 13 * contacts::kAgeBands) {
    double total = 0;
    for (std::size_t i = from_day * cells * results::kEvents; i < r.incidence.size();
         i += results::kEvents) {
        total += r.incidence[i + std::size_t(event)];
    }
    return total;
}

}  // namespace

TEST_CASE("a trigger goes on above its threshold and off below the other, with a one-day lag") {
    // Evaluated at the end of day d, effective from d + 1: the value of day 2 turns it on for
    // day 3.
    CHECK(run_trigger(Trigger(trigger_spec(10, 5, 0)), {0, 5, 11, 11, 7, 4, 4}) ==
          std::vector<int>{0, 0, 1, 1, 1, 0, 0});
}

TEST_CASE("a trigger does not flap between its thresholds") {
    // 7 is below on_above but above off_below: the trigger keeps its state.
    CHECK(run_trigger(Trigger(trigger_spec(10, 5, 0)), {7, 12, 7, 9, 7, 6, 7, 12}) ==
          std::vector<int>{0, 1, 1, 1, 1, 1, 1, 1});
}

TEST_CASE("a trigger stays on for its minimum duration") {
    CHECK(run_trigger(Trigger(trigger_spec(10, 5, 3)), {11, 0, 0, 0, 0}) ==
          std::vector<int>{1, 1, 1, 0, 0});
}

TEST_CASE("a trigger sees values late by the reporting delay, averaged over its window") {
    CHECK(run_trigger(Trigger(trigger_spec(10, 5, 0, 2)), {11, 0, 0, 0}) ==
          std::vector<int>{0, 0, 1, 0});
    // Window 3: the mean of (0, 0, 30) = 10 is not above 10; (0, 30, 3) = 11 is.
    CHECK(run_trigger(Trigger(trigger_spec(10, 5, 0, 0, 3)), {0, 0, 30, 3, 0, 0}) ==
          std::vector<int>{0, 0, 0, 1, 1, 0});
}

TEST_CASE("a plan combines active interventions: factors multiply, attendance takes the minimum") {
    interventions::InterventionSpec lockdown, shielding, schools, masks;
    lockdown.name = "lockdown";
    lockdown.start_day = 2;
    lockdown.end_day = 4;
    lockdown.layer_factor = {1, 0, 0.5, 0.2};
    shielding.name = "shielding";
    shielding.age_from = 65;
    shielding.layer_factor = {1, 0.5, 0.5, 0.5};
    schools.name = "schools";
    schools.kind = interventions::Kind::kSchools;
    schools.attendance = {1, 1, 0.5, 0, 0, 1};
    masks.name = "masks";
    masks.kind = interventions::Kind::kMasks;
    masks.wearing = {0, 0, 1, 0.5};
    masks.efficacy_wearer = 0.2;
    masks.efficacy_others = 0.5;
    interventions::Plan plan({lockdown, shielding, schools, masks}, {}, 2);
    const auto& day1 = plan.policy_for(1);
    CHECK(plan.active() == std::vector<std::int32_t>{0, 1, 1, 1});
    CHECK(day1.factor(0, 0, contacts::Layer::kCommunity) == 1.0f);
    CHECK(day1.factor(1, 13, contacts::Layer::kCommunity) == 0.5f);  // 65-69
    CHECK(day1.school_attendance[2] == 0.5);
    CHECK(day1.mask_factor[2] == doctest::Approx(0.5 * 0.8));
    CHECK(day1.mask_factor[3] == doctest::Approx(0.75 * 0.9));
    const auto& day3 = plan.policy_for(3);
    CHECK(plan.active() == std::vector<std::int32_t>{1, 1, 1, 1});
    CHECK(day3.factor(1, 13, contacts::Layer::kCommunity) == doctest::Approx(0.1f));
    CHECK(day3.factor(0, 3, contacts::Layer::kSchool) == 0.0f);
    plan.policy_for(5);
    CHECK(plan.active() == std::vector<std::int32_t>{0, 1, 1, 1});
}

TEST_CASE(
    "closing schools leaves no school infection after the date, and days before are identical") {
    const sortie::testing::Prepared open(kUnmitigated, small_france({}));
    const sortie::testing::Prepared closed(
        kUnmitigated,
        small_france({"interventions={closed: {type: schools, start: 2020-03-16, "
                      "levels: {creche: 0, maternelle: 0, primaire: 0, college: 0, lycee: 0, "
                      "universite: 0}}}"}));
    const std::size_t day = 44;  // 2020-03-16
    const std::size_t cells = 13 * contacts::kAgeBands;
    for (std::uint32_t r = 0; r < 3; ++r) {
        const auto with = closed.simulation(r).run(), without = open.simulation(r).run();
        CHECK(event_total(with, results::Event::kInfectionsSchool, day) == 0);
        CHECK(event_total(without, results::Event::kInfectionsSchool, day) > 0);
        // Common random numbers: everything before the closure is bit-identical.
        CHECK(std::equal(with.counts.begin(),
                         with.counts.begin() + long(day * cells * results::kStates),
                         without.counts.begin()));
        CHECK(std::equal(with.incidence.begin(),
                         with.incidence.begin() + long(day * cells * results::kEvents),
                         without.incidence.begin()));
        CHECK(with.active[day - 1] == 0);
        CHECK(with.active[day] == 1);
    }
}

TEST_CASE("masks and telework lower the attack rate in every paired replicate") {
    const sortie::testing::Prepared none(kUnmitigated, small_france({}));
    const sortie::testing::Prepared masks(
        kUnmitigated, small_france({"interventions={masks: {type: masks, start: 2020-02-01, "
                                    "wearing: {school: 0.8, work: 0.8, community: 0.8}, "
                                    "efficacy_wearer: 0.3, efficacy_others: 0.5}}"}));
    const sortie::testing::Prepared telework(
        kUnmitigated, small_france({"interventions={telework: {type: telework, start: "
                                    "2020-02-01, fraction: 0.7}}"}));
    for (std::uint32_t r = 0; r < 4; ++r) {
        CAPTURE(r);
        const double base = event_total(none.simulation(r).run(), results::Event::kInfections);
        const auto with_masks = masks.simulation(r).run();
        const auto with_telework = telework.simulation(r).run();
        CHECK(event_total(with_masks, results::Event::kInfections) < base);
        CHECK(event_total(with_telework, results::Event::kInfections) < base);
        CHECK(event_total(with_telework, results::Event::kInfectionsWork) <
              0.6 * event_total(none.simulation(r).run(), results::Event::kInfectionsWork));
    }
}

TEST_CASE("a lockdown on an ICU trigger switches on when ICU occupancy passes its threshold") {
    const sortie::testing::Prepared run(
        kUnmitigated, small_france({"triggers={icu: {indicator: icu_occupancy, on_above: 5, "
                                    "off_below: 1, minimum_days: 30}}",
                                    "interventions={relock: {type: contacts, trigger: icu, "
                                    "layers: {school: 0, work: 0.3, community: 0.2}}}"}));
    const auto result = run.simulation(0).run();
    const std::size_t cells = 13 * contacts::kAgeBands;
    // ICU occupancy per 100,000 each day, from the counts.
    std::size_t first_on = 0;
    for (std::size_t d = 0; d < result.active.size(); ++d) {
        if (result.active[d]) {
            first_on = d;
            break;
        }
    }
    REQUIRE(first_on > 0);
    double icu_before = 0, icu_day_before = 0;
    for (std::size_t i = (first_on - 1) * cells; i < first_on * cells; ++i)
        icu_day_before += result.counts[i * results::kStates + 6];
    for (std::size_t i = (first_on - 2) * cells; i < (first_on - 1) * cells; ++i)
        icu_before += result.counts[i * results::kStates + 6];
    CHECK(icu_day_before * 1e5 / 20000 > 5);  // the day that turned it on
    CHECK(icu_before * 1e5 / 20000 <= 5);     // and not the day before
    // Once on, it stays on at least 30 days.
    for (std::size_t d = first_on; d < std::min(result.active.size(), first_on + 30); ++d)
        REQUIRE(result.active[d] == 1);
}
