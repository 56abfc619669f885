#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/date.hpp"
#include "sim/core/error.hpp"
#include "sim/disease/parameters.hpp"

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
    bool structured = true;  ///< `structure: none`: everyone alone, no school, no work
};

/// The `contacts:` section; defaults in docs/scenarios.md with their sources.
struct ContactsSection {
    std::filesystem::path community_matrix;   ///< 18x18 per-capita matrix; empty = uniform mixing
    std::filesystem::path matrix_population;  ///< the 18 band counts the matrix was made on
    double school_per_day = 11.41, school_class_share = 0.75;
    double work_per_day = 8.07, work_team_share = 0.6;
    double community_per_day = 2.79, outside_region_share = 0.05;
};

/// The `disease:` section.
struct DiseaseSection {
    std::filesystem::path parameters_file;
    disease::DiseaseParameters parameters;
    double r0 = 0.0;
    std::array<double, 4> layer_weights{1.0, 1.0, 1.0,
                                        1.0};  ///< household, school, work, community
};

/// One entry of `seeding:`: infections per day for `days` days from `date`.
struct SeedingEntry {
    core::Date date;
    std::uint32_t infections = 0;
    std::uint32_t days = 1;
    std::vector<std::string> regions;  ///< keys; empty = everywhere
    core::SourceLocation location;
};

/// What a scenario is read for: building its population only, or a full run.
enum class Purpose { kPopulation, kRun };

/// A validated scenario: plain values, paths resolved against the scenario file's folder.
struct Scenario {
    std::string file;  ///< as given on the command line
    std::string name;
    std::uint64_t seed = 1;
    PopulationSection population;
    ContactsSection contacts;
    // For runs (Purpose::kRun makes them required):
    core::Date start, end;  ///< first and last simulated days
    std::uint32_t replicates = 1;
    DiseaseSection disease;
    std::vector<SeedingEntry> seeding;
    std::string resolved_yaml;

    std::uint32_t days() const {
        return static_cast<std::uint32_t>(end.days_since(start) + 1);
    }  ///< the document after --set, for provenance
};

/// Reads, checks and resolves a scenario file, applying `overrides` ("key.path=value", as
/// given to --set) first. Throws core::InputError with every problem of the file, each as
/// file:line:column: key.path: message.
Scenario load(const std::filesystem::path& file, const std::vector<std::string>& overrides = {},
              Purpose purpose = Purpose::kPopulation);

}  // namespace sortie::scenario
