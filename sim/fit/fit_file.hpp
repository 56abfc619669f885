#pragma once
// The fit file: what `sortie fit` fits (a scenario, with --set values), which values it moves
// (key paths, bounds, priors), against which observations (CSV columns, model quantities,
// windows, observation models, weights) and how (point estimate, posterior sample). Its
// language is documented in docs/fitting.md; it is read strictly, like a scenario.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/fit/abc.hpp"
#include "sim/fit/objective.hpp"
#include "sim/fit/optimise.hpp"
#include "sim/fit/prior.hpp"

namespace sortie::fit {

struct FitFile {
    std::filesystem::path scenario;  ///< resolved against the fit file's folder
    std::vector<std::string> sets;   ///< the file's `set:` then the command line's --set
    std::uint64_t seed = 1;
    std::uint32_t replicates = 1;  ///< simulations averaged per evaluation
    std::vector<Parameter> parameters;
    std::vector<Prior> priors;  ///< one per parameter
    std::vector<Target> targets;
    std::vector<ObservedColumn> columns;  ///< where each target's series was read
    PointFitOptions point;
    std::optional<AbcOptions> posterior;  ///< `method.posterior`, if asked for
    std::string text;                     ///< the fit file as written, for provenance
};

/// Reads and checks a fit file; `sets` are the command line's --set values for the scenario.
/// Throws core::InputError with every problem at file:line:column: key.path: message, among
/// them: unknown or missing keys, a parameter key the scenario does not have as a number or
/// refuses at a bound, bounds inverted, a prior without its parameters, a target column or
/// file missing, a window outside the scenario's period or its region not in the population,
/// a likelihood that does not suit the series (a count likelihood on people present).
FitFile load_fit_file(const std::filesystem::path& file, const std::vector<std::string>& sets);

}  // namespace sortie::fit
