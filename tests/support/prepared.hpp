#pragma once

// A scenario made ready to simulate through the real path (YAML, tables, population build,
// calibration), for tests that need the engine's internals.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tbb/global_control.h>

#include "sim/engine/simulation.hpp"
#include "sim/model/model.hpp"

namespace sortie::testing {

inline const std::filesystem::path kScenarios =
    std::filesystem::path(SORTIE_SOURCE_DIR) / "scenarios";

// A scenario made ready to simulate by the model library, as `sortie run` does it, with its
// parts at hand under the names the tests use.
struct Prepared {
    scenario::Scenario scenario;
    std::unique_ptr<model::Model> model;
    population::Population& population;
    std::optional<contacts::ContactModel>& contacts;
    std::optional<disease::DiseaseModel>& disease;
    engine::EngineSpec& spec;

    explicit Prepared(const std::filesystem::path& file, const std::vector<std::string>& overrides)
        : scenario(scenario::load(file, overrides, scenario::Purpose::kRun)),
          model(model::build_model(scenario)),
          population(model->population),
          contacts(model->contacts),
          disease(model->disease),
          spec(model->spec) {}
    Prepared(const Prepared&) = delete;
    Prepared& operator=(const Prepared&) = delete;

    engine::Simulation simulation(std::uint32_t replicate) const {
        return model->simulation(replicate);
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
