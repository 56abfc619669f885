#pragma once

// A scenario turned into a runnable model: the synthetic population, its contact layers, the
// natural history and the engine's spec with the transmission rate calibrated to R0. Built
// once, read-only afterwards, it runs any number of replicates (an ensemble, a fit's
// evaluations) without being built again.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "sim/contacts/contact_model.hpp"
#include "sim/disease/natural_history.hpp"
#include "sim/engine/calibration.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/population/population.hpp"
#include "sim/results/result.hpp"
#include "sim/scenario/scenario.hpp"

namespace sortie::model {

/// Where building a model spent its time (wall seconds).
struct BuildTimes {
    double population = 0;   ///< the synthetic population
    double contacts = 0;     ///< contact layers
    double calibration = 0;  ///< disease model, interventions, hospitals, transmission rate
};

/// The synthetic population and its contact layers: the part of a model that takes longest to
/// build, and that models of scenarios differing only in what acts on it (the disease, R0,
/// seeding, interventions, hospitals: a fit's evaluations) can share. Read-only once built.
struct Structure {
    population::Population population;
    std::optional<contacts::ContactModel> contacts;
    /// What the structure was built from (population and contacts sections, seed): a scenario
    /// with the same key has the same structure.
    std::string key;
};

/// What the transmission rate is calibrated from, besides the structure: a model on the same
/// structure with the same inputs has the same calibration.
struct CalibrationInputs {
    double r0 = 0;
    bool next_generation = false;
    std::array<double, 5> layer_weights{};
    disease::DiseaseParameters disease;

    friend bool operator==(const CalibrationInputs&, const CalibrationInputs&) = default;
};

/// What every replicate of a scenario shares. Not movable: the contact model refers to the
/// population.
struct Model {
    /// A model with a structure of its own, to be built.
    Model() : Model(std::make_shared<Structure>()) {}
    /// A model on an existing structure.
    explicit Model(std::shared_ptr<Structure> shared)
        : structure(std::move(shared)),
          population(structure->population),
          contacts(structure->contacts) {}
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;
    ~Model() = default;

    std::shared_ptr<Structure> structure;
    population::Population& population;               ///< structure->population
    std::optional<contacts::ContactModel>& contacts;  ///< structure->contacts
    std::optional<disease::DiseaseModel> disease;
    engine::EngineSpec spec;
    engine::Calibration calibration;  ///< how R0 became spec.transmission_rate
    CalibrationInputs calibration_inputs;
    std::uint64_t seed = 0;  ///< the scenario's: replicate r draws from (seed, r)

    /// Replicate `replicate`, ready to run.
    engine::Simulation simulation(std::uint32_t replicate) const;
};

/// Builds the model of a validated scenario (tables read, population built, transmission rate
/// calibrated). Throws core::InputError for missing or malformed tables and unknown regions.
/// `stop`: the calibration stops between pilot runs when asked (engine::CalibrationStopped).
std::unique_ptr<Model> build_model(const scenario::Scenario& scenario, BuildTimes* times = nullptr,
                                   std::stop_token stop = {});

/// The model of `scenario` on `base`'s structure, which it shares: only the disease, the
/// engine's spec and the calibration are built (times->population and ->contacts stay 0), and
/// the calibration is `base`'s when R0, its method, the layer weights and the disease
/// parameters are the same. The result is the model build_model(scenario) would give. Throws
/// std::invalid_argument when the scenario's population, contacts or seed differ from those of
/// `base`'s structure.
std::unique_ptr<Model> build_model_on(const Model& base, const scenario::Scenario& scenario,
                                      BuildTimes* times = nullptr, std::stop_token stop = {});

/// Everything a scenario's population and contact layers are built from, as text: scenarios
/// with the same key share a structure.
std::string structure_key(const scenario::Scenario& scenario);

/// Whether `scenario` has the structure of `model` (build_model_on accepts it).
bool shares_structure(const Model& model, const scenario::Scenario& scenario);

/// The description of a scenario's result (everything but the replicates' records), with
/// `scenario.replicates` empty replicates.
results::ScenarioResult describe(const scenario::Scenario& scenario, const Model& model);

/// A replicate's transmissions as the result's log (the place of each infection resolved).
results::TransmissionLog transmission_log(const std::vector<engine::Transmission>& transmissions,
                                          const population::Population& population);

}  // namespace sortie::model
