#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "sim/contacts/layers.hpp"
#include "sim/contacts/matrix.hpp"
#include "sim/core/alias_table.hpp"
#include "sim/core/philox_batch.hpp"
#include "sim/core/rng.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/core/samplers.hpp"
#include "sim/population/population.hpp"

namespace sortie::contacts {

using population::AgentId;

/// A contact found by ContactModel::collect(): an agent, or while `pending` a position in the
/// community index (community) or in the members of schools or workplaces (venue picks).
struct FoundContact {
    // Left uninitialised on purpose: household_into() resizes the list, then writes each new
    // element; with `= default`, resize() zeroed them first (1-2% of the kernel's time).
    FoundContact() {}
    FoundContact(AgentId other_agent, Layer contact_layer, bool is_pending)
        : other(other_agent), layer(contact_layer), pending(is_pending) {}
    AgentId other;
    Layer layer;
    bool pending;
};

/// The first of an agent's venue and community draws of a day, computed in advance (or none).
struct ContactDraws {
    core::PrecomputedDraws school_venue, work_venue, community;
};

/// Mean contacts per day by layer, and how they split between small groups and venues.
/// Defaults: Mistry et al. (2021), mean effective contacts per day by setting; the group
/// shares are estimates (docs/model.md).
struct ContactSpec {
    double school_per_day = 11.41;       ///< per pupil or teacher, on a school day
    double school_class_share = 0.75;    ///< part of school contacts made within the class
    double work_per_day = 8.07;          ///< per worker, on a work day
    double work_team_share = 0.6;        ///< part of work contacts made within the team
    double community_per_day = 2.79;     ///< per person, mean over the population
    double outside_region_share = 0.05;  ///< community contacts with another region
    ContactMatrix community;
};

/// The parameters derived from a spec on one population (what the kernels read).
struct LayerRates {
    double class_pair_probability = 0, school_venue_mean = 0;
    double team_pair_probability = 0, work_venue_mean = 0;
    ByBand community_mean{};  ///< community contacts per day by the agent's age band
};

/// Community contacts on a population with `band_people` people by age band: C[i][j], the
/// mean contacts per day of a person of band i with people of band j. The per-pair rates
/// F[i][j] / Nref[j] of the matrix are kept (they are symmetric) and multiplied by this
/// population's N[j]; the whole is scaled so that the population mean is `per_day`. So
/// N[i] C[i][j] = N[j] C[j][i] holds on this population (docs/model.md).
BandMatrix community_contact_rates(const ContactMatrix& matrix, const ByBand& band_people,
                                   double per_day);

/// Who meets whom on a day. Household members meet daily; classmates and team-mates each meet
/// with a pair probability (symmetric: the same draw decides a-b and b-a); school-wide and
/// workplace-wide contacts and community contacts are drawn per agent and day. Nothing is
/// stored per contact: a day's contacts are a pure function of (key, day, agent).
class ContactModel {
  public:
    /// Throws core::InputError if the spec is out of range.
    ContactModel(const population::Population& population, const ContactSpec& spec);

    /// Calls visit(other, layer) for every contact of `agent` on `day`.
    template <typename Visit>
    void for_each_contact(AgentId agent, std::uint32_t day, core::RngKey key, Visit&& visit) const {
        household(agent, visit);
        school(agent, day, key, visit);
        work(agent, day, key, visit);
        community(agent, day, key, visit);
    }

    template <typename Visit>
    void household(AgentId agent, Visit&& visit) const {
        const auto h = population_->household[agent];
        for (auto other = population_->household_offsets[h];
             other < population_->household_offsets[h + 1]; ++other) {
            if (other != agent) visit(other, Layer::kHousehold);
        }
    }

    /// household(), appending to `out` without a branch per member (which one is the agent
    /// is as good as random to the processor): each is written, the end moves past the others.
    void household_into(AgentId agent, std::vector<FoundContact>& out) const {
        const auto h = population_->household[agent];
        const AgentId first = population_->household_offsets[h],
                      last = population_->household_offsets[h + 1];
        std::size_t end = out.size();
        out.resize(end + (last - first));
        for (AgentId other = first; other < last; ++other) {
            out[end] = {other, Layer::kHousehold, false};
            end += other != agent;
        }
        out.resize(end);
    }

    template <typename Visit>
    void school(AgentId agent, std::uint32_t day, core::RngKey key, Visit&& visit) const {
        group_layer(Layer::kSchool, agent, day, key, visit);
    }

    template <typename Visit>
    void work(AgentId agent, std::uint32_t day, core::RngKey key, Visit&& visit) const {
        group_layer(Layer::kWork, agent, day, key, visit);
    }

    template <typename Visit>
    void community(AgentId agent, std::uint32_t day, core::RngKey key, Visit&& visit) const {
        community_positions(agent, day, key, [&](std::uint32_t position) {
            const AgentId other = by_region_band_[position];
            if (other != agent) visit(other, Layer::kCommunity);
        });
    }

    /// Appends the contacts of `agent` on `day` to `out`, in for_each_contact's order, except
    /// that community and venue picks are left as positions (`pending`; a community pick may
    /// be the agent itself): resolve() turns them into agents. Looking the positions up in a
    /// batch overlaps their cache misses, which a contact at a time cannot do (at 10^7 agents
    /// and more, most of the kernel's time; benchmarks/RESULTS.md): each place is prefetched
    /// as it is drawn. `draws`: the first of the agent's venue and community draws computed
    /// in advance (request_draws), or none.
    void collect(AgentId agent, std::uint32_t day, core::RngKey key, std::vector<FoundContact>& out,
                 const ContactDraws& draws = {}) const {
        const auto add = [&](AgentId other, Layer layer) { out.push_back({other, layer, false}); };
        household_into(agent, out);
        for (const Layer tag : {Layer::kSchool, Layer::kWork}) {
            groups(
                tag, agent, day, key, add,
                [&](std::uint32_t pick) {
                    __builtin_prefetch(index_of(tag) + pick);
                    out.push_back({pick, tag, true});
                },
                tag == Layer::kSchool ? draws.school_venue : draws.work_venue);
        }
        community_positions(
            agent, day, key,
            [&](std::uint32_t position) {
                __builtin_prefetch(by_region_band_.data() + position);
                out.push_back({position, Layer::kCommunity, true});
            },
            draws.community);
    }

    /// Asks `cursors` for the first blocks of the agent's venue and community draws of the
    /// day: about what an agent uses (more are computed one at a time when needed). Returns
    /// where they will be, for collect() once `cursors` has computed them.
    struct DrawRequests {
        core::PrecomputedCursors::Request school_venue, work_venue, community;
    };
    DrawRequests request_draws(AgentId agent, std::uint32_t day,
                               core::PrecomputedCursors& cursors) const {
        return {cursors.request(core::streams::kSchoolContacts, day, agent,
                                venue_blocks(population_->school_group[agent])),
                cursors.request(core::streams::kWorkplaceContacts, day, agent,
                                venue_blocks(population_->work_group[agent])),
                cursors.request(core::streams::kCommunityContacts, day, agent, kCommunityBlocks)};
    }
    static ContactDraws draws_of(const DrawRequests& where,
                                 const core::PrecomputedCursors& cursors) {
        return {cursors.draws(where.school_venue), cursors.draws(where.work_venue),
                cursors.draws(where.community)};
    }
    // Venue contacts: a count then a pick each, about 3 a day (2 blocks); community contacts:
    // a count then about 5 draws each, 2.8 a day on average (8 blocks).
    static std::uint32_t venue_blocks(std::uint32_t group) {
        return group == population::kNoGroup ? 0 : 2;
    }
    static constexpr std::uint32_t kCommunityBlocks = 8;

    /// Turns the pending positions of collect() (community picks in the community index,
    /// venue picks in the school or workplace members) into agents; collect() prefetched each
    /// place as it drew it, so the misses overlap the rest of the batch's enumeration (a
    /// prefetch loop here, just before the loads, left them waiting). Without a branch:
    /// whether a contact is pending, and in which layer, is as good as random to the
    /// processor. A contact that is not pending reads the first place of an index, and keeps
    /// its agent.
    void resolve(std::span<FoundContact> found) const {
        std::array<const AgentId*, kLayers> index;
        for (std::size_t layer = 0; layer < kLayers; ++layer)
            index[layer] = index_of(static_cast<Layer>(layer));
        const auto position = [](const FoundContact& c) {
            return c.other & (AgentId{0} - AgentId{c.pending});  // the place, or 0
        };
        for (auto& c : found) {
            const AgentId pending = AgentId{0} - AgentId{c.pending};  // all ones, or 0
            const AgentId looked_up = index[std::size_t(c.layer)][position(c)];
            c.other = (looked_up & pending) | (c.other & ~pending);
            c.pending = false;
        }
    }

    /// The array a pending contact of this layer points into (the community index for the
    /// layers never pending: resolve() reads its first place for them).
    const AgentId* index_of(Layer layer) const {
        return layer == Layer::kSchool ? population_->schools.members.data()
               : layer == Layer::kWork ? population_->workplaces.members.data()
                                       : by_region_band_.data();
    }

    const LayerRates& rates() const { return rates_; }
    /// C[i][j]: community contacts per day of a person of band i with people of band j.
    const BandMatrix& community_rates() const { return community_rates_; }
    const population::Population& population() const { return *population_; }
    /// Bytes of the model's own structures (the community index mostly).
    std::size_t bytes() const;

  private:
    static constexpr std::uint64_t kAlways = std::numeric_limits<std::uint64_t>::max();

    static std::uint64_t threshold_of(double probability);

    /// Calls emit(position in by_region_band_) for each community contact of the day.
    template <typename Emit>
    void community_positions(AgentId agent, std::uint32_t day, core::RngKey key, Emit&& emit,
                             core::PrecomputedDraws precomputed = {}) const {
        const std::size_t band = age_band(population_->age[agent]);
        core::Draws draws(key, core::streams::kCommunityContacts, day, agent, precomputed);
        const std::uint32_t count = community_contacts_[band](draws);
        const std::size_t regions = population_->regions.size();
        for (std::uint32_t c = 0; c < count; ++c) {
            const std::size_t other_band = band_tables_[band].sample(draws);
            const std::size_t region =
                regions == 1 ? 0 : region_tables_[population_->region[agent]].sample(draws);
            const std::size_t bucket = region * kAgeBands + other_band;
            const auto first = bucket_offsets_[bucket], size = bucket_offsets_[bucket + 1] - first;
            if (size == 0) continue;
            emit(static_cast<std::uint32_t>(first + core::uniform_int(draws, size)));
        }
    }

    /// What groups() reads of the school layer or the work layer.
    struct GroupSetting {
        const population::GroupLayer& layer;
        const std::vector<std::uint32_t>& group_of;  ///< class or team of each agent
        std::uint64_t pair_threshold;
        const core::PoissonSampler& venue_contacts;
        core::StreamId pair_stream, venue_stream;
    };
    GroupSetting setting_of(Layer tag) const {
        if (tag == Layer::kSchool)
            return {population_->schools,
                    population_->school_group,
                    class_threshold_,
                    school_venue_contacts_,
                    core::streams::kClassContacts,
                    core::streams::kSchoolContacts};
        return {population_->workplaces,
                population_->work_group,
                team_threshold_,
                work_venue_contacts_,
                core::streams::kTeamContacts,
                core::streams::kWorkplaceContacts};
    }

    /// The contacts of `agent` in the school or work layer (`tag`), as agents.
    template <typename Visit>
    void group_layer(Layer tag, AgentId agent, std::uint32_t day, core::RngKey key,
                     Visit&& visit) const {
        const AgentId* members = index_of(tag);
        groups(tag, agent, day, key, visit, [&](std::uint32_t pick) { visit(members[pick], tag); });
    }

    /// Class or team contacts by pair draws, then venue-wide ones: venue_pick(position in
    /// layer.members) for each.
    template <typename Visit, typename VenuePick>
    void groups(Layer tag, AgentId agent, std::uint32_t day, core::RngKey key, Visit&& visit,
                VenuePick&& venue_pick, core::PrecomputedDraws precomputed = {}) const {
        const GroupSetting setting = setting_of(tag);
        const population::GroupLayer& layer = setting.layer;
        const std::uint64_t pair_threshold = setting.pair_threshold;
        const std::uint32_t group = setting.group_of[agent];
        if (group == population::kNoGroup) return;
        const std::uint32_t begin = layer.group_offsets[group],
                            end = layer.group_offsets[group + 1];
        if (pair_threshold == kAlways) {
            for (auto i = begin; i < end; ++i)
                if (layer.members[i] != agent) visit(layer.members[i], tag);
        } else {
            for (auto i = begin; i < end; i += kPairsPerBatch)
                pairs(layer, i, std::min(end, i + kPairsPerBatch), agent, day, key, pair_threshold,
                      setting.pair_stream, tag, visit);
        }
        const std::uint32_t venue = layer.group_venue[group];
        const std::uint32_t size = layer.venue_size(venue);
        if (size < 2) return;
        const std::uint32_t first = layer.venue_first_member(venue);
        std::uint32_t self = begin;  // the agent's own place, in its group
        while (self < end && layer.members[self] != agent) ++self;
        core::Draws draws(key, setting.venue_stream, day, agent, precomputed);
        const std::uint32_t count = setting.venue_contacts(draws);
        for (std::uint32_t c = 0; c < count; ++c) {
            // Uniform over the others: draw among size-1 places, the agent's own place stands
            // for the last one.
            const auto pick =
                first + static_cast<std::uint32_t>(core::uniform_int(draws, size - 1));
            venue_pick(pick == self ? first + size - 1 : pick);
        }
    }

    /// Group members [begin, end) that `agent` meets on `day`: one pair draw each, computed
    /// and compared together (core/philox_batch.hpp: vector instructions, the same draws as
    /// draw_u64).
    template <typename Visit>
    void pairs(const population::GroupLayer& layer, std::uint32_t begin, std::uint32_t end,
               AgentId agent, std::uint32_t day, core::RngKey key, std::uint64_t pair_threshold,
               core::StreamId pair_stream, Layer tag, Visit&& visit) const {
        std::array<AgentId, kPairsPerBatch> met;
        const std::size_t count =
            core::met_members(key, pair_stream, day, agent, layer.members.data() + begin,
                              end - begin, pair_threshold, met.data());
        for (std::size_t k = 0; k < count; ++k) visit(met[k], tag);
    }

    /// Members per call of met_members: a class or a team in one or two.
    static constexpr std::uint32_t kPairsPerBatch = 64;

    void calibrate_groups(const ContactSpec& spec);
    void build_community(const ContactSpec& spec);

    const population::Population* population_;
    LayerRates rates_;
    BandMatrix community_rates_{};
    std::uint64_t class_threshold_ = 0, team_threshold_ = 0;
    core::PoissonSampler school_venue_contacts_, work_venue_contacts_;  ///< per day, by layer
    std::array<core::PoissonSampler, kAgeBands> community_contacts_;    ///< per day, by age band
    std::vector<core::AliasTable> band_tables_;    ///< age band of a community contact, by band
    std::vector<core::AliasTable> region_tables_;  ///< region of a community contact, by region
    std::vector<AgentId> by_region_band_;          ///< agents sorted by (region, age band)
    std::vector<std::uint32_t> bucket_offsets_;    ///< (region, band) -> range in by_region_band_
};

}  // namespace sortie::contacts
