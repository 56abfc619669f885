#pragma once
// A fit's objective: parameter values in, a loss out. The values are written into the scenario
// as `--set` values (any number the scenario has, by its key path), the model is built on one
// population shared by every evaluation (model::build_model_on), the replicates run in-process
// and in parallel without writing files, and each target's observed series is scored against
// the mean over replicates of the model quantity it observes.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sim/fit/observation.hpp"
#include "sim/fit/target.hpp"
#include "sim/model/model.hpp"

namespace sortie::fit {

/// A free parameter: a key path of the scenario, as --set takes it, and the range it may take.
struct Parameter {
    Parameter() = default;
    Parameter(std::string key_path, double low, double high)
        : key(std::move(key_path)), lower(low), upper(high) {}

    std::string key;
    double lower = 0, upper = 0;
    /// Set for `targets.NAME.dispersion`: the index of the negative binomial target whose size
    /// this is, a value of the observation model rather than of the scenario.
    std::optional<std::size_t> dispersion_of;
};

struct Target {
    std::string name;
    DailySeries observed;  ///< the days scored: those of this series
    Quantity quantity;
    std::optional<std::string> region;  ///< a region key of the scenario; nullopt: all of them
    double people_per_agent = 1;        ///< the people the series counts per simulated agent
    Observation observation;
    double weight = 1;
    /// The observed values are running totals: the model's events are summed from the run's
    /// first day (SeriesKind::kTotal).
    bool total = false;
    /// Events scored in sums over this many consecutive days from the first (a week: 7), so
    /// that days when few simulated agents have the event, and reporting's weekday pattern, do
    /// not dominate the loss; 1 scores each day.
    std::uint32_t bin_days = 1;
};

/// One evaluation: the loss is the weighted sum of the targets' deviances (a target whose
/// negative binomial size is a parameter: fitted_size_deviance at that size).
struct Evaluation {
    std::vector<double> values;
    double loss = 0;
    std::vector<double> deviance;               ///< per target, unweighted
    std::vector<std::vector<double>> expected;  ///< per target: the mean over replicates, by day
    /// Where the time went (wall seconds): loading the scenario and building the model on the
    /// shared population (mostly calibration), running the replicates, scoring the targets.
    double build_seconds = 0, run_seconds = 0, score_seconds = 0;
};

class Objective {
  public:
    /// Loads `scenario_file` with `sets` and the parameters at the middle of their ranges, and
    /// builds its model: the population every evaluation shares. Throws core::InputError for a
    /// scenario that does not load (a parameter key that is not a number of the scenario is
    /// reported as the scenario reports a bad --set), std::invalid_argument for an empty or
    /// inverted range, a parameter that would change the population or contacts, a target
    /// whose days are outside the scenario's period or whose region it does not have, a fitted
    /// dispersion of a target that is not negative binomial or whose range is not above 0.
    Objective(std::filesystem::path scenario_file, std::vector<std::string> sets,
              std::vector<Parameter> parameters, std::vector<Target> targets,
              std::uint32_t replicates);

    /// The loss at `values` (one per parameter, inside their ranges). Replicate r draws from
    /// (replicate_seed, r): the scenario's seed for common random numbers (the loss is then a
    /// deterministic function of the values), another for fresh draws. Deterministic whatever
    /// the threads.
    Evaluation evaluate(std::span<const double> values,
                        std::optional<std::uint64_t> replicate_seed = std::nullopt) const;

    const std::vector<Parameter>& parameters() const { return parameters_; }
    const std::vector<Target>& targets() const { return targets_; }
    const model::Model& base() const { return *base_; }
    /// The scenario at these values.
    scenario::Scenario scenario_at(std::span<const double> values) const;

  private:
    std::filesystem::path file_;
    std::vector<std::string> sets_;
    std::vector<Parameter> parameters_;
    std::vector<Target> targets_;
    std::vector<std::optional<std::size_t>> regions_;  ///< each target's region index
    std::vector<std::optional<std::size_t>> size_of_;  ///< each target's fitted size parameter
    std::uint32_t replicates_;
    std::unique_ptr<model::Model> base_;
};

}  // namespace sortie::fit
