// Households: sizes from the census distribution, then a composition rule that places every
// minor with at least one adult while each region keeps its exact age quota. The rule and its
// approximations are documented in docs/model.md ("Households").
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "sim/core/alias_table.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/core/samplers.hpp"
#include "sim/population/detail/age_pool.hpp"
#include "sim/population/detail/steps.hpp"

namespace sortie::population::detail {
namespace {

enum class HouseholdType : std::uint8_t {
    kSingle,
    kCouple,
    kCoupleWithChildren,
    kSingleParent,
    kAdults
};

constexpr int kAdultAge = 18;
// The open last size class ("6 or more") gets 0, 1, 2... extra people with a geometric law of
// ratio 1/3, mean 0.5: mean size 6.5 for "6+", INED's figure from census 2015
// (scenarios/data/france/README.md).
constexpr double kExtraPersonRatio = 1.0 / 3.0;
constexpr int kMaxHouseholdSize = 20;

// Shares of household types by size (estimates from INSEE's 2017 household composition:
// couples without children 26% of households, couples with children 25%, single parents 9%,
// other households 4%; split over sizes in docs/model.md).
constexpr double kSizeTwoCouple = 0.78, kSizeTwoSingleParent = 0.16;
constexpr double kLargeCoupleWithChildren = 0.80, kLargeSingleParent = 0.12;

// Relative propensity to live alone by age (INSEE, share of people living alone by age group,
// census 2017, rounded): weights for drawing the age of one-person households.
ByAge living_alone_weights() {
    ByAge w{};
    for (std::size_t a = 0; a < kAges; ++a) {
        w[a] = a < 18   ? 0.0
               : a < 20 ? 0.03
               : a < 25 ? 0.14
               : a < 30 ? 0.19
               : a < 40 ? 0.14
               : a < 55 ? 0.13
               : a < 65 ? 0.19
               : a < 75 ? 0.25
               : a < 80 ? 0.32
                        : 0.45;
    }
    return w;
}

HouseholdType draw_type(int size, double u) {
    if (size == 1) return HouseholdType::kSingle;
    if (size == 2) {
        if (u < kSizeTwoCouple) return HouseholdType::kCouple;
        return u < kSizeTwoCouple + kSizeTwoSingleParent ? HouseholdType::kSingleParent
                                                         : HouseholdType::kAdults;
    }
    if (u < kLargeCoupleWithChildren) return HouseholdType::kCoupleWithChildren;
    return u < kLargeCoupleWithChildren + kLargeSingleParent ? HouseholdType::kSingleParent
                                                             : HouseholdType::kAdults;
}

std::uint64_t child_slots(HouseholdType type, int size) {
    if (type == HouseholdType::kCoupleWithChildren) return static_cast<std::uint64_t>(size - 2);
    if (type == HouseholdType::kSingleParent) return static_cast<std::uint64_t>(size - 1);
    return 0;
}

std::array<std::uint64_t, kAges> age_quota(const RegionSlice& slice) {
    const std::vector<double> weights(slice.age_distribution.begin(), slice.age_distribution.end());
    const auto parts = apportion(slice.people, weights);
    std::array<std::uint64_t, kAges> quota{};
    std::copy(parts.begin(), parts.end(), quota.begin());
    return quota;
}

// Turns adult-only households into households with children until every minor has a slot, so
// that no child ends up without an adult (only tiny populations ever need it).
void ensure_child_slots(std::vector<HouseholdType>& types, const std::vector<std::uint8_t>& sizes,
                        std::uint64_t minors) {
    std::uint64_t slots = 0;
    for (std::size_t h = 0; h < types.size(); ++h) slots += child_slots(types[h], sizes[h]);
    for (std::size_t h = 0; h < types.size() && slots < minors; ++h) {
        if (types[h] == HouseholdType::kCouple || types[h] == HouseholdType::kAdults) {
            slots -= child_slots(types[h], sizes[h]);
            types[h] =
                sizes[h] == 2 ? HouseholdType::kSingleParent : HouseholdType::kCoupleWithChildren;
            slots += child_slots(types[h], sizes[h]);
        }
    }
}

struct HouseholdFiller {
    AgePool& pool;
    core::Draws& draws;

    int any_adult_near(int target) {
        const int age =
            pool.take_nearest(std::clamp(target, kAdultAge, kMaxAge), kAdultAge, kMaxAge);
        return age >= 0 ? age : pool.take_nearest(target, 0, kMaxAge);
    }
    int any_adult_proportional() {
        const int age = pool.take_proportional(draws, kAdultAge, kMaxAge);
        return age >= 0 ? age : pool.take_proportional(draws, 0, kMaxAge);
    }
    // Children are minors while any are left, then young adults still living with parents.
    int first_child() {
        int age = pool.take_proportional(draws, 0, kAdultAge - 1);
        if (age < 0) age = pool.take_proportional(draws, kAdultAge, 29);
        return age >= 0 ? age : any_adult_proportional();
    }
    int sibling_of(int first) {
        const int target = first + static_cast<int>(core::uniform_int(draws, 9)) - 4;
        const bool minors_left = pool.count_in(0, kAdultAge - 1) > 0;
        const int age = minors_left ? pool.take_nearest(target, 0, kAdultAge - 1)
                                    : pool.take_nearest(target, kAdultAge, kMaxAge);
        return age >= 0 ? age : pool.take_nearest(target, 0, kMaxAge);
    }
    // Mean age of parents at birth about 31 (INSEE, mean age of mothers at birth 30.7 in 2019).
    int parent_of(int eldest_child) {
        const double gap = std::clamp(31.0 + 5.0 * core::standard_normal(draws), 18.0, 45.0);
        return any_adult_near(eldest_child + static_cast<int>(std::lround(gap)));
    }
    // Partners are of similar age (sd of 4 years: estimate).
    int partner_of(int age) {
        return any_adult_near(age +
                              static_cast<int>(std::lround(4.0 * core::standard_normal(draws))));
    }
};

void fill_one(HouseholdType type, int size, HouseholdFiller& filler, const ByAge& alone,
              std::uint8_t* ages) {
    switch (type) {
        case HouseholdType::kSingle: {
            const int age = filler.pool.take_weighted(filler.draws, alone, kAdultAge, kMaxAge);
            ages[0] = static_cast<std::uint8_t>(age >= 0 ? age : filler.any_adult_proportional());
            return;
        }
        case HouseholdType::kCouple:
            ages[0] = static_cast<std::uint8_t>(filler.any_adult_proportional());
            ages[1] = static_cast<std::uint8_t>(filler.partner_of(ages[0]));
            return;
        case HouseholdType::kAdults:
            for (int i = 0; i < size; ++i)
                ages[i] = static_cast<std::uint8_t>(filler.any_adult_proportional());
            return;
        case HouseholdType::kCoupleWithChildren:
        case HouseholdType::kSingleParent: {
            const int parents = type == HouseholdType::kCoupleWithChildren ? 2 : 1;
            const int first = filler.first_child();
            int eldest = first;
            ages[parents] = static_cast<std::uint8_t>(first);
            for (int i = parents + 1; i < size; ++i) {
                ages[i] = static_cast<std::uint8_t>(filler.sibling_of(first));
                eldest = std::max<int>(eldest, ages[i]);
            }
            ages[0] = static_cast<std::uint8_t>(filler.parent_of(eldest));
            if (parents == 2) ages[1] = static_cast<std::uint8_t>(filler.partner_of(ages[0]));
            return;
        }
    }
}

// Households are filled in passes: with children first (so minors find places), then other
// multi-adult households, singles, couples. Within a pass the order is shuffled so that the
// draining of the age pool leaves no trace in agent numbering.
int pass_of(HouseholdType type) {
    switch (type) {
        case HouseholdType::kCoupleWithChildren:
        case HouseholdType::kSingleParent:
            return 0;
        case HouseholdType::kAdults:
            return 1;
        case HouseholdType::kSingle:
            return 2;
        case HouseholdType::kCouple:
            return 3;
    }
    return 3;
}

std::vector<std::uint32_t> fill_order(const RegionSlice& slice,
                                      const std::vector<HouseholdType>& types, core::RngKey key) {
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed(types.size());
    for (std::uint32_t h = 0; h < types.size(); ++h) {
        const std::uint64_t shuffle =
            core::draw_u64(key, core::streams::kHouseholdOrder, slice.region, h, 0) >> 2;
        keyed[h] = {(std::uint64_t(pass_of(types[h])) << 62) | shuffle, h};
    }
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::uint32_t> order(types.size());
    for (std::size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
    return order;
}

}  // namespace

std::vector<std::uint8_t> draw_household_sizes(const RegionSlice& slice,
                                               const std::vector<double>& size_shares,
                                               core::RngKey key) {
    const core::AliasTable table(size_shares);
    const int open_class = static_cast<int>(size_shares.size());
    std::vector<std::uint8_t> sizes;
    sizes.reserve(static_cast<std::size_t>(static_cast<double>(slice.people) / 2.0) + 16);
    std::uint64_t placed = 0;
    for (std::uint32_t h = 0; placed < slice.people; ++h) {
        core::Draws draws(key, core::streams::kHouseholdSizes, slice.region, h);
        int size = static_cast<int>(table.sample(draws)) + 1;
        if (size == open_class) {
            while (size < kMaxHouseholdSize && draws.uniform() < kExtraPersonRatio) ++size;
        }
        size = static_cast<int>(
            std::min<std::uint64_t>(static_cast<std::uint64_t>(size), slice.people - placed));
        sizes.push_back(static_cast<std::uint8_t>(size));
        placed += static_cast<std::uint64_t>(size);
    }
    return sizes;
}

void fill_households(const RegionSlice& slice, core::RngKey key, Population& population) {
    const auto& sizes = slice.household_sizes;
    std::vector<HouseholdType> types(sizes.size());
    for (std::uint32_t h = 0; h < sizes.size(); ++h) {
        core::Draws draws(key, core::streams::kHouseholdTypes, slice.region, h);
        types[h] = draw_type(sizes[h], draws.uniform());
    }
    auto quota = age_quota(slice);
    ensure_child_slots(types, sizes,
                       std::accumulate(quota.begin(), quota.begin() + kAdultAge, std::uint64_t{0}));

    std::vector<AgentId> first_member(sizes.size() + 1, slice.first_agent);
    for (std::size_t h = 0; h < sizes.size(); ++h) first_member[h + 1] = first_member[h] + sizes[h];

    AgePool pool(quota);
    const ByAge alone = living_alone_weights();
    for (const std::uint32_t h : fill_order(slice, types, key)) {
        core::Draws draws(key, core::streams::kHouseholdAges, slice.region, h);
        HouseholdFiller filler{pool, draws};
        fill_one(types[h], sizes[h], filler, alone, &population.age[first_member[h]]);
    }
    for (std::uint32_t h = 0; h < sizes.size(); ++h) {
        const std::uint32_t id = slice.first_household + h;
        population.household_offsets[id + 1] = first_member[h + 1];
        for (AgentId a = first_member[h]; a < first_member[h + 1]; ++a)
            population.household[a] = id;
    }
}

}  // namespace sortie::population::detail
