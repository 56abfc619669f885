#pragma once
// Everything `sortie fit` writes to FIT.h5 (docs/fitting.md describes the file): the fit's
// definition, every evaluation, the best values, the posterior sample, and the fitted series
// next to the observed ones. Plain values; sim/output writes and reads them.
#include <cstdint>
#include <string>
#include <vector>

namespace sortie::results {

struct FitParameterRecord {
    std::string key;    ///< the scenario's key path
    std::string prior;  ///< uniform, log_uniform, normal, truncated_normal
    double lower = 0, upper = 0;
    double prior_mean = 0, prior_sd = 0;  ///< normal priors only (0 otherwise)
};

struct FitTargetRecord {
    std::string name;
    std::string file, column, series;  ///< where the observations come from
    std::string quantity;              ///< the model quantity, as `counts.H+C`
    std::string region;                ///< a region key, or "" for all the population
    std::string likelihood;
    double dispersion = 0, weight = 1, people_per_agent = 1;
    std::int32_t bin_days = 1;     ///< days summed into each scored value
    std::string first_date;        ///< ISO date of the first day of the window
    std::vector<double> observed;  ///< one per day; NaN where nothing was reported
    std::vector<double> fitted;    ///< the mean over replicates at the best values
    double deviance = 0;           ///< at the best values
    /// The posterior's 5%, 50% and 95% weighted quantiles of the expected series, by day;
    /// empty without a posterior sample.
    std::vector<double> posterior_low, posterior_median, posterior_high;
};

/// Which stage of a fit an evaluation belongs to.
inline constexpr std::int32_t kPointStage = -1;  ///< the point estimate's search
// ABC-SMC's generations are 0, 1, ...

struct FitResult {
    std::string command_line;
    std::string fit_yaml;       ///< the fit file as written
    std::string scenario_file;  ///< the scenario fitted, as the fit file resolves it
    std::string scenario_yaml;  ///< the resolved scenario at the best values
    std::uint64_t seed = 0;
    std::uint32_t replicates = 0;  ///< simulations averaged per evaluation
    std::vector<FitParameterRecord> parameters;
    std::vector<FitTargetRecord> targets;

    // Every evaluation, in order: [evaluation], [evaluation][parameter], [evaluation][target].
    std::vector<std::int32_t> evaluation_stage;
    std::vector<std::int32_t> evaluation_accepted;  ///< 1 when ABC kept it (0 for the point fit)
    std::vector<double> evaluation_values;
    std::vector<double> evaluation_loss;
    std::vector<double> evaluation_deviance;

    std::vector<double> best;  ///< per parameter
    double best_loss = 0;

    // The posterior sample (the last ABC-SMC generation); empty without one.
    std::vector<double> posterior;  ///< [particle][parameter]
    std::vector<double> posterior_weight;
    std::vector<double> tolerances;                     ///< per generation
    std::vector<std::uint64_t> generation_evaluations;  ///< simulations per generation

    std::size_t evaluations() const { return evaluation_loss.size(); }
    std::size_t particles() const { return posterior_weight.size(); }
};

}  // namespace sortie::results
