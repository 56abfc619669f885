#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/contacts/contact_model.hpp"
#include "sim/core/byte_stream.hpp"
#include "sim/core/philox_batch.hpp"
#include "sim/core/rng.hpp"
#include "sim/disease/natural_history.hpp"
#include "sim/engine/hospitals.hpp"
#include "sim/engine/tti.hpp"
#include "sim/interventions/plan.hpp"
#include "sim/interventions/vaccination.hpp"
#include "sim/population/population.hpp"
#include "sim/results/result.hpp"

namespace sortie::engine {

// The records the engine fills in, by the names it uses for them.
using results::Event;
using results::HospitalMeasure;
using results::kDaysLeftWindow;
using results::kEvents;
using results::kHospitalMeasures;
using results::kMeasures;
using results::kStates;
using results::kSupplyMeasures;
using results::Measure;
using results::ReplicateResult;
using results::State;
using results::SupplyMeasure;

using population::AgentId;

/// Infections put into the population from outside: `infections` people a day (on average) for
/// `days` days from day `first_day`, drawn uniformly among the people of `regions` (region
/// indices; empty = everywhere), so in proportion to each region's people; a draw that finds
/// someone already infected is drawn again.
struct Seeding {
    std::uint32_t first_day = 0;
    std::uint32_t days = 1;
    double infections = 0;  ///< a day; a fraction is rounded stochastically each day
    std::vector<std::uint16_t> regions;
};

/// What one replicate needs besides the population, contacts and disease.
struct EngineSpec {
    std::uint32_t days = 0;
    double transmission_rate = 0.0;  ///< beta, from calibrate_transmission_rate
    std::array<double, contacts::kLayers> layer_weight{1.0, 1.0, 1.0, 1.0, 1.0};
    std::vector<Seeding> seeding;
    /// Realised R0 averages the secondary infections of the first infections not seeded: this
    /// many (0: a thousandth of the population, 10 to 1000), early enough that the depletion
    /// of susceptibles barely lowers it.
    std::uint32_t early_infections = 0;
    std::vector<interventions::InterventionSpec> interventions;
    std::vector<interventions::TriggerSpec> triggers;
    HospitalSpec hospitals;  ///< capacity and patient flow; off unless the scenario has them
};

/// One infection, for transmission trees and the realised generation interval.
struct Transmission {
    std::uint32_t day;
    AgentId infector;  ///< kNoInfector for seeded infections
    AgentId infectee;
    contacts::Layer layer;
};
inline constexpr AgentId kNoInfector = 0xFFFFFFFFu;

/// What a replicate will hold per agent beyond the fixed columns (the memory estimate).
struct ReplicateFeatures {
    bool test_trace_isolate = false;
    std::size_t vaccination_campaigns = 0;
    bool hospitals = false;
    bool transmissions = false;  ///< the transmission log, at worst one infection per agent
};

/// One replicate: the day loop (docs/architecture.md). Deterministic: the result depends on the
/// inputs and the key only, not on the number of threads.
class Simulation {
  public:
    Simulation(const population::Population& population, const contacts::ContactModel& contacts,
               const disease::DiseaseModel& disease, const EngineSpec& spec, core::RngKey key);

    /// Runs the days left: all of them, or those after a restored checkpoint. `on_day(day)` is
    /// called after each (progress lines, checkpoints, interruption).
    ReplicateResult run(const std::function<void(std::uint32_t)>& on_day = {});

    /// Runs days until `stop()`, asked after each, says so (or the last day): the early
    /// epidemic of a calibration pilot (early_epidemic.hpp), which needs no records after it.
    void run_until(const std::function<bool()>& stop);

    /// The whole state after the last day run (trajectories so far included), for checkpoints.
    void save(core::ByteWriter& out) const;
    /// Takes up a state written by `save` on the same inputs; run() then continues from there.
    /// Throws core::CorruptImage when the image does not fit these inputs.
    void restore(core::ByteReader& in);
    /// The first day run() will simulate.
    std::uint32_t next_day() const { return next_day_; }

    /// Keeps every infection in `transmissions()` (off by default: 16 bytes each).
    void record_transmissions(bool on) { record_transmissions_ = on; }
    const std::vector<Transmission>& transmissions() const { return transmissions_; }
    /// The natural history sampled for an infected agent.
    const disease::History& history(AgentId agent) const { return history_[agent]; }
    State state(AgentId agent) const { return state_[agent]; }
    /// The day an infected agent was infected.
    std::uint32_t infection_day(AgentId agent) const { return infection_day_[agent]; }
    /// The individual infectiousness multiplier of an infected agent (gamma, mean 1).
    float multiplier(AgentId agent) const { return multiplier_[agent]; }
    /// The day an agent was vaccinated, or kNeverVaccinated.
    std::uint16_t vaccinated_day(AgentId agent) const {
        return vaccinated_day_.empty() ? kNeverVaccinated : vaccinated_day_[agent];
    }
    static constexpr std::uint16_t kNeverVaccinated = 0xFFFF;
    /// Contacts of infectious agents examined so far (the transmission kernel's work).
    std::uint64_t contact_evaluations() const { return contact_evaluations_; }
    /// Contacts that infected by layer, so far: one per infection, and one more for each
    /// further contact that would have infected the same person the same day (the kernel's
    /// decisions, before the earliest wins). What a factor on a layer multiplies exactly. Not
    /// saved with the state: a measure, not a result.
    const std::array<std::uint64_t, contacts::kLayers>& successful_contacts() const {
        return successful_contacts_;
    }
    /// Wall seconds spent in the transmission kernel (step 3 of the day) by this object: the
    /// time the contact evaluations took. Not saved with the state: a measure, not a result.
    double transmission_seconds() const { return transmission_seconds_; }
    /// Whether the agent is isolated or quarantined on `day` (as far as the run has gone).
    bool isolated(AgentId agent, std::uint32_t day) const;
    bool quarantined(AgentId agent, std::uint32_t day) const;
    /// Whether the agent isolated or quarantined on `day` complies: no contact outside home.
    bool stays_home(AgentId agent, std::uint32_t day) const;

    /// The bytes per agent of a replicate's columns with `features`, at worst (every agent in
    /// the list of the infected): what `sortie run --dry-run` plans with.
    static std::size_t bytes_per_agent(const ReplicateFeatures& features);

  private:
    struct Candidate {
        AgentId infectee;
        std::uint64_t key;
        AgentId infector;
        contacts::Layer layer;
    };

    /// Infectious agents and their contacts of the day, examined together (transmit()).
    struct TransmitBatch {
        struct Infector {
            AgentId agent;
            std::uint32_t first_contact;  ///< in `contacts`
            double force;
            double outside;  ///< what is kept of contacts outside home (symptomatic cases)
        };
        std::vector<Infector> infectors;
        std::vector<contacts::FoundContact> contacts;
        std::vector<contacts::ContactModel::DrawRequests> contact_draws;  ///< by infector
        std::vector<core::PrecomputedCursors::Request> infection_draws;   ///< by infector
        /// Positions in `contacts` of the susceptible ones, infector after infector, and where
        /// each infector's start (expose_batch()).
        std::vector<std::uint32_t> susceptible, first_susceptible;
        core::PrecomputedCursors cursors;

        /// The end of the contacts of infector n.
        std::size_t contacts_end(std::size_t n) const {
            return n + 1 < infectors.size() ? infectors[n + 1].first_contact : contacts.size();
        }
    };
    /// Enough contacts (about 11 each) in flight to overlap their cache misses, and the
    /// per-batch work (vector Philox calls, prefetch loops) spread over many; few enough that
    /// their draws fit one PrecomputedCursors (about 12 blocks each of its 1,024). 64 against
    /// 16: W2's kernel 5-7% faster (benchmarks/RESULTS.md).
    static constexpr std::size_t kInfectorsPerBatch = 64;
    /// Active agents whose columns are prefetched for the next batch: most active agents are
    /// infectious (the others are skipped).
    static constexpr std::size_t kPrefetchedAhead = 96;

    void reserve_records();
    void run_day(std::uint32_t day);
    void seed(std::uint32_t day);
    AgentId seeding_candidate(const Seeding& seeding, core::Draws& draws) const;
    void transmit(std::uint32_t day, std::vector<Candidate>& winners);
    std::size_t collect_batch(std::uint32_t day, std::size_t from, std::size_t to,
                              TransmitBatch& batch) const;
    std::uint64_t expose_batch(std::uint32_t day, TransmitBatch& batch,
                               std::vector<Candidate>& found) const;
    double force_of_infection(AgentId agent, std::uint32_t day) const;
    void prefetch_infector(AgentId agent) const;
    void prefetch_places(AgentId agent) const;
    void set_susceptible_ages();
    void infect(AgentId agent, std::uint32_t day, AgentId infector, contacts::Layer layer,
                bool seeded);
    void infect_winners(std::uint32_t day, const std::vector<Candidate>& winners);
    void sample_course(AgentId agent, std::uint32_t day);
    void record_infection(AgentId agent, std::uint32_t day, AgentId infector, contacts::Layer layer,
                          bool seeded);
    void progress(std::uint32_t day, std::size_t first);
    std::vector<std::uint32_t> positions_due(std::uint32_t day, std::size_t first) const;
    void update_active_by_id();
    void advance(AgentId agent, std::uint32_t day);
    void enter(AgentId agent, State next, std::uint32_t day, std::uint32_t stage_days);
    void count_event(AgentId agent, Event event);
    /// Adds `n` to a measure of the agent's region (a flow, or a change of a stock).
    void count_measure(AgentId agent, Measure measure, std::int64_t n = 1);
    void reset_flows();
    void record_day(std::uint32_t day, ReplicateResult& result);
    /// The axes of the records after `days` days (checkpoints check their sizes against it).
    results::ScenarioResult records_shape(std::uint32_t days) const;
    interventions::Indicators indicators() const;
    bool attends_school(AgentId agent) const;
    bool works_from_home(AgentId agent) const;
    float contact_factor(AgentId a, AgentId b, contacts::Layer layer) const;
    std::size_t cell(AgentId agent) const;
    double realised_r0() const;

    // Vaccination (docs/model.md): campaigns, doses, protection.
    void set_up_vaccination();
    void vaccinate(std::uint32_t day);
    interventions::Offer vaccine_offer(AgentId agent) const;
    void give_dose(AgentId agent, std::uint32_t day, std::size_t campaign);
    bool vaccine_protects(AgentId agent, std::uint32_t day) const;
    double vaccine_susceptibility(AgentId agent, std::uint32_t day) const;
    void avert_severe_disease(AgentId agent, std::uint32_t day);
    // Test-trace-isolate (tti.cpp), step 5b of the day, in this order.
    void test_trace_isolate(std::uint32_t day);
    const interventions::InterventionSpec* last_active(interventions::Kind kind) const;
    void request_symptomatic_tests(std::uint32_t day, const interventions::TestSpec& testing);
    void perform_requested_tests(std::uint32_t day, std::size_t testing);
    void perform_mass_tests(std::uint32_t day);
    void perform_test(AgentId agent, std::uint32_t day, std::size_t intervention,
                      std::uint32_t source);
    std::vector<PositiveResult> act_on_results(std::uint32_t day);
    void trace(std::uint32_t day, std::size_t tracing, std::vector<PositiveResult> index_cases);
    void trace_index_case(const PositiveResult& index, std::uint32_t day, std::size_t tracing,
                          std::vector<TracedContact>& found) const;
    void start_quarantines(std::uint32_t day);
    void isolate(AgentId agent, std::uint32_t day, const interventions::IsolationSpec& rules);
    void quarantine(AgentId agent, std::uint32_t day, double compliance, std::uint32_t days);
    void end_expired(std::uint32_t day);
    void refresh_home_end(AgentId agent);
    bool has_app(AgentId agent, const interventions::TracingSpec& tracing) const;
    float home_factor(AgentId a, AgentId b, contacts::Layer layer, std::uint32_t day) const;
    // Hospitals (docs/model.md, Hospitals): beds, transfers, care denied, staff.
    void set_up_hospitals();
    bool hospitals_on() const { return !care_.empty(); }
    bool dies_untreated(AgentId agent) const {
        return hospitals_on() && (care_[agent] & kDiesUntreated) != 0;
    }
    std::int64_t& hospital(std::size_t region, HospitalMeasure measure);
    std::int32_t ward_beds(std::uint32_t day, std::size_t region) const;
    std::int32_t icu_beds(std::uint32_t day, std::size_t region) const;
    std::int64_t ward_limit(std::uint32_t day, std::size_t region) const;
    std::int64_t icu_limit(std::uint32_t day, std::size_t region) const;
    void staff_beds(std::size_t region, double nurses, double doctors, std::uint32_t day);
    void admit_to_ward(AgentId agent, std::uint32_t day);
    bool admit_to_icu(AgentId agent, std::uint32_t day);
    bool waits_for_icu(AgentId agent) const {
        return hospitals_on() && (care_[agent] & kWaitsForIcu) != 0;
    }
    std::uint32_t course_without_icu(AgentId agent) const;
    int icu_with_most_room(std::uint32_t day) const;
    std::uint32_t transfers_allowed(std::uint32_t day) const;
    void deny_care(AgentId agent, std::uint32_t which, double death_probability);
    void end_hospital_course(AgentId agent, std::uint32_t day);
    bool steps_down(AgentId agent) const;
    bool step_down(AgentId agent, std::uint32_t day);
    bool move_to_ward_after_icu(AgentId agent, std::uint32_t day);
    void leave_bed(AgentId agent, bool dies, bool excess);
    void reset_hospital_flows();
    void count_staff_and_beds(std::uint32_t day);
    // Supplies (supplies.cpp): stocks and use per region and resource.
    void set_up_supplies();
    void account_supplies(std::uint32_t day, ReplicateResult& result);
    void set_days_left(std::uint32_t day, std::size_t region, std::size_t supply,
                       ReplicateResult& result) const;
    bool staff_absent(AgentId agent, std::uint32_t day) const;
    // The hospital contact layer (hospital_contacts.cpp), part of step 3.
    bool hospital_layer_on() const { return hospitals_on() && spec_.hospitals.contacts.enabled; }
    void list_staff_on_duty(std::uint32_t day);
    void transmit_in_hospitals(std::uint32_t day, std::vector<Candidate>& found);
    std::uint64_t expose_staff(AgentId patient, std::uint32_t day,
                               std::vector<Candidate>& found) const;

    const population::Population& population_;
    const contacts::ContactModel& contacts_;
    const disease::DiseaseModel& disease_;
    EngineSpec spec_;
    core::RngKey key_;

    std::vector<State> state_;
    /// Age + 1 while susceptible, 0 once infected: what the kernel reads of each contact (is
    /// it susceptible, and how much) in one byte, so one cache miss instead of two.
    std::vector<std::uint8_t> susceptible_age_;
    std::vector<std::uint16_t> next_event_day_;
    std::vector<std::uint16_t> infection_day_;
    std::vector<float> multiplier_;
    std::vector<disease::History> history_;
    std::vector<AgentId> active_;
    /// active_ in id order, brought up to date by transmit() each day: consecutive infectors'
    /// columns then share cache lines and pages (at a peak, up to 40% of the agents are
    /// active), where active_'s order (by day of infection) scatters them. active_ keeps its
    /// order, which decides who is admitted first when beds run short.
    std::vector<AgentId> active_by_id_;
    /// The first entries of active_ that active_by_id_ holds; those after arrived since.
    std::size_t active_sorted_ = 0;

    std::vector<std::int64_t> counts_;     ///< [region][band][state], current
    std::vector<std::int64_t> incidence_;  ///< [region][band][event], today
    std::vector<std::int64_t> measures_;   ///< [region][measure]: flows today, stocks now
    interventions::Plan plan_;
    const interventions::DailyPolicy* policy_ = nullptr;
    bool policy_changes_groups_ = false;  ///< school attendance or telework in force today
    bool policy_neutral_ = true;  ///< no intervention in force today: skip the policy lookups
    bool restrictions_in_force_ = false;  ///< someone is isolated or quarantined today
    TtiState tti_;
    std::vector<AgentId> early_;  ///< first infections, sorted by id after the cap
    std::vector<std::uint32_t> early_secondaries_;
    std::uint32_t early_cap_ = 0;
    std::uint32_t next_day_ = 0;
    ReplicateResult result_;  ///< the trajectories so far
    bool record_transmissions_ = false;
    std::uint64_t contact_evaluations_ = 0;
    double transmission_seconds_ = 0;
    std::array<std::uint64_t, contacts::kLayers> successful_contacts_{};
    std::vector<Transmission> transmissions_;
    std::vector<Candidate> winners_;  ///< the day's infections (transmit(), infect_winners())

    // Vaccination: per-agent columns, allocated only when the scenario has a campaign.
    std::vector<interventions::VaccinationCampaign> campaigns_;
    std::vector<std::size_t> campaign_intervention_;  ///< its index in the plan
    std::vector<std::uint16_t> vaccinated_day_;       ///< kNeverVaccinated if never
    std::vector<std::uint8_t> vaccine_;               ///< the campaign that gave the dose

    // Hospitals: per-agent columns, allocated only when the scenario has `hospitals:`.
    std::vector<std::uint8_t> care_;         ///< Care | kDiesUntreated | kWaitsForIcu
    std::vector<std::uint16_t> bed_region_;  ///< region of the patient's bed
    std::vector<std::int64_t> hospital_;     ///< [region][HospitalMeasure]: flows today, stocks
    std::vector<AgentId> hospital_staff_;    ///< hospital staff agents, by id (so by region)
    std::uint32_t transfers_today_ = 0;
    std::vector<double> supply_stock_;  ///< [region][supply]: consumables' stock now
    // Hospital contact layer: nurses and doctors on duty today, by region (rebuilt each day).
    std::vector<AgentId> on_duty_;
    std::vector<std::uint32_t> on_duty_offsets_;  ///< region -> range in on_duty_
};

}  // namespace sortie::engine
