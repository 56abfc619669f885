#include "sim/core/samplers.hpp"

#include <array>
#include <cmath>

namespace sortie::core {
namespace {

using detail::Uint128;

// Below this mean, inversion (one uniform, about mean+1 steps) beats transformed rejection.
constexpr double kPoissonInversionLimit = 10.0;

std::uint32_t poisson_by_inversion(Draws& draws, double mean, double exp_minus_mean) {
    const double u = draws.uniform();
    double probability = exp_minus_mean;
    double cumulative = probability;
    std::uint32_t k = 0;
    // probability reaches 0 (underflow) long before k overflows, which ends the rare loop
    // where rounding keeps the cumulative sum just below u.
    while (u >= cumulative && probability > 0.0) {
        ++k;
        probability *= mean / k;
        cumulative += probability;
    }
    return k;
}

// PTRS: W. Hörmann, "The transformed rejection method for generating Poisson random
// variables", Insurance: Mathematics and Economics 12 (1993) 39-45.
std::uint32_t poisson_by_transformed_rejection(Draws& draws, double mean) {
    const double b = 0.931 + 2.53 * std::sqrt(mean);
    const double a = -0.059 + 0.02483 * b;
    const double inverse_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double v_r = 0.9277 - 3.6224 / (b - 2.0);
    const double log_mean = std::log(mean);
    for (;;) {
        const double u = draws.uniform() - 0.5;
        const double v = draws.uniform();
        const double us = 0.5 - std::fabs(u);
        if (us < 0.013 && v > us) continue;  // also excludes us == 0
        const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
        if (k < 0.0) continue;
        if (us >= 0.07 && v <= v_r) return static_cast<std::uint32_t>(k);
        const auto kk = static_cast<std::uint32_t>(k);
        const double log_accept = -mean + k * log_mean - log_factorial(kk);
        if (std::log(v * inverse_alpha / (a / (us * us) + b)) <= log_accept) return kk;
    }
}

// Marsaglia and Tsang, "A simple method for generating gamma variables", ACM TOMS 26 (2000).
double standard_gamma_shape_at_least_one(Draws& draws, double shape) {
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
        const double x = standard_normal(draws);
        const double t = 1.0 + c * x;
        if (t <= 0.0) continue;
        const double v = t * t * t;
        const double u = draws.uniform_positive();
        const double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
        if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
    }
}

}  // namespace

namespace detail {

std::uint64_t uniform_int_rejecting(Draws& draws, std::uint64_t n, Uint128 product) {
    auto low = static_cast<std::uint64_t>(product);
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (low < threshold) {
        product = Uint128{draws.next_u64()} * n;
        low = static_cast<std::uint64_t>(product);
    }
    return static_cast<std::uint64_t>(product >> 64);
}

}  // namespace detail

double standard_normal(Draws& draws) {
    for (;;) {
        const double u = 2.0 * draws.uniform() - 1.0;
        const double v = 2.0 * draws.uniform() - 1.0;
        const double s = u * u + v * v;
        if (s >= 1.0 || s == 0.0) continue;
        return u * std::sqrt(-2.0 * std::log(s) / s);
    }
}

std::uint32_t poisson(Draws& draws, double mean) {
    if (!(mean > 0.0)) return 0;
    if (mean < kPoissonInversionLimit) return poisson_by_inversion(draws, mean, std::exp(-mean));
    return poisson_by_transformed_rejection(draws, mean);
}

PoissonSampler::PoissonSampler(double mean) : mean_(mean) {
    if (!(mean > 0.0) || mean >= kPoissonInversionLimit) return;
    inverted_ = true;
    // The sequence of poisson_by_inversion, to the step where it stops whatever the draw.
    double probability = std::exp(-mean);
    double cumulative = probability;
    cumulative_.push_back(cumulative);
    for (std::uint32_t k = 1; probability > 0.0; ++k) {
        probability *= mean / k;
        cumulative += probability;
        cumulative_.push_back(cumulative);
    }
    const std::size_t last = cumulative_.size() - 1;  // the inversion compares k < last only
    for (std::size_t j = 0; j < kWindow; ++j) window_[j] = j < last ? cumulative_[j] : 2.0;
}

// Mean 0 (no draw, as poisson()) or at least the inversion limit.
std::uint32_t PoissonSampler::by_rejection(Draws& draws) const {
    if (!(mean_ > 0.0)) return 0;
    return poisson_by_transformed_rejection(draws, mean_);
}

// The inversion from step kWindow on (u was above the window's steps).
std::uint32_t PoissonSampler::beyond_window(double u) const {
    const auto last = static_cast<std::uint32_t>(cumulative_.size() - 1);
    auto k = static_cast<std::uint32_t>(kWindow);
    while (k < last && u >= cumulative_[k]) ++k;
    return k;
}

double gamma(Draws& draws, double shape, double scale) {
    if (shape >= 1.0) return scale * standard_gamma_shape_at_least_one(draws, shape);
    // G(a) = G(a+1) * U^(1/a); in logs so that tiny shapes do not lose precision early.
    const double boosted = standard_gamma_shape_at_least_one(draws, shape + 1.0);
    return scale * std::exp(std::log(boosted) + std::log(draws.uniform_positive()) / shape);
}

double lognormal(Draws& draws, double mu, double sigma) {
    return std::exp(mu + sigma * standard_normal(draws));
}

LogNormalParams LogNormalParams::from_mean_sd(double mean, double sd) {
    const double sigma2 = std::log1p((sd * sd) / (mean * mean));
    return {std::log(mean) - 0.5 * sigma2, std::sqrt(sigma2)};
}

std::uint32_t negative_binomial(Draws& draws, double mean, double dispersion) {
    if (!(mean > 0.0)) return 0;
    return poisson(draws, gamma(draws, dispersion, mean / dispersion));
}

double log_factorial(std::uint32_t k) {
    constexpr std::uint32_t kExactBelow = 20;
    if (k < kExactBelow) {
        double factorial = 1.0;
        for (std::uint32_t i = 2; i <= k; ++i) factorial *= i;
        return std::log(factorial);
    }
    // Stirling's series for log Gamma(n), n = k + 1; the next term is below 1e-16 at n >= 20.
    const double n = k + 1.0;
    const double inv = 1.0 / n;
    const double inv2 = inv * inv;
    constexpr double kHalfLogTwoPi = 0.91893853320467274178;
    return (n - 0.5) * std::log(n) - n + kHalfLogTwoPi +
           inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)));
}

}  // namespace sortie::core
