#pragma once
// Observation models: how an observed series relates to what the model expects of it. A fit's
// loss is a sum of deviances, -2 times the log-likelihood ratio of the model to a saturated
// one that reproduces every observation: zero at a perfect fit, and on the scale of a
// chi-squared for well-specified count models.
#include <cstdint>
#include <span>

namespace sortie::fit {

enum class ObservationModel : std::uint8_t {
    /// Daily counts (admissions, ICU admissions, deaths), Poisson around the expectation.
    kPoisson,
    /// Daily counts with extra variance: variance mu + mu^2 / size (the dispersion).
    kNegativeBinomial,
    /// Occupancy (people in hospital or in ICU): log(1 + count) Gaussian around
    /// log(1 + expected) with standard deviation sigma (the dispersion). Consecutive days of
    /// an occupancy are strongly correlated, which this model ignores: it treats each day as
    /// new information, so the intervals it gives are too narrow.
    kLogNormal,
};

struct Observation {
    ObservationModel model = ObservationModel::kPoisson;
    /// Negative binomial: the size (> 0; Poisson as it grows). Log-normal: sigma (> 0).
    double dispersion = 1.0;
};

/// Where a count was observed, expectations below this are taken as it: a model that expects
/// nothing where something was observed gets a large, finite loss, so that an optimiser can
/// move away from it. Nothing expected where nothing was observed is a perfect fit.
inline constexpr double kSmallestExpected = 1e-3;

/// The deviance of one observation (>= 0, zero when observed == expected). Throws
/// std::invalid_argument for a negative observation or expectation, or a dispersion <= 0.
double deviance(const Observation& model, double observed, double expected);

/// The log-likelihood of one observation, with its normalising terms (the negative binomial's
/// gamma functions, the log-normal's sigma), so that a dispersion can be fitted with it.
/// The log-normal's is the density of log(1 + observed).
double log_likelihood(const Observation& model, double observed, double expected);

/// The sum of the deviances of a series; days whose observation is NaN (missing) are skipped.
/// Throws std::invalid_argument when the spans differ in length.
double deviance(const Observation& model, std::span<const double> observed,
                std::span<const double> expected);

/// The deviance of a negative binomial whose size is fitted with the other parameters: -2 times
/// the log-likelihood ratio to the saturated Poisson model (expected = observed). That is the
/// best saturated model whatever the size (a negative binomial is a gamma mixture of Poissons,
/// none of which gives y more probability than Poisson(y, y)), so the deviance is >= 0, tends
/// to the Poisson deviance as the size grows, and differs between two sizes by exactly -2 times
/// their log-likelihood ratio: minimising it over the size is maximum likelihood. The deviance
/// of a fixed size (above) is measured against a saturated model that moves with the size,
/// and cannot compare sizes. Days whose observation is NaN are skipped.
double fitted_size_deviance(double size, std::span<const double> observed,
                            std::span<const double> expected);

/// The same sum of log-likelihoods.
double log_likelihood(const Observation& model, std::span<const double> observed,
                      std::span<const double> expected);

}  // namespace sortie::fit
