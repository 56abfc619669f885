// FIT.h5: a fit's result written and read back value for value (NaN observations included),
// told apart from a run's file, and refused when inconsistent, leaving nothing written.
#include "sim/output/fit_file.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "sim/output/error.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sortie;

namespace {

results::FitResult sample_fit() {
    results::FitResult fit;
    fit.command_line = "sortie fit fit.yaml -o fit.h5";
    fit.fit_yaml = "scenario: s.yaml\n";
    fit.scenario_file = "s.yaml";
    fit.scenario_yaml = "name: s\n";
    fit.seed = 7;
    fit.replicates = 4;
    fit.parameters = {{"disease.R0", "uniform", 2, 3.6, 0, 0},
                      {"seeding.0.per_million", "normal", 200, 5000, 1000, 300}};
    results::FitTargetRecord target;
    target.name = "admissions";
    target.file = "truth.csv";
    target.column = "admissions";
    target.series = "daily";
    target.quantity = "incidence.hospital_admissions";
    target.likelihood = "poisson";
    target.people_per_agent = 2161.5;
    target.first_date = "2020-02-15";
    target.observed = {1, std::numeric_limits<double>::quiet_NaN(), 3};
    target.fitted = {1.5, 2, 2.5};
    target.deviance = 0.75;
    target.posterior_low = {1, 1, 2};
    target.posterior_median = {1.5, 2, 2.5};
    target.posterior_high = {2, 3, 4};
    // Not in alphabetical order: the file keeps the fit's order.
    auto icu = target;
    icu.name = "icu";
    icu.deviance = 2;
    fit.targets = {icu, target};
    fit.evaluation_stage = {-1, 0, 0};
    fit.evaluation_accepted = {0, 1, 1};
    fit.evaluation_values = {2.5, 1000, 2.6, 900, 2.7, 1100};
    fit.evaluation_loss = {10, 12, 11};
    fit.evaluation_deviance = {2, 8, 3, 9, 4, 7};
    fit.best = {2.5, 1000};
    fit.best_loss = 10;
    fit.posterior = {2.6, 900, 2.7, 1100};
    fit.posterior_weight = {0.25, 0.75};
    fit.tolerances = {std::numeric_limits<double>::infinity()};
    fit.generation_evaluations = {2};
    return fit;
}

}  // namespace

TEST_CASE("a fit's result is read back as it was written") {
    const test::TempDir dir;
    const auto path = dir / "fit.h5";
    const auto fit = sample_fit();
    output::write_fit(path, fit);
    CHECK(output::is_fit_file(path));
    const auto back = output::read_fit(path);
    CHECK(back.command_line == fit.command_line);
    CHECK(back.fit_yaml == fit.fit_yaml);
    CHECK(back.seed == 7);
    CHECK(back.replicates == 4);
    REQUIRE(back.parameters.size() == 2);
    CHECK(back.parameters[1].key == "seeding.0.per_million");
    CHECK(back.parameters[1].prior == "normal");
    CHECK(back.parameters[1].prior_sd == 300);
    CHECK(back.evaluation_values == fit.evaluation_values);
    CHECK(back.evaluation_stage == fit.evaluation_stage);
    CHECK(back.evaluation_accepted == fit.evaluation_accepted);
    CHECK(back.best == fit.best);
    CHECK(back.posterior == fit.posterior);
    CHECK(back.posterior_weight == fit.posterior_weight);
    CHECK(std::isinf(back.tolerances[0]));
    CHECK(back.generation_evaluations == fit.generation_evaluations);
    REQUIRE(back.targets.size() == 2);
    CHECK(back.targets[0].name == "icu");
    CHECK(back.targets[0].deviance == 2);
    CHECK(back.evaluation_deviance == fit.evaluation_deviance);
    const auto& t = back.targets[1];
    CHECK(t.people_per_agent == 2161.5);
    CHECK(t.observed[0] == 1);
    CHECK(std::isnan(t.observed[1]));
    CHECK(t.posterior_high == fit.targets[0].posterior_high);
    CHECK(t.first_date == "2020-02-15");
}

TEST_CASE("an inconsistent fit's result is refused before anything is written") {
    const test::TempDir dir;
    const auto path = dir / "fit.h5";
    auto fit = sample_fit();
    fit.evaluation_values.pop_back();
    CHECK_THROWS_WITH_AS(output::write_fit(path, fit),
                         doctest::Contains("evaluation values has 5 values, expected 6"),
                         output::OutputError);
    fit = sample_fit();
    fit.targets[1].name = "icu";
    CHECK_THROWS_AS(output::write_fit(path, fit), output::OutputError);
    CHECK_FALSE(std::filesystem::exists(path));
    CHECK_FALSE(std::filesystem::exists(dir / "fit.h5.partial"));
}

TEST_CASE("a fit's reader refuses a file that is not a fit's result") {
    const test::TempDir dir;
    CHECK_THROWS_AS(output::read_fit(dir / "missing.h5"), output::OutputError);
}
