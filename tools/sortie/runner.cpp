#include "tools/sortie/runner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "sim/engine/calibration.hpp"
#include "sim/engine/simulation.hpp"
#include "tools/sortie/interrupt.hpp"
#include "tools/sortie/setup.hpp"

namespace sortie::cli {
namespace {

std::vector<std::string> age_band_labels() {
    std::vector<std::string> labels;
    for (std::size_t b = 0; b < contacts::kAgeBands; ++b) {
        labels.push_back(b + 1 < contacts::kAgeBands ? fmt::format("{}-{}", 5 * b, 5 * b + 4)
                                                     : fmt::format("{}+", 5 * b));
    }
    return labels;
}

}  // namespace

Progress::Progress(bool quiet) : quiet_(quiet), terminal_(isatty(STDERR_FILENO) != 0) {}

void Progress::day(const std::string& scenario, std::uint32_t replicate, std::uint32_t replicates,
                   std::uint32_t day, std::uint32_t days) const {
    if (quiet_ || !terminal_ || (day % 10 != 9 && day + 1 != days)) return;
    fmt::print(stderr, "\r{}: replicate {}/{}, day {}/{}   ", scenario, replicate + 1, replicates,
               day + 1, days);
    std::fflush(stderr);
}

void Progress::replicate_done(const std::string& scenario, std::uint32_t replicate,
                              std::uint32_t replicates, double seconds, double r0,
                              std::uint64_t contact_evaluations) const {
    if (quiet_) return;
    fmt::print(stderr,
               "{}{}: replicate {}/{} done in {:.2f} s (realised R0 {:.2f}; {} contact "
               "evaluations, {:.1f} million per second)\n",
               terminal_ ? "\r" : "", scenario, replicate + 1, replicates, seconds, r0,
               contact_evaluations, double(contact_evaluations) / seconds / 1e6);
}

void Progress::note(const std::string& text) const {
    if (!quiet_) fmt::print(stderr, "{}\n", text);
}

engine::ScenarioResult run_scenario(const scenario::Scenario& scenario, const Progress& progress) {
    const auto inputs = prepare(scenario);
    const auto population =
        population::build(inputs.population, inputs.tables, core::RngKey::from_seed(scenario.seed));
    const contacts::ContactModel contacts(population, inputs.contacts);
    const disease::DiseaseModel disease(scenario.disease.parameters);
    engine::EngineSpec spec;
    spec.days = scenario.days();
    spec.layer_weight = scenario.disease.layer_weights;
    spec.seeding = seeding_of(scenario, population);
    add_interventions(scenario, population, spec);
    const auto calibration = engine::calibrate_transmission_rate(
        contacts, disease, scenario.disease.r0, spec.layer_weight,
        core::RngKey::from_seed(scenario.seed));
    spec.transmission_rate = calibration.transmission_rate;
    progress.note(
        fmt::format("{}: {} agents, R0 {} -> transmission rate {:.5g} per unit of infectiousness",
                    scenario.name, population.size(), scenario.disease.r0, spec.transmission_rate));

    engine::ScenarioResult result;
    result.name = scenario.name;
    result.seed = scenario.seed;
    result.agents = population.size();
    result.start_date = scenario.start.to_string();
    result.days = spec.days;
    for (const auto& region : population.regions) result.regions.push_back(region.key);
    result.age_bands = age_band_labels();
    result.scenario_yaml = scenario.resolved_yaml;
    for (const auto& intervention : scenario.interventions)
        result.interventions.push_back(intervention.name);
    for (std::uint32_t r = 0; r < scenario.replicates; ++r) {
        const auto start = std::chrono::steady_clock::now();
        engine::Simulation simulation(population, contacts, disease, spec,
                                      core::RngKey::for_replicate(scenario.seed, r));
        result.replicates.push_back(simulation.run([&](std::uint32_t day) {
            progress.day(scenario.name, r, scenario.replicates, day, spec.days);
            stop_if_interrupted();  // at a day boundary: nothing has been written
        }));
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        progress.replicate_done(scenario.name, r, scenario.replicates, seconds,
                                result.replicates.back().r0_realised,
                                simulation.contact_evaluations());
    }
    return result;
}

}  // namespace sortie::cli
