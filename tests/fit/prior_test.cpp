// Priors: quantiles (the inverse of the cumulative distribution) and log-densities at values
// worked out by hand, zero density outside the bounds.
#include "sim/fit/prior.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using namespace sortie;

namespace {

double phi(double z) {
    return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

}  // namespace

TEST_CASE("a uniform prior's quantiles are linear and its density flat on its bounds") {
    const fit::Prior prior{fit::PriorKind::kUniform, 2, 6};
    CHECK(prior.quantile(0.0) == 2);
    CHECK(prior.quantile(0.25) == 3);
    CHECK(prior.log_density(2.5) == prior.log_density(5.9));
    CHECK(prior.log_density(6.1) == -std::numeric_limits<double>::infinity());
    CHECK(prior.log_density(1.9) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("a log-uniform prior's median is the geometric mean of its bounds") {
    const fit::Prior prior{fit::PriorKind::kLogUniform, 1, 100};
    CHECK(prior.quantile(0.5) == doctest::Approx(10));
    CHECK(prior.quantile(0.25) == doctest::Approx(std::sqrt(10.0)));
    // Density 1/x: ten times as dense at 1 as at 10.
    CHECK(prior.log_density(1) - prior.log_density(10) == doctest::Approx(std::log(10.0)));
}

TEST_CASE("a normal prior truncated to its bounds") {
    const fit::Prior prior{fit::PriorKind::kNormal, 2.0, 3.6, 2.8, 0.2};
    CHECK(prior.quantile(0.5) == doctest::Approx(2.8).epsilon(1e-12));
    // The quantile of mean + 1 sd, renormalised to the mass within +-4 sd.
    const double u = (phi(1) - phi(-4)) / (phi(4) - phi(-4));
    CHECK(prior.quantile(u) == doctest::Approx(3.0).epsilon(1e-9));
    CHECK(prior.log_density(3.0) - prior.log_density(2.8) == doctest::Approx(-0.5));
    // Truncated asymmetrically: the median moves towards the longer side.
    const fit::Prior skewed{fit::PriorKind::kTruncatedNormal, 2.8, 4.0, 2.8, 0.2};
    CHECK(skewed.quantile(0.5) == doctest::Approx(2.8 + 0.2 * 0.6744897501960817).epsilon(1e-9));
    CHECK(skewed.log_density(2.79) == -std::numeric_limits<double>::infinity());
}
