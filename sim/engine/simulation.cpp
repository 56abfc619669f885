#include "sim/engine/simulation.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>

#include "sim/core/rng_streams.hpp"
#include "sim/core/samplers.hpp"
#include "sim/core/system.hpp"
#include "sim/engine/infection.hpp"
#include "sim/population/tables.hpp"
#include "sim/results/fields.hpp"
#include "sim/results/images.hpp"

namespace sortie::engine {
namespace {

using disease::Path;

bool infectious(State s) {
    return s == State::kPresymptomatic || s == State::kAsymptomatic || s == State::kSymptomatic;
}

bool removed(State s) {
    return s == State::kRecovered || s == State::kDead;
}

Event infection_event(contacts::Layer layer) {
    switch (layer) {
        case contacts::Layer::kHousehold:
            return Event::kInfectionsHousehold;
        case contacts::Layer::kSchool:
            return Event::kInfectionsSchool;
        case contacts::Layer::kWork:
            return Event::kInfectionsWork;
        case contacts::Layer::kCommunity:
            return Event::kInfectionsCommunity;
        case contacts::Layer::kHospital:
            return Event::kInfectionsHospital;
    }
    return Event::kInfectionsCommunity;
}

// Agents are drawn for seeding in this many tries before a day's seed is given up (only when
// nearly everyone in the seeded regions is already infected).
constexpr std::uint32_t kSeedingTries = 64;

}  // namespace

Simulation::Simulation(const population::Population& population,
                       const contacts::ContactModel& contacts, const disease::DiseaseModel& disease,
                       const EngineSpec& spec, core::RngKey key)
    : population_(population),
      contacts_(contacts),
      disease_(disease),
      spec_(spec),
      key_(key),
      counts_(population.regions.size() * contacts::kAgeBands * kStates, 0),
      incidence_(population.regions.size() * contacts::kAgeBands * kEvents, 0),
      measures_(population.regions.size() * kMeasures, 0),
      plan_(spec.interventions, spec.triggers, population.regions.size()) {
    // Read at random for each contact and each infected agent (core/system.hpp).
    const std::size_t agents = population.size();
    core::assign_on_huge_pages(state_, agents, State::kSusceptible);
    core::assign_on_huge_pages(susceptible_age_, agents);
    core::assign_on_huge_pages(next_event_day_, agents);
    core::assign_on_huge_pages(infection_day_, agents);
    core::assign_on_huge_pages(multiplier_, agents);
    core::assign_on_huge_pages(history_, agents);
    for (AgentId a = 0; a < population.size(); ++a) ++counts_[cell(a) * kStates];
    set_susceptible_ages();
    const auto automatic = static_cast<std::uint32_t>(
        std::min(population.size(), std::clamp<std::size_t>(population.size() / 1000, 10, 1000)));
    early_cap_ = spec_.early_infections > 0 ? spec_.early_infections : automatic;
    set_up_vaccination();
    set_up_hospitals();
    set_up_supplies();
}

std::size_t Simulation::cell(AgentId agent) const {
    return population_.region[agent] * contacts::kAgeBands +
           contacts::age_band(population_.age[agent]);
}

ReplicateResult Simulation::run(const std::function<void(std::uint32_t)>& on_day) {
    reserve_records();
    for (std::uint32_t day = next_day_; day < spec_.days; ++day) {
        run_day(day);
        if (on_day) on_day(day);
    }
    result_.r0_realised = realised_r0();
    return std::move(result_);
}

// No records reserved: a pilot stops after a few weeks of its max_days (early_epidemic.cpp).
void Simulation::run_until(const std::function<bool()>& stop) {
    for (std::uint32_t day = next_day_; day < spec_.days; ++day) {
        run_day(day);
        if (stop()) break;
    }
}

void Simulation::reserve_records() {
    result_.counts.reserve(std::size_t{spec_.days} * counts_.size());
    result_.incidence.reserve(std::size_t{spec_.days} * incidence_.size());
    result_.measures.reserve(std::size_t{spec_.days} * measures_.size());
}

void Simulation::run_day(std::uint32_t day) {
    std::fill(incidence_.begin(), incidence_.end(), 0);
    reset_flows();
    reset_hospital_flows();
    policy_ = &plan_.policy_for(day);  // 0. today's interventions
    policy_neutral_ = !plan_.policy_active();
    restrictions_in_force_ = tti_.in_stock > 0;
    tti_.collect_onsets = last_active(interventions::Kind::kTesting) != nullptr;
    policy_changes_groups_ =
        policy_->telework > 0 || *std::min_element(policy_->school_attendance.begin(),
                                                   policy_->school_attendance.end()) < 1.0;
    progress(day, 0);  // 1. transitions due today (state at the start of the day)
    vaccinate(day);    // 1b. the day's vaccine doses
    const std::size_t first_new = active_.size();
    seed(day);                       // 2. infections from outside
    transmit(day, winners_);         // 3. contacts of the infectious, in parallel
    infect_winners(day, winners_);   // 4.
    progress(day, first_new);        // 5. zero-day stages of today's infections only
    test_trace_isolate(day);         // 5b. effective from tomorrow
    record_day(day, result_);        // 6.
    plan_.end_of_day(indicators());  // triggers see today, act from tomorrow
    next_day_ = day + 1;
}

// Everything that carries from one day to the next; what each day rebuilds (incidence, the
// policy) is left out. The order is the format: restore reads it back the same way.
void Simulation::save(core::ByteWriter& out) const {
    out.value(next_day_);
    out.array(state_);
    out.array(next_event_day_);
    out.array(infection_day_);
    out.array(multiplier_);
    out.array(history_);
    out.array(active_);
    out.array(counts_);
    out.array(measures_);
    plan_.save(out);
    out.array(early_);
    out.array(early_secondaries_);
    out.value(contact_evaluations_);
    out.array(transmissions_);
    out.array(vaccinated_day_);
    out.array(vaccine_);
    for (const auto& campaign : campaigns_) campaign.save(out);
    tti_.save(out);
    out.array(care_);
    out.array(bed_region_);
    out.array(hospital_);
    out.array(supply_stock_);
    results::write_records(out, result_);
}

void Simulation::restore(core::ByteReader& in) {
    const std::size_t agents = population_.size();
    next_day_ = in.value<std::uint32_t>();
    if (next_day_ > spec_.days) throw core::CorruptImage("checkpoint beyond the last day");
    in.array(state_, agents);
    in.array(next_event_day_, agents);
    in.array(infection_day_, agents);
    in.array(multiplier_, agents);
    in.array(history_, agents);
    in.array(active_);
    active_by_id_.clear();
    active_sorted_ = 0;
    in.array(counts_, counts_.size());
    in.array(measures_, measures_.size());
    plan_.restore(in);
    in.array(early_);
    in.array(early_secondaries_, early_.size());
    contact_evaluations_ = in.value<std::uint64_t>();
    in.array(transmissions_);
    in.array(vaccinated_day_, vaccinated_day_.size());
    in.array(vaccine_, vaccine_.size());
    for (auto& campaign : campaigns_) campaign.restore(in);
    tti_.restore(in, agents, spec_.days);
    in.array(care_, care_.size());
    in.array(bed_region_, bed_region_.size());
    in.array(hospital_, hospital_.size());
    in.array(supply_stock_, supply_stock_.size());
    const results::ScenarioResult shape = records_shape(next_day_);
    results::read_records(in, result_, &shape);
    if (!in.at_end()) throw core::CorruptImage("checkpoint longer than expected");
    set_susceptible_ages();
}

results::ScenarioResult Simulation::records_shape(std::uint32_t days) const {
    return results::record_axes(days, population_.regions.size(), contacts::kAgeBands,
                                plan_.interventions().size(), hospitals_on(),
                                spec_.hospitals.supplies.size());
}

void Simulation::seed(std::uint32_t day) {
    for (std::size_t s = 0; s < spec_.seeding.size(); ++s) {
        const auto& seeding = spec_.seeding[s];
        if (day < seeding.first_day || day >= seeding.first_day + seeding.days) continue;
        // floor(x + U) infections today: the mean over days is x.
        core::Draws count_draws(key_, core::streams::kSeeding, day,
                                static_cast<AgentId>(s << 24 | 0xFFFFFFu));
        const auto today =
            static_cast<std::uint32_t>(std::floor(seeding.infections + count_draws.uniform()));
        for (std::uint32_t i = 0; i < today; ++i) {
            core::Draws draws(key_, core::streams::kSeeding, day,
                              static_cast<AgentId>(s << 24 | i));
            for (std::uint32_t attempt = 0; attempt < kSeedingTries; ++attempt) {
                const AgentId agent = seeding_candidate(seeding, draws);
                if (agent == kNoInfector) break;  // nobody lives there at this scale
                if (state_[agent] != State::kSusceptible) continue;
                infect(agent, day, kNoInfector, contacts::Layer::kCommunity, true);
                break;
            }
        }
    }
}

// An agent drawn uniformly among the people of the seeding's regions (everyone when it names
// none): each region gets seeds in proportion to its people (docs/scenarios.md, seeding);
// kNoInfector when they have no agent at all.
AgentId Simulation::seeding_candidate(const Seeding& seeding, core::Draws& draws) const {
    if (seeding.regions.empty()) {
        if (population_.size() == 0) return kNoInfector;
        return static_cast<AgentId>(core::uniform_int(draws, population_.size()));
    }
    std::uint64_t people = 0;
    for (const auto r : seeding.regions)
        people += population_.region_offsets[r + 1u] - population_.region_offsets[r];
    if (people == 0) return kNoInfector;
    std::uint64_t pick = core::uniform_int(draws, people);
    for (const auto r : seeding.regions) {
        const AgentId first = population_.region_offsets[r];
        const AgentId size = population_.region_offsets[r + 1u] - first;
        if (pick < size) return static_cast<AgentId>(first + pick);
        pick -= size;
    }
    return kNoInfector;  // not reached: pick < people
}

// The infectious agents of active_by_id_[from, to) from `from` on, up to kInfectorsPerBatch of
// them, with their contacts of the day; returns where to continue. Gathering a batch before
// examining it lets resolve() and the prefetches below overlap the cache misses of its
// contacts (each is a random access into the per-agent columns).
std::size_t Simulation::collect_batch(std::uint32_t day, std::size_t from, std::size_t to,
                                      TransmitBatch& batch) const {
    batch.infectors.clear();
    batch.contacts.clear();
    batch.contact_draws.clear();
    batch.cursors.clear();
    std::size_t i = from;
    for (; i < to && batch.infectors.size() < kInfectorsPerBatch; ++i) {
        const AgentId a = active_by_id_[i];
        const double force = force_of_infection(a, day);
        if (force <= 0.0) continue;
        const double outside = state_[a] == State::kSymptomatic
                                   ? disease_.parameters().symptomatic_contacts_outside_home
                                   : 1.0;
        batch.infectors.push_back({a, 0, force, outside});
        batch.contact_draws.push_back(contacts_.request_draws(a, day, batch.cursors));
    }
    // The next batch's columns load while this one is worked on.
    for (std::size_t next = i; next < std::min(to, i + kPrefetchedAhead); ++next)
        prefetch_infector(active_by_id_[next]);
    for (const auto& infector : batch.infectors) prefetch_places(infector.agent);
    // The random numbers of the batch's contacts together (vector instructions), then the
    // contacts themselves.
    batch.cursors.compute(key_);
    for (std::size_t n = 0; n < batch.infectors.size(); ++n) {
        auto& infector = batch.infectors[n];
        infector.first_contact = static_cast<std::uint32_t>(batch.contacts.size());
        contacts_.collect(infector.agent, day, key_, batch.contacts,
                          contacts_.draws_of(batch.contact_draws[n], batch.cursors));
    }
    contacts_.resolve(batch.contacts);
    for (const auto& c : batch.contacts) __builtin_prefetch(&susceptible_age_[c.other]);
    return i;
}

void Simulation::set_susceptible_ages() {
    static_assert(population::kMaxAge + 1 <= 0xFF, "age + 1 must fit a byte");
    for (AgentId a = 0; a < population_.size(); ++a) {
        susceptible_age_[a] = state_[a] == State::kSusceptible
                                  ? static_cast<std::uint8_t>(population_.age[a] + 1)
                                  : std::uint8_t{0};
    }
}

// The columns an infector's force and contacts read, requested well before they are needed
// (in id order, but far apart when few are active).
void Simulation::prefetch_infector(AgentId a) const {
    __builtin_prefetch(&state_[a]);
    __builtin_prefetch(&infection_day_[a]);
    __builtin_prefetch(&multiplier_[a]);
    __builtin_prefetch(&population_.age[a]);
    __builtin_prefetch(&population_.region[a]);
    __builtin_prefetch(&population_.household[a]);
    __builtin_prefetch(&population_.school_group[a]);
    __builtin_prefetch(&population_.work_group[a]);
}

// The start of the infector's household, class and team, and their venues: the next loads the
// contact enumeration makes, each a random access.
void Simulation::prefetch_places(AgentId a) const {
    __builtin_prefetch(&population_.household_offsets[population_.household[a]]);
    const std::uint32_t school = population_.school_group[a], work = population_.work_group[a];
    if (school != population::kNoGroup) {
        __builtin_prefetch(&population_.schools.group_offsets[school]);
        __builtin_prefetch(&population_.schools.group_venue[school]);
    }
    if (work != population::kNoGroup) {
        __builtin_prefetch(&population_.workplaces.group_offsets[work]);
        __builtin_prefetch(&population_.workplaces.group_venue[work]);
    }
}

// The infection draws of a batch's contacts, in each infector's contact order (the draws of
// an infector are a sequence, so the order is part of the result); returns the contacts
// examined. The susceptible contacts are listed first, without a branch: whether a contact is
// susceptible is as good as random to the processor, and a branch on it was mispredicted.
std::uint64_t Simulation::expose_batch(std::uint32_t day, TransmitBatch& batch,
                                       std::vector<Candidate>& found) const {
    // First the infection draws all infectors will use: one per susceptible contact.
    batch.cursors.clear();
    batch.infection_draws.clear();
    batch.susceptible.resize(batch.contacts.size());
    batch.first_susceptible.clear();
    std::uint64_t evaluations = 0;
    std::uint32_t listed = 0;
    // Raw pointers, and the end read once: the stores to `susceptible` could alias the
    // infectors' offsets for all the compiler knows, which it then reloaded per contact.
    const contacts::FoundContact* contacts = batch.contacts.data();
    const std::uint8_t* susceptible_age = susceptible_age_.data();
    std::uint32_t* susceptible = batch.susceptible.data();
    for (std::size_t n = 0; n < batch.infectors.size(); ++n) {
        const AgentId a = batch.infectors[n].agent;
        const std::uint32_t first = listed;
        batch.first_susceptible.push_back(first);
        const auto end = static_cast<std::uint32_t>(batch.contacts_end(n));
        for (auto c = batch.infectors[n].first_contact; c < end; ++c) {
            const AgentId b = contacts[c].other;
            evaluations += b != a;  // a community pick of the agent itself is no contact
            susceptible[listed] = c;
            listed += susceptible_age[b] != 0;  // 0 for the agent itself too
        }
        batch.infection_draws.push_back(
            batch.cursors.request(core::streams::kInfection, day, a, (listed - first + 1) / 2));
    }
    batch.first_susceptible.push_back(listed);
    batch.cursors.compute(key_);
    for (std::size_t n = 0; n < batch.infectors.size(); ++n) {
        const auto& infector = batch.infectors[n];
        const AgentId a = infector.agent;
        core::Draws draws(key_, core::streams::kInfection, day, a,
                          batch.cursors.draws(batch.infection_draws[n]));
        for (auto s = batch.first_susceptible[n]; s < batch.first_susceptible[n + 1]; ++s) {
            const auto& contact = batch.contacts[batch.susceptible[s]];
            const AgentId b = contact.other;
            const contacts::Layer layer = contact.layer;
            const std::uint8_t age_plus_one = susceptible_age_[b];
            const std::uint64_t bits = draws.next_u64();
            // The draw above is taken whatever the policy, so that a policy changes only the
            // infections it prevents (common random numbers).
            const double exposure =
                infector.force * spec_.layer_weight[std::size_t(layer)] *
                disease_.susceptibility(static_cast<std::uint8_t>(age_plus_one - 1));
            const double kept = (policy_neutral_ ? 1.0f : contact_factor(a, b, layer)) *
                                (restrictions_in_force_ ? home_factor(a, b, layer, day) : 1.0f) *
                                (layer == contacts::Layer::kHousehold ? 1.0 : infector.outside) *
                                vaccine_susceptibility(b, day);
            if (infects(core::to_unit_interval(bits), exposure, kept))
                found.push_back({b, bits, a, layer});
        }
    }
    return evaluations;
}

// Transmission rate x relative infectiousness of the state x individual multiplier x the
// infectiousness profile of the day; 0 when not infectious.
double Simulation::force_of_infection(AgentId a, std::uint32_t day) const {
    const State s = state_[a];
    if (!infectious(s)) return 0.0;
    const double relative = s == State::kAsymptomatic ? disease_.parameters().relative_asymptomatic
                            : s == State::kPresymptomatic
                                ? disease_.parameters().relative_presymptomatic
                                : 1.0;
    return spec_.transmission_rate * relative * multiplier_[a] *
           disease_.profile(day - infection_day_[a]);
}

void Simulation::transmit(std::uint32_t day, std::vector<Candidate>& winners) {
    const auto start = std::chrono::steady_clock::now();
    tbb::enumerable_thread_specific<std::vector<Candidate>> found;
    tbb::enumerable_thread_specific<TransmitBatch> batches;
    tbb::enumerable_thread_specific<std::uint64_t> evaluated(0);
    update_active_by_id();
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, active_.size(), 256),
                      [&](const auto& range) {
                          auto& batch = batches.local();
                          auto& local = found.local();
                          auto& evaluations = evaluated.local();
                          for (std::size_t i = range.begin(); i < range.end();) {
                              i = collect_batch(day, i, range.end(), batch);
                              evaluations += expose_batch(day, batch, local);
                          }
                      });
    for (auto n : evaluated) contact_evaluations_ += n;
    winners.clear();
    for (auto& local : found) winners.insert(winners.end(), local.begin(), local.end());
    if (hospital_layer_on()) transmit_in_hospitals(day, winners);
    for (const auto& candidate : winners) ++successful_contacts_[std::size_t(candidate.layer)];
    // Several infectors may reach the same person on a day: the attempt with the smallest
    // random key wins, whatever the order the threads found them in (docs/architecture.md,
    // determinism). (A total order: no two attempts share infectee, key and infector, so the
    // parallel sort gives the same sequence as any other.)
    tbb::parallel_sort(winners.begin(), winners.end(), [](const Candidate& x, const Candidate& y) {
        return std::tie(x.infectee, x.key, x.infector) < std::tie(y.infectee, y.key, y.infector);
    });
    winners.erase(std::unique(winners.begin(), winners.end(),
                              [](const Candidate& x, const Candidate& y) {
                                  return x.infectee == y.infectee;
                              }),
                  winners.end());
    transmission_seconds_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Step 4: the day's infections. Their courses are sampled in parallel (each from the agent's
// own streams, written to the agent's own columns), the bookkeeping in order.
void Simulation::infect_winners(std::uint32_t day, const std::vector<Candidate>& winners) {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, winners.size(), 512),
                      [&](const auto& range) {
                          for (std::size_t i = range.begin(); i < range.end(); ++i)
                              sample_course(winners[i].infectee, day);
                      });
    for (const auto& w : winners) record_infection(w.infectee, day, w.infector, w.layer, false);
}

void Simulation::infect(AgentId agent, std::uint32_t day, AgentId infector, contacts::Layer layer,
                        bool seeded) {
    sample_course(agent, day);
    record_infection(agent, day, infector, layer, seeded);
}

// The natural history and the infectiousness multiplier of a new infection: a pure function
// of the agent (streams kNaturalHistory and kAfterAcuteCare, and kVaccineSevere when
// vaccinated).
void Simulation::sample_course(AgentId agent, std::uint32_t day) {
    core::Draws draws(key_, core::streams::kNaturalHistory, 0, agent);
    core::Draws after_acute(key_, core::streams::kAfterAcuteCare, 0, agent);
    history_[agent] = disease_.sample(population_.age[agent], draws, after_acute);
    const double k = disease_.parameters().dispersion_k;
    multiplier_[agent] = static_cast<float>(core::gamma(draws, k, 1.0 / k));
    avert_severe_disease(agent, day);
}

void Simulation::record_infection(AgentId agent, std::uint32_t day, AgentId infector,
                                  contacts::Layer layer, bool seeded) {
    infection_day_[agent] = static_cast<std::uint16_t>(day);
    susceptible_age_[agent] = 0;
    count_event(agent, Event::kInfections);
    count_event(agent, seeded ? Event::kInfectionsSeeded : infection_event(layer));
    if (record_transmissions_) transmissions_.push_back({day, infector, agent, layer});
    if (infector != kNoInfector) {
        const auto it = std::lower_bound(early_.begin(), early_.end(), infector);
        if (it != early_.end() && *it == infector)
            ++early_secondaries_[std::size_t(it - early_.begin())];
    }
    if (!seeded && early_.size() < early_cap_) {
        // Kept sorted by id for the lookup above; the cap keeps insertion cheap.
        const auto at = std::lower_bound(early_.begin(), early_.end(), agent) - early_.begin();
        early_.insert(early_.begin() + at, agent);
        early_secondaries_.insert(early_secondaries_.begin() + at, 0);
    }
    active_.push_back(agent);
    enter(agent, State::kExposed, day, history_[agent].stage_days[0]);
}

void Simulation::enter(AgentId agent, State next, std::uint32_t day, std::uint32_t stage_days) {
    const std::size_t c = cell(agent) * kStates;
    --counts_[c + std::size_t(state_[agent])];
    ++counts_[c + std::size_t(next)];
    state_[agent] = next;
    next_event_day_[agent] =
        static_cast<std::uint16_t>(std::min<std::uint32_t>(day + stage_days, 0xFFFF));
}

void Simulation::count_event(AgentId agent, Event event) {
    ++incidence_[cell(agent) * kEvents + std::size_t(event)];
}

void Simulation::count_measure(AgentId agent, Measure measure, std::int64_t n) {
    measures_[population_.region[agent] * kMeasures + std::size_t(measure)] += n;
}

// Flows start each day at zero; stocks carry over.
void Simulation::reset_flows() {
    for (std::size_t r = 0; r < population_.regions.size(); ++r) {
        for (auto m :
             {Measure::kTests, Measure::kTestsPositive, Measure::kTestsUnmet, Measure::kTraced,
              Measure::kVaccineDoses, Measure::kIndexCases, Measure::kTestCapacity})
            measures_[r * kMeasures + std::size_t(m)] = 0;
    }
}

// The transitions of the natural history (docs/model.md), one stage at a time.
void Simulation::advance(AgentId a, std::uint32_t day) {
    const auto& h = history_[a];
    const Path path = h.path;
    switch (state_[a]) {
        case State::kExposed:
            if (path == Path::kAsymptomatic)
                enter(a, State::kAsymptomatic, day, h.stage_days[2]);
            else
                enter(a, State::kPresymptomatic, day, h.stage_days[1]);
            return;
        case State::kPresymptomatic:
            count_event(a, Event::kSymptomOnsets);
            if (tti_.collect_onsets) tti_.onsets_today.push_back(a);
            enter(a, State::kSymptomatic, day, h.stage_days[2]);
            return;
        case State::kAsymptomatic:
            enter(a, State::kRecovered, day, 0);
            return;
        case State::kSymptomatic:
            if (path == Path::kMild) {
                enter(a, State::kRecovered, day, 0);
            } else if (path == Path::kDiesOutside) {
                count_event(a, Event::kDeaths);
                enter(a, State::kDead, day, 0);
            } else {
                count_event(a, Event::kHospitalAdmissions);
                if (hospitals_on()) admit_to_ward(a, day);
                enter(a, State::kHospitalWard, day, h.stage_days[3]);
            }
            return;
        case State::kHospitalWard:
            // A patient doomed by care denied dies at the end of the stage, never reaching ICU;
            // one refused ICU ends the course where they are (hospitals.cpp).
            if ((path == Path::kIcuRecovers || path == Path::kIcuDies) && !dies_untreated(a) &&
                !waits_for_icu(a)) {
                count_event(a, Event::kIcuAdmissions);
                if (hospitals_on() && !admit_to_icu(a, day)) {
                    enter(a, State::kHospitalWard, day, course_without_icu(a));
                    return;
                }
                enter(a, State::kIcu, day, h.stage_days[4]);
                return;
            }
            end_hospital_course(a, day);
            return;
        case State::kIcu:
            if (!steps_down(a) || !step_down(a, day)) end_hospital_course(a, day);
            return;
        case State::kFollowUp:
            count_event(a, Event::kHospitalDischarges);
            enter(a, State::kRecovered, day, 0);
            return;
        default:
            return;
    }
}

// In id order, the infectors' columns are read almost in sequence (simulation.hpp). A day
// changes few of the active agents: those removed since leave (they are the only ones to
// leave active_), the arrivals are sorted and merged in from the back. A sort of all of
// them each day had cost a twentieth of the kernel.
void Simulation::update_active_by_id() {
    std::erase_if(active_by_id_, [&](AgentId a) { return removed(state_[a]); });
    std::vector<AgentId> arrivals(active_.begin() + static_cast<std::ptrdiff_t>(active_sorted_),
                                  active_.end());
    tbb::parallel_sort(arrivals.begin(), arrivals.end());
    std::size_t kept = active_by_id_.size(), arrived = arrivals.size();
    active_by_id_.resize(kept + arrived);
    for (std::size_t out = kept + arrived; arrived > 0;) {
        const bool from_arrivals = kept == 0 || active_by_id_[kept - 1] < arrivals[arrived - 1];
        active_by_id_[--out] = from_arrivals ? arrivals[--arrived] : active_by_id_[--kept];
    }
    active_sorted_ = active_.size();
    assert(active_by_id_.size() == active_.size());
}

// Agents before `first` are left as they are (step 5 needs only those infected today). The
// agents due are found in parallel (a read of two columns at random places for every active
// agent: at France's size the day's longest step outside the kernel); their transitions are
// made in active_'s order, which decides who gets a bed first. A transition changes only its
// own agent, so none makes another due.
void Simulation::progress(std::uint32_t day, std::size_t first) {
    const std::vector<std::uint32_t> due = positions_due(day, first);
    for (const std::uint32_t i : due) {
        const AgentId a = active_[i];
        while (!removed(state_[a]) && next_event_day_[a] <= day) advance(a, day);
    }
    // The removed leave active_, the others keep their order.
    std::size_t kept = due.empty() ? active_.size() : due.front(), read = kept;
    std::size_t sorted_removed = 0;  // update_active_by_id()
    for (const std::uint32_t i : due) {
        if (!removed(state_[active_[i]])) continue;
        kept = std::size_t(std::copy(active_.begin() + std::ptrdiff_t(read),
                                     active_.begin() + std::ptrdiff_t(i),
                                     active_.begin() + std::ptrdiff_t(kept)) -
                           active_.begin());
        read = i + 1;
        sorted_removed += i < active_sorted_;
    }
    kept = std::size_t(std::copy(active_.begin() + std::ptrdiff_t(read), active_.end(),
                                 active_.begin() + std::ptrdiff_t(kept)) -
                       active_.begin());
    active_.resize(kept);
    active_sorted_ -= sorted_removed;
}

// Positions in active_ from `first` on of the agents with a transition due by `day` (or
// removed already), in order.
std::vector<std::uint32_t> Simulation::positions_due(std::uint32_t day, std::size_t first) const {
    constexpr std::size_t kBlock = 1 << 14;
    constexpr std::size_t kAhead = 32;  // the active list is in no useful order in memory
    const std::size_t end = active_.size();
    const std::size_t blocks = (end - first + kBlock - 1) / kBlock;
    std::vector<std::vector<std::uint32_t>> found(blocks);
    tbb::parallel_for(std::size_t{0}, blocks, [&](std::size_t b) {
        const std::size_t from = first + b * kBlock, to = std::min(end, from + kBlock);
        for (std::size_t i = from; i < to; ++i) {
            if (i + kAhead < to) {
                __builtin_prefetch(&state_[active_[i + kAhead]]);
                __builtin_prefetch(&next_event_day_[active_[i + kAhead]]);
            }
            const AgentId a = active_[i];
            if (removed(state_[a]) || next_event_day_[a] <= day)
                found[b].push_back(static_cast<std::uint32_t>(i));
        }
    });
    std::vector<std::uint32_t> due;
    for (const auto& part : found) due.insert(due.end(), part.begin(), part.end());
    return due;
}

void Simulation::record_day(std::uint32_t day, ReplicateResult& result) {
    if (hospitals_on()) {
        count_staff_and_beds(day);
        for (auto m : hospital_) result.hospital.push_back(static_cast<std::int32_t>(m));
        account_supplies(day, result);
    }
    for (auto c : counts_) result.counts.push_back(static_cast<std::int32_t>(c));
    for (auto c : incidence_) result.incidence.push_back(static_cast<std::int32_t>(c));
    for (auto a : plan_.active()) result.active.push_back(a);
    for (auto m : measures_) result.measures.push_back(static_cast<std::int32_t>(m));
}

interventions::Indicators Simulation::indicators() const {
    const std::size_t regions = population_.regions.size();
    interventions::Indicators in;
    for (auto* v : {&in.icu, &in.hospital, &in.admissions, &in.infections, &in.people, &in.tests,
                    &in.tests_positive})
        v->assign(regions, 0.0);
    for (std::size_t r = 0; r < regions; ++r) {
        in.tests[r] = double(measures_[r * kMeasures + std::size_t(Measure::kTests)]);
        in.tests_positive[r] =
            double(measures_[r * kMeasures + std::size_t(Measure::kTestsPositive)]);
        in.people[r] = population_.region_offsets[r + 1] - population_.region_offsets[r];
        for (std::size_t band = 0; band < contacts::kAgeBands; ++band) {
            const std::size_t c = r * contacts::kAgeBands + band;
            const double icu = double(counts_[c * kStates + std::size_t(State::kIcu)]);
            in.icu[r] += icu;
            in.hospital[r] +=
                icu + double(counts_[c * kStates + std::size_t(State::kHospitalWard)]);
            in.admissions[r] +=
                double(incidence_[c * kEvents + std::size_t(Event::kHospitalAdmissions)]);
            in.infections[r] += double(incidence_[c * kEvents + std::size_t(Event::kInfections)]);
        }
    }
    return in;
}

// Pupils who stay home while attendance is below 1 are the same every day (a stable draw per
// agent); teachers go as long as their level is open at all.
bool Simulation::attends_school(AgentId agent) const {
    const auto& schools = population_.schools;
    const auto level =
        std::size_t(schools.venue_kind[schools.group_venue[population_.school_group[agent]]]);
    const double share = policy_->school_attendance[level];
    if (share >= 1.0) return true;
    if (share <= 0.0) return false;
    if (population_.occupation[agent] == population::Occupation::kTeacher) return true;
    return core::to_unit_interval(
               core::draw_u64(key_, core::streams::kSchoolPresence, 0, agent, 0)) < share;
}

// Health-care staff do not work from home; other workers do with a stable draw per agent.
bool Simulation::works_from_home(AgentId agent) const {
    if (population_.occupation[agent] != population::Occupation::kOther) return false;
    return core::to_unit_interval(core::draw_u64(key_, core::streams::kTelework, 0, agent, 0)) <
           policy_->telework;
}

float Simulation::contact_factor(AgentId a, AgentId b, contacts::Layer layer) const {
    const auto& policy = *policy_;
    float factor = std::min(
        policy.factor(population_.region[a], contacts::age_band(population_.age[a]), layer),
        policy.factor(population_.region[b], contacts::age_band(population_.age[b]), layer));
    factor *= static_cast<float>(policy.mask_factor[std::size_t(layer)]);
    if (policy_changes_groups_) {
        if (layer == contacts::Layer::kSchool && (!attends_school(a) || !attends_school(b)))
            return 0.0f;
        if (layer == contacts::Layer::kWork && (works_from_home(a) || works_from_home(b)))
            return 0.0f;
    }
    return factor;
}

double Simulation::realised_r0() const {
    if (early_.empty()) return 0.0;
    double total = 0;
    for (auto n : early_secondaries_) total += n;
    return total / double(early_.size());
}

// ---------------------------------------------------------------------------------------------
// Vaccination. Campaigns hand out doses at the start of the day (after the day's transitions);
// protection acts in the transmission kernel (susceptibility) and at infection (severe paths).

void Simulation::set_up_vaccination() {
    const auto& plan = plan_.interventions();
    for (std::size_t i = 0; i < plan.size(); ++i) {
        if (plan[i].kind != interventions::Kind::kVaccination) continue;
        campaigns_.emplace_back(plan[i].vaccination, plan[i].regions, population_, key_,
                                static_cast<std::uint32_t>(campaigns_.size()));
        campaign_intervention_.push_back(i);
    }
    if (campaigns_.empty()) return;
    vaccinated_day_.assign(population_.size(), kNeverVaccinated);
    vaccine_.assign(population_.size(), 0);
}

void Simulation::vaccinate(std::uint32_t day) {
    for (std::size_t c = 0; c < campaigns_.size(); ++c) {
        if (!plan_.active()[campaign_intervention_[c]]) continue;
        campaigns_[c].give_doses(
            day, [this](AgentId a) { return vaccine_offer(a); },
            [this, day, c](AgentId a) { give_dose(a, day, c); });
    }
}

// Infected and recovered people are vaccinated like the others: most infections were never
// diagnosed and France did not screen before vaccinating (HAS, 30 November 2020: no serology
// before vaccination). People in hospital wait (docs/model.md, Vaccination).
interventions::Offer Simulation::vaccine_offer(AgentId agent) const {
    const State s = state_[agent];
    if (s == State::kDead || vaccinated_day_[agent] != kNeverVaccinated)
        return interventions::Offer::kSkip;
    if (s == State::kHospitalWard || s == State::kIcu) return interventions::Offer::kLater;
    return interventions::Offer::kGive;
}

void Simulation::give_dose(AgentId agent, std::uint32_t day, std::size_t campaign) {
    vaccinated_day_[agent] = static_cast<std::uint16_t>(std::min<std::uint32_t>(day, 0xFFFE));
    vaccine_[agent] = static_cast<std::uint8_t>(campaign);
    count_measure(agent, Measure::kVaccineDoses);
    count_measure(agent, Measure::kVaccinated);
}

bool Simulation::vaccine_protects(AgentId agent, std::uint32_t day) const {
    const std::uint16_t dose_day = vaccinated_day(agent);
    if (dose_day == kNeverVaccinated) return false;
    return std::uint32_t{dose_day} + campaigns_[vaccine_[agent]].spec().delay_days <= day;
}

double Simulation::vaccine_susceptibility(AgentId agent, std::uint32_t day) const {
    if (!vaccine_protects(agent, day)) return 1.0;
    return 1.0 - campaigns_[vaccine_[agent]].spec().efficacy_infection;
}

void Simulation::avert_severe_disease(AgentId agent, std::uint32_t day) {
    if (!vaccine_protects(agent, day)) return;
    core::Draws draws(key_, core::streams::kVaccineSevere, 0, agent);
    history_[agent] = interventions::severe_averted(
        history_[agent], campaigns_[vaccine_[agent]].spec().efficacy_severe, disease_, draws);
}

namespace {

template <typename Column>
constexpr std::size_t element_bytes = sizeof(typename Column::value_type);

}  // namespace

std::size_t Simulation::bytes_per_agent(const ReplicateFeatures& features) {
    // Every column indexed by agent, and each agent at worst in active_ and active_by_id_.
    std::size_t bytes =
        element_bytes<decltype(state_)> + element_bytes<decltype(susceptible_age_)> +
        element_bytes<decltype(next_event_day_)> + element_bytes<decltype(infection_day_)> +
        element_bytes<decltype(multiplier_)> + element_bytes<decltype(history_)> +
        element_bytes<decltype(active_)> + element_bytes<decltype(active_by_id_)>;
    if (features.test_trace_isolate) {
        bytes += element_bytes<decltype(tti_.isolation_end)> +
                 element_bytes<decltype(tti_.quarantine_end)> +
                 element_bytes<decltype(tti_.home_end)> + element_bytes<decltype(tti_.flags)>;
    }
    if (features.vaccination_campaigns > 0) {
        // The dose's day and campaign, and each campaign's queue of agents.
        bytes += element_bytes<decltype(vaccinated_day_)> + element_bytes<decltype(vaccine_)> +
                 features.vaccination_campaigns * sizeof(AgentId);
    }
    if (features.hospitals)
        bytes += element_bytes<decltype(care_)> + element_bytes<decltype(bed_region_)>;
    // An infection kept by the engine, and its five int32 columns in the log.
    if (features.transmissions) bytes += sizeof(Transmission) + 5 * sizeof(std::int32_t);
    return bytes;
}

}  // namespace sortie::engine
