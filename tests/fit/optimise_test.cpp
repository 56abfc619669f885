// Point estimates by NLopt on losses with known minima: found to the tolerance asked for, the
// same bits on every run (seeded global search, starts drawn from the counter-based streams).
#include "sim/fit/optimise.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <span>
#include <stdexcept>
#include <string>

using namespace sortie;

namespace {

// A narrow valley with its minimum at (0.3, -1.2), and a second, higher one at (-1.5, 1.5).
double valley(std::span<const double> x) {
    const double first = (x[0] - 0.3) * (x[0] - 0.3) + 10 * (x[1] + 1.2) * (x[1] + 1.2);
    const double second = 0.5 + (x[0] + 1.5) * (x[0] + 1.5) + (x[1] - 1.5) * (x[1] - 1.5);
    return std::min(first, second);
}

}  // namespace

TEST_CASE("a local search finds a valley's minimum, and a global search the lower of two") {
    fit::PointFitOptions local;
    local.local_evaluations = 200;
    local.relative_tolerance = 1e-8;
    const auto bowl = fit::minimise(valley, {-0.5, -2}, {2, 0}, local);
    CHECK(bowl.best[0] == doctest::Approx(0.3).epsilon(1e-4));
    CHECK(bowl.best[1] == doctest::Approx(-1.2).epsilon(1e-4));
    CHECK(bowl.loss < 1e-7);
    CHECK(bowl.points.size() == bowl.losses.size());
    CHECK(bowl.points.size() <= 200);

    // The global search, then a local one from its best point, on the box with both valleys.
    fit::PointFitOptions global = local;
    global.global_evaluations = 300;
    global.seed = 7;
    const auto found = fit::minimise(valley, {-2, -2}, {2, 2}, global);
    CHECK(found.loss < 1e-7);
    CHECK(found.best[0] == doctest::Approx(0.3).epsilon(1e-4));
    // Seeded: the same points, in the same order, every time.
    const auto again = fit::minimise(valley, {-2, -2}, {2, 2}, global);
    CHECK(again.points == found.points);
    CHECK(again.best == found.best);
}

TEST_CASE("several starts: the later ones begin at points drawn in the box, the best is kept") {
    fit::PointFitOptions options;
    options.starts = 4;
    options.local_evaluations = 150;
    options.relative_tolerance = 1e-8;
    const auto fit = fit::minimise(valley, {-2, -2}, {2, 2}, options);
    CHECK(fit.loss <= 0.5 + 1e-6);  // never worse than the first start's
    double smallest = fit.losses.front();
    for (const double l : fit.losses) smallest = std::min(smallest, l);
    CHECK(fit.loss == smallest);
    CHECK_THROWS_AS(fit::minimise(valley, {0, 0}, {1}, options), std::invalid_argument);
    CHECK_THROWS_AS(fit::minimise(valley, {0, 1}, {1, 1}, options), std::invalid_argument);
}

TEST_CASE("an error of the loss stops the search and reaches the caller as it was thrown") {
    // A model that cannot run at some values (R0 out of reach, say) must say so, not be
    // reported as NLopt's own "nlopt failure".
    const auto failing = [](std::span<const double> x) -> double {
        if (x[0] > 0.5) throw std::invalid_argument("R0 cannot be reached at these values");
        return valley(x);
    };
    fit::PointFitOptions options;
    options.global_evaluations = 50;
    options.seed = 3;
    try {
        (void)fit::minimise(failing, {-2, -2}, {2, 2}, options);
        FAIL("the loss's error was swallowed");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) == "R0 cannot be reached at these values");
    }
}

// A rate over four orders of magnitude whose loss is a parabola in its logarithm, at 0.02:
// searched on the logarithm, every evaluation stays in the box, the first is at the geometric
// middle, and the minimum is found; the points are reported as rates, not logarithms.
TEST_CASE("a parameter flagged log-scale is searched on its logarithm and reported as itself") {
    const auto rate_loss = [](std::span<const double> x) {
        const double d = std::log(x[0] / 0.02);
        return d * d + (x[1] - 1) * (x[1] - 1);
    };
    fit::PointFitOptions options;
    options.local_evaluations = 100;
    options.relative_tolerance = 1e-10;
    const std::vector<double> lower = {1e-3, 0.0}, upper = {10.0, 2.0};
    const std::vector<bool> log_scale = {true, false};
    const auto fit = fit::minimise(rate_loss, lower, upper, options, log_scale);
    CHECK(fit.best[0] == doctest::Approx(0.02).epsilon(1e-4));
    CHECK(fit.best[1] == doctest::Approx(1).epsilon(1e-4));
    CHECK(fit.points.front()[0] == doctest::Approx(0.1));  // sqrt(1e-3 x 10)
    for (const auto& p : fit.points) {
        CHECK(p[0] >= 1e-3);
        CHECK(p[0] <= 10);
    }
    CHECK_THROWS_AS(fit::minimise(rate_loss, {0.0, 0.0}, upper, options, log_scale),
                    std::invalid_argument);
}
