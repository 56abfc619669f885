#include "sim/fit/observation.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace sortie::fit {
namespace {

void check(const Observation& model, double observed, double expected) {
    if (!(observed >= 0))
        throw std::invalid_argument("an observation must be a count >= 0, not " +
                                    std::to_string(observed));
    if (!(expected >= 0))
        throw std::invalid_argument("an expectation must be >= 0, not " + std::to_string(expected));
    if (model.model != ObservationModel::kPoisson && !(model.dispersion > 0))
        throw std::invalid_argument("a dispersion must be > 0, not " +
                                    std::to_string(model.dispersion));
}

// y log(y / mu), which is 0 at y = 0.
double y_log_ratio(double y, double mu) {
    return y > 0 ? y * std::log(y / mu) : 0.0;
}

// y log(mu), which is 0 at y = 0 whatever mu.
double y_log(double y, double mu) {
    return y > 0 ? y * std::log(mu) : 0.0;
}

// The floor applies where something was observed: nothing expected and nothing observed is a
// perfect fit.
double floored(double observed, double expected) {
    return observed > 0 ? std::max(expected, kSmallestExpected) : expected;
}

double log_normal_residual(const Observation& model, double observed, double expected) {
    return (std::log1p(observed) - std::log1p(expected)) / model.dispersion;
}

}  // namespace

double deviance(const Observation& model, double observed, double expected) {
    check(model, observed, expected);
    const double y = observed, mu = floored(observed, expected);
    switch (model.model) {
        case ObservationModel::kPoisson:
            return 2 * (y_log_ratio(y, mu) - (y - mu));
        case ObservationModel::kNegativeBinomial: {
            const double size = model.dispersion;
            return 2 * (y_log_ratio(y, mu) - (y + size) * std::log((y + size) / (mu + size)));
        }
        case ObservationModel::kLogNormal: {
            const double z = log_normal_residual(model, y, expected);
            return z * z;
        }
    }
    throw std::invalid_argument("unknown observation model");
}

double log_likelihood(const Observation& model, double observed, double expected) {
    check(model, observed, expected);
    const double y = observed, mu = floored(observed, expected);
    switch (model.model) {
        case ObservationModel::kPoisson:
            return y_log(y, mu) - mu - std::lgamma(y + 1);
        case ObservationModel::kNegativeBinomial: {
            const double size = model.dispersion;
            return std::lgamma(y + size) - std::lgamma(size) - std::lgamma(y + 1) +
                   -size * std::log1p(mu / size) + y_log(y, mu / (size + mu));
        }
        case ObservationModel::kLogNormal: {
            const double z = log_normal_residual(model, y, expected);
            return -0.5 * z * z - std::log(model.dispersion) - 0.5 * std::log(2 * std::numbers::pi);
        }
    }
    throw std::invalid_argument("unknown observation model");
}

namespace {

template <class Term>
double sum_over(std::span<const double> observed, std::span<const double> expected, Term term) {
    if (observed.size() != expected.size())
        throw std::invalid_argument("an observed series of " + std::to_string(observed.size()) +
                                    " days against an expected one of " +
                                    std::to_string(expected.size()));
    double sum = 0;
    for (std::size_t d = 0; d < observed.size(); ++d) {
        if (std::isnan(observed[d])) continue;  // a day without an observation
        sum += term(observed[d], expected[d]);
    }
    return sum;
}

}  // namespace

double deviance(const Observation& model, std::span<const double> observed,
                std::span<const double> expected) {
    return sum_over(observed, expected,
                    [&](double y, double mu) { return deviance(model, y, mu); });
}

double fitted_size_deviance(double size, std::span<const double> observed,
                            std::span<const double> expected) {
    const Observation poisson{ObservationModel::kPoisson, 1.0};
    const Observation negative_binomial{ObservationModel::kNegativeBinomial, size};
    return sum_over(observed, expected, [&](double y, double mu) {
        return 2 * (log_likelihood(poisson, y, y) - log_likelihood(negative_binomial, y, mu));
    });
}

double log_likelihood(const Observation& model, std::span<const double> observed,
                      std::span<const double> expected) {
    return sum_over(observed, expected,
                    [&](double y, double mu) { return log_likelihood(model, y, mu); });
}

}  // namespace sortie::fit
