#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/error.hpp"

namespace sortie::scenario {

/// The `population:` section. Exactly one of size and scale is set.
struct PopulationSection {
    std::optional<std::uint64_t> size;  ///< agents in total
    std::optional<double> scale;        ///< or a fraction of the selected regions' people
    std::vector<std::string> regions;   ///< region keys; empty = all
    core::SourceLocation regions_location;
    std::filesystem::path data;              ///< folder of the demographic tables
    std::filesystem::path age_distribution;  ///< "age,count" CSV
    double team_size = 10.0;
};

/// The `contacts:` section; defaults in docs/scenarios.md with their sources.
struct ContactsSection {
    std::filesystem::path community_matrix;   ///< 18x18 per-capita matrix (Mistry et al. form)
    std::filesystem::path matrix_population;  ///< the 18 band counts the matrix was made on
    double school_per_day = 11.41, school_class_share = 0.75;
    double work_per_day = 8.07, work_team_share = 0.6;
    double community_per_day = 2.79, outside_region_share = 0.05;
};

/// A validated scenario: plain values, paths resolved against the scenario file's folder.
struct Scenario {
    std::string file;  ///< as given on the command line
    std::string name;
    std::uint64_t seed = 1;
    PopulationSection population;
    ContactsSection contacts;
    std::string resolved_yaml;  ///< the document after --set, for provenance
};

/// Reads, checks and resolves a scenario file, applying `overrides` ("key.path=value", as
/// given to --set) first. Throws core::InputError with every problem of the file, each as
/// file:line:column: key.path: message.
Scenario load(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

}  // namespace sortie::scenario
