#pragma once
// A whole fit, as `sortie fit` runs it: the objective built once, the point estimate, the
// posterior sample if asked for, and everything FIT.h5 records; and the two small files a fit
// can leave besides, the fitted scenario and the posterior table.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "sim/fit/fit_file.hpp"
#include "sim/results/fit_result.hpp"

namespace sortie::fit {

/// Receives a line of progress now and then (never from two threads at once).
using FitLog = std::function<void(std::string_view line)>;

/// Runs the fit `fit` describes (read from `fit_file`). Deterministic: the same FIT.h5 data
/// whatever the threads. Throws core::InputError when the objective cannot be built from the
/// fit (a parameter that would change the population), at the fit file's parameters.
results::FitResult run_fit(const FitFile& fit, const std::filesystem::path& fit_file,
                           const std::string& command_line, const FitLog& log);

/// The scenario at the best values, to be written at `path`: a file that `extends:` the
/// scenario fitted (by its path relative to `path`'s folder) and sets the fit's `set:` values
/// and the best values, with comments saying where they come from. A value inside a sequence
/// (`seeding.0.per_million`) is written as the whole sequence at the best values, since
/// `extends:` replaces a sequence whole.
std::string fitted_scenario_text(const results::FitResult& fit, const FitFile& file,
                                 const std::filesystem::path& path);

/// The posterior sample as CSV: a header `weight,KEY,...` and one row per particle, values
/// written with 17 significant digits (exact round trip). Throws std::invalid_argument when
/// the fit has no posterior sample.
std::string posterior_csv(const results::FitResult& fit);

}  // namespace sortie::fit
