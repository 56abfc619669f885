// What one evaluation of a fit costs (issue #22's speed figures): fit::Objective on France's
// 2020 lockdown at a given scale over 100 days (1 February to 10 May). The model is built once;
// each evaluation moves R0 and the lockdown's community factor, builds the model on the shared
// population (disease, spec, calibration), runs the replicates in parallel in-process (no
// HDF5) and scores two targets against the national hospital series (occupancy, H + C + F, and
// ICU, C, from 18 March; Gaussian on log(1 + count)). Prints where the time goes and
// evaluations per minute.
// usage: sortie_bench_fit SCENARIOS_DIR [scale=0.01] [replicates=4] [evaluations=6]
//        [--next-generation]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/fit/objective.hpp"

using namespace sortie;

namespace {

fit::Target occupancy_target(const std::filesystem::path& csv, const char* column,
                             const char* quantity, double people_per_agent) {
    const auto from = *core::Date::parse("2020-03-18"), to = *core::Date::parse("2020-05-10");
    fit::Target target;
    target.name = column;
    std::string problem;
    target.quantity = *fit::parse_quantity(quantity, problem);
    target.observed = fit::read_observed({csv, column, "date", fit::SeriesKind::kStock}, from, to);
    target.observation = {fit::ObservationModel::kLogNormal, 0.2};
    target.people_per_agent = people_per_agent;
    return target;
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
    const auto replicates = static_cast<std::uint32_t>(args.size() > 2 ? std::stoul(args[2]) : 4);
    const int evaluations = args.size() > 3 ? std::stoi(args[3]) : 6;
    const std::vector<std::string> sets = {
        "population.scale=" + scale, "end=2020-05-10",
        next_generation ? "disease.R0_method=next_generation" : "disease.R0_method=simulated"};
    const auto csv =
        scenarios / "data" / "france-2020" / "national_hospital_2020-03-01_2020-05-11.csv";
    // France's people on 1 January 2020 (INSEE; overseas departments included, as in the
    // series) per simulated agent: metropolitan France, 64,844,037 people in the tables, at
    // the scale asked for.
    const double agents = 64'844'037.0 * std::stod(scale);
    const double people_per_agent = 67'064'000.0 / agents;

    const auto start = std::chrono::steady_clock::now();
    const fit::Objective objective(
        scenarios / "france-2020" / "lockdown.yaml", sets,
        {{"disease.R0", 2.4, 3.4}, {"interventions.lockdown.layers.community", 0.05, 0.5}},
        {occupancy_target(csv, "hospitalised", "counts.H+C+F", people_per_agent),
         occupancy_target(csv, "icu", "counts.C", people_per_agent)},
        replicates);
    const double setup =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    double build = 0, run = 0, score = 0;
    for (int e = 0; e < evaluations; ++e) {
        const std::vector<double> values = {2.6 + 0.1 * (e % 7), 0.15 + 0.02 * (e % 5)};
        const auto evaluation = objective.evaluate(values);
        build += evaluation.build_seconds;
        run += evaluation.run_seconds;
        score += evaluation.score_seconds;
        fmt::print("evaluation {}: R0 {:.1f}, community x {:.2f}: deviance {:.1f}\n", e + 1,
                   values[0], values[1], evaluation.loss);
    }
    const double each = (build + run + score) / evaluations;
    fmt::print(
        "{} agents, {} replicates x 100 days, calibration by {}; objective set up (model built "
        "once) in {:.2f} s\n"
        "per evaluation: scenario and model on the shared population {:.2f} s, replicates "
        "{:.2f} s, targets {:.4f} s; {:.2f} s in all, {:.1f} evaluations per minute\n",
        objective.base().population.size(), replicates,
        next_generation ? "the next-generation matrix" : "pilot runs", setup, build / evaluations,
        run / evaluations, score / evaluations, each, 60.0 / each);
}
