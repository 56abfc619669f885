#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/core/rng.hpp"

/// Random variates from a Draws cursor. Written in the project on purpose: the algorithms of
/// std::*_distribution differ between standard libraries, which would break reproducibility.
/// Every sampler consumes a variable but deterministic number of draws.
namespace sortie::core {

/// Uniform on [0, 1).
inline double uniform(Draws& draws) {
    return draws.uniform();
}

/// True with probability p (p <= 0: never; p >= 1: always).
inline bool bernoulli(Draws& draws, double p) {
    return draws.uniform() < p;
}

namespace detail {
__extension__ using Uint128 = unsigned __int128;
/// uniform_int's rare case: the first draw fell where it might have to be rejected.
std::uint64_t uniform_int_rejecting(Draws& draws, std::uint64_t n, Uint128 product);
}  // namespace detail

/// Uniform integer in [0, n), exactly unbiased (Lemire's multiply-and-reject method).
/// Precondition: n > 0. Inline: the contact kernel calls it for every community and venue
/// contact, and a call costs as much as the rest.
inline std::uint64_t uniform_int(Draws& draws, std::uint64_t n) {
    const detail::Uint128 product = detail::Uint128{draws.next_u64()} * n;
    if (static_cast<std::uint64_t>(product) < n) [[unlikely]]
        return detail::uniform_int_rejecting(draws, n, product);
    return static_cast<std::uint64_t>(product >> 64);
}

/// Standard normal (Marsaglia's polar method; only log and sqrt from libm).
double standard_normal(Draws& draws);

/// Poisson with the given mean >= 0: inversion below a mean of 10, Hörmann's transformed
/// rejection (PTRS, 1993) above.
std::uint32_t poisson(Draws& draws, double mean);

/// poisson(draws, mean) for a mean fixed in advance, the same draws and results: the
/// contact kernel draws every infectious person's daily contacts from a few means. Below the
/// inversion limit, the cumulative probabilities that inversion adds up one division at a time
/// are computed once, by the same operations in the same order, so the comparisons and the
/// results are the same bit for bit.
class PoissonSampler {
  public:
    explicit PoissonSampler(double mean = 0.0);
    /// Inline, and the first steps of the inversion counted without a branch: the contact
    /// kernel draws three counts per infectious person and day, and the branch that ended
    /// the search was mispredicted.
    std::uint32_t operator()(Draws& draws) const {
        if (!inverted_) return by_rejection(draws);
        const double u = draws.uniform();
        std::uint32_t k = 0;
        for (std::size_t j = 0; j < kWindow; ++j) k += u >= window_[j];
        if (k < kWindow) return k;
        return beyond_window(u);
    }
    double mean() const { return mean_; }

  private:
    static constexpr std::size_t kWindow = 8;
    std::uint32_t by_rejection(Draws& draws) const;
    std::uint32_t beyond_window(double u) const;

    double mean_;
    bool inverted_ = false;  ///< 0 < mean < the inversion limit
    /// P(X <= k) for k = 0.. up to the first k whose own probability is 0 (underflow), where
    /// inversion stops; empty above the inversion limit.
    std::vector<double> cumulative_;
    /// The first kWindow steps: cumulative_[j] for j < cumulative_.size() - 1, then 2 (above
    /// any draw), so that counting the j with u >= window_[j] is the inversion's answer.
    std::array<double, kWindow> window_{};
};

/// Gamma with shape > 0 and scale > 0 (mean shape*scale): Marsaglia and Tsang (2000), with
/// the shape+1 boost for shape < 1.
double gamma(Draws& draws, double shape, double scale);

/// Log-normal: exp(mu + sigma * N(0,1)).
double lognormal(Draws& draws, double mu, double sigma);

/// Log-normal parameters (mu, sigma of the underlying normal) from a mean and standard
/// deviation on the natural scale.
struct LogNormalParams {
    double mu;
    double sigma;
    static LogNormalParams from_mean_sd(double mean, double sd);
};

/// Negative binomial as a gamma-Poisson mixture: mean `mean`, variance mean + mean^2/dispersion.
/// Precondition: mean >= 0, dispersion > 0.
std::uint32_t negative_binomial(Draws& draws, double mean, double dispersion);

/// log(k!) to about 1e-13 relative accuracy (exact products below 20, Stirling's series above).
double log_factorial(std::uint32_t k);

}  // namespace sortie::core
