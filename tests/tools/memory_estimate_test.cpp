// The memory estimate of `sortie run --dry-run` against what a run really allocates.
#include "tools/sortie/memory_estimate.hpp"

#include <doctest/doctest.h>

#include "tests/support/prepared.hpp"

using namespace sortie;

TEST_CASE("the population estimate bounds a built France population within 15%") {
    const sortie::testing::Prepared run(
        sortie::testing::kScenarios / "france-2020" / "unmitigated.yaml",
        {"population.size=100000"});
    const double per_agent =
        double(run.population.bytes() + run.contacts->bytes()) / double(run.population.size());
    CHECK(per_agent <= cli::kPopulationBytesPerAgent);
    CHECK(per_agent >= 0.85 * cli::kPopulationBytesPerAgent);
}

TEST_CASE("the estimate grows with agents, replicates in flight and the transmission log") {
    const auto scenarios =
        scenario::load_all(sortie::testing::kScenarios / "france-2020" / "unmitigated.yaml",
                           {"population.size=100000", "replicates=4"}, scenario::Purpose::kRun);
    const auto one = cli::estimate_memory(scenarios, 1, false, 0);
    const auto two = cli::estimate_memory(scenarios, 2, false, 0);
    const auto logged = cli::estimate_memory(scenarios, 2, true, 0);
    REQUIRE(one.scenarios.size() == 1);
    CHECK(one.scenarios[0].agents == 100000);
    CHECK(one.scenarios[0].in_flight == 1);
    CHECK(two.scenarios[0].in_flight == 2);
    CHECK(two.peak == one.peak + two.scenarios[0].per_replicate);
    CHECK(logged.peak > two.peak);
}

TEST_CASE("replicates in flight are cut to what half the available memory holds") {
    const std::size_t per = cli::replicate_bytes(1000000, false);
    CHECK(cli::replicates_in_flight(10, 8, per, 0) == 8);
    CHECK(cli::replicates_in_flight(3, 8, per, 0) == 3);
    CHECK(cli::replicates_in_flight(10, 8, per, 6 * per) == 3);
    CHECK(cli::replicates_in_flight(10, 8, per, per) == 1);  // at least one
}

TEST_CASE(
    "test-trace-isolate, vaccination and hospitals (3 bytes) add their per-agent columns to a "
    "replicate") {
    const auto load = [](const char* file) {
        return scenario::load(sortie::testing::kScenarios / file, {}, scenario::Purpose::kRun);
    };
    CHECK(cli::intervention_bytes_per_agent(load("france-2020/exit-stop-and-go.yaml")) == 3);
    CHECK(cli::intervention_bytes_per_agent(load("france-2020/exit-tti.yaml")) == 7 + 3);
    // Two campaigns one after the other.
    CHECK(cli::intervention_bytes_per_agent(load("france-2021/vaccination.yaml")) == 3 + 2 * 4);
    CHECK(cli::replicate_bytes(1000, false, 7) == cli::replicate_bytes(1000, false) + 7000);
}
