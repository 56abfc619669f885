// A model is built once from a scenario and runs any number of replicates: read-only, each
// replicate a function of (seed, replicate) alone.
#include "sim/model/model.hpp"

#include <doctest/doctest.h>

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
