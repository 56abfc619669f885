// Statistical tests of the samplers: for each parameter point, 10^6 draws (one per agent id,
// so independence across agents is exercised too); the sample mean and variance must lie
// within 4 standard errors of the exact values, the errors computed from the exact moments.
#include <doctest/doctest.h>

#include <array>
#include <functional>
#include <vector>

#include "sim/core/samplers.hpp"
#include "tests/support/statistics.hpp"

using namespace sortie::core;
using sortie::testing::RawMoments;

namespace {

constexpr std::size_t kDraws = 1000000;
constexpr StreamId kStream{2001};

std::vector<double> sample(std::uint64_t seed, const std::function<double(Draws&)>& sampler) {
    std::vector<double> xs(kDraws);
    const RngKey key = RngKey::from_seed(seed);
    for (std::size_t i = 0; i < kDraws; ++i) {
        Draws draws(key, kStream, 0, static_cast<std::uint32_t>(i));
        xs[i] = sampler(draws);
    }
    return xs;
}

void check_moments(const std::vector<double>& xs, const RawMoments& exact) {
    const auto observed = sortie::testing::sample_moments(xs);
    const double mean_tolerance = 4.0 * sortie::testing::se_mean(exact, xs.size());
    const double variance_tolerance = 4.0 * sortie::testing::se_variance(exact, xs.size());
    CAPTURE(observed.mean);
    CAPTURE(exact.mean());
    CAPTURE(observed.variance);
    CAPTURE(exact.variance());
    CHECK(std::fabs(observed.mean - exact.mean()) <= mean_tolerance);
    CHECK(std::fabs(observed.variance - exact.variance()) <= variance_tolerance);
}

// E[X^k] of Gamma(shape, scale) = scale^k * shape (shape+1) ... (shape+k-1).
RawMoments gamma_moments(double shape, double scale) {
    std::array<double, 5> m{1, 0, 0, 0, 0};
    for (std::size_t k = 1; k <= 4; ++k) m[k] = m[k - 1] * scale * (shape + double(k) - 1);
    return {m[1], m[2], m[3], m[4]};
}

// A Poisson count with a random mean L: E[X^k] = sum_j S(k, j) E[L^j] (Touchard polynomials,
// Stirling numbers of the second kind S(2,.) = 1 1, S(3,.) = 1 3 1, S(4,.) = 1 7 6 1).
RawMoments mixed_poisson_moments(const RawMoments& rate) {
    return {rate.m1, rate.m1 + rate.m2, rate.m1 + 3 * rate.m2 + rate.m3,
            rate.m1 + 7 * rate.m2 + 6 * rate.m3 + rate.m4};
}

RawMoments poisson_moments(double mean) {
    return mixed_poisson_moments(
        {mean, mean * mean, mean * mean * mean, mean * mean * mean * mean});
}

RawMoments lognormal_moments(double mu, double sigma) {
    auto raw = [&](double k) { return std::exp(k * mu + 0.5 * k * k * sigma * sigma); };
    return {raw(1), raw(2), raw(3), raw(4)};
}

}  // namespace

TEST_CASE("uniform has the moments of the unit uniform") {
    check_moments(sample(1, [](Draws& d) { return uniform(d); }), {1 / 2., 1 / 3., 1 / 4., 1 / 5.});
}

TEST_CASE("bernoulli has mean p and variance p(1-p)") {
    for (double p : {0.001, 0.1, 0.5, 0.97}) {
        CAPTURE(p);
        check_moments(sample(2, [p](Draws& d) { return bernoulli(d, p) ? 1.0 : 0.0; }),
                      {p, p, p, p});
    }
    Draws draws(RngKey::from_seed(2), kStream, 0, 0);
    for (int i = 0; i < 1000; ++i) {
        REQUIRE_FALSE(bernoulli(draws, 0.0));
        REQUIRE(bernoulli(draws, 1.0));
    }
}

TEST_CASE("standard normal has mean 0, variance 1") {
    check_moments(sample(3, [](Draws& d) { return standard_normal(d); }), {0, 1, 0, 3});
}

TEST_CASE("poisson over means from 1e-3 to 1e4") {
    for (double mean : {0.001, 0.01, 0.5, 3.0, 9.99, 10.0, 50.0, 500.0, 5000.0, 10000.0}) {
        CAPTURE(mean);
        check_moments(sample(4, [mean](Draws& d) { return double(poisson(d, mean)); }),
                      poisson_moments(mean));
    }
    Draws draws(RngKey::from_seed(4), kStream, 0, 0);
    CHECK(poisson(draws, 0.0) == 0);
}

TEST_CASE("poisson probabilities match the mass function at a small and a large mean") {
    for (double mean : {3.0, 50.0}) {
        CAPTURE(mean);
        const auto xs = sample(5, [mean](Draws& d) { return double(poisson(d, mean)); });
        // Bins k = 0..K-1 hold expected counts >= 5; the last bin takes the upper tail.
        std::vector<double> expected, observed;
        double cumulative = 0.0;
        for (std::uint32_t k = 0;; ++k) {
            const double p = std::exp(k * std::log(mean) - mean - log_factorial(k));
            if (kDraws * p < 5.0 && k > mean) break;
            if (kDraws * p >= 5.0) {
                expected.push_back(kDraws * p);
                cumulative += p;
                observed.push_back(0.0);
                for (double x : xs) {
                    if (x == k) observed.back() += 1.0;
                }
            }
        }
        expected.push_back(kDraws * (1.0 - cumulative));
        double counted = 0.0;
        for (double o : observed) counted += o;
        observed.push_back(kDraws - counted);
        const double statistic = sortie::testing::chi_square(observed, expected);
        CAPTURE(statistic);
        CHECK(statistic < sortie::testing::chi_square_critical_0001(double(expected.size() - 1)));
    }
}

TEST_CASE("gamma over shapes 0.1 to 30") {
    for (double shape : {0.1, 0.5, 1.0, 2.5, 30.0}) {
        for (double scale : {1.0, 0.2}) {
            CAPTURE(shape);
            CAPTURE(scale);
            check_moments(sample(6, [=](Draws& d) { return gamma(d, shape, scale); }),
                          gamma_moments(shape, scale));
        }
    }
}

TEST_CASE("lognormal matches its moments, and from_mean_sd its mean and sd") {
    for (double sigma : {0.25, 0.5, 0.8}) {
        CAPTURE(sigma);
        check_moments(sample(7, [=](Draws& d) { return lognormal(d, 1.2, sigma); }),
                      lognormal_moments(1.2, sigma));
    }
    const auto params = LogNormalParams::from_mean_sd(11.0, 4.0);
    const auto moments = lognormal_moments(params.mu, params.sigma);
    CHECK(moments.mean() == doctest::Approx(11.0));
    CHECK(std::sqrt(moments.variance()) == doctest::Approx(4.0));
}

TEST_CASE("negative binomial has mean m and variance m + m^2/k") {
    for (double mean : {0.3, 2.5, 40.0}) {
        for (double dispersion : {0.1, 0.5, 5.0}) {
            CAPTURE(mean);
            CAPTURE(dispersion);
            const auto exact = mixed_poisson_moments(gamma_moments(dispersion, mean / dispersion));
            CHECK(exact.variance() == doctest::Approx(mean + mean * mean / dispersion));
            check_moments(
                sample(8, [=](Draws& d) { return double(negative_binomial(d, mean, dispersion)); }),
                exact);
        }
    }
}

TEST_CASE("uniform_int is unbiased, also where plain modulo would not be") {
    for (std::uint64_t n : {std::uint64_t{1}, std::uint64_t{7}, std::uint64_t{1000}}) {
        CAPTURE(n);
        const std::uint64_t bins = std::min<std::uint64_t>(n, 100);
        std::vector<double> observed(bins, 0.0);
        const RngKey key = RngKey::from_seed(9);
        for (std::uint32_t i = 0; i < kDraws; ++i) {
            Draws draws(key, kStream, 0, i);
            const std::uint64_t x = uniform_int(draws, n);
            REQUIRE(x < n);
            observed[x * bins / n] += 1.0;
        }
        if (bins < 2) continue;
        std::vector<double> expected(bins, double(kDraws) / double(bins));
        CHECK(sortie::testing::chi_square(observed, expected) <
              sortie::testing::chi_square_critical_0001(double(bins - 1)));
    }
    // n = 3 * 2^62: modulo would put half the mass on the lowest third; rejection fixes it.
    const std::uint64_t n = 3ull << 62;
    std::vector<double> observed(3, 0.0);
    const RngKey key = RngKey::from_seed(10);
    for (std::uint32_t i = 0; i < kDraws; ++i) {
        Draws draws(key, kStream, 0, i);
        observed[uniform_int(draws, n) >> 62] += 1.0;
    }
    std::vector<double> expected(3, double(kDraws) / 3.0);
    CHECK(sortie::testing::chi_square(observed, expected) <
          sortie::testing::chi_square_critical_0001(2.0));
}

TEST_CASE("log_factorial is exact at both sides of the switch to Stirling's series") {
    CHECK(log_factorial(0) == 0.0);
    CHECK(log_factorial(1) == 0.0);
    CHECK(log_factorial(5) == doctest::Approx(std::log(120.0)).epsilon(1e-15));
    for (std::uint32_t k : {19u, 20u, 21u, 100u, 10000u}) {
        CAPTURE(k);
        CHECK(log_factorial(k) == doctest::Approx(std::lgamma(k + 1.0)).epsilon(1e-13));
    }
}

TEST_CASE("a PoissonSampler gives poisson's draws bit for bit, using as many random numbers") {
    // The contact kernel's means (community contacts by band, venue contacts) and both
    // algorithms' sides of the switch at 10, and the edge cases 0 and below.
    for (double mean : {0.0, -1.0, 1e-3, 0.37, 2.79, 3.2, 9.999, 10.0, 50.0, 5000.0}) {
        CAPTURE(mean);
        const PoissonSampler sampler(mean);
        for (std::uint32_t agent = 0; agent < 20000; ++agent) {
            Draws a(RngKey::from_seed(7), kStream, 3, agent),
                b(RngKey::from_seed(7), kStream, 3, agent);
            const std::uint32_t expected = poisson(a, mean);
            REQUIRE(sampler(b) == expected);
            REQUIRE(b.used() == a.used());
        }
    }
}

TEST_CASE("a PoissonSampler agrees with poisson() at the extremes of the uniform draw") {
    // Draws given in advance: all bits 0 (u = 0) and all bits 1 (u just below 1, where
    // rounding can keep the cumulative sum below u until the terms underflow).
    for (const std::uint64_t word : {std::uint64_t{0}, ~std::uint64_t{0}}) {
        const std::vector<std::uint64_t> words(2, word);
        const PrecomputedDraws blocks{words.data(), 2};
        for (double mean : {1e-300, 1e-3, 2.79, 9.999}) {
            CAPTURE(word);
            CAPTURE(mean);
            Draws a(RngKey::from_seed(7), kStream, 0, 0, blocks),
                b(RngKey::from_seed(7), kStream, 0, 0, blocks);
            const std::uint32_t expected = poisson(a, mean);
            CHECK(PoissonSampler(mean)(b) == expected);
            CHECK(b.used() == a.used());
            if (word == 0) CHECK(expected == 0);
        }
    }
}
