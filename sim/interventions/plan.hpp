#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/interventions/policy.hpp"
#include "sim/interventions/trigger.hpp"
#include "sim/interventions/tti.hpp"

namespace sortie::interventions {

enum class Kind : std::uint8_t {
    kContacts,     ///< contact factors by layer, for an age range and regions
    kSchools,      ///< attendance by school level
    kTelework,     ///< share of workers at home
    kMasks,        ///< wearing share by layer x efficacy
    kVaccination,  ///< daily doses by priority group (vaccination.hpp); no daily policy
    kTesting,      ///< tests for symptomatic cases and traced contacts; positives isolate
    kTracing,      ///< manual and digital tracing of positive cases' contacts
    kMassTesting,  ///< tests of people drawn at random (by age, region)
};

/// An age range, both ends included.
struct AgeRange {
    int from = 0, to = 120;
};

/// A vaccination campaign (docs/model.md, Vaccination). One dose makes a person vaccinated.
struct VaccinationSpec {
    double doses_per_100k = 0;       ///< doses a day per 100,000 people of the regions
    std::vector<AgeRange> priority;  ///< groups served in this order (first match wins)
    std::vector<double> uptake;      ///< share of each group who accept, one per group
    double efficacy_infection = 0;   ///< susceptibility x (1 - e) once protected
    double efficacy_severe = 0;      ///< P(severe path | infected) x (1 - e) once protected
    std::uint32_t delay_days = 0;    ///< dose to protection
};

/// Whether an intervention of this kind acts through test-trace-isolate, not the DailyPolicy.
inline bool is_tti(Kind kind) {
    return kind == Kind::kTesting || kind == Kind::kTracing || kind == Kind::kMassTesting;
}

/// One intervention, with day numbers already resolved from dates. Active on day d when
/// start_day <= d <= end_day and, if it has a trigger, that trigger is on.
struct InterventionSpec {
    std::string name;
    Kind kind = Kind::kContacts;
    std::uint32_t start_day = 0;
    std::uint32_t end_day = 0xFFFFFFFFu;
    int trigger = -1;  ///< index into the plan's triggers, or -1

    // kContacts (shielding is kContacts on ages >= a cut-off)
    std::array<double, contacts::kLayers> layer_factor{1, 1, 1, 1, 1};
    int age_from = 0, age_to = 255;
    std::vector<std::uint16_t> regions;  ///< empty = all
    // kSchools: attendance by level (1 = unchanged)
    std::array<double, kSchoolLevels> attendance{1, 1, 1, 1, 1, 1};
    // kTelework
    double telework = 0.0;
    // kMasks: wearing share by layer, efficacy for the wearer and for the people around
    std::array<double, contacts::kLayers> wearing{0, 0, 0, 0, 0};
    double efficacy_wearer = 0.0, efficacy_others = 0.0;
    // kVaccination (regions above: where doses are given)
    VaccinationSpec vaccination;
    // kTesting, kMassTesting (mass testing also uses age_from, age_to and regions)
    TestSpec test;
    // kTracing
    TracingSpec tracing;
};

/// The observed state of the epidemic at the end of a day, per region (what triggers watch).
struct Indicators {
    std::vector<double> icu, hospital, admissions, infections, people;
    std::vector<double> tests, tests_positive;  ///< of the day
};

/// The interventions of a scenario through one run: which are active each day, and the
/// policy they make. Deterministic, no random numbers.
class Plan {
  public:
    Plan(std::vector<InterventionSpec> interventions, std::vector<TriggerSpec> triggers,
         std::size_t regions);

    /// The policy of day d (interventions active that day combined: contact and mask factors
    /// multiply, school attendance takes the minimum, telework the maximum).
    const DailyPolicy& policy_for(std::uint32_t day);
    /// Feeds the day's indicators to the triggers (effective from the next day).
    void end_of_day(const Indicators& indicators);
    /// 1 for each intervention active on the day of the last policy_for.
    const std::vector<std::int32_t>& active() const { return active_; }
    /// Whether an intervention that changes the daily policy is active (vaccination does not:
    /// the kernel reads it from per-agent columns).
    bool policy_active() const;
    const std::vector<InterventionSpec>& interventions() const { return interventions_; }
    bool empty() const { return interventions_.empty(); }
    /// The triggers' state (the policy is rebuilt each day), for checkpoints.
    void save(core::ByteWriter& out) const;
    void restore(core::ByteReader& in);

  private:
    void apply(const InterventionSpec& intervention);

    std::vector<InterventionSpec> interventions_;
    std::vector<Trigger> triggers_;
    std::size_t regions_;
    DailyPolicy policy_;
    std::vector<std::int32_t> active_;
};

/// Expected transmission factor of masks in a layer: each side wears one with probability w,
/// independently: (1 - w e_others)(1 - w e_wearer) (docs/model.md).
double mask_factor(double wearing, double efficacy_wearer, double efficacy_others);

}  // namespace sortie::interventions
