// The memory estimate of `sortie run --dry-run` against what a run really allocates.
#include "sim/model/memory.hpp"

#include <doctest/doctest.h>

#include "tests/support/prepared.hpp"

using namespace sortie;

TEST_CASE("the population estimate bounds a built France population within 15%") {
    const sortie::testing::Prepared run(
        sortie::testing::kScenarios / "france-2020" / "unmitigated.yaml",
        {"population.size=100000"});
    const double per_agent =
        double(run.population.bytes() + run.contacts->bytes()) / double(run.population.size());
    CHECK(per_agent <= model::kPopulationBytesPerAgent);
    CHECK(per_agent >= 0.85 * model::kPopulationBytesPerAgent);
}

TEST_CASE("the estimate grows with agents, replicates in flight and the transmission log") {
    const auto scenarios =
        scenario::load_all(sortie::testing::kScenarios / "france-2020" / "unmitigated.yaml",
                           {"population.size=1000000", "replicates=4"}, scenario::Purpose::kRun);
    const auto one = model::estimate_memory(scenarios, 1, false, 0);
    const auto two = model::estimate_memory(scenarios, 2, false, 0);
    const auto logged = model::estimate_memory(scenarios, 2, true, 0);
    REQUIRE(one.scenarios.size() == 1);
    CHECK(one.scenarios[0].agents == 1000000);
    CHECK(one.scenarios[0].in_flight == 1);
    CHECK(two.scenarios[0].in_flight == 2);
    CHECK(two.peak == one.peak + two.scenarios[0].per_replicate);
    CHECK(logged.peak > two.peak);
}

TEST_CASE("where trajectories dominate, the estimate holds the file written from memory") {
    // Many replicates of a small population: the file, made in memory once the populations are
    // freed, outweighs them; its two copies (HDF5's and the sealed image) count a quarter of
    // the trajectories each.
    const auto scenarios =
        scenario::load_all(sortie::testing::kScenarios / "france-2020" / "unmitigated.yaml",
                           {"population.size=2000", "replicates=2000"}, scenario::Purpose::kRun);
    const auto estimate = model::estimate_memory(scenarios, 1, true, 0);
    const auto& m = estimate.scenarios.at(0);
    REQUIRE(m.trajectories / 2 > m.population + m.per_replicate);
    CHECK(estimate.peak >= m.trajectories + m.trajectories / 2);
}

TEST_CASE("replicates in flight are cut to what half the available memory holds") {
    const std::size_t per = model::replicate_bytes(1000000, {});
    CHECK(model::replicates_in_flight(10, 8, per, 0) == 8);
    CHECK(model::replicates_in_flight(3, 8, per, 0) == 3);
    CHECK(model::replicates_in_flight(10, 8, per, 6 * per) == 3);
    CHECK(model::replicates_in_flight(10, 8, per, per) == 1);  // at least one
}

TEST_CASE(
    "test-trace-isolate, vaccination and hospitals (3 bytes) add their per-agent columns to a "
    "replicate") {
    const auto load = [](const char* file) {
        return scenario::load(sortie::testing::kScenarios / file, {}, scenario::Purpose::kRun);
    };
    const auto extra = [&](const char* file) {
        return engine::Simulation::bytes_per_agent(model::replicate_features(load(file), false)) -
               engine::Simulation::bytes_per_agent({});
    };
    CHECK(extra("france-2020/exit-stop-and-go.yaml") == 3);
    CHECK(extra("france-2020/exit-tti.yaml") == 7 + 3);
    // Two campaigns one after the other.
    CHECK(extra("france-2021/vaccination.yaml") == 3 + 2 * 4);
    engine::ReplicateFeatures tti;
    tti.test_trace_isolate = true;
    CHECK(model::replicate_bytes(1000, tti) == model::replicate_bytes(1000, {}) + 7000);
}

TEST_CASE(
    "a replicate's columns: state, age while susceptible, two day numbers, multiplier, "
    "natural history, and every agent twice in the lists of the infected") {
    CHECK(engine::Simulation::bytes_per_agent({}) ==
          1 + 1 + 2 + 2 + sizeof(float) + sizeof(disease::History) + 2 * sizeof(std::uint32_t));
    engine::ReplicateFeatures logged;
    logged.transmissions = true;
    CHECK(engine::Simulation::bytes_per_agent(logged) ==
          engine::Simulation::bytes_per_agent({}) + 16 + 5 * 4);
}
