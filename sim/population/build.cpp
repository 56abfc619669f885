#include "sim/population/build.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "sim/core/error.hpp"
#include "sim/core/system.hpp"
#include "sim/population/detail/steps.hpp"

namespace sortie::population {
namespace {

using detail::RegionSlice;

// Agent ids are 32-bit; the largest value marks "no group".
constexpr std::uint64_t kMaxAgents = std::numeric_limits<std::uint32_t>::max() - 1;

std::vector<std::size_t> selected_regions(const PopulationSpec& spec,
                                          const PopulationTables& tables) {
    std::vector<std::size_t> chosen;
    if (spec.regions.empty()) {
        chosen.resize(tables.regions.size());
        std::iota(chosen.begin(), chosen.end(), std::size_t{0});
        return chosen;
    }
    for (const auto& key : spec.regions) {
        const auto it = std::find_if(tables.regions.begin(), tables.regions.end(),
                                     [&](const RegionRow& r) { return r.key == key; });
        if (it == tables.regions.end()) {
            std::string known;
            for (const auto& r : tables.regions) known += (known.empty() ? "" : ", ") + r.key;
            throw core::InputError(
                {}, "population.regions",
                fmt::format("unknown region '{}'; known regions: {}", key, known));
        }
        chosen.push_back(static_cast<std::size_t>(it - tables.regions.begin()));
    }
    return chosen;
}

template <typename Body>
void for_each_slice(std::vector<RegionSlice>& slices, Body body) {
    tbb::parallel_for(std::size_t{0}, slices.size(), [&](std::size_t i) { body(slices[i]); });
}

std::vector<RegionSlice> plan_slices(const PopulationSpec& spec, const PopulationTables& tables,
                                     Population& population) {
    const auto chosen = selected_regions(spec, tables);
    std::vector<double> weights;
    for (auto r : chosen) weights.push_back(tables.regions[r].population);
    const auto people = apportion(spec.size, weights);
    std::vector<RegionSlice> slices(chosen.size());
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        const auto& row = tables.regions[chosen[i]];
        slices[i].region = static_cast<std::uint16_t>(i);
        slices[i].people = people[i];
        slices[i].age_distribution = region_age_distribution(tables, row);
        population.regions.push_back({row.key, row.name, row.latitude, row.longitude});
    }
    return slices;
}

void allocate_columns(std::vector<RegionSlice>& slices, Population& population) {
    AgentId next_agent = 0;
    std::uint32_t next_household = 0;
    for (auto& slice : slices) {
        slice.first_agent = next_agent;
        slice.first_household = next_household;
        next_agent += static_cast<AgentId>(slice.people);
        next_household += static_cast<std::uint32_t>(slice.household_sizes.size());
        population.region_offsets.push_back(next_agent);
    }
    // The columns the transmission kernel reads at random (core/system.hpp).
    core::assign_on_huge_pages(population.age, next_agent);
    core::assign_on_huge_pages(population.region, next_agent);
    population.occupation.resize(next_agent, Occupation::kNotEmployed);
    core::assign_on_huge_pages(population.household, next_agent);
    core::assign_on_huge_pages(population.school_group, next_agent, kNoGroup);
    core::assign_on_huge_pages(population.work_group, next_agent, kNoGroup);
    population.household_offsets.assign(std::size_t{next_household} + 1, 0);
}

double band_share(const ByAge& ages, int from, int to) {
    double sum = 0.0;
    for (int a = from; a <= to; ++a) sum += ages[static_cast<std::size_t>(a)];
    return sum;
}

}  // namespace

std::vector<std::uint64_t> apportion(std::uint64_t total, const std::vector<double>& weights) {
    const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    std::vector<std::uint64_t> parts(weights.size());
    std::vector<std::pair<double, std::size_t>> remainders;
    std::uint64_t given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        const double exact = sum > 0.0 ? double(total) * weights[i] / sum : 0.0;
        parts[i] = static_cast<std::uint64_t>(std::floor(exact));
        given += parts[i];
        remainders.emplace_back(-(exact - std::floor(exact)), i);  // largest first, ties by index
    }
    std::sort(remainders.begin(), remainders.end());
    for (std::size_t k = 0; given < total && !weights.empty(); ++k, ++given) {
        ++parts[remainders[k % remainders.size()].second];
    }
    return parts;
}

ByAge region_age_distribution(const PopulationTables& tables, const RegionRow& region) {
    const ByAge& national = tables.age_weights;
    const double young = band_share(national, 0, 19), adult = band_share(national, 20, 64),
                 old = band_share(national, 65, kMaxAge);
    ByAge result{};
    for (std::size_t a = 0; a < kAges; ++a) {
        const double scale = a < 20   ? region.share_0_19 / young
                             : a < 65 ? region.share_20_64 / adult
                                      : region.share_65_plus / old;
        result[a] = national[a] * scale;
    }
    const double sum = std::accumulate(result.begin(), result.end(), 0.0);
    for (double& share : result) share /= sum;
    return result;
}

Population build(const PopulationSpec& spec, const PopulationTables& tables, core::RngKey key) {
    if (spec.size == 0 || spec.size > kMaxAgents) {
        throw core::InputError(
            {}, "population.size",
            fmt::format("must be between 1 and {} agents (got {})", kMaxAgents, spec.size));
    }
    Population population;
    auto slices = plan_slices(spec, tables, population);
    for_each_slice(slices, [&](RegionSlice& s) {
        s.household_sizes = spec.structured
                                ? detail::draw_household_sizes(s, tables.household_size_shares, key)
                                : std::vector<std::uint8_t>(s.people, 1);
    });
    allocate_columns(slices, population);
    for_each_slice(slices, [&](RegionSlice& s) {
        detail::fill_households(s, key, population);
        std::fill_n(population.region.begin() + s.first_agent, s.people, s.region);
        if (spec.structured) detail::assign_employment(s, tables, key, population);
    });
    if (!spec.structured) return population;

    std::vector<GroupLayer> parts(slices.size());
    for_each_slice(slices, [&](RegionSlice& s) {
        parts[s.region] = detail::build_schools(s, tables, key, population);
    });
    detail::merge_layers(parts, population.schools, population.school_group);
    for_each_slice(slices, [&](RegionSlice& s) {
        parts[s.region] = detail::build_workplaces(s, tables, spec, key, population);
    });
    detail::merge_layers(parts, population.workplaces, population.work_group);
    return population;
}

namespace detail {

void GroupLayerBuilder::begin_venue(VenueKind kind, std::uint16_t region) {
    layer_.venue_kind.push_back(kind);
    layer_.venue_region.push_back(region);
    layer_.venue_group_offsets.push_back(layer_.venue_group_offsets.back());
}

void GroupLayerBuilder::add_group(const AgentId* first, std::size_t count) {
    layer_.members.insert(layer_.members.end(), first, first + count);
    layer_.group_offsets.push_back(static_cast<std::uint32_t>(layer_.members.size()));
    layer_.group_venue.push_back(static_cast<std::uint32_t>(layer_.venue_kind.size() - 1));
    ++layer_.venue_group_offsets.back();
}

void merge_layers(std::vector<GroupLayer>& parts, GroupLayer& into,
                  std::vector<std::uint32_t>& group_of_agent) {
    into = GroupLayer{};
    for (auto& part : parts) {
        const auto members = static_cast<std::uint32_t>(into.members.size());
        const auto groups = static_cast<std::uint32_t>(into.groups());
        const auto venues = static_cast<std::uint32_t>(into.venues());
        into.members.insert(into.members.end(), part.members.begin(), part.members.end());
        for (std::size_t g = 1; g < part.group_offsets.size(); ++g)
            into.group_offsets.push_back(part.group_offsets[g] + members);
        for (auto v : part.group_venue) into.group_venue.push_back(v + venues);
        for (std::size_t v = 1; v < part.venue_group_offsets.size(); ++v)
            into.venue_group_offsets.push_back(part.venue_group_offsets[v] + groups);
        into.venue_kind.insert(into.venue_kind.end(), part.venue_kind.begin(),
                               part.venue_kind.end());
        into.venue_region.insert(into.venue_region.end(), part.venue_region.begin(),
                                 part.venue_region.end());
        part = GroupLayer{};  // release as we go: peak memory stays near the final size
    }
    tbb::parallel_for(std::size_t{0}, into.groups(), [&](std::size_t g) {
        for (auto i = into.group_offsets[g]; i < into.group_offsets[g + 1]; ++i) {
            group_of_agent[into.members[i]] = static_cast<std::uint32_t>(g);
        }
    });
}

}  // namespace detail

template <typename T>
static std::size_t capacity_bytes(const std::vector<T>& v) {
    return v.capacity() * sizeof(T);
}

std::size_t GroupLayer::bytes() const {
    return capacity_bytes(group_offsets) + capacity_bytes(members) + capacity_bytes(group_venue) +
           capacity_bytes(venue_group_offsets) + capacity_bytes(venue_kind) +
           capacity_bytes(venue_region);
}

std::size_t Population::bytes() const {
    return capacity_bytes(age) + capacity_bytes(region) + capacity_bytes(occupation) +
           capacity_bytes(household) + capacity_bytes(school_group) + capacity_bytes(work_group) +
           capacity_bytes(household_offsets) + capacity_bytes(region_offsets) + schools.bytes() +
           workplaces.bytes();
}

}  // namespace sortie::population
