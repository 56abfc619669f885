// scenarios/france-2020/fit.yaml against a run's own series: the run's quantities, written in
// the layout of Santé publique France's regional file (people in hospital with those in ICU,
// in ICU, admissions, ICU admissions and hospital deaths, by region and day, regions by their
// INSEE code), read back through the fit file's own targets (column, where, quantity, region,
// series), are what the fit expects day by day: no target is off by a definition, a region or
// a day.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "sim/core/csv.hpp"
#include "sim/fit/fit_file.hpp"
#include "sim/fit/objective.hpp"
#include "tests/support/prepared.hpp"

using namespace sortie;
using sortie::testing::kScenarios;
namespace fs = std::filesystem;

namespace {

const auto kFit = kScenarios / "france-2020" / "fit.yaml";
const std::string kRegionalFile =
    "../data/france-2020/regions/hospital_by_region_2020-03-18_2020-05-11.csv";
// 32,000 agents at R0 3 and the lockdown's weakest scale, so that most regions see patients.
const std::string kScale = "population.scale=0.0005";

std::string read_text(const fs::path& path) {
    std::ostringstream text;
    text << std::ifstream(path).rdbuf();
    return text.str();
}

double value_of(const std::string& key) {
    if (key == "disease.R0") return 3.0;
    if (key == "interventions.lockdown.scale") return 1e9;  // the upper bound of its range
    if (key == "disease.stays.ward_mean") return 8.75;      // the parameter file's
    if (key == "disease.stays.icu_mean") return 18.8;
    if (key == "disease.stays.follow_up_share") return 0.06;
    if (key == "disease.stays.follow_up_mean") return 34;
    return 1.0;
}

// The run's series in the regional file's layout, counted from its records (agents): in
// hospital as SI-VIC counted it (ward, ICU and follow-up care), in ICU, and the flows.
void write_regional(const engine::ReplicateResult& r, const population::Population& population,
                    const fs::path& path) {
    const auto codes = core::CsvTable::read(kScenarios / "data" / "france" / "regions.csv");
    std::map<std::string, std::string> code_of;
    for (std::size_t row = 0; row < codes.rows(); ++row)
        code_of[codes.text(row, codes.column("key"))] = codes.text(row, codes.column("code"));
    const std::size_t regions = population.regions.size(), bands = contacts::kAgeBands;
    const auto state = [&](std::size_t day, std::size_t g, results::State s) {
        std::int64_t sum = 0;
        for (std::size_t b = 0; b < bands; ++b)
            sum += r.counts[((day * regions + g) * bands + b) * results::kStates + std::size_t(s)];
        return sum;
    };
    const auto event = [&](std::size_t day, std::size_t g, results::Event e) {
        std::int64_t sum = 0;
        for (std::size_t b = 0; b < bands; ++b)
            sum +=
                r.incidence[((day * regions + g) * bands + b) * results::kEvents + std::size_t(e)];
        return sum;
    };
    std::ofstream out(path);
    out << "date,region_code,region,hospitalised,icu,admissions,icu_admissions,deaths\n";
    const auto start = *core::Date::parse("2020-02-01");
    for (auto d = *core::Date::parse("2020-03-18"); d <= *core::Date::parse("2020-05-11");
         d = d.plus_days(1)) {
        const auto day = std::size_t(d.days_since(start));
        for (std::size_t g = 0; g < regions; ++g) {
            using results::Event;
            using results::State;
            out << fmt::format(
                "{},{},{},{},{},{},{},{}\n", d.to_string(), code_of.at(population.regions[g].key),
                population.regions[g].key,
                state(day, g, State::kHospitalWard) + state(day, g, State::kIcu) +
                    state(day, g, State::kFollowUp),
                state(day, g, State::kIcu), event(day, g, Event::kHospitalAdmissions),
                event(day, g, Event::kIcuAdmissions), event(day, g, Event::kHospitalDeaths));
        }
    }
}

}  // namespace

TEST_CASE("France's fit file reads a run's own series in the regional layout as the run's") {
    const fs::path folder =
        fs::temp_directory_path() / ("sortie-france-fit-test-" + std::to_string(::getpid()));
    fs::create_directories(folder);
    const auto synthetic = folder / "regional.csv";

    // The fit file with the synthetic table in place of the observed one, its paths absolute,
    // one replicate, and each target counting agents.
    std::string text = read_text(kFit);
    const auto replace_all = [&](const std::string& from, const std::string& to) {
        std::size_t at = 0, replaced = 0;
        while ((at = text.find(from, at)) != std::string::npos) {
            text.replace(at, from.size(), to);
            at += to.size();
            ++replaced;
        }
        return replaced;
    };
    REQUIRE(replace_all(kRegionalFile, synthetic.string()) == 65);  // 13 regions x 5 series
    REQUIRE(replace_all("../data/", (kScenarios / "data").string() + "/") == 1);
    REQUIRE(replace_all("scenario: lockdown.yaml",
                        "scenario: " + (kScenarios / "france-2020" / "lockdown.yaml").string()) ==
            1);
    REQUIRE(replace_all("replicates: 2", "replicates: 1") == 1);
    REQUIRE(replace_all("- {name: ", "- {people_per_agent: 1, name: ") == 66);
    const auto copy = folder / "fit.yaml";
    std::ofstream(copy) << text;

    // The run the fit makes at these values: the fit's scenario, its sets, the values as sets.
    // The observed table stands in until the run's is written: the fit file is read first.
    fs::copy_file(kScenarios / "france-2020" / kRegionalFile, synthetic,
                  fs::copy_options::overwrite_existing);
    auto file = fit::load_fit_file(copy, {kScale});
    std::vector<double> values;
    std::vector<std::string> sets = file.sets;
    for (const auto& p : file.parameters) {
        values.push_back(std::clamp(value_of(p.key), p.lower, p.upper));
        sets.push_back(fmt::format("{}={}", p.key, values.back()));
    }
    sets.push_back("replicates=1");
    const sortie::testing::Prepared run(file.scenario, sets);
    const auto result = run.simulation(0).run();
    write_regional(result, run.population, synthetic);

    file = fit::load_fit_file(copy, {kScale});
    const fit::Objective objective(file.scenario, file.sets, file.parameters, file.targets, 1);
    const auto evaluation = objective.evaluate(values);
    std::size_t regional = 0;
    double patients = 0;
    for (std::size_t t = 0; t < file.targets.size(); ++t) {
        const auto& target = file.targets[t];
        if (target.name == "care-home-deaths") continue;  // the national file, not the run's
        CAPTURE(target.name);
        CHECK(evaluation.expected[t] == target.observed.values);
        CHECK(evaluation.deviance[t] < 1e-9);
        for (const double v : target.observed.values) patients += v;
        ++regional;
    }
    CHECK(regional == 65);
    CHECK(patients > 1000);  // the series are not all zeros
    fs::remove_all(folder);
}
