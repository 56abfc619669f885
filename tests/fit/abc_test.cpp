// ABC-SMC against a posterior known in closed form: a location observed once with standard
// normal noise, under a flat prior. Accepting simulations within a tolerance e of the data
// gives the posterior N(y, 1) widened by a uniform error of half-width e: variance 1 + e^2/3.
// The sample's mean and spread must match it; the same sample with 1 and 2 threads.
#include "sim/fit/abc.hpp"

#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <cmath>

#include "sim/core/rng.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/core/samplers.hpp"

using namespace sortie;

namespace {

constexpr double kObserved = 5.0;

// The distance of a simulation at theta to the observation: the simulation adds standard
// normal noise drawn from its seed.
double distance(std::span<const double> theta, std::uint64_t seed) {
    core::Draws draws(core::RngKey::from_seed(seed), core::streams::kTests, 0, 0);
    return std::abs(theta[0] + core::standard_normal(draws) - kObserved);
}

struct Moments {
    double mean = 0, sd = 0, ess = 0;
};

Moments moments(const fit::AbcGeneration& g) {
    Moments m;
    double squares = 0;
    for (std::size_t i = 0; i < g.particles.size(); ++i) {
        m.mean += g.weights[i] * g.particles[i][0];
        squares += g.weights[i] * g.weights[i];
    }
    for (std::size_t i = 0; i < g.particles.size(); ++i)
        m.sd += g.weights[i] * std::pow(g.particles[i][0] - m.mean, 2);
    m.sd = std::sqrt(m.sd);
    m.ess = 1.0 / squares;
    return m;
}

fit::AbcOptions options() {
    fit::AbcOptions o;
    o.seed = 11;
    o.particles = 500;
    o.generations = 6;
    o.max_evaluations = 100000;
    return o;
}

}  // namespace

TEST_CASE("ABC-SMC recovers a normal posterior, widened as its tolerance says") {
    const std::vector<fit::Prior> priors = {{fit::PriorKind::kUniform, -5, 15}};
    std::vector<fit::AbcRecord> records;
    const auto generations = fit::abc_smc(distance, priors, options(), &records);
    REQUIRE(generations.size() == 7);
    // Tolerances fall, and each generation's particles are within its tolerance.
    for (std::size_t g = 1; g < generations.size(); ++g) {
        CHECK(generations[g].tolerance < generations[g - 1].tolerance);
        for (const double d : generations[g].distances) CHECK(d <= generations[g].tolerance);
    }
    const auto& last = generations.back();
    const auto m = moments(last);
    CAPTURE(last.tolerance);
    CAPTURE(m.ess);
    const double expected_sd = std::sqrt(1 + last.tolerance * last.tolerance / 3);
    // The mean within 4 standard errors; the spread within 15% (its standard error with a few
    // hundred effective particles is about 4%).
    CHECK(std::abs(m.mean - kObserved) < 4 * expected_sd / std::sqrt(m.ess));
    CHECK(m.sd == doctest::Approx(expected_sd).epsilon(0.15));
    CHECK(m.ess > 100);
    // Every simulation is recorded, the accepted ones being the last generation's particles.
    std::size_t accepted = 0;
    for (const auto& r : records) accepted += r.accepted && r.generation == 6 ? 1 : 0;
    CHECK(accepted == last.particles.size());
}

TEST_CASE("ABC-SMC gives the same sample with 1 and 2 threads") {
    const std::vector<fit::Prior> priors = {{fit::PriorKind::kUniform, -5, 15}};
    auto o = options();
    o.particles = 100;
    o.generations = 3;
    auto sample = [&](std::size_t threads) {
        const tbb::global_control control(tbb::global_control::max_allowed_parallelism, threads);
        return fit::abc_smc(distance, priors, o).back();
    };
    const auto one = sample(1), two = sample(2);
    CHECK(one.particles == two.particles);
    CHECK(one.weights == two.weights);
    CHECK(one.tolerance == two.tolerance);
}

TEST_CASE("ABC-SMC refuses options it cannot work with") {
    const std::vector<fit::Prior> priors = {{fit::PriorKind::kUniform, 0, 1}};
    auto o = options();
    o.quantile = 1.0;
    CHECK_THROWS_AS(fit::abc_smc(distance, priors, o), std::invalid_argument);
    o = options();
    o.particles = 1;
    CHECK_THROWS_AS(fit::abc_smc(distance, priors, o), std::invalid_argument);
    CHECK_THROWS_AS(fit::abc_smc(distance, {}, options()), std::invalid_argument);
}

// Each of 20 parameters observed at 0, the lower bound of its flat prior, with standard normal
// noise; a simulation is accepted when every one is within the tolerance. A kernel drawn
// again until all 20 values land inside failed here ("no proposal inside the priors' bounds").
TEST_CASE("ABC-SMC keeps every proposal inside the bounds in 20 dimensions") {
    constexpr std::size_t kDimensions = 20;
    const auto near_bound = [](std::span<const double> theta, std::uint64_t seed) {
        core::Draws draws(core::RngKey::from_seed(seed), core::streams::kTests, 0, 0);
        double largest = 0;
        for (const double t : theta)
            largest = std::max(largest, std::abs(t + core::standard_normal(draws)));
        return largest;
    };
    const std::vector<fit::Prior> priors(kDimensions, {fit::PriorKind::kUniform, 0, 10});
    auto o = options();
    o.particles = 300;
    o.generations = 5;
    const auto generations = fit::abc_smc(near_bound, priors, o);
    REQUIRE(generations.size() == 6);
    for (const auto& g : generations)
        for (const auto& particle : g.particles)
            for (const double v : particle) {
                CHECK(v >= 0);
                CHECK(v <= 10);
            }
    CHECK(generations.back().tolerance < generations[1].tolerance);
}

// One parameter observed at 0, the lower bound of its flat prior, with standard normal noise:
// the posterior within tolerance e is p(t) ~ Phi(e - t) - Phi(-e - t) on t >= 0, piled against
// the bound, where the kernel's truncation changes with the particle moved and its normalising
// constant must enter the weights for the sample's mean to be right (left out, particles near
// the bound are over-weighted).
TEST_CASE("ABC-SMC's truncated kernel is weighted right against a bound") {
    const auto at_bound = [](std::span<const double> theta, std::uint64_t seed) {
        core::Draws draws(core::RngKey::from_seed(seed), core::streams::kTests, 0, 0);
        return std::abs(theta[0] + core::standard_normal(draws));
    };
    const std::vector<fit::Prior> priors = {{fit::PriorKind::kUniform, 0, 10}};
    auto o = options();
    o.particles = 2000;
    o.generations = 8;
    o.max_evaluations = 1000000;
    const auto generations = fit::abc_smc(at_bound, priors, o);
    REQUIRE(generations.size() == 9);
    const auto& last = generations.back();
    const double e = last.tolerance;
    const auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
    double mass = 0, first = 0, second = 0;
    for (int i = 0; i < 20000; ++i) {
        const double t = (i + 0.5) * 10.0 / 20000;
        const double p = cdf(e - t) - cdf(-e - t);
        mass += p;
        first += p * t;
        second += p * t * t;
    }
    const double expected_mean = first / mass;
    const double expected_sd = std::sqrt(second / mass - expected_mean * expected_mean);
    const auto m = moments(last);
    CAPTURE(e);
    CAPTURE(m.ess);
    CAPTURE(expected_mean);
    CAPTURE(m.mean);
    // Within 4 standard errors of the mean.
    CHECK(std::abs(m.mean - expected_mean) < 4 * expected_sd / std::sqrt(m.ess));
}
