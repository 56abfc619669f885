#pragma once

// The steps of population::build, each working on one region's slice of agents so that
// regions can be built in parallel with results that do not depend on the thread count.
#include <cstdint>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/population/build.hpp"

namespace sortie::population::detail {

/// One region's part of the population: agents [first_agent, first_agent + people) and
/// households [first_household, first_household + household_sizes.size()).
struct RegionSlice {
    std::uint16_t region = 0;
    AgentId first_agent = 0;
    std::uint64_t people = 0;
    std::uint32_t first_household = 0;
    std::vector<std::uint8_t> household_sizes;
    ByAge age_distribution{};
};

/// Household sizes summing to exactly slice.people (the last household is cut to fit).
std::vector<std::uint8_t> draw_household_sizes(const RegionSlice& slice,
                                               const std::vector<double>& size_shares,
                                               core::RngKey key);

/// Fills age and household columns and household offsets for the slice.
void fill_households(const RegionSlice& slice, core::RngKey key, Population& population);

/// Draws employment and occupation for the slice's agents.
void assign_employment(const RegionSlice& slice, const PopulationTables& tables, core::RngKey key,
                       Population& population);

/// Builds the slice's schools and classes (with their teachers) into a region-local layer.
GroupLayer build_schools(const RegionSlice& slice, const PopulationTables& tables, core::RngKey key,
                         Population& population);

/// Builds the slice's workplaces, hospitals and care homes and their teams.
GroupLayer build_workplaces(const RegionSlice& slice, const PopulationTables& tables,
                            const PopulationSpec& spec, core::RngKey key,
                            const Population& population);

/// Collects group layers into one, and points each member's column at its global group.
void merge_layers(std::vector<GroupLayer>& parts, GroupLayer& into,
                  std::vector<std::uint32_t>& group_of_agent);

/// A helper to append venues and their groups in CSR form.
class GroupLayerBuilder {
  public:
    void begin_venue(VenueKind kind, std::uint16_t region);
    /// Appends a group of the current venue with these members.
    void add_group(const AgentId* first, std::size_t count);
    GroupLayer finish() { return std::move(layer_); }

  private:
    GroupLayer layer_;
};

}  // namespace sortie::population::detail
