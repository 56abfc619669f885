// Observation models against their closed forms: deviances at chosen values (worked by hand,
// below each check), the deviance as twice the log-likelihood ratio to the saturated model,
// likelihoods that sum to one over the counts, and the negative binomial's Poisson limit.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/core/samplers.hpp"
#include "sim/fit/observation.hpp"

using namespace sortie::fit;

namespace {

const Observation poisson{ObservationModel::kPoisson, 1.0};
const Observation negative_binomial{ObservationModel::kNegativeBinomial, 2.0};
const Observation log_normal{ObservationModel::kLogNormal, 0.5};

}  // namespace

TEST_CASE("deviances at chosen values equal their closed forms") {
    // Poisson: 2 (y log(y / mu) - (y - mu)); y = 7, mu = 4: 2 (7 log 1.75 - 3).
    CHECK(deviance(poisson, 7, 4) == doctest::Approx(1.8346210310959172).epsilon(1e-12));
    // y = 0: 2 mu.
    CHECK(deviance(poisson, 0, 4) == doctest::Approx(8.0).epsilon(1e-12));
    // Negative binomial, size 2: 2 (y log(y / mu) - (y + 2) log((y + 2) / (mu + 2)));
    // y = 7, mu = 4: 2 (7 log 1.75 - 9 log 1.5).
    CHECK(deviance(negative_binomial, 7, 4) == doctest::Approx(0.5362490851489579).epsilon(1e-12));
    // y = 0, mu = 4: -2 * 2 log(2 / 6) = 4 log 3.
    CHECK(deviance(negative_binomial, 0, 4) == doctest::Approx(4 * std::log(3.0)).epsilon(1e-12));
    // Log-normal, sigma 0.5: ((log 100 - log 10) / 0.5)^2 for y = 99, mu = 9.
    CHECK(deviance(log_normal, 99, 9) == doctest::Approx(21.207592441913597).epsilon(1e-12));
}

TEST_CASE("a deviance is zero at a perfect fit and grows as the expectation moves away") {
    for (const auto& model : {poisson, negative_binomial, log_normal}) {
        CAPTURE(int(model.model));
        CHECK(deviance(model, 12, 12) == doctest::Approx(0.0).scale(1.0));
        double previous = 0;
        for (const double mu : {13.0, 16.0, 25.0, 60.0}) {
            const double d = deviance(model, 12, mu);
            CHECK(d > previous);
            previous = d;
        }
        previous = 0;
        for (const double mu : {11.0, 8.0, 3.0, 0.5}) {
            const double d = deviance(model, 12, mu);
            CHECK(d > previous);
            previous = d;
        }
    }
}

TEST_CASE("the deviance is twice the log-likelihood ratio to the saturated model") {
    for (const auto& model : {poisson, negative_binomial, log_normal}) {
        for (const double y : {0.0, 1.0, 7.0, 250.0}) {
            for (const double mu : {0.3, 4.0, 180.0}) {
                CAPTURE(int(model.model));
                CAPTURE(y);
                CAPTURE(mu);
                const double ratio =
                    2 * (log_likelihood(model, y, y) - log_likelihood(model, y, mu));
                CHECK(deviance(model, y, mu) == doctest::Approx(ratio).epsilon(1e-9).scale(1.0));
            }
        }
    }
}

TEST_CASE("the count likelihoods sum to one over the counts and have the stated mean") {
    for (const auto& model : {poisson, negative_binomial}) {
        CAPTURE(int(model.model));
        double total = 0, mean = 0, second = 0;
        for (int y = 0; y < 400; ++y) {
            const double p = std::exp(log_likelihood(model, y, 4.0));
            total += p;
            mean += y * p;
            second += double(y) * y * p;
        }
        CHECK(total == doctest::Approx(1.0).epsilon(1e-12));
        CHECK(mean == doctest::Approx(4.0).epsilon(1e-10));
        // Variance mu (Poisson) and mu + mu^2 / size (negative binomial, size 2: 4 + 8).
        const double variance = second - mean * mean;
        CHECK(
            variance ==
            doctest::Approx(model.model == ObservationModel::kPoisson ? 4.0 : 12.0).epsilon(1e-9));
    }
}

TEST_CASE("the log-normal likelihood is a normal density of log(1 + count)") {
    // Integrate exp(log_likelihood) over u = log(1 + y) on a fine grid: 1.
    double total = 0;
    const double du = 1e-3;
    for (double u = 0; u < 12; u += du)
        total += std::exp(log_likelihood(log_normal, std::expm1(u), 20.0)) * du;
    CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
    // At the expectation: 1 / (sigma sqrt(2 pi)).
    CHECK(std::exp(log_likelihood(log_normal, 20, 20)) ==
          doctest::Approx(1 / (0.5 * std::sqrt(2 * std::numbers::pi))).epsilon(1e-12));
}

TEST_CASE("a negative binomial of large size is a Poisson") {
    const Observation almost_poisson{ObservationModel::kNegativeBinomial, 1e9};
    for (const double y : {0.0, 3.0, 40.0}) {
        CAPTURE(y);
        CHECK(deviance(almost_poisson, y, 11.0) ==
              doctest::Approx(deviance(poisson, y, 11.0)).epsilon(1e-6));
        CHECK(log_likelihood(almost_poisson, y, 11.0) ==
              doctest::Approx(log_likelihood(poisson, y, 11.0)).epsilon(1e-6));
    }
}

TEST_CASE("an expectation of zero against an observed count gives a large, finite loss") {
    const double d = deviance(poisson, 100, 0);
    CHECK(std::isfinite(d));
    CHECK(d == doctest::Approx(deviance(poisson, 100, kSmallestExpected)));
    CHECK(d > deviance(poisson, 100, 1.0));
    CHECK(deviance(poisson, 0, 0) == 0);
    CHECK(deviance(negative_binomial, 0, 0) == 0);
    CHECK(log_likelihood(poisson, 0, 0) == 0);
}

TEST_CASE("a series' deviance sums its days and skips the missing ones") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> observed{7, nan, 0, 99};
    const std::vector<double> expected{4, 1000, 4, 9};
    CHECK(deviance(poisson, observed, expected) ==
          doctest::Approx(deviance(poisson, 7, 4) + deviance(poisson, 0, 4) +
                          deviance(poisson, 99, 9)));
    CHECK(log_likelihood(negative_binomial, observed, expected) ==
          doctest::Approx(log_likelihood(negative_binomial, 7, 4) +
                          log_likelihood(negative_binomial, 0, 4) +
                          log_likelihood(negative_binomial, 99, 9)));
    const std::vector<double> shorter{1, 2};
    CHECK_THROWS_AS(deviance(poisson, observed, shorter), std::invalid_argument);
}

TEST_CASE("negative counts and dispersions are refused") {
    CHECK_THROWS_AS(deviance(poisson, -1, 4), std::invalid_argument);
    CHECK_THROWS_AS(deviance(poisson, 1, -4), std::invalid_argument);
    CHECK_THROWS_AS(deviance(Observation{ObservationModel::kNegativeBinomial, 0}, 1, 4),
                    std::invalid_argument);
    CHECK_THROWS_AS(log_likelihood(Observation{ObservationModel::kLogNormal, -0.5}, 1, 4),
                    std::invalid_argument);
}

TEST_CASE("a fitted size's deviance: against the saturated Poisson, >= 0, exact between sizes") {
    // y = 7, mu = 4, size 2: 2 (log Poisson(7; 7) - log NB(7; 4, 2)), by hand:
    // log Poisson(7; 7) = 7 log 7 - 7 - log 7! = -1.9037903...; log NB(7; 4, 2) =
    // log Gamma(9) - log Gamma(2) - log 7! + 2 log(2/6) + 7 log(4/6) = -2.9560388...
    const std::vector<double> y = {7}, mu = {4};
    CHECK(fitted_size_deviance(2, y, mu) == doctest::Approx(2.1044969).epsilon(1e-6));
    // Never below zero (no negative binomial gives y more than Poisson(y; y)), whatever the size.
    const std::vector<double> ys = {0, 1, 3, 12, 40, 200}, mus = {0.5, 1, 3, 12, 50, 150};
    for (const double size : {0.05, 0.5, 2.0, 20.0, 1e3, 1e8})
        CHECK(fitted_size_deviance(size, ys, mus) >= 0);
    // Between two sizes it differs by -2 times their log-likelihood ratio, and tends to the
    // Poisson deviance as the size grows.
    const Observation small{ObservationModel::kNegativeBinomial, 1.5};
    const Observation large{ObservationModel::kNegativeBinomial, 30.0};
    CHECK(fitted_size_deviance(1.5, ys, mus) - fitted_size_deviance(30, ys, mus) ==
          doctest::Approx(-2 * (log_likelihood(small, ys, mus) - log_likelihood(large, ys, mus)))
              .epsilon(1e-10));
    CHECK(fitted_size_deviance(1e9, ys, mus) ==
          doctest::Approx(deviance(poisson, ys, mus)).epsilon(1e-6));
}

TEST_CASE("minimising a fitted size's deviance recovers the size of negative binomial data") {
    // 4,000 days of counts around a known, varying expectation, drawn from a negative binomial
    // of size 4 (the project's gamma-Poisson sampler, on its counter-based streams); the size
    // is then found by a golden-section search of its deviance on [0.5, 50], and must lie
    // within 4 standard errors of 4 (the standard error from the curvature of the
    // log-likelihood at the minimum: the observed information).
    constexpr double kSize = 4;
    sortie::core::Draws draws(sortie::core::RngKey::from_seed(20201), {0}, 0, 0);
    std::vector<double> y, mu;
    for (int d = 0; d < 4000; ++d) {
        const double m = 5 + 45 * (1 + std::sin(d / 50.0)) / 2;
        mu.push_back(m);
        y.push_back(sortie::core::negative_binomial(draws, m, kSize));
    }
    const auto loss = [&](double size) { return fitted_size_deviance(size, y, mu); };
    double a = 0.5, b = 50;
    const double golden = (std::sqrt(5.0) - 1) / 2;
    for (int i = 0; i < 200; ++i) {
        const double c = b - golden * (b - a), d = a + golden * (b - a);
        (loss(c) < loss(d) ? b : a) = (loss(c) < loss(d) ? d : c);
    }
    const double found = (a + b) / 2, h = 1e-3 * found;
    // The deviance is -2 log L + const: the observed information is half its second derivative.
    const double information = (loss(found + h) - 2 * loss(found) + loss(found - h)) / (2 * h * h);
    const double standard_error = 1 / std::sqrt(information);
    CAPTURE(found);
    CAPTURE(standard_error);
    CHECK(standard_error < 0.5);  // the data do identify the size
    CHECK(std::fabs(found - kSize) < 4 * standard_error);
}
