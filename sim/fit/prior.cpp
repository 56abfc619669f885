#include "sim/fit/prior.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace sortie::fit {
namespace {

double standard_normal_cdf(double z) {
    return 0.5 * std::erfc(-z / std::numbers::sqrt2);
}

// The z whose cumulative probability is p, between lo and hi: bisection, which is exact to
// the last bits in 200 steps and has no failure mode (p is never outside [cdf(lo), cdf(hi)]).
double standard_normal_quantile(double p, double lo, double hi) {
    for (int i = 0; i < 200 && lo < hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        (standard_normal_cdf(mid) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

}  // namespace

double normal_mass_between(double lower, double upper, double mean, double sd) {
    return standard_normal_cdf((upper - mean) / sd) - standard_normal_cdf((lower - mean) / sd);
}

double Prior::log_density(double x) const {
    if (!(x >= lower && x <= upper)) return -std::numeric_limits<double>::infinity();
    switch (kind) {
        case PriorKind::kUniform:
            return 0.0;
        case PriorKind::kLogUniform:
            return -std::log(x);
        case PriorKind::kNormal:
        case PriorKind::kTruncatedNormal: {
            const double z = (x - mean) / sd;
            return -0.5 * z * z;
        }
    }
    return 0.0;
}

double Prior::quantile(double u) const {
    switch (kind) {
        case PriorKind::kUniform:
            return lower + u * (upper - lower);
        case PriorKind::kLogUniform:
            return std::exp(std::log(lower) + u * (std::log(upper) - std::log(lower)));
        case PriorKind::kNormal:
        case PriorKind::kTruncatedNormal: {
            const double a = (lower - mean) / sd, b = (upper - mean) / sd;
            const double pa = standard_normal_cdf(a), pb = standard_normal_cdf(b);
            const double z = standard_normal_quantile(pa + u * (pb - pa), a, b);
            return std::clamp(mean + sd * z, lower, upper);
        }
    }
    return lower;
}

std::string_view prior_name(PriorKind kind) {
    switch (kind) {
        case PriorKind::kUniform:
            return "uniform";
        case PriorKind::kLogUniform:
            return "log_uniform";
        case PriorKind::kNormal:
            return "normal";
        case PriorKind::kTruncatedNormal:
            return "truncated_normal";
    }
    return "uniform";
}

}  // namespace sortie::fit
