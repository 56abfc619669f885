#pragma once
// `sortie summary FIT.h5`: a fit's estimates (best values, posterior medians and 90% intervals)
// and how well each target is fitted, as text or JSON.
#include <nlohmann/json.hpp>

#include <string>

#include "sim/results/fit_result.hpp"

namespace sortie::cli {

/// Per parameter: the best value and the posterior's weighted 5%, 50% and 95% quantiles (null
/// without a posterior); per target: likelihood, days observed, deviance at the best values
/// and weight; the posterior's generations with their tolerances and effective sample size.
nlohmann::ordered_json fit_to_json(const results::FitResult& fit);
std::string fit_to_text(const results::FitResult& fit);

}  // namespace sortie::cli
