#pragma once
// A free parameter's prior: what is believed of its value before the data, restricted to its
// bounds. The bounds are also the box a point fit searches, so every prior is truncated to
// them; the density needs no normalising constant because only its ratios are used (ABC-SMC's
// importance weights).
#include <cstdint>
#include <string_view>

namespace sortie::fit {

enum class PriorKind : std::uint8_t {
    kUniform,          ///< flat on [lower, upper]
    kLogUniform,       ///< flat in log(x) on [lower, upper]; lower > 0
    kNormal,           ///< Gaussian (mean, sd), truncated to the bounds
    kTruncatedNormal,  ///< the same; named for files where the truncation is the point
};

struct Prior {
    PriorKind kind = PriorKind::kUniform;
    double lower = 0, upper = 1;
    double mean = 0, sd = 1;  ///< normal and truncated normal only

    /// The log of the density at x, up to a constant; -infinity outside [lower, upper].
    double log_density(double x) const;
    /// The value at the quantile u in [0, 1) (inverse cumulative distribution): a draw from
    /// the prior when u is uniform.
    double quantile(double u) const;
};

/// "uniform", "log_uniform", "normal", "truncated_normal".
std::string_view prior_name(PriorKind kind);

/// The probability that a normal of this mean and sd falls in [lower, upper]: the normalising
/// constant of a normal truncated to those bounds.
double normal_mass_between(double lower, double upper, double mean, double sd);

}  // namespace sortie::fit
