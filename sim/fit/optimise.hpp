#pragma once
// Point estimates: the values that minimise a loss within bounds, by NLopt. A global search
// (CRS2 with local mutation, seeded through nlopt::srand) when asked for, then local searches
// (BOBYQA) from its best point and from points drawn uniformly in the bounds; the best of all
// is kept. With a deterministic loss (common random numbers) the result is a function of the
// loss, the bounds and the options alone.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "sim/fit/objective.hpp"

namespace sortie::fit {

struct PointFitOptions {
    std::uint64_t seed = 1;                 ///< the global search's and the starts' draws
    std::uint32_t global_evaluations = 0;   ///< CRS2's budget; 0: no global search
    std::uint32_t starts = 1;               ///< local searches (the first from the best so far)
    std::uint32_t local_evaluations = 100;  ///< each local search's budget
    double relative_tolerance = 1e-4;       ///< a local search stops when the values move less
};

struct PointFit {
    std::vector<double> best;
    double loss = 0;
    /// Every point evaluated, in order, with its loss.
    std::vector<std::vector<double>> points;
    std::vector<double> losses;
};

/// Minimises `loss` over the box [lower, upper]. The parameters flagged in `log_scale` (those
/// with a log-uniform prior: rates spanning orders of magnitude) are searched on the logarithm
/// of their value, so that the searches' steps are relative; the result holds the values
/// themselves. Throws std::invalid_argument for bounds of different lengths, an empty box, or
/// a lower bound not above 0 on a logarithm.
PointFit minimise(const std::function<double(std::span<const double>)>& loss,
                  const std::vector<double>& lower, const std::vector<double>& upper,
                  const PointFitOptions& options, const std::vector<bool>& log_scale = {});

/// The same on a fit's objective (common random numbers); `evaluations` receives every
/// evaluation with its targets' deviances and expected series, if given; `log_scale` as above.
PointFit minimise(const Objective& objective, const PointFitOptions& options,
                  std::vector<Evaluation>* evaluations = nullptr,
                  const std::vector<bool>& log_scale = {});

}  // namespace sortie::fit
