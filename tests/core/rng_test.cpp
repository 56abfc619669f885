#include <doctest/doctest.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <vector>

#include "sim/core/rng.hpp"
#include "sim/core/rng_streams.hpp"
#include "tests/support/statistics.hpp"

using namespace sortie::core;

namespace {

constexpr StreamId kStreamA{1001};
constexpr StreamId kStreamB{1002};

std::vector<double> uniforms(RngKey key, StreamId stream, std::uint32_t day, std::size_t n) {
    std::vector<double> xs(n);
    for (std::size_t i = 0; i < n; ++i) {
        xs[i] = to_unit_interval(draw_u64(key, stream, day, static_cast<std::uint32_t>(i), 0));
    }
    return xs;
}

}  // namespace

TEST_CASE("Philox4x32-10 matches the Random123 known-answer vector") {
    // From Random123's kat_vectors: counter 0, key 0.
    const detail::Philox::ctr_type counter = {{0, 0, 0, 0}};
    const detail::Philox::key_type key = {{0, 0}};
    const auto out = detail::Philox()(counter, key);
    CHECK(out[0] == 0x6627e8d5u);
    CHECK(out[1] == 0xe169c58du);
    CHECK(out[2] == 0xbc57ac4cu);
    CHECK(out[3] == 0x9b00dbd8u);
}

TEST_CASE("the counter layout is frozen: changing it would change every published result") {
    const RngKey key = RngKey::from_seed(20200317);
    CHECK(draw_u64(key, StreamId{3}, 45, 123456, 0) == 0x366e394cabc6706bull);
}

TEST_CASE("a cursor yields exactly the pure draws k = 0, 1, 2, ...") {
    const RngKey key = RngKey::from_seed(42);
    Draws draws(key, kStreamA, 7, 99);
    for (std::uint32_t k = 0; k < 9; ++k) {
        CHECK(draws.used() == k);
        CHECK(draws.next_u64() == draw_u64(key, kStreamA, 7, 99, k));
    }
}

TEST_CASE("a draw does not depend on call order") {
    const RngKey key = RngKey::from_seed(7);
    std::vector<std::uint64_t> forward(1000), backward(1000);
    for (std::uint32_t i = 0; i < 1000; ++i) forward[i] = draw_u64(key, kStreamA, 3, i, i % 5);
    for (std::uint32_t i = 1000; i-- > 0;) backward[i] = draw_u64(key, kStreamA, 3, i, i % 5);
    CHECK(forward == backward);
}

TEST_CASE("a draw does not depend on the thread that makes it") {
    const RngKey key = RngKey::from_seed(11);
    constexpr std::uint32_t kAgents = 200000;
    std::vector<std::uint64_t> serial(kAgents), parallel(kAgents);
    for (std::uint32_t i = 0; i < kAgents; ++i) {
        Draws draws(key, kStreamB, 9, i);
        draws.next_u64();
        serial[i] = draws.next_u64() ^ draws.next_u64();
    }
    tbb::global_control threads(tbb::global_control::max_allowed_parallelism, 4);
    tbb::parallel_for(std::uint32_t{0}, kAgents, [&](std::uint32_t i) {
        Draws draws(key, kStreamB, 9, i);
        draws.next_u64();
        parallel[i] = draws.next_u64() ^ draws.next_u64();
    });
    CHECK(serial == parallel);
}

TEST_CASE("streams, seeds, days, replicates and neighbouring agents are uncorrelated") {
    constexpr std::size_t n = 1000000;
    const double limit = 4.0 / std::sqrt(static_cast<double>(n));
    const RngKey seed1 = RngKey::from_seed(1);
    const RngKey seed2 = RngKey::from_seed(2);
    const auto base = uniforms(seed1, kStreamA, 0, n);
    SUBCASE("streams") {
        CHECK(std::fabs(sortie::testing::correlation(base, uniforms(seed1, kStreamB, 0, n))) <
              limit);
    }
    SUBCASE("seeds") {
        CHECK(std::fabs(sortie::testing::correlation(base, uniforms(seed2, kStreamA, 0, n))) <
              limit);
    }
    SUBCASE("days") {
        CHECK(std::fabs(sortie::testing::correlation(base, uniforms(seed1, kStreamA, 1, n))) <
              limit);
    }
    SUBCASE("replicates") {
        const auto r0 = uniforms(RngKey::for_replicate(1, 0), kStreamA, 0, n);
        const auto r1 = uniforms(RngKey::for_replicate(1, 1), kStreamA, 0, n);
        CHECK(std::fabs(sortie::testing::correlation(r0, r1)) < limit);
        CHECK(std::fabs(sortie::testing::correlation(base, r0)) < limit);
    }
    SUBCASE("neighbouring agents") {
        std::vector<double> next(base.begin() + 1, base.end());
        std::vector<double> current(base.begin(), base.end() - 1);
        CHECK(std::fabs(sortie::testing::correlation(current, next)) < limit);
    }
}

TEST_CASE("replicate keys differ from each other and from the seed's own key") {
    CHECK_FALSE(RngKey::for_replicate(5, 0) == RngKey::for_replicate(5, 1));
    CHECK_FALSE(RngKey::for_replicate(5, 1) == RngKey::for_replicate(6, 0));
    CHECK_FALSE(RngKey::for_replicate(5, 0) == RngKey::from_seed(5));
    CHECK(RngKey::for_replicate(5, 3) == RngKey::for_replicate(5, 3));
}

TEST_CASE("uniforms lie between 0 included and 1 excluded and use 53 bits") {
    CHECK(to_unit_interval(0) == 0.0);
    CHECK(to_unit_interval(~std::uint64_t{0}) < 1.0);
    CHECK(to_unit_interval(~std::uint64_t{0}) == 1.0 - 0x1.0p-53);
    Draws draws(RngKey::from_seed(3), kStreamA, 0, 0);
    for (int i = 0; i < 1000; ++i) {
        const double u = draws.uniform_positive();
        REQUIRE(u > 0.0);
        REQUIRE(u <= 1.0);
    }
}
