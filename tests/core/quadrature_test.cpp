// Gamma quadrature against moments and a Laplace transform known in closed form, for the
// shapes sortie's parameter files use (0.1 for COVID-19's overdispersion, 1) and a large one.
#include "sim/core/quadrature.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

using namespace sortie;

namespace {

double expect(const core::Quadrature& q, double (*f)(double, double), double c) {
    double sum = 0;
    for (std::size_t i = 0; i < q.nodes.size(); ++i) sum += q.weights[i] * f(q.nodes[i], c);
    return sum;
}

}  // namespace

TEST_CASE("gamma quadrature integrates polynomials exactly and exp(-c m) to its closed form") {
    for (const double k : {0.1, 1.0, 25.0}) {
        CAPTURE(k);
        const auto q = core::gamma_quadrature(k, 24);
        REQUIRE(q.nodes.size() == 24);
        double weights = 0;
        for (std::size_t i = 0; i < q.nodes.size(); ++i) {
            CHECK(q.nodes[i] > 0);
            if (i > 0) CHECK(q.nodes[i] > q.nodes[i - 1]);
            weights += q.weights[i];
        }
        CHECK(weights == doctest::Approx(1.0).epsilon(1e-12));
        const auto power = [](double m, double n) { return std::pow(m, n); };
        // Moments of Gamma(k, 1/k): E[m] = 1, E[m^2] = 1 + 1/k, E[m^3] = (1 + 1/k)(1 + 2/k).
        CHECK(expect(q, power, 1) == doctest::Approx(1.0).epsilon(1e-10));
        CHECK(expect(q, power, 2) == doctest::Approx(1 + 1 / k).epsilon(1e-10));
        CHECK(expect(q, power, 3) == doctest::Approx((1 + 1 / k) * (1 + 2 / k)).epsilon(1e-9));
        // E[1 - exp(-c m)] = 1 - (1 + c/k)^-k, at the scale of a day's infection probabilities
        // (the calibration needs quadrature only for a small correction to such terms); a
        // function that varies much faster than the nodes near 0 is integrated less well.
        const auto escape = [](double m, double c) { return -std::expm1(-c * m); };
        for (const double c : {0.01, 0.1, 0.3}) {
            CAPTURE(c);
            CHECK(expect(q, escape, c) ==
                  doctest::Approx(-std::expm1(-k * std::log1p(c / k))).epsilon(1e-8));
        }
    }
    CHECK_THROWS_AS(core::gamma_quadrature(0, 10), std::invalid_argument);
    CHECK_THROWS_AS(core::gamma_quadrature(1, 0), std::invalid_argument);
}
