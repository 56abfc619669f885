// The kernel's infection decision without expm1 must decide exactly as the comparison with
// -expm1(-exposure) it replaces: the engine's results are unchanged bit for bit.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/engine/infection.hpp"

using sortie::engine::infects;

namespace {

bool reference(double u, double exposure) {
    return u < -std::expm1(-exposure);
}

// Draws near each boundary of the shortcut: the probability itself and both bounds.
std::vector<double> draws_near_boundaries(double exposure) {
    std::vector<double> near;
    for (double edge : {-std::expm1(-exposure), exposure, exposure - 0.5 * exposure * exposure}) {
        double below = edge, above = edge;
        for (int step = 0; step < 4; ++step) {
            below = std::nextafter(below, 0.0);
            above = std::nextafter(above, 1.0);
            near.push_back(below);
            near.push_back(above);
        }
        near.push_back(edge);
    }
    return near;
}

}  // namespace

TEST_CASE("infects decides as u < -expm1(-exposure) for every exposure and draw") {
    const auto key = sortie::core::RngKey::from_seed(8);
    const sortie::core::StreamId stream{0};
    std::size_t infected = 0, checked = 0;
    for (std::uint32_t i = 0; i < 200000; ++i) {
        // Exposures from 1e-12 to 50, log-uniform: tiny, typical (0.01-0.3) and beyond 1.
        const double exposure =
            std::pow(10.0, -12.0 + 13.7 * sortie::core::to_unit_interval(
                                              sortie::core::draw_u64(key, stream, 0, i, 0)));
        std::vector<double> draws = draws_near_boundaries(exposure);
        for (std::uint32_t k = 1; k < 9; ++k) {
            // Uniform draws, and draws scaled to the exposure so that many land near it.
            const double u =
                sortie::core::to_unit_interval(sortie::core::draw_u64(key, stream, 0, i, k));
            draws.push_back(u);
            draws.push_back(std::min(u * 2.0 * exposure, std::nextafter(1.0, 0.0)));
        }
        for (double u : draws) {
            CAPTURE(exposure);
            CAPTURE(u);
            REQUIRE(infects(u, exposure) == reference(u, exposure));
            if (reference(u, exposure)) ++infected;
            ++checked;
        }
    }
    // Both outcomes were exercised in number.
    CHECK(infected > checked / 10);
    CHECK(infected < checked * 9 / 10);
}

TEST_CASE("infects handles no exposure, certain exposure and the ends of the draws") {
    constexpr double inf = std::numeric_limits<double>::infinity();
    for (double exposure : {0.0, 1e-300, 1.0, 2.0, 40.0, 800.0, inf}) {
        for (double u : {0.0, 1e-300, 0.5, std::nextafter(1.0, 0.0)}) {
            CAPTURE(exposure);
            CAPTURE(u);
            CHECK(infects(u, exposure) == reference(u, exposure));
        }
    }
    CHECK_FALSE(infects(0.0, 0.0));
    CHECK(infects(0.0, 1e-300));
}
