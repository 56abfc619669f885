#include <doctest/doctest.h>

#include <vector>

#include "sim/core/alias_table.hpp"
#include "tests/support/statistics.hpp"

using namespace sortie::core;

TEST_CASE("an alias table draws each index with its weight's share (chi-square)") {
    const std::vector<double> weights = {1, 2, 3, 4, 0, 10, 0.5, 79.5};
    const AliasTable table(weights);
    constexpr std::uint32_t kDraws = 1000000;
    std::vector<double> observed(weights.size(), 0.0);
    const RngKey key = RngKey::from_seed(12);
    for (std::uint32_t i = 0; i < kDraws; ++i) {
        Draws draws(key, StreamId{3001}, 0, i);
        observed[table.sample(draws)] += 1.0;
    }
    CHECK(observed[4] == 0.0);  // a zero weight is never drawn
    std::vector<double> kept_observed, expected;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (weights[i] == 0.0) continue;
        kept_observed.push_back(observed[i]);
        expected.push_back(kDraws * weights[i] / 100.0);
        CHECK(table.probability_of(i) == doctest::Approx(weights[i] / 100.0));
    }
    CHECK(sortie::testing::chi_square(kept_observed, expected) <
          sortie::testing::chi_square_critical_0001(double(expected.size() - 1)));
}

TEST_CASE("an alias table of one category always returns it") {
    const std::vector<double> weights = {3.0};
    const AliasTable table(weights);
    Draws draws(RngKey::from_seed(1), StreamId{3001}, 0, 0);
    for (int i = 0; i < 100; ++i) REQUIRE(table.sample(draws) == 0);
}

TEST_CASE("an alias table refuses weights it cannot use") {
    CHECK_THROWS_AS(AliasTable(std::vector<double>{}), std::invalid_argument);
    CHECK_THROWS_AS(AliasTable(std::vector<double>{0.0, 0.0}), std::invalid_argument);
    CHECK_THROWS_AS(AliasTable(std::vector<double>{1.0, -0.1}), std::invalid_argument);
    CHECK_THROWS_AS(AliasTable(std::vector<double>{1.0, std::nan("")}), std::invalid_argument);
}
