#pragma once

// A scenario made ready to simulate through the real path (YAML, tables, population build,
// calibration), for tests that need the engine's internals.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <tbb/global_control.h>

#include "sim/engine/calibration.hpp"
#include "sim/engine/simulation.hpp"
#include "tools/sortie/setup.hpp"

namespace sortie::testing {

inline const std::filesystem::path kScenarios =
    std::filesystem::path(SORTIE_SOURCE_DIR) / "scenarios";

// A scenario made ready to simulate, as `sortie run` does it.
struct Prepared {
    scenario::Scenario scenario;
    population::Population population;
    std::unique_ptr<contacts::ContactModel> contacts;
    std::unique_ptr<disease::DiseaseModel> disease;
    engine::EngineSpec spec;

    explicit Prepared(const std::filesystem::path& file, const std::vector<std::string>& overrides)
        : scenario(scenario::load(file, overrides, scenario::Purpose::kRun)) {
        const auto inputs = cli::prepare(scenario);
        population = population::build(inputs.population, inputs.tables,
                                       core::RngKey::from_seed(scenario.seed));
        contacts = std::make_unique<contacts::ContactModel>(population, inputs.contacts);
        disease = std::make_unique<disease::DiseaseModel>(scenario.disease.parameters);
        spec.days = scenario.days();
        spec.layer_weight = scenario.disease.layer_weights;
        spec.seeding = cli::seeding_of(scenario, population);
        cli::add_interventions(scenario, population, spec);
        spec.hospitals = cli::hospital_spec(scenario, inputs.tables, population);
        spec.transmission_rate = engine::calibrate_transmission_rate(
                                     *contacts, *disease, scenario.disease.r0, spec.layer_weight,
                                     core::RngKey::from_seed(scenario.seed))
                                     .transmission_rate;
    }
    engine::Simulation simulation(std::uint32_t replicate) const {
        return engine::Simulation(population, *contacts, *disease, spec,
                                  core::RngKey::for_replicate(scenario.seed, replicate));
    }
    /// Runs replicate 0 on at most `threads` threads: determinism tests compare 1 and 2.
    engine::ReplicateResult run_on_threads(std::size_t threads) const {
        tbb::global_control control(tbb::global_control::max_allowed_parallelism, threads);
        return simulation(0).run();
    }
};

/// France's structure at 20,000 agents, unmitigated from 20 infections on 1 February 2020 to
/// the end of June: a few hundred hospital patients (the hospital and supplies tests).
inline const Prepared& hospital_epidemic() {
    static const Prepared run(kScenarios / "france-2020" / "unmitigated.yaml",
                              {"population.size=20000", "end=2020-06-30",
                               "seeding=[{date: 2020-02-01, infections: 20}]"});
    return run;
}

}  // namespace sortie::testing
