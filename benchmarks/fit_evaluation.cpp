// What one evaluation of a fit costs (issue #22's speed figures): France's 2020 lockdown at a
// given scale over 100 days (1 February to 10 May), a model built once, then evaluations that
// each move R0 and the lockdown's community factor, build the model on the shared population
// (build_model_on: disease, spec, calibration), run the replicates in parallel in-process (no
// HDF5) and score two targets against the national hospital series (occupancy, H + C, and ICU,
// C, from 18 March; Gaussian on log(1 + count)). Prints where the time goes and evaluations
// per minute.
// usage: sortie_bench_fit SCENARIOS_DIR [scale=0.01] [replicates=4] [evaluations=6]
//        [--next-generation]
#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/fit/observation.hpp"
#include "sim/fit/target.hpp"
#include "sim/model/model.hpp"

using namespace sortie;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Target {
    fit::Quantity quantity;
    fit::DailySeries observed;
};

fit::Quantity quantity(const char* text) {
    std::string problem;
    auto q = fit::parse_quantity(text, problem);
    if (!q) throw std::invalid_argument(problem);
    return *q;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    bool next_generation = false;
    std::erase_if(args, [&](const std::string& a) {
        return a == "--next-generation" ? (next_generation = true) : false;
    });
    if (args.empty()) {
        fmt::print(stderr,
                   "usage: sortie_bench_fit SCENARIOS_DIR [scale] [replicates] "
                   "[evaluations] [--next-generation]\n");
        return 2;
    }
    const std::filesystem::path scenarios = args[0];
    const std::string scale = args.size() > 1 ? args[1] : "0.01";
    const int replicates = args.size() > 2 ? std::atoi(args[2].c_str()) : 4;
    const int evaluations = args.size() > 3 ? std::atoi(args[3].c_str()) : 6;
    const auto file = scenarios / "france-2020" / "lockdown.yaml";
    const std::vector<std::string> fixed = {
        "population.scale=" + scale, "end=2020-05-10", fmt::format("replicates={}", replicates),
        next_generation ? "disease.R0_method=next_generation" : "disease.R0_method=simulated"};

    auto start = Clock::now();
    const auto base_scenario = scenario::load(file, fixed, scenario::Purpose::kRun);
    model::BuildTimes base_times;
    const auto base = model::build_model(base_scenario, &base_times);
    const double base_seconds = seconds_since(start);

    const auto from = *core::Date::parse("2020-03-18"), to = *core::Date::parse("2020-05-10");
    const auto csv =
        scenarios / "data" / "france-2020" / "national_hospital_2020-03-01_2020-05-11.csv";
    const std::vector<Target> targets = {
        {quantity("counts.H+C"),
         fit::read_observed({csv, "hospitalised", "date", fit::SeriesKind::kStock}, from, to)},
        {quantity("counts.C"),
         fit::read_observed({csv, "icu", "date", fit::SeriesKind::kStock}, from, to)}};
    const fit::Observation occupancy{fit::ObservationModel::kLogNormal, 0.2};
    // France's people (INSEE, 1 January 2020, overseas departments included: the series'
    // coverage) per simulated agent.
    const double people_per_agent = 67'064'000.0 / double(base->population.size());

    double load_s = 0, build_s = 0, run_s = 0, score_s = 0;
    for (int e = 0; e < evaluations; ++e) {
        const double r0 = 2.6 + 0.1 * (e % 7), community = 0.15 + 0.02 * (e % 5);
        auto overrides = fixed;
        overrides.push_back(fmt::format("disease.R0={}", r0));
        overrides.push_back(fmt::format("interventions.lockdown.layers.community={}", community));
        auto t = Clock::now();
        const auto scenario = scenario::load(file, overrides, scenario::Purpose::kRun);
        load_s += seconds_since(t);
        t = Clock::now();
        const auto model = model::build_model_on(*base, scenario);
        build_s += seconds_since(t);
        t = Clock::now();
        auto result = model::describe(scenario, *model);
        tbb::parallel_for(0, replicates, [&](int r) {
            result.replicates[std::size_t(r)] = model->simulation(std::uint32_t(r)).run();
        });
        run_s += seconds_since(t);
        t = Clock::now();
        double loss = 0;
        for (const auto& target : targets) {
            std::vector<double> mean(target.observed.values.size(), 0.0);
            for (int r = 0; r < replicates; ++r) {
                const auto series = fit::model_series(result, std::size_t(r), target.quantity,
                                                      std::nullopt, from, to, people_per_agent);
                for (std::size_t d = 0; d < mean.size(); ++d) mean[d] += series[d] / replicates;
            }
            loss += fit::deviance(occupancy, target.observed.values, mean);
        }
        score_s += seconds_since(t);
        fmt::print("evaluation {}: R0 {:.1f}, community x {:.2f}: deviance {:.1f}\n", e + 1, r0,
                   community, loss);
    }
    const double per_evaluation = (load_s + build_s + run_s + score_s) / evaluations;
    fmt::print(
        "{} agents, {} replicates x 100 days, calibration by {}\n"
        "model built once in {:.2f} s (population {:.2f} s, contacts {:.2f} s, calibration "
        "{:.2f} s)\n"
        "per evaluation: scenario {:.3f} s, model on the shared population {:.2f} s, "
        "replicates {:.2f} s, targets {:.4f} s; {:.2f} s in all, {:.1f} evaluations per minute\n",
        base->population.size(), replicates,
        next_generation ? "the next-generation matrix" : "pilot runs", base_seconds,
        base_times.population, base_times.contacts, base_times.calibration, load_s / evaluations,
        build_s / evaluations, run_s / evaluations, score_s / evaluations, per_evaluation,
        60.0 / per_evaluation);
}
