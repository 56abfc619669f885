#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <map>
#include <numeric>

#include "sim/core/error.hpp"
#include "sim/population/build.hpp"
#include "tests/support/france.hpp"
#include "tests/support/statistics.hpp"

using namespace sortie::population;
using sortie::testing::france_million;
using sortie::testing::france_tables;
using sortie::testing::kMillion;

namespace {

// Expected national age distribution: the regional distributions weighted by region size.
std::vector<double> expected_age_counts(const Population& population) {
    std::vector<double> expected(kAges, 0.0);
    for (std::size_t r = 0; r < population.regions.size(); ++r) {
        const auto& row =
            *std::find_if(france_tables().regions.begin(), france_tables().regions.end(),
                          [&](const RegionRow& x) { return x.key == population.regions[r].key; });
        const auto share = region_age_distribution(france_tables(), row);
        const double people = population.region_offsets[r + 1] - population.region_offsets[r];
        for (std::size_t a = 0; a < kAges; ++a) expected[a] += people * share[a];
    }
    return expected;
}

// Binomial check of a share: |observed - p| within 4 standard errors (n trials).
void check_share(double observed, double expected, double n) {
    const double se = std::sqrt(std::max(expected * (1.0 - expected), 1e-12) / n);
    CHECK(std::fabs(observed - expected) <= 4.0 * se + 1e-12);
}

}  // namespace

TEST_CASE("the population has the requested size and its regions' shares") {
    const auto& population = france_million();
    CHECK(population.size() == kMillion);
    CHECK(population.regions.size() == 13);
    double total = 0;
    for (const auto& row : france_tables().regions) total += row.population;
    for (std::size_t r = 0; r < 13; ++r) {
        const double people = population.region_offsets[r + 1] - population.region_offsets[r];
        CHECK(std::fabs(people - kMillion * france_tables().regions[r].population / total) <= 1.0);
        for (AgentId a = population.region_offsets[r]; a < population.region_offsets[r + 1];
             a += 997) {
            REQUIRE(population.region[a] == r);
        }
    }
}

TEST_CASE("ages follow the input distribution (chi-square, p > 0.001)") {
    const auto& population = france_million();
    std::vector<double> observed(kAges, 0.0);
    for (auto age : population.age) observed[age] += 1.0;
    const auto expected = expected_age_counts(population);
    const double statistic = sortie::testing::chi_square(observed, expected);
    CAPTURE(statistic);
    CHECK(statistic < sortie::testing::chi_square_critical_0001(kAges - 1));
}

TEST_CASE("household sizes follow the census distribution (chi-square, p > 0.001)") {
    const auto& population = france_million();
    const auto& shares = france_tables().household_size_shares;
    std::vector<double> observed(shares.size(), 0.0);
    for (std::uint32_t h = 0; h < population.households(); ++h) {
        observed[std::min<std::size_t>(population.household_size(h), shares.size()) - 1] += 1.0;
    }
    // Each region's last household is cut to fit the quota: at most 13 households differ.
    const double households = double(population.households());
    std::vector<double> expected;
    for (double s : shares) expected.push_back(households * s);
    const double statistic = sortie::testing::chi_square(observed, expected);
    CAPTURE(statistic);
    CHECK(statistic < sortie::testing::chi_square_critical_0001(double(shares.size() - 1)));
    // Mean size about 2.2 persons (INSEE).
    CHECK(double(population.size()) / households == doctest::Approx(2.2).epsilon(0.03));
}

TEST_CASE("household members are consecutive agents and every child under 15 lives with an adult") {
    const auto& population = france_million();
    std::size_t children = 0;
    for (std::uint32_t h = 0; h < population.households(); ++h) {
        bool has_child = false, has_adult = false;
        for (AgentId a = population.household_offsets[h]; a < population.household_offsets[h + 1];
             ++a) {
            REQUIRE(population.household[a] == h);
            has_child = has_child || population.age[a] < 15;
            has_adult = has_adult || population.age[a] >= 18;
        }
        if (has_child) {
            ++children;
            REQUIRE(has_adult);
        }
    }
    CHECK(children > 0);
}

TEST_CASE("school attendance by age matches the enrolment table") {
    const auto& population = france_million();
    std::vector<double> people(kAges, 0.0), pupils(kAges, 0.0);
    for (AgentId a = 0; a < population.size(); ++a) {
        people[population.age[a]] += 1.0;
        const bool pupil = population.school_group[a] != kNoGroup &&
                           population.occupation[a] != Occupation::kTeacher;
        if (pupil) pupils[population.age[a]] += 1.0;
    }
    for (std::size_t age = 0; age < 30; ++age) {
        CAPTURE(age);
        check_share(pupils[age] / people[age], france_tables().enrolment_by_age[age], people[age]);
    }
}

TEST_CASE(
    "employment by age matches the employment table, and teachers and health staff are workers") {
    const auto& population = france_million();
    std::vector<double> people(kAges, 0.0), employed(kAges, 0.0);
    std::map<Occupation, double> occupations;
    for (AgentId a = 0; a < population.size(); ++a) {
        people[population.age[a]] += 1.0;
        const auto occupation = population.occupation[a];
        occupations[occupation] += 1.0;
        if (occupation != Occupation::kNotEmployed) employed[population.age[a]] += 1.0;
        const bool teacher = occupation == Occupation::kTeacher;
        const bool at_work = population.work_group[a] != kNoGroup;
        REQUIRE(at_work == (occupation != Occupation::kNotEmployed && !teacher));
        if (teacher) REQUIRE(population.school_group[a] != kNoGroup);
    }
    for (std::size_t age = 15; age < 75; ++age) {
        CAPTURE(age);
        check_share(employed[age] / people[age], france_tables().employment_by_age[age],
                    people[age]);
    }
    const double workers = double(population.size()) - occupations[Occupation::kNotEmployed];
    const auto& hc = france_tables().healthcare;
    // Health-care shares apply to adult workers; the few employed minors make them a bit lower.
    CHECK(occupations[Occupation::kHospitalNurseOrCarer] / workers ==
          doctest::Approx(hc.hospital_nurse_or_carer).epsilon(0.1));
    CHECK(occupations[Occupation::kCareHomeStaff] / workers ==
          doctest::Approx(hc.care_home).epsilon(0.1));
    // One teacher per class.
    CHECK(occupations[Occupation::kTeacher] == double(population.schools.groups()));
}

TEST_CASE("classes and workplaces have the sizes of their tables") {
    const auto& population = france_million();
    const auto& schools = population.schools;
    std::vector<double> pupils(france_tables().school_levels.size(), 0.0),
        classes(pupils.size(), 0.0);
    for (std::uint32_t g = 0; g < schools.groups(); ++g) {
        const auto level = static_cast<std::size_t>(schools.venue_kind[schools.group_venue[g]]);
        pupils[level] += schools.group_size(g) - 1.0;  // minus the teacher
        classes[level] += 1.0;
    }
    for (std::size_t level = 0; level < pupils.size(); ++level) {
        CAPTURE(france_tables().school_levels[level].name);
        CHECK(pupils[level] / classes[level] ==
              doctest::Approx(france_tables().school_levels[level].class_size).epsilon(0.1));
    }
    // Workplaces by size class (general workplaces): class c is drawn with probability
    // proportional to share_c / mean size_c (log-uniform within the class); chi-square on counts.
    const auto& work = population.workplaces;
    const auto& size_classes = france_tables().workplace_sizes;
    std::vector<double> observed(size_classes.size(), 0.0), weight(size_classes.size(), 0.0);
    double weight_sum = 0.0, workplaces = 0.0;
    for (std::size_t c = 0; c < size_classes.size(); ++c) {
        const double a = size_classes[c].size_from, b = size_classes[c].size_to;
        weight[c] = size_classes[c].share_of_workers / (b > a ? (b - a) / std::log(b / a) : a);
        weight_sum += weight[c];
    }
    for (std::uint32_t v = 0; v < work.venues(); ++v) {
        if (work.venue_kind[v] != VenueKind::kWorkplace) continue;
        const auto size = int(work.venue_size(v));
        for (std::size_t c = 0; c < size_classes.size(); ++c) {
            // Sizes are rounded from a continuous law: class edges are fuzzy by half a person.
            if (size >= size_classes[c].size_from && size <= size_classes[c].size_to)
                observed[c] += 1.0;
        }
        workplaces += 1.0;
    }
    // Merge the classes above 100 people: they hold few workplaces at 10^6 agents.
    std::vector<double> merged_observed, merged_expected;
    for (std::size_t c = 0; c < size_classes.size(); ++c) {
        const double expected = workplaces * weight[c] / weight_sum;
        if (c <= 4) {
            merged_observed.push_back(observed[c]);
            merged_expected.push_back(expected);
        } else {
            merged_observed.back() += observed[c];
            merged_expected.back() += expected;
        }
    }
    const double statistic = sortie::testing::chi_square(merged_observed, merged_expected);
    CAPTURE(statistic);
    CHECK(statistic <
          sortie::testing::chi_square_critical_0001(double(merged_expected.size() - 1)));
}

TEST_CASE("every agent of a group points back to that group") {
    const auto& population = france_million();
    for (const auto* layer_and_column : {&population.schools, &population.workplaces}) {
        const auto& column = layer_and_column == &population.schools ? population.school_group
                                                                     : population.work_group;
        std::size_t members = 0;
        for (std::uint32_t g = 0; g < layer_and_column->groups(); ++g) {
            for (auto i = layer_and_column->group_offsets[g];
                 i < layer_and_column->group_offsets[g + 1]; ++i) {
                REQUIRE(column[layer_and_column->members[i]] == g);
                ++members;
            }
        }
        CHECK(members ==
              std::count_if(column.begin(), column.end(), [](auto g) { return g != kNoGroup; }));
    }
}

TEST_CASE(
    "the same seed gives the same population with 1 and 2 threads, and another seed does not") {
    const PopulationSpec spec{200000, {"idf", "bre", "cor"}, 10.0};
    const auto key = sortie::core::RngKey::from_seed(7);
    auto build_with = [&](int threads) {
        tbb::global_control control(tbb::global_control::max_allowed_parallelism,
                                    std::size_t(threads));
        return build(spec, france_tables(), key);
    };
    const auto one = build_with(1);
    const auto two = build_with(2);
    CHECK(one.age == two.age);
    CHECK(one.household_offsets == two.household_offsets);
    CHECK(one.occupation == two.occupation);
    CHECK(one.school_group == two.school_group);
    CHECK(one.work_group == two.work_group);
    CHECK(one.schools.members == two.schools.members);
    CHECK(one.workplaces.members == two.workplaces.members);
    const auto other = build(spec, france_tables(), sortie::core::RngKey::from_seed(8));
    CHECK(other.age != one.age);
}

TEST_CASE("a small population stays within its bytes-per-agent budget") {
    const auto& population = france_million();
    CHECK(double(population.bytes()) / double(population.size()) < 32.0);
}

TEST_CASE("bad specs are refused with the key that is wrong") {
    CHECK_THROWS_WITH_AS(build({1000, {"idf", "atlantis"}, 10.0}, france_tables(), {}),
                         doctest::Contains("population.regions: unknown region 'atlantis'"),
                         sortie::core::InputError);
    CHECK_THROWS_WITH_AS(build({0, {}, 10.0}, france_tables(), {}),
                         doctest::Contains("population.size: must be between 1 and"),
                         sortie::core::InputError);
}

TEST_CASE("apportion splits exactly and in proportion") {
    const auto parts = apportion(10, {1.0, 1.0, 1.0});
    CHECK(std::accumulate(parts.begin(), parts.end(), std::uint64_t{0}) == 10);
    CHECK(parts == std::vector<std::uint64_t>{4, 3, 3});
    CHECK(apportion(7, {0.0, 2.0, 5.0}) == std::vector<std::uint64_t>{0, 2, 5});
}
