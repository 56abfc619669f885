#include "sim/fit/objective.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <stdexcept>

namespace sortie::fit {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<double> middles(const std::vector<Parameter>& parameters) {
    std::vector<double> values;
    for (const auto& p : parameters) values.push_back(0.5 * (p.lower + p.upper));
    return values;
}

}  // namespace

Objective::Objective(std::filesystem::path scenario_file, std::vector<std::string> sets,
                     std::vector<Parameter> parameters, std::vector<Target> targets,
                     std::uint32_t replicates)
    : file_(std::move(scenario_file)),
      sets_(std::move(sets)),
      parameters_(std::move(parameters)),
      targets_(std::move(targets)),
      replicates_(replicates) {
    if (replicates_ == 0) throw std::invalid_argument("an evaluation needs at least 1 replicate");
    for (const auto& p : parameters_) {
        if (!(p.lower < p.upper))
            throw std::invalid_argument(
                fmt::format("parameter {}: the lower bound ({}) must be below the upper ({})",
                            p.key, p.lower, p.upper));
    }
    size_of_.assign(targets_.size(), std::nullopt);
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
        const auto& p = parameters_[i];
        if (!p.dispersion_of) continue;
        const std::size_t t = *p.dispersion_of;
        if (t >= targets_.size() ||
            targets_[t].observation.model != ObservationModel::kNegativeBinomial || !(p.lower > 0))
            throw std::invalid_argument(fmt::format(
                "parameter {}: only a negative binomial target's size, above 0, can be fitted",
                p.key));
        size_of_[t] = i;
    }
    const auto scenario = scenario_at(middles(parameters_));
    base_ = model::build_model(scenario);
    // Each parameter moved alone to its bounds must leave the population as it is.
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
        if (parameters_[i].dispersion_of) continue;
        for (const double bound : {parameters_[i].lower, parameters_[i].upper}) {
            auto values = middles(parameters_);
            values[i] = bound;
            if (!model::shares_structure(*base_, scenario_at(values)))
                throw std::invalid_argument(fmt::format(
                    "parameter {} changes the population or its contacts: a fit shares one "
                    "population between its evaluations",
                    parameters_[i].key));
        }
    }
    const auto start = scenario.start, end = scenario.end;
    for (const auto& target : targets_) {
        if (target.observed.values.empty() || target.observed.first < start ||
            target.observed.last() > end)
            throw std::invalid_argument(fmt::format(
                "target {}: its days ({} to {}) must lie in the scenario's period, {} to {}",
                target.name, target.observed.first.to_string(), target.observed.last().to_string(),
                start.to_string(), end.to_string()));
        std::optional<std::size_t> index;
        if (target.region) {
            const auto& regions = base_->population.regions;
            const auto it = std::find_if(regions.begin(), regions.end(),
                                         [&](const auto& r) { return r.key == *target.region; });
            if (it == regions.end())
                throw std::invalid_argument(
                    fmt::format("target {}: region '{}' is not in the scenario's population",
                                target.name, *target.region));
            index = static_cast<std::size_t>(it - regions.begin());
        }
        regions_.push_back(index);
    }
}

scenario::Scenario Objective::scenario_at(std::span<const double> values) const {
    if (values.size() != parameters_.size())
        throw std::invalid_argument(
            fmt::format("{} values for {} parameters", values.size(), parameters_.size()));
    auto overrides = sets_;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!parameters_[i].dispersion_of)
            overrides.push_back(fmt::format("{}={}", parameters_[i].key, values[i]));
    overrides.push_back(fmt::format("replicates={}", replicates_));
    return scenario::load(file_, overrides, scenario::Purpose::kRun);
}

namespace {

// The model's values on the target's days; for a total, its events summed from the run's first
// day up to each of them.
std::vector<double> target_series(const results::ScenarioResult& result, std::size_t replicate,
                                  const Target& target, std::optional<std::size_t> region) {
    if (!target.total)
        return model_series(result, replicate, target.quantity, region, target.observed.first,
                            target.observed.last(), target.people_per_agent);
    const auto start = core::Date::parse(result.start_date);
    if (!start) throw std::invalid_argument("the scenario's start date is not a date");
    auto daily = model_series(result, replicate, target.quantity, region, *start,
                              target.observed.last(), target.people_per_agent);
    std::partial_sum(daily.begin(), daily.end(), daily.begin());
    const auto skipped = target.observed.first.days_since(*start);
    return {daily.begin() + skipped, daily.end()};
}

}  // namespace

Evaluation Objective::evaluate(std::span<const double> values,
                               std::optional<std::uint64_t> replicate_seed) const {
    for (std::size_t i = 0; i < values.size() && i < parameters_.size(); ++i) {
        if (!(values[i] >= parameters_[i].lower && values[i] <= parameters_[i].upper))
            throw std::invalid_argument(fmt::format("parameter {}: {} is outside [{}, {}]",
                                                    parameters_[i].key, values[i],
                                                    parameters_[i].lower, parameters_[i].upper));
    }
    Evaluation evaluation;
    evaluation.values.assign(values.begin(), values.end());
    auto start = Clock::now();
    const auto scenario = scenario_at(values);
    const auto model = model::build_model_on(*base_, scenario);
    evaluation.build_seconds = seconds_since(start);
    start = Clock::now();
    auto result = model::describe(scenario, *model);
    const std::uint64_t seed = replicate_seed.value_or(model->seed);
    tbb::parallel_for(std::uint32_t{0}, replicates_, [&](std::uint32_t r) {
        result.replicates[r] =
            engine::Simulation(model->population, *model->contacts, *model->disease, model->spec,
                               core::RngKey::for_replicate(seed, r))
                .run();
    });
    evaluation.run_seconds = seconds_since(start);
    start = Clock::now();
    for (std::size_t t = 0; t < targets_.size(); ++t) {
        const auto& target = targets_[t];
        std::vector<double> mean(target.observed.values.size(), 0.0);
        for (std::uint32_t r = 0; r < replicates_; ++r) {
            const auto series = target_series(result, r, target, regions_[t]);
            for (std::size_t d = 0; d < mean.size(); ++d) mean[d] += series[d];
        }
        for (std::size_t d = 0; d < mean.size(); ++d) {
            mean[d] /= double(replicates_);
            // Only a subtraction can make it negative: one that does not take a part from its
            // whole (deaths-hospital_deaths does).
            if (mean[d] < 0)
                throw std::invalid_argument(fmt::format(
                    "target {}: {} is negative on {} ({}): a quantity may subtract only a part "
                    "of what it adds (incidence.deaths-hospital_deaths)",
                    target.name, target.quantity.to_string(),
                    target.observed.first.plus_days(static_cast<std::int32_t>(d)).to_string(),
                    mean[d]));
        }
        const auto observed = binned(target.observed.values, target.bin_days);
        const auto expected = binned(mean, target.bin_days);
        const double d = size_of_[t]
                             ? fitted_size_deviance(values[*size_of_[t]], observed, expected)
                             : deviance(target.observation, observed, expected);
        evaluation.deviance.push_back(d);
        evaluation.loss += target.weight * d;
        evaluation.expected.push_back(std::move(mean));
    }
    evaluation.score_seconds = seconds_since(start);
    return evaluation;
}

}  // namespace sortie::fit
