#pragma once

// Small statistics helpers for the statistical tests: sample moments, the standard errors
// that set their tolerances, and chi-square critical values.
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace sortie::testing {

/// Raw moments E[X], E[X^2], E[X^3], E[X^4] of a distribution.
struct RawMoments {
    double m1, m2, m3, m4;

    double mean() const { return m1; }
    double variance() const { return m2 - m1 * m1; }
    /// The fourth central moment, which sets the standard error of a sample variance.
    double central4() const {
        return m4 - 4.0 * m1 * m3 + 6.0 * m1 * m1 * m2 - 3.0 * m1 * m1 * m1 * m1;
    }
};

struct SampleMoments {
    double mean;
    double variance;
};

inline SampleMoments sample_moments(std::span<const double> xs) {
    double sum = 0.0;
    for (double x : xs) sum += x;
    const double mean = sum / static_cast<double>(xs.size());
    double squares = 0.0;
    for (double x : xs) squares += (x - mean) * (x - mean);
    return {mean, squares / static_cast<double>(xs.size() - 1)};
}

/// Standard error of the sample mean of n draws.
inline double se_mean(const RawMoments& m, std::size_t n) {
    return std::sqrt(m.variance() / static_cast<double>(n));
}

/// Standard error of the sample variance of n draws, from the exact formula
/// Var(s^2) = (mu4 - sigma^4 (n-3)/(n-1)) / n (which stays positive for a fair coin).
inline double se_variance(const RawMoments& m, std::size_t n) {
    const double var = m.variance();
    const double count = static_cast<double>(n);
    return std::sqrt((m.central4() - var * var * (count - 3.0) / (count - 1.0)) / count);
}

/// Pearson chi-square statistic of observed counts against expected counts.
inline double chi_square(std::span<const double> observed, std::span<const double> expected) {
    double statistic = 0.0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        const double d = observed[i] - expected[i];
        statistic += d * d / expected[i];
    }
    return statistic;
}

/// The chi-square quantile at upper tail probability 0.001 (Wilson-Hilferty approximation,
/// accurate to a few percent from 2 degrees of freedom up).
inline double chi_square_critical_0001(double degrees_of_freedom) {
    constexpr double kZ = 3.0902;  // standard normal upper 0.001 quantile
    const double h = 2.0 / (9.0 * degrees_of_freedom);
    return degrees_of_freedom * std::pow(1.0 - h + kZ * std::sqrt(h), 3.0);
}

/// Pearson correlation of two equally long series.
inline double correlation(std::span<const double> xs, std::span<const double> ys) {
    const auto mx = sample_moments(xs).mean;
    const auto my = sample_moments(ys).mean;
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        sxy += (xs[i] - mx) * (ys[i] - my);
        sxx += (xs[i] - mx) * (xs[i] - mx);
        syy += (ys[i] - my) * (ys[i] - my);
    }
    return sxy / std::sqrt(sxx * syy);
}

}  // namespace sortie::testing
