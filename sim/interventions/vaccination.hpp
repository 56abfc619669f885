#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "sim/core/byte_stream.hpp"
#include "sim/core/rng.hpp"
#include "sim/disease/natural_history.hpp"
#include "sim/interventions/plan.hpp"
#include "sim/population/population.hpp"

namespace sortie::interventions {

using population::AgentId;

/// What a campaign may do with the next person in its queue.
enum class Offer : std::uint8_t {
    kGive,   ///< vaccinate now
    kSkip,   ///< never (dead, or vaccinated already)
    kLater,  ///< not today (in hospital): offered again, before the queue, on the next days
};

/// One vaccination campaign through a run: who accepts, in which order, and each day's doses
/// (docs/model.md, Vaccination). Deterministic and independent of threads: acceptance and the
/// place within a priority group are stable draws per agent (streams kVaccineUptake,
/// kVaccineOrder), the day's number of doses a draw per (day, campaign, region)
/// (kVaccineDoses).
class VaccinationCampaign {
  public:
    /// Builds the queues of `regions` (region indices; empty = all) for replicate `key`.
    /// `index` tells campaigns apart in the dose draws (at most 255 campaigns).
    VaccinationCampaign(const VaccinationSpec& spec, const std::vector<std::uint16_t>& regions,
                        const population::Population& population, core::RngKey key,
                        std::uint32_t index);

    /// Gives day `day`'s doses: in each region, per_100k x people / 100,000, stochastically
    /// rounded (floor(x + U) keeps the mean), first to the people left waiting, in their order,
    /// then to the next people of the queue. `offer(agent)` says whether the person can be
    /// vaccinated now; `vaccinate(agent)` is called for each dose given. Leftover doses of a
    /// region whose queue is exhausted are not given. Returns the number of doses given.
    std::uint64_t give_doses(std::uint32_t day, const std::function<Offer(AgentId)>& offer,
                             const std::function<void(AgentId)>& vaccinate);

    /// The accepting people of `region` in priority group `group`, in the order they are
    /// offered a dose (empty for a region the campaign does not serve).
    std::span<const AgentId> queue(std::uint16_t region, std::size_t group) const;
    std::size_t groups() const { return spec_.priority.size(); }
    /// The priority group of an age (the first range that contains it), or -1.
    int group_of(std::uint8_t age) const { return group_of_age_[age]; }
    const VaccinationSpec& spec() const { return spec_; }

    /// What changes through a run (places in the queues, people waiting), for checkpoints.
    void save(core::ByteWriter& out) const;
    void restore(core::ByteReader& in);

  private:
    std::vector<AgentId> build_queue(std::uint16_t region, const population::Population& people,
                                     std::vector<std::size_t>& group_sizes) const;
    std::uint64_t doses_today(std::uint32_t day, std::uint16_t region) const;
    std::uint64_t serve_waiting(std::uint16_t region, std::uint64_t doses,
                                const std::function<Offer(AgentId)>& offer,
                                const std::function<void(AgentId)>& vaccinate);
    std::uint64_t serve_queue(std::uint16_t region, std::uint64_t doses,
                              const std::function<Offer(AgentId)>& offer,
                              const std::function<void(AgentId)>& vaccinate);

    VaccinationSpec spec_;
    core::RngKey key_;
    std::uint32_t index_;
    std::array<std::int8_t, 256> group_of_age_{};
    std::vector<std::uint16_t> served_;          ///< region indices that get doses
    std::vector<double> people_;                 ///< agents per region
    std::vector<AgentId> order_;                 ///< queues of all regions, by region then group
    std::vector<std::size_t> offsets_;           ///< queue (r, g) is [offsets_[r G + g], .. + 1)
    std::vector<std::size_t> next_;              ///< per region: the next place in order_
    std::vector<std::vector<AgentId>> waiting_;  ///< per region: offered, in hospital then
};

/// The natural history of an infection of a protected person: a severe path (hospital or
/// death) becomes the mild one with probability `efficacy_severe`, so that
/// P(severe | infected, protected) = (1 - efficacy_severe) P(severe | infected). `draws` must be
/// the agent's own kVaccineSevere stream, so that unvaccinated agents' draws are unchanged.
disease::History severe_averted(const disease::History& history, double efficacy_severe,
                                const disease::DiseaseModel& disease, core::Draws& draws);

}  // namespace sortie::interventions
