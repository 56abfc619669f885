#include "sim/contacts/survey.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

namespace sortie::contacts {
namespace {

// Every field is a sum of integer counts held in doubles (exact below 2^53), so the
// reduction is exact and independent of how TBB splits the range.
void add(ContactSurvey& into, const ContactSurvey& other) {
    into.agents_sampled += other.agents_sampled;
    for (std::size_t i = 0; i < kAgeBands; ++i) into.people_by_band[i] += other.people_by_band[i];
    for (std::size_t l = 0; l < kLayers; ++l) {
        into.members[l] += other.members[l];
        into.member_contacts[l] += other.member_contacts[l];
        for (std::size_t i = 0; i < kAgeBands; ++i) {
            into.contacts_by_band[l][i] += other.contacts_by_band[l][i];
            for (std::size_t j = 0; j < kAgeBands; ++j)
                into.mixing[l][i][j] += other.mixing[l][i][j];
        }
    }
}

void survey_one(const population::Population& population, const ContactModel& model,
                core::RngKey key, std::uint32_t day, AgentId agent, ContactSurvey& survey) {
    const std::size_t band = age_band(population.age[agent]);
    std::array<double, kLayers> made{};
    ++survey.agents_sampled;
    survey.people_by_band[band] += 1.0;
    model.for_each_contact(agent, day, key, [&](AgentId other, Layer layer) {
        const auto l = static_cast<std::size_t>(layer);
        made[l] += 1.0;
        survey.mixing[l][band][age_band(population.age[other])] += 1.0;
    });
    const bool member[kLayers] = {true, population.school_group[agent] != population::kNoGroup,
                                  population.work_group[agent] != population::kNoGroup, true,
                                  false};
    for (std::size_t l = 0; l < kLayers; ++l) {
        survey.contacts_by_band[l][band] += made[l];
        if (member[l]) {
            survey.members[l] += 1.0;
            survey.member_contacts[l] += made[l];
        }
    }
}

}  // namespace

double ContactSurvey::mean(Layer layer) const {
    double total = 0.0;
    for (double c : contacts_by_band[static_cast<std::size_t>(layer)]) total += c;
    return agents_sampled ? total / double(agents_sampled) : 0.0;
}

double ContactSurvey::mean_per_member(Layer layer) const {
    const auto l = static_cast<std::size_t>(layer);
    return members[l] > 0 ? member_contacts[l] / members[l] : 0.0;
}

double ContactSurvey::mean_in_band(Layer layer, std::size_t band) const {
    const double people = people_by_band[band];
    return people > 0 ? contacts_by_band[static_cast<std::size_t>(layer)][band] / people : 0.0;
}

ContactSurvey survey_contacts(const population::Population& population, const ContactModel& model,
                              core::RngKey key, std::uint32_t day, std::uint64_t max_agents) {
    const std::uint64_t n = population.size();
    const std::uint64_t sampled = std::min(n, max_agents);
    return tbb::parallel_reduce(
        tbb::blocked_range<std::uint64_t>(0, sampled), ContactSurvey{},
        [&](const tbb::blocked_range<std::uint64_t>& range, ContactSurvey survey) {
            for (std::uint64_t i = range.begin(); i < range.end(); ++i) {
                survey_one(population, model, key, day, static_cast<AgentId>(i * n / sampled),
                           survey);
            }
            return survey;
        },
        [](ContactSurvey a, const ContactSurvey& b) {
            add(a, b);
            return a;
        });
}

}  // namespace sortie::contacts
