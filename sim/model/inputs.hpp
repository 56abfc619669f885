#pragma once

// Turns a validated scenario into the plain specs of the model modules: loads the tables it
// names, resolves `scale` into a size, checks region keys against the tables.
#include "sim/contacts/contact_model.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/population/build.hpp"
#include "sim/population/tables.hpp"
#include "sim/scenario/scenario.hpp"

namespace sortie::model {

struct ModelInputs {
    population::PopulationTables tables;
    population::PopulationSpec population;
    contacts::ContactSpec contacts;
};

/// Throws core::InputError for missing or malformed tables and unknown regions.
ModelInputs prepare(const scenario::Scenario& scenario);

/// Throws core::InputError at the `population.data` key when its folder lacks one of the tables
/// (population::kFolderTables), naming them; what prepare checks first, and `sortie validate`
/// without reading the tables.
void check_data_folder(const scenario::PopulationSection& section);

/// The seeding of a run as day numbers and region indices of `population`.
/// Throws core::InputError for a seeding region the population does not have.
std::vector<engine::Seeding> seeding_of(const scenario::Scenario& scenario,
                                        const population::Population& population);

/// The interventions and triggers of a run, with days and region indices resolved.
/// Throws core::InputError for a region the population does not have.
void add_interventions(const scenario::Scenario& scenario, const population::Population& population,
                       engine::EngineSpec& spec);

/// Beds per region and day of `hospitals:` (scaled to the agents: beds x agents of the region /
/// its people in regions.csv), transfer limit and death risks. Disabled without the section.
/// Throws core::InputError for a region missing from the capacity table or from the population.
engine::HospitalSpec hospital_spec(const scenario::Scenario& scenario,
                                   const population::PopulationTables& tables,
                                   const population::Population& population);

}  // namespace sortie::model
