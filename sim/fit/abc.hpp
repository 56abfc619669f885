#pragma once
// A posterior sample by ABC-SMC (approximate Bayesian computation by sequential Monte Carlo;
// Toni et al. 2009, J R Soc Interface 6:187, with the tolerance of each generation set from
// the distances of the one before, Del Moral et al. 2012, Stat Comput 22:1009, and the
// perturbation kernel of Beaumont et al. 2009, Biometrika 96:983). The distance of a
// simulation to the data is the fit's loss (a weighted sum of deviances).
//
// Every simulation draws fresh random numbers from (fit seed, generation, proposal index):
// common random numbers would make the accepted set depend on one set of seeds and the
// sample wrong. Proposals are evaluated in parallel in batches whose size does not depend on
// the threads, and accepted in index order, so the sample is the same on any thread count.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "sim/fit/objective.hpp"
#include "sim/fit/prior.hpp"

namespace sortie::fit {

struct AbcOptions {
    std::uint64_t seed = 1;
    std::uint32_t particles = 100;  ///< accepted particles per generation
    std::uint32_t generations = 5;  ///< after generation 0, which samples the prior
    double quantile = 0.5;          ///< the next tolerance: this quantile of the distances
    /// Evaluations allowed, at least `particles`; a generation they cannot finish is dropped.
    std::uint64_t max_evaluations = 5000;
    std::uint32_t batch = 16;  ///< proposals evaluated together (threads do not matter)
};

struct AbcGeneration {
    double tolerance = 0;  ///< distances accepted: <= this (infinite for generation 0)
    std::vector<std::vector<double>> particles;
    std::vector<double> weights;    ///< normalised to sum 1
    std::vector<double> distances;  ///< each particle's
    std::uint64_t evaluations = 0;  ///< simulations this generation needed
};

/// What the sampler asks of a simulation: the distance at `values` with replicate seed
/// `seed`; it is called from several threads at once.
using Distance = std::function<double(std::span<const double> values, std::uint64_t seed)>;

struct AbcRecord {
    std::uint32_t generation = 0;
    std::vector<double> values;
    std::uint64_t seed = 0;  ///< of the simulation's replicates
    double distance = 0;
    bool accepted = false;
};

/// Told of each generation as it completes (with its index), from the calling thread.
using AbcProgress = std::function<void(std::uint32_t generation, const AbcGeneration&)>;

/// Runs ABC-SMC over `priors` (one per parameter). Returns every generation completed, the
/// last being the posterior sample; `records` receives every evaluation in order (those of a
/// generation dropped for want of evaluations not accepted). Throws std::invalid_argument for
/// no priors, fewer than 2 particles, a quantile outside (0, 1) or max_evaluations below the
/// particles.
std::vector<AbcGeneration> abc_smc(const Distance& distance, const std::vector<Prior>& priors,
                                   const AbcOptions& options,
                                   std::vector<AbcRecord>* records = nullptr,
                                   const AbcProgress& progress = {});

/// The same on a fit's objective: the distance is its loss at fresh replicate seeds.
std::vector<AbcGeneration> abc_smc(const Objective& objective, const std::vector<Prior>& priors,
                                   const AbcOptions& options,
                                   std::vector<Evaluation>* evaluations = nullptr,
                                   std::vector<AbcRecord>* records = nullptr,
                                   const AbcProgress& progress = {});

}  // namespace sortie::fit
