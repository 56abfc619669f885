#include "sim/interventions/vaccination.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

#include "sim/core/rng_streams.hpp"

namespace sortie::interventions {

VaccinationCampaign::VaccinationCampaign(const VaccinationSpec& spec,
                                         const std::vector<std::uint16_t>& regions,
                                         const population::Population& population, core::RngKey key,
                                         std::uint32_t index)
    : spec_(spec), key_(key), index_(index), served_(regions) {
    assert(index < 256 && spec.uptake.size() == spec.priority.size());
    group_of_age_.fill(-1);
    for (std::size_t age = 0; age < group_of_age_.size(); ++age) {
        for (std::size_t g = spec_.priority.size(); g-- > 0;) {
            const auto& range = spec_.priority[g];
            if (int(age) >= range.from && int(age) <= range.to) group_of_age_[age] = std::int8_t(g);
        }
    }
    const std::size_t region_count = population.regions.size();
    if (served_.empty()) {
        for (std::size_t r = 0; r < region_count; ++r) served_.push_back(std::uint16_t(r));
    }
    for (std::size_t r = 0; r < region_count; ++r)
        people_.push_back(double(population.region_offsets[r + 1] - population.region_offsets[r]));
    // Queues are built per region in parallel; each depends on its region's agents only.
    std::vector<std::vector<AgentId>> queues(region_count);
    std::vector<std::vector<std::size_t>> sizes(region_count,
                                                std::vector<std::size_t>(groups(), 0));
    tbb::parallel_for(std::size_t{0}, served_.size(), [&](std::size_t i) {
        const std::uint16_t r = served_[i];
        queues[r] = build_queue(r, population, sizes[r]);
    });
    offsets_.push_back(0);
    for (std::size_t r = 0; r < region_count; ++r) {
        next_.push_back(order_.size());
        order_.insert(order_.end(), queues[r].begin(), queues[r].end());
        for (auto size : sizes[r]) offsets_.push_back(offsets_.back() + size);
    }
    waiting_.resize(region_count);
}

// The accepting people of a region, group after group, each group in the order of a stable
// random key per agent (ties, which are improbable, by id).
std::vector<AgentId> VaccinationCampaign::build_queue(std::uint16_t region,
                                                      const population::Population& people,
                                                      std::vector<std::size_t>& group_sizes) const {
    std::vector<std::vector<std::pair<std::uint64_t, AgentId>>> keyed(groups());
    for (AgentId a = people.region_offsets[region]; a < people.region_offsets[region + 1u]; ++a) {
        const int g = group_of(people.age[a]);
        if (g < 0) continue;
        const double u =
            core::to_unit_interval(core::draw_u64(key_, core::streams::kVaccineUptake, 0, a, 0));
        if (!(u < spec_.uptake[std::size_t(g)])) continue;
        keyed[std::size_t(g)].emplace_back(
            core::draw_u64(key_, core::streams::kVaccineOrder, 0, a, 0), a);
    }
    std::vector<AgentId> queue;
    for (std::size_t g = 0; g < groups(); ++g) {
        std::sort(keyed[g].begin(), keyed[g].end());
        for (const auto& entry : keyed[g]) queue.push_back(entry.second);
        group_sizes[g] = keyed[g].size();
    }
    return queue;
}

std::span<const AgentId> VaccinationCampaign::queue(std::uint16_t region, std::size_t group) const {
    const std::size_t at = std::size_t(region) * groups() + group;
    return {order_.data() + offsets_[at], offsets_[at + 1] - offsets_[at]};
}

std::uint64_t VaccinationCampaign::doses_today(std::uint32_t day, std::uint16_t region) const {
    const double expected = spec_.doses_per_100k * people_[region] / 1e5;
    core::Draws draws(key_, core::streams::kVaccineDoses, day,
                      index_ << 16 | std::uint32_t{region});
    return static_cast<std::uint64_t>(std::floor(expected + draws.uniform()));
}

std::uint64_t VaccinationCampaign::give_doses(std::uint32_t day,
                                              const std::function<Offer(AgentId)>& offer,
                                              const std::function<void(AgentId)>& vaccinate) {
    std::uint64_t given = 0;
    for (const std::uint16_t r : served_) {
        const std::uint64_t doses = doses_today(day, r);
        const std::uint64_t to_waiting = serve_waiting(r, doses, offer, vaccinate);
        given += to_waiting + serve_queue(r, doses - to_waiting, offer, vaccinate);
    }
    return given;
}

// People who were in hospital when their turn came are served first, in their order; those
// still in hospital keep waiting.
std::uint64_t VaccinationCampaign::serve_waiting(std::uint16_t region, std::uint64_t doses,
                                                 const std::function<Offer(AgentId)>& offer,
                                                 const std::function<void(AgentId)>& vaccinate) {
    auto& waiting = waiting_[region];
    std::uint64_t given = 0;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < waiting.size(); ++i) {
        const AgentId a = waiting[i];
        const Offer answer = given < doses ? offer(a) : Offer::kLater;
        if (answer == Offer::kGive) {
            vaccinate(a);
            ++given;
        } else if (answer == Offer::kLater) {
            waiting[kept++] = a;
        }
    }
    waiting.resize(kept);
    return given;
}

std::uint64_t VaccinationCampaign::serve_queue(std::uint16_t region, std::uint64_t doses,
                                               const std::function<Offer(AgentId)>& offer,
                                               const std::function<void(AgentId)>& vaccinate) {
    const std::size_t end = offsets_[(std::size_t(region) + 1) * groups()];
    std::uint64_t given = 0;
    auto& next = next_[region];
    while (given < doses && next < end) {
        const AgentId a = order_[next++];
        const Offer answer = offer(a);
        if (answer == Offer::kGive) {
            vaccinate(a);
            ++given;
        } else if (answer == Offer::kLater) {
            waiting_[region].push_back(a);
        }
    }
    return given;
}

disease::History severe_averted(const disease::History& history, double efficacy_severe,
                                const disease::DiseaseModel& disease, core::Draws& draws) {
    if (!disease::severe(history.path) || !(draws.uniform() < efficacy_severe)) return history;
    return disease.mild_instead(history, draws);
}

void VaccinationCampaign::save(core::ByteWriter& out) const {
    out.array(next_);
    for (const auto& waiting : waiting_) out.array(waiting);
}

void VaccinationCampaign::restore(core::ByteReader& in) {
    in.array(next_, next_.size());
    for (auto& waiting : waiting_) in.array(waiting);
}

}  // namespace sortie::interventions
