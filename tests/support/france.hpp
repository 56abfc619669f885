#pragma once

// The shipped France tables and a population built from them once per test binary: several
// tests examine the same 10^6 agents.
#include <filesystem>

#include "sim/population/build.hpp"
#include "sim/population/tables.hpp"

namespace sortie::testing {

inline std::filesystem::path source_dir() {
    return SORTIE_SOURCE_DIR;
}

inline population::TablePaths france_table_paths() {
    const auto data = source_dir() / "scenarios" / "data";
    return {data / "france", data / "france-mixing" / "population_rescaled_age_distributions" /
                                 "France_country_level_age_distribution_85.csv"};
}

inline const population::PopulationTables& france_tables() {
    static const auto tables = population::load_tables(france_table_paths());
    return tables;
}

inline constexpr std::uint64_t kMillion = 1000000;

inline const population::Population& france_million() {
    static const auto population =
        population::build({kMillion, {}, 10.0}, france_tables(), core::RngKey::from_seed(2020));
    return population;
}

}  // namespace sortie::testing

#include "sim/contacts/contact_model.hpp"
#include "sim/contacts/matrix.hpp"

namespace sortie::testing {

inline contacts::ContactMatrix france_community_matrix() {
    const auto mixing = source_dir() / "scenarios" / "data" / "france-mixing";
    return contacts::load_contact_matrix(
        mixing / "contact_matrices" / "France_country_level_F_community_setting_18.csv",
        mixing / "age_distributions" / "France_country_level_age_distribution_18.csv");
}

inline contacts::ContactSpec france_contact_spec() {
    contacts::ContactSpec spec;
    spec.community = france_community_matrix();
    return spec;
}

}  // namespace sortie::testing
