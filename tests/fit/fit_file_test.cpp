// The fit file language: a complete file read into its parts, and malformed files each refused
// with every problem at file:line:column: key.path: message, before anything is simulated.
#include "sim/fit/fit_file.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "tests/support/prepared.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sortie;
using sortie::testing::kScenarios;

namespace {

const auto kRecovery = kScenarios / "validation" / "fit-recovery";

const std::string kParameters =
    "  - {key: disease.R0, lower: 2.0, upper: 3.6}\n"
    "  - {key: interventions.lockdown.layers.community, lower: 0.02, upper: 0.6}\n";

std::string target(const std::string& name, const std::string& column, const std::string& series,
                   const std::string& quantity, const std::string& likelihood,
                   const std::string& more = "") {
    return "  - name: " + name + "\n    file: " + (kRecovery / "truth.csv").string() +
           "\n    column: " + column + "\n    series: " + series + "\n    quantity: " + quantity +
           "\n    from: 2020-02-15\n    to: 2020-05-10\n    likelihood: " + likelihood + "\n" +
           more;
}

const std::string kTargets =
    target("admissions", "admissions", "daily", "incidence.hospital_admissions", "poisson") +
    target("icu", "icu", "stock", "counts.C", "log_normal", "    dispersion: 0.3\n");

std::string early(std::string text) {
    return text.replace(text.find("2020-02-15"), 10, "2020-01-15");
}

// Lines: 1 scenario, 2 set, 3 parameters, 4-5 the two parameters, 6 targets, 7-14 the first
// target, 15-23 the second, then `extra`.
std::string fit_text(const std::string& parameters = kParameters,
                     const std::string& targets = kTargets, const std::string& extra = "") {
    return "scenario: " + (kRecovery / "truth.yaml").string() + "\nset: [seed=1]\nparameters:\n" +
           parameters + "targets:\n" + targets + extra;
}

// The problems of a fit file, one per line as sortie prints them ("" when it loads).
std::string problems(const std::string& text) {
    const test::TempDir dir;
    const auto file = dir / "fit.yaml";
    test::write_text(file, text);
    try {
        (void)fit::load_fit_file(file, {});
    } catch (const core::InputError& e) {
        std::string all = e.what();
        const auto prefix = file.string();
        for (auto at = all.find(prefix); at != std::string::npos; at = all.find(prefix))
            all.replace(at, prefix.size(), "fit.yaml");
        return all;
    }
    return "";
}

}  // namespace

TEST_CASE("a fit file is read into its scenario, parameters, priors, targets and methods") {
    const auto fit = fit::load_fit_file(kRecovery / "fit.yaml", {"population.size=20000"});
    CHECK(fit.scenario == kRecovery / "truth.yaml");
    CHECK(fit.sets == std::vector<std::string>{"seed=1", "population.size=20000"});
    CHECK(fit.seed == 7);
    CHECK(fit.replicates == 4);
    REQUIRE(fit.parameters.size() == 3);
    CHECK(fit.parameters[2].key == "seeding.0.per_million");
    CHECK(fit.priors[2].kind == fit::PriorKind::kLogUniform);
    CHECK(fit.priors[2].lower == 200);
    CHECK(fit.priors[2].upper == 5000);
    REQUIRE(fit.targets.size() == 2);
    CHECK(fit.targets[0].observation.model == fit::ObservationModel::kPoisson);
    CHECK(fit.targets[1].observation.model == fit::ObservationModel::kLogNormal);
    CHECK(fit.targets[1].observation.dispersion == 0.3);
    CHECK(fit.targets[0].observed.first.to_string() == "2020-02-15");
    CHECK(fit.targets[0].observed.values.size() == 86);
    CHECK(fit.targets[0].people_per_agent == 1);
    CHECK(fit.point.global_evaluations == 60);
    REQUIRE(fit.posterior);
    CHECK(fit.posterior->particles == 100);
    CHECK(fit.posterior->seed == 7);
}

TEST_CASE("a target's people per agent defaults to the people the population stands for") {
    const test::TempDir dir;
    test::write_text(dir / "fit.yaml",
                     fit_text(kParameters, target("admissions", "admissions", "daily",
                                                  "incidence.hospital_admissions", "poisson")));
    const auto fit = fit::load_fit_file(dir / "fit.yaml", {});
    // 30,000 agents for France's 13 metropolitan regions (regions.csv: 64,844,037 people).
    CHECK(fit.targets[0].people_per_agent == doctest::Approx(64844037.0 / 30000));
}

TEST_CASE("a negative binomial's size can be a free parameter, targets.NAME.dispersion") {
    const test::TempDir dir;
    test::write_text(
        dir / "fit.yaml",
        fit_text(kParameters + "  - {key: targets.a.dispersion, lower: 0.5, upper: 200, prior: "
                               "log_uniform}\n",
                 target("a", "admissions", "daily", "incidence.hospital_admissions",
                        "negative_binomial")));
    const auto fit = fit::load_fit_file(dir / "fit.yaml", {});
    REQUIRE(fit.parameters.size() == 3);
    CHECK(fit.parameters[2].dispersion_of == std::size_t{0});
    CHECK_FALSE(fit.parameters[0].dispersion_of);
    // The objective leaves it out of the scenario and scores the target with it.
    const fit::Objective objective(fit.scenario, fit.sets, fit.parameters, fit.targets, 1);
    const auto scenario = objective.scenario_at(std::vector<double>{2.8, 0.2, 7});
    CHECK(scenario.resolved_yaml.find("dispersion") == std::string::npos);
    const auto loose = objective.evaluate(std::vector<double>{2.8, 0.2, 1});
    const auto tight = objective.evaluate(std::vector<double>{2.8, 0.2, 100});
    CHECK(loose.expected == tight.expected);  // the same simulations
    const auto& y = fit.targets[0].observed.values;
    CHECK(loose.loss == doctest::Approx(fit::fitted_size_deviance(1, y, loose.expected[0])));
    CHECK(tight.loss == doctest::Approx(fit::fitted_size_deviance(100, y, tight.expected[0])));
    CHECK(loose.loss != tight.loss);
}

TEST_CASE("a normal prior without bounds is truncated at 4 standard deviations") {
    const auto text =
        fit_text("  - {key: disease.R0, prior: normal, mean: 2.8, sd: 0.2}\n", kTargets);
    const test::TempDir dir;
    test::write_text(dir / "fit.yaml", text);
    const auto fit = fit::load_fit_file(dir / "fit.yaml", {});
    CHECK(fit.parameters[0].lower == doctest::Approx(2.0));
    CHECK(fit.parameters[0].upper == doctest::Approx(3.6));
    CHECK(fit.priors[0].kind == fit::PriorKind::kNormal);
}

TEST_CASE("malformed fit files are refused at the place of each problem") {
    struct Case {
        const char* what;
        std::string text;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"an unknown top-level key", fit_text() + "replicate: 4\n",
         "fit.yaml:24:1: replicate: unknown key 'replicate'; did you mean 'replicates'?"},
        {"no scenario", fit_text().substr(fit_text().find('\n') + 1),
         "fit.yaml:1:1: scenario: missing required key 'scenario'"},
        {"a key path the scenario does not have",
         fit_text("  - {key: disease.R1, lower: 2.0, upper: 3.6}\n"),
         "fit.yaml:4:11: parameters[0].key: the scenario refuses disease.R1=2: disease.R1: "
         "unknown key 'R1'; did you mean 'R0'?"},
        {"an upper bound below the lower", fit_text("  - {key: disease.R0, lower: 3, upper: 2}\n"),
         "fit.yaml:4:40: parameters[0].upper: the upper bound (2) must be above the lower bound "
         "(3)"},
        {"a bound the scenario refuses", fit_text("  - {key: disease.R0, lower: -1, upper: 2}\n"),
         "fit.yaml:4:11: parameters[0].key: the scenario refuses disease.R0=-1: disease.R0: must "
         "be"},
        {"a normal prior without its sd",
         fit_text("  - {key: disease.R0, prior: normal, mean: 2.8}\n"),
         "fit.yaml:4:5: parameters[0].sd: missing required key 'sd'"},
        {"a truncated normal prior without bounds",
         fit_text("  - {key: disease.R0, prior: truncated_normal, mean: 2.8, sd: 0.2}\n"),
         "fit.yaml:4:5: parameters[0].lower: missing required key 'lower'"},
        {"a log-uniform prior from 0",
         fit_text("  - {key: disease.R0, lower: 0, upper: 3, prior: log_uniform}\n"),
         "fit.yaml:4:30: parameters[0].lower: a log_uniform prior needs a lower bound above 0"},
        {"a mean for a uniform prior",
         fit_text("  - {key: disease.R0, lower: 2, upper: 3, mean: 2.5}\n"),
         "parameters[0].mean: 'mean' belongs to a normal or truncated_normal prior, not uniform"},
        {"an unknown prior", fit_text("  - {key: disease.R0, lower: 2, upper: 3, prior: gamma}\n"),
         "parameters[0].prior: unknown value 'gamma' for 'prior'"},
        {"a parameter given twice",
         fit_text("  - {key: disease.R0, lower: 2, upper: 3}\n"
                  "  - {key: disease.R0, lower: 2, upper: 3}\n"),
         "fit.yaml:5:11: parameters[1].key: 'disease.R0' is already a free parameter"},
        {"no parameters", fit_text("  []\n"),
         "parameters: a fit needs at least one free parameter"},
        {"a column missing from the CSV",
         fit_text(kParameters,
                  target("a", "admitted", "daily", "incidence.hospital_admissions", "poisson")),
         "fit.yaml:9:13: targets[0].column: cannot read the observed series: " +
             (kRecovery / "truth.csv").string() + ":1: missing column 'admitted'"},
        {"a missing CSV file",
         fit_text(kParameters,
                  "  - name: a\n    file: nowhere.csv\n    column: admissions\n"
                  "    series: daily\n    quantity: incidence.hospital_admissions\n"
                  "    from: 2020-02-15\n    to: 2020-05-10\n"
                  "    likelihood: poisson\n"),
         "targets[0].column: cannot read the observed series: "},
        {"a window starting before the scenario",
         fit_text(kParameters, early(target("a", "admissions", "daily",
                                            "incidence.hospital_admissions", "poisson"))),
         "fit.yaml:12:11: targets[0].from: the window 2020-01-15 to 2020-05-10 must lie in the "
         "scenario's period, 2020-02-01 to 2020-05-10"},
        {"a window that ends before it starts",
         fit_text(kParameters,
                  "  - name: a\n    file: x.csv\n    column: admissions\n    series: daily\n"
                  "    quantity: incidence.hospital_admissions\n    from: 2020-03-15\n"
                  "    to: 2020-03-01\n    likelihood: poisson\n"),
         "fit.yaml:13:9: targets[0].to: the window ends (2020-03-01) before it starts "
         "(2020-03-15)"},
        {"a cumulative count (the dead) with a count likelihood",
         fit_text(kParameters, target("a", "icu", "stock", "counts.D", "poisson")),
         "fit.yaml:14:17: targets[0].likelihood: counts.D is people present at the end of each "
         "day, not events during it: a poisson likelihood would count the same people again"},
        {"people present as a daily series",
         fit_text(kParameters,
                  target("a", "icu", "daily", "counts.C", "log_normal", "    dispersion: 0.3\n")),
         "fit.yaml:10:13: targets[0].series: a daily series counts events; counts.C is people "
         "present: use series: stock"},
        {"events as a stock",
         fit_text(kParameters, target("a", "admissions", "stock", "incidence.hospital_admissions",
                                      "log_normal", "    dispersion: 0.3\n")),
         "targets[0].series: a stock series (people present) cannot observe "
         "incidence.hospital_admissions"},
        {"a log-normal likelihood for daily events",
         fit_text(kParameters, target("a", "admissions", "daily", "incidence.hospital_admissions",
                                      "log_normal", "    dispersion: 0.3\n")),
         "targets[0].likelihood: log_normal is for people present (series: stock)"},
        {"a negative binomial without its dispersion",
         fit_text(kParameters, target("a", "admissions", "daily", "incidence.hospital_admissions",
                                      "negative_binomial")),
         "fit.yaml:7:5: targets[0].dispersion: missing required key 'dispersion'"},
        {"a poisson likelihood with a dispersion",
         fit_text(kParameters, target("a", "admissions", "daily", "incidence.hospital_admissions",
                                      "poisson", "    dispersion: 2\n")),
         "targets[0].dispersion: a poisson likelihood has no dispersion"},
        {"an unknown model quantity",
         fit_text(kParameters,
                  target("a", "admissions", "daily", "incidence.admissions", "poisson")),
         "fit.yaml:11:15: targets[0].quantity: unknown label 'admissions' of incidence"},
        {"a region the population does not have",
         fit_text(kParameters, target("a", "admissions", "daily", "incidence.hospital_admissions",
                                      "poisson", "    region: atlantis\n")),
         "targets[0].region: region 'atlantis' is not in the scenario's population; expected "
         "one of: idf, cvl,"},
        {"an impossible date",
         fit_text(kParameters,
                  "  - name: a\n    file: x.csv\n    column: admissions\n    series: daily\n"
                  "    quantity: incidence.hospital_admissions\n    from: 2020-02-30\n"
                  "    to: 2020-03-01\n    likelihood: poisson\n"),
         "fit.yaml:12:11: targets[0].from: invalid date '2020-02-30'"},
        {"two targets with one name",
         fit_text(
             kParameters,
             target("a", "admissions", "daily", "incidence.hospital_admissions", "poisson") +
                 target("a", "admissions", "daily", "incidence.hospital_admissions", "poisson")),
         "targets[1].name: two targets are named 'a'"},
        {"a misspelt target key",
         fit_text(kParameters, target("a", "admissions", "daily", "incidence.hospital_admissions",
                                      "poisson", "    wieght: 2\n")),
         "targets[0].wieght: unknown key 'wieght'; did you mean 'weight'?"},
        {"a total scored with a count likelihood on several days",
         fit_text(kParameters,
                  target("a", "admissions", "total", "incidence.hospital_admissions", "poisson")),
         "targets[0].to: a total scored with a count likelihood must be scored on one day"},
        {"a where: that is not a mapping",
         fit_text(kParameters, target("a", "admissions", "daily", "incidence.hospital_admissions",
                                      "poisson", "    where: [region_code]\n")),
         "targets[0].where: expected a mapping of column names to the text of their cells"},
        {"a where: value that is not a cell's text",
         fit_text(kParameters, target("a", "admissions", "daily", "incidence.hospital_admissions",
                                      "poisson", "    where: {region_code: [11]}\n")),
         "targets[0].where: the value of 'region_code' must be a cell's text"},
        {"a where: that selects no row",
         fit_text(kParameters, target("a", "admissions", "daily", "incidence.hospital_admissions",
                                      "poisson", "    where: {admissions: nothing}\n")),
         "targets[0].column: cannot read the observed series: "},
        {"a stock summed over days",
         fit_text(kParameters, target("a", "icu", "stock", "counts.C", "log_normal",
                                      "    dispersion: 0.3\n    bin_days: 7\n")),
         "targets[0].bin_days: only events are summed over days (a daily or cumulative series), "
         "not a stock series"},
        {"a bin longer than the window",
         fit_text(kParameters, target("a", "admissions", "daily", "incidence.hospital_admissions",
                                      "poisson", "    bin_days: 90\n")),
         "targets[0].bin_days: a bin of 90 days is longer than the window (86 days)"},
        {"no replicates", fit_text() + "replicates: 0\n",
         "fit.yaml:24:13: replicates: must be between 1 and 10000 (got 0)"},
        {"a tolerance quantile of 1.5", fit_text() + "method:\n  posterior: {quantile: 1.5}\n",
         "method.posterior.quantile: must be"},
        {"an unknown method", fit_text() + "method:\n  mcmc: {}\n",
         "method.mcmc: unknown key 'mcmc'"},
        {"the dispersion of a target that does not exist",
         fit_text(kParameters + "  - {key: targets.deaths.dispersion, lower: 1, upper: 50}\n"),
         "fit.yaml:6:11: parameters[2].key: no target is named 'deaths'; targets: admissions, icu"},
        {"a fitted dispersion of a poisson target",
         fit_text(kParameters + "  - {key: targets.admissions.dispersion, lower: 1, upper: 50}\n"),
         "parameters[2].key: only a negative_binomial target's dispersion can be fitted; "
         "'admissions' is poisson"},
        {"another value of a target as a parameter",
         fit_text(kParameters + "  - {key: targets.icu.weight, lower: 1, upper: 50}\n"),
         "parameters[2].key: 'targets.icu.weight': of a target only the dispersion can be fitted"},
        {"a fitted size reaching 0",
         fit_text(kParameters + "  - {key: targets.icu.dispersion, lower: 0, upper: 50}\n"),
         "parameters[2].lower: a negative binomial's size must stay above 0 (lower: 0)"},
        {"a fitted dispersion also given in its target",
         fit_text(kParameters + "  - {key: targets.a.dispersion, lower: 1, upper: 50}\n",
                  target("a", "admissions", "daily", "incidence.hospital_admissions",
                         "negative_binomial", "    dispersion: 10\n")),
         "targets[0].dispersion: this target's dispersion is a free parameter"},
        {"fewer evaluations allowed than particles",
         fit_text() + "method:\n  posterior: {particles: 100, max_evaluations: 50}\n",
         "fit.yaml:25:48: method.posterior.max_evaluations: max_evaluations (50) must be at "
         "least the particles (100)"},
    };
    for (const auto& c : cases) {
        const std::string what = c.what;
        CAPTURE(what);
        const auto found = problems(c.text);
        CAPTURE(found);
        if (c.expected.empty()) continue;
        CHECK(found.find(c.expected) != std::string::npos);
    }
}
