// The objective of a fit through the real path (YAML with --set values, a population built once,
// the engine, the records): deterministic under common random numbers whatever the threads,
// lowest at the values that made synthetic data (drawn with other seeds) among their
// neighbours, and bad parameters or targets refused before any evaluation.
#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/fit/objective.hpp"
#include "sim/fit/optimise.hpp"
#include "tests/support/prepared.hpp"

using namespace sortie;
using sortie::testing::kScenarios;

namespace {

const auto kLockdown = kScenarios / "france-2020" / "lockdown.yaml";
// 30,000 agents seeded with 30 infections on 1 February, to 10 May; the next-generation matrix
// calibrates R0 in a fraction of a second.
// The parameter file's severities and stays and the lockdown as lockdown.yaml gives it, so
// that the test does not follow the first wave's fitted values.
const std::vector<std::string> kSets = {"population.size=30000",
                                        "end=2020-05-10",
                                        "seeding=[{date: 2020-02-01, infections: 30}]",
                                        "disease.R0_method=next_generation",
                                        "disease.severity={}",
                                        "disease.stays={}",
                                        "interventions.lockdown.scale=1"};
const std::vector<fit::Parameter> kParameters = {
    {"disease.R0", 2.2, 3.4}, {"interventions.lockdown.layers.community", 0.05, 0.5}};
const std::vector<double> kTruth = {2.8, 0.2};

fit::Quantity quantity(const char* text) {
    std::string problem;
    return *fit::parse_quantity(text, problem);
}

// Hospital occupancy (Gaussian on log) and admissions (Poisson) over 1 March-10 May: observed
// series of zeros unless given.
std::vector<fit::Target> targets(const std::vector<std::vector<double>>& observed = {}) {
    const auto first = *core::Date::parse("2020-03-01");
    const std::size_t days = 71;
    std::vector<fit::Target> t(2);
    t[0].name = "in hospital";
    t[0].quantity = quantity("counts.H+C");
    t[0].observation = {fit::ObservationModel::kLogNormal, 0.3};
    t[1].name = "admissions";
    t[1].quantity = quantity("incidence.hospital_admissions");
    t[1].observation = {fit::ObservationModel::kPoisson, 1.0};
    for (std::size_t i = 0; i < t.size(); ++i)
        t[i].observed = {first, observed.empty() ? std::vector<double>(days, 0.0) : observed[i]};
    return t;
}

// Synthetic observations: the model at kTruth, 4 replicates drawn with a seed the fit does not
// use, their mean rounded to whole people.
const std::vector<std::vector<double>>& synthetic() {
    static const auto data = [] {
        const fit::Objective maker(kLockdown, kSets, kParameters, targets(), 4);
        auto expected = maker.evaluate(kTruth, 424242).expected;
        for (auto& series : expected)
            for (auto& v : series) v = std::round(v);
        return expected;
    }();
    return data;
}

}  // namespace

TEST_CASE("the objective is lowest at the values that made the data, among their neighbours") {
    const auto& data = synthetic();
    double admitted = 0;
    for (const double v : data[1]) admitted += v;
    CAPTURE(admitted);
    REQUIRE(admitted > 50);  // an epidemic that the targets can see
    const fit::Objective objective(kLockdown, kSets, kParameters, targets(data), 4);
    const auto at_truth = objective.evaluate(kTruth);
    CAPTURE(at_truth.loss);
    REQUIRE(at_truth.deviance.size() == 2);
    CHECK(at_truth.loss == doctest::Approx(at_truth.deviance[0] + at_truth.deviance[1]));
    // R0 moved by 0.3 either way; the lockdown's community factor, which 30,000 agents identify
    // weakly (at 0.1 the loss was within 3% of the truth's, at 0.3 36% above it), to the ends of
    // its range (56% and 240% above).
    for (const auto& moved :
         std::vector<std::vector<double>>{{2.5, 0.2}, {3.1, 0.2}, {2.8, 0.05}, {2.8, 0.45}}) {
        CAPTURE(moved[0]);
        CAPTURE(moved[1]);
        CHECK(objective.evaluate(moved).loss > at_truth.loss);
    }
}

TEST_CASE("under common random numbers the objective is a function of the values alone") {
    const fit::Objective objective(kLockdown, kSets, kParameters, targets(synthetic()), 3);
    const auto twice = objective.evaluate(kTruth);
    const auto again = objective.evaluate(kTruth);
    CHECK(twice.loss == again.loss);
    CHECK(twice.expected == again.expected);
    {
        tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
        const auto single = objective.evaluate(kTruth);
        CHECK(single.loss == twice.loss);
        CHECK(single.expected == twice.expected);
    }
    // Other replicate seeds: other draws, another loss.
    CHECK(objective.evaluate(kTruth, 99).loss != twice.loss);
}

TEST_CASE("bad parameters and targets are refused before any evaluation") {
    // A key the scenario does not have: the scenario's own message for a bad --set.
    CHECK_THROWS_AS(fit::Objective(kLockdown, kSets, {{"disease.R1", 2, 3}}, targets(), 1),
                    core::InputError);
    CHECK_THROWS_AS(fit::Objective(kLockdown, kSets, {{"disease.R0", 3, 2}}, targets(), 1),
                    std::invalid_argument);
    // A parameter that would rebuild the population for every evaluation.
    CHECK_THROWS_WITH_AS(
        fit::Objective(kLockdown, kSets, {{"population.size", 20000, 40000}}, targets(), 1),
        doctest::Contains("changes the population or its contacts"), std::invalid_argument);
    auto early = targets();
    early[0].observed.first = *core::Date::parse("2020-01-15");
    CHECK_THROWS_WITH_AS(fit::Objective(kLockdown, kSets, kParameters, early, 1),
                         doctest::Contains("must lie in the scenario's period"),
                         std::invalid_argument);
    auto elsewhere = targets();
    elsewhere[1].region = "atlantis";
    CHECK_THROWS_WITH_AS(fit::Objective(kLockdown, kSets, kParameters, elsewhere, 1),
                         doctest::Contains("region 'atlantis'"), std::invalid_argument);
    const fit::Objective objective(kLockdown, kSets, kParameters, targets(), 1);
    CHECK_THROWS_AS(objective.evaluate(std::vector<double>{3.5, 0.2}), std::invalid_argument);
    CHECK_THROWS_AS(objective.evaluate(std::vector<double>{2.8}), std::invalid_argument);
}

TEST_CASE("a point fit of the objective does at least as well as the truth and finds R0 near it") {
    const fit::Objective objective(kLockdown, kSets, kParameters, targets(synthetic()), 4);
    fit::PointFitOptions options;
    options.seed = 3;
    options.global_evaluations = 16;
    options.local_evaluations = 30;
    options.relative_tolerance = 1e-3;
    std::vector<fit::Evaluation> evaluations;
    const auto point = fit::minimise(objective, options, &evaluations);
    CAPTURE(point.best[0]);
    CAPTURE(point.best[1]);
    CAPTURE(point.loss);
    CHECK(evaluations.size() == point.points.size());
    CHECK(evaluations.size() <= 46);
    // Under common random numbers the loss is a function of the values: the optimum found is
    // no worse than the values that made the data.
    CHECK(point.loss <= objective.evaluate(kTruth).loss);
    // R0 within 0.3 of the truth, where the test above finds the loss 2.5 to 4 times the
    // truth's; the lockdown's factor is too weakly identified at this size to ask as much.
    CHECK(std::fabs(point.best[0] - kTruth[0]) < 0.3);
}

TEST_CASE("a binned target is scored on its sums over the bins, the expected series kept by day") {
    auto binned_targets = targets(synthetic());
    binned_targets[1].bin_days = 7;  // admissions, by week
    const fit::Objective daily(kLockdown, kSets, kParameters, targets(synthetic()), 2);
    const fit::Objective weekly(kLockdown, kSets, kParameters, binned_targets, 2);
    const auto by_day = daily.evaluate(kTruth);
    const auto by_week = weekly.evaluate(kTruth);
    // The same simulations: the expected series are the same, day by day.
    CHECK(by_week.expected == by_day.expected);
    CHECK(by_week.deviance[0] == by_day.deviance[0]);
    // 71 days: 10 whole weeks scored, the 71st day left out.
    const auto& observed = binned_targets[1].observed.values;
    const auto weeks_observed = fit::binned(observed, 7);
    const auto weeks_expected = fit::binned(by_week.expected[1], 7);
    REQUIRE(weeks_observed.size() == 10);
    CHECK(by_week.deviance[1] == doctest::Approx(fit::deviance(binned_targets[1].observation,
                                                               weeks_observed, weeks_expected)));
    CHECK(by_week.deviance[1] != doctest::Approx(by_day.deviance[1]));
}
