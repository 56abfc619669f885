// Schools: attendance by single year of age, one level per age, schools cut from the level's
// pupils in agent order (so a school draws from neighbouring households), classes cut from a
// school's pupils sorted by age (mostly one age, some mixed-age classes, as in French schools),
// and one teacher per class chosen among the region's workers.
#include <algorithm>
#include <cmath>

#include "sim/core/rng_streams.hpp"
#include "sim/core/samplers.hpp"
#include "sim/population/detail/steps.hpp"

namespace sortie::population::detail {
namespace {

// Teachers are drawn among workers of these ages.
constexpr int kTeacherMinAge = 23, kTeacherMaxAge = 64;

struct ClassRange {
    std::size_t level, first, count;  // a slice of pupils_by_level[level]
};

std::size_t level_of(const std::vector<SchoolLevel>& levels, int age) {
    for (std::size_t i = 0; i < levels.size(); ++i) {
        if (age <= levels[i].age_to) return i;
    }
    return levels.size() - 1;  // older students are at university
}

struct Pupils {
    std::vector<std::vector<AgentId>> by_level;
    std::vector<bool> in_slice;  ///< whether agent first_agent + i is a pupil
};

Pupils find_pupils(const RegionSlice& slice, const PopulationTables& tables, core::RngKey key,
                   const Population& population) {
    Pupils pupils{std::vector<std::vector<AgentId>>(tables.school_levels.size()),
                  std::vector<bool>(slice.people, false)};
    const AgentId end = slice.first_agent + static_cast<AgentId>(slice.people);
    for (AgentId a = slice.first_agent; a < end; ++a) {
        const auto age = population.age[a];
        core::Draws draws(key, core::streams::kSchoolAttendance, 0, a);
        if (core::bernoulli(draws, tables.enrolment_by_age[age])) {
            pupils.by_level[level_of(tables.school_levels, age)].push_back(a);
            pupils.in_slice[a - slice.first_agent] = true;
        }
    }
    return pupils;
}

std::size_t parts_of(std::size_t people, double mean_size) {
    return std::max<std::size_t>(
        1, static_cast<std::size_t>(std::llround(double(people) / mean_size)));
}

// Cuts each level into schools and each school into classes; returns classes grouped by school.
std::vector<std::vector<ClassRange>> plan_schools(std::vector<std::vector<AgentId>>& pupils,
                                                  const PopulationTables& tables,
                                                  const Population& population) {
    std::vector<std::vector<ClassRange>> schools;
    for (std::size_t level = 0; level < pupils.size(); ++level) {
        auto& list = pupils[level];
        if (list.empty()) continue;
        const auto& spec = tables.school_levels[level];
        const std::size_t n = list.size();
        const std::size_t school_count = parts_of(n, spec.class_size * spec.classes_per_school);
        for (std::size_t s = 0; s < school_count; ++s) {
            const std::size_t first = s * n / school_count, last = (s + 1) * n / school_count;
            std::stable_sort(
                list.begin() + long(first), list.begin() + long(last),
                [&](AgentId x, AgentId y) { return population.age[x] < population.age[y]; });
            const std::size_t m = last - first, class_count = parts_of(m, spec.class_size);
            auto& classes = schools.emplace_back();
            for (std::size_t c = 0; c < class_count; ++c) {
                classes.push_back({level, first + c * m / class_count,
                                   (c + 1) * m / class_count - c * m / class_count});
            }
        }
    }
    return schools;
}

// Systematic sampling over the candidates in agent order: teachers spread over the region
// like the classes they teach. Working students are not candidates: one class per person.
std::vector<AgentId> choose_teachers(const RegionSlice& slice, std::size_t classes,
                                     const std::vector<bool>& is_pupil, core::RngKey key,
                                     Population& population) {
    std::vector<AgentId> candidates;
    const AgentId end = slice.first_agent + static_cast<AgentId>(slice.people);
    for (AgentId a = slice.first_agent; a < end; ++a) {
        if (!is_pupil[a - slice.first_agent] && population.occupation[a] == Occupation::kOther &&
            population.age[a] >= kTeacherMinAge && population.age[a] <= kTeacherMaxAge) {
            candidates.push_back(a);
        }
    }
    const std::size_t chosen = std::min(classes, candidates.size());
    std::vector<AgentId> teachers(chosen);
    if (chosen == 0) return teachers;
    const double step = double(candidates.size()) / double(chosen);
    core::Draws draws(key, core::streams::kTeachers, slice.region, 0);
    const double offset = draws.uniform() * step;
    for (std::size_t i = 0; i < chosen; ++i) {
        teachers[i] = candidates[std::min(candidates.size() - 1,
                                          static_cast<std::size_t>(offset + double(i) * step))];
        population.occupation[teachers[i]] = Occupation::kTeacher;
    }
    return teachers;
}

}  // namespace

GroupLayer build_schools(const RegionSlice& slice, const PopulationTables& tables, core::RngKey key,
                         Population& population) {
    auto found = find_pupils(slice, tables, key, population);
    auto& pupils = found.by_level;
    const auto schools = plan_schools(pupils, tables, population);
    std::size_t class_total = 0;
    for (const auto& classes : schools) class_total += classes.size();
    const auto teachers = choose_teachers(slice, class_total, found.in_slice, key, population);

    GroupLayerBuilder builder;
    std::vector<AgentId> members;
    std::size_t class_index = 0;
    for (const auto& classes : schools) {
        builder.begin_venue(static_cast<VenueKind>(classes.front().level), slice.region);
        for (const auto& range : classes) {
            const auto& list = pupils[range.level];
            members.assign(list.begin() + long(range.first),
                           list.begin() + long(range.first + range.count));
            if (class_index < teachers.size()) members.push_back(teachers[class_index]);
            ++class_index;
            builder.add_group(members.data(), members.size());
        }
    }
    return builder.finish();
}

}  // namespace sortie::population::detail
