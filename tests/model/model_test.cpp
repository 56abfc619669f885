// A model is built once from a scenario and runs any number of replicates: read-only, each
// replicate a function of (seed, replicate) alone.
#include "sim/model/model.hpp"

#include <doctest/doctest.h>

#include <stop_token>
#include <string>
#include <vector>

#include "tests/support/prepared.hpp"
#include "tests/support/records.hpp"

using namespace sortie;

namespace {

const scenario::Scenario& lockdown() {
    static const scenario::Scenario scenario =
        scenario::load(sortie::testing::kScenarios / "france-2020" / "lockdown.yaml",
                       {"population.size=20000", "end=2020-05-31",
                        "seeding=[{date: 2020-02-01, infections: 20}]", "replicates=3"},
                       scenario::Purpose::kRun);
    return scenario;
}

}  // namespace

TEST_CASE("a model runs the same replicate again to the same result, and others differently") {
    const auto built = model::build_model(lockdown());
    const auto first = built->simulation(1).run();
    sortie::test::check_same_records(built->simulation(1).run(), first);
    CHECK(built->simulation(2).run().incidence != first.incidence);
    // A second build of the same scenario is the same model.
    sortie::test::check_same_records(model::build_model(lockdown())->simulation(1).run(), first);
}

TEST_CASE("building reports where the time went and calibrates the transmission rate") {
    model::BuildTimes times;
    const auto built = model::build_model(lockdown(), &times);
    CHECK(built->population.size() == 20000);
    CHECK(built->seed == lockdown().seed);
    CHECK(built->spec.days == lockdown().days());
    CHECK(built->spec.transmission_rate > 0);
    CHECK(times.population > 0);
    CHECK(times.calibration > 0);
}

TEST_CASE("the description of a model's result names its axes and interventions") {
    const auto built = model::build_model(lockdown());
    const results::ScenarioResult d = model::describe(lockdown(), *built);
    CHECK(d.name == lockdown().name);
    CHECK(d.agents == 20000);
    CHECK(d.start_date == lockdown().start.to_string());
    CHECK(d.days == lockdown().days());
    CHECK(d.regions.size() == built->population.regions.size());
    CHECK(d.age_bands.size() == contacts::kAgeBands);
    CHECK(d.age_bands.front() == "0-4");
    CHECK(d.age_bands.back() == "85+");
    REQUIRE(d.interventions.size() == lockdown().interventions.size());
    CHECK(d.interventions.front() == lockdown().interventions.front().name);
    CHECK(d.replicates.size() == 3);
}

TEST_CASE("the transmission log places each infection where the two met") {
    const auto built = model::build_model(lockdown());
    auto simulation = built->simulation(0);
    simulation.record_transmissions(true);
    simulation.run();
    const auto log = model::transmission_log(simulation.transmissions(), built->population);
    REQUIRE(log.size() == simulation.transmissions().size());
    REQUIRE(log.size() > 20);
    const auto& p = built->population;
    for (std::size_t i = 0; i < log.size(); ++i) {
        const auto infectee = static_cast<population::AgentId>(log.infectee[i]);
        if (log.infector[i] < 0) {
            CHECK(log.place[i] == -1);  // seeded
        } else if (log.layer[i] == int(contacts::Layer::kHousehold)) {
            CHECK(log.place[i] == int(p.household[infectee]));
            CHECK(p.household[static_cast<population::AgentId>(log.infector[i])] ==
                  p.household[infectee]);
        } else if (log.layer[i] == int(contacts::Layer::kCommunity)) {
            CHECK(log.place[i] == int(p.region[infectee]));
        }
    }
}

TEST_CASE("a model built on another's structure shares it and is the model built from scratch") {
    const auto base = model::build_model(lockdown());
    // What a fit moves: R0, the lockdown's strength, the seeding.
    const auto changed =
        scenario::load(sortie::testing::kScenarios / "france-2020" / "lockdown.yaml",
                       {"population.size=20000", "end=2020-05-31", "replicates=3", "disease.R0=2.4",
                        "seeding=[{date: 2020-02-03, infections: 35}]",
                        "interventions.lockdown.layers.community=0.1"},
                       scenario::Purpose::kRun);
    REQUIRE(model::shares_structure(*base, changed));
    model::BuildTimes times;
    times.population = times.contacts = -1;
    const auto shared = model::build_model_on(*base, changed, &times);
    CHECK(shared->structure == base->structure);
    CHECK(&shared->population == &base->population);
    CHECK(times.population == 0);
    CHECK(times.contacts == 0);
    CHECK(times.calibration > 0);
    const auto scratch = model::build_model(changed);
    CHECK(shared->spec.transmission_rate == scratch->spec.transmission_rate);
    CHECK(shared->spec.transmission_rate != base->spec.transmission_rate);
    const auto result = shared->simulation(1).run();
    sortie::test::check_same_records(result, scratch->simulation(1).run());
    CHECK(result.incidence != base->simulation(1).run().incidence);

    // Another population, contacts or seed: another structure, refused.
    for (const char* other : {"population.size=20001", "contacts.community.per_day=3", "seed=2"}) {
        CAPTURE(other);
        const auto different = scenario::load(
            sortie::testing::kScenarios / "france-2020" / "lockdown.yaml",
            {"population.size=20000", "end=2020-05-31", other}, scenario::Purpose::kRun);
        CHECK_FALSE(model::shares_structure(*base, different));
        CHECK_THROWS_AS(model::build_model_on(*base, different), std::invalid_argument);
    }
}

TEST_CASE("a model on a shared structure reuses the calibration when nothing it depends on moved") {
    const auto base = model::build_model(lockdown());
    // A stop already asked for: a calibration by pilot runs would throw at once.
    std::stop_source stopped;
    stopped.request_stop();
    const auto with = [](std::vector<std::string> more) {
        std::vector<std::string> sets = {"population.size=20000", "end=2020-05-31",
                                         "seeding=[{date: 2020-02-01, infections: 20}]",
                                         "replicates=3"};
        sets.insert(sets.end(), more.begin(), more.end());
        return scenario::load(sortie::testing::kScenarios / "france-2020" / "lockdown.yaml", sets,
                              scenario::Purpose::kRun);
    };
    // The lockdown's strength and the seeding do not enter the calibration.
    const auto lighter =
        model::build_model_on(*base,
                              with({"interventions.lockdown.layers.community=0.4",
                                    "seeding=[{date: 2020-02-05, infections: 50}]"}),
                              nullptr, stopped.get_token());
    CHECK(lighter->spec.transmission_rate == base->spec.transmission_rate);
    CHECK(lighter->calibration.r0_measured == base->calibration.r0_measured);
    // R0 and the layer weights do (and the disease's parameters, which --set cannot reach).
    for (const char* moved : {"disease.R0=2.5", "disease.layer_weights.work=0.8"}) {
        CAPTURE(moved);
        CHECK_THROWS_AS(model::build_model_on(*base, with({moved}), nullptr, stopped.get_token()),
                        engine::CalibrationStopped);
    }
}
