#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/population/population.hpp"
#include "sim/population/tables.hpp"

namespace sortie::population {

/// What to build: how many people, where, and the few structural choices that are not tables.
struct PopulationSpec {
    std::uint64_t size = 0;            ///< agents in total, over the selected regions
    std::vector<std::string> regions;  ///< region keys; empty = all regions of the table
    double team_size = 10.0;           ///< mean people in a work team (estimate, docs/model.md)
    /// false: everyone lives alone and nobody attends school or works (for well-mixed
    /// validation runs where only the community layer acts).
    bool structured = true;
};

/// Builds the population: households (sizes and a plausible composition), school attendance,
/// classes and schools, employment, occupations, workplaces and their teams. Deterministic:
/// the same spec, tables and key give the same population with any number of threads.
/// Throws core::InputError for an unknown region key or a size that does not fit 32-bit ids.
Population build(const PopulationSpec& spec, const PopulationTables& tables, core::RngKey key);

/// The age distribution of region r after reweighting the national single-year distribution to
/// the region's shares of ages 0-19, 20-64 and 65+ (normalised to sum to 1).
ByAge region_age_distribution(const PopulationTables& tables, const RegionRow& region);

/// Splits `total` into integer parts proportional to `weights` (largest remainder method):
/// the parts sum to `total` exactly.
std::vector<std::uint64_t> apportion(std::uint64_t total, const std::vector<double>& weights);

}  // namespace sortie::population
