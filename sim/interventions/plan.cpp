#include "sim/interventions/plan.hpp"

#include <algorithm>

namespace sortie::interventions {
namespace {

// Percent of the day's tests that were positive, in the trigger's region or nationally.
double test_positivity(const TriggerSpec& spec, const Indicators& in) {
    double tests = 0.0, positive = 0.0;
    for (std::size_t r = 0; r < in.tests.size(); ++r) {
        if (spec.region >= 0 && r != std::size_t(spec.region)) continue;
        tests += in.tests[r];
        positive += in.tests_positive[r];
    }
    return tests > 0 ? 100.0 * positive / tests : 0.0;
}

double indicator_value(const TriggerSpec& spec, const Indicators& in) {
    if (spec.indicator == Indicator::kTestPositivity) return test_positivity(spec, in);
    const auto& series = spec.indicator == Indicator::kIcuOccupancy         ? in.icu
                         : spec.indicator == Indicator::kHospitalOccupancy  ? in.hospital
                         : spec.indicator == Indicator::kHospitalAdmissions ? in.admissions
                                                                            : in.infections;
    double value = 0.0, people = 0.0;
    for (std::size_t r = 0; r < series.size(); ++r) {
        if (spec.region >= 0 && r != std::size_t(spec.region)) continue;
        value += series[r];
        people += in.people[r];
    }
    return people > 0 ? value * 1e5 / people : 0.0;
}

}  // namespace

double mask_factor(double wearing, double efficacy_wearer, double efficacy_others) {
    return (1.0 - wearing * efficacy_others) * (1.0 - wearing * efficacy_wearer);
}

Plan::Plan(std::vector<InterventionSpec> interventions, std::vector<TriggerSpec> triggers,
           std::size_t regions)
    : interventions_(std::move(interventions)),
      regions_(regions),
      active_(interventions_.size(), 0) {
    for (auto& spec : triggers) triggers_.emplace_back(std::move(spec));
    policy_.reset(regions_);
}

void Plan::save(core::ByteWriter& out) const {
    out.value(std::uint64_t{triggers_.size()});
    for (const auto& trigger : triggers_) trigger.save(out);
}

void Plan::restore(core::ByteReader& in) {
    if (in.value<std::uint64_t>() != triggers_.size())
        throw core::CorruptImage("checkpoint of another scenario (triggers differ)");
    for (auto& trigger : triggers_) trigger.restore(in);
}

const DailyPolicy& Plan::policy_for(std::uint32_t day) {
    policy_.reset(regions_);
    for (std::size_t i = 0; i < interventions_.size(); ++i) {
        const auto& intervention = interventions_[i];
        const bool in_dates = day >= intervention.start_day && day <= intervention.end_day;
        const bool triggered =
            intervention.trigger < 0 || triggers_[std::size_t(intervention.trigger)].on();
        active_[i] = in_dates && triggered ? 1 : 0;
        if (active_[i]) apply(intervention);
    }
    return policy_;
}

bool Plan::policy_active() const {
    for (std::size_t i = 0; i < interventions_.size(); ++i) {
        if (active_[i] && interventions_[i].kind != Kind::kVaccination &&
            !is_tti(interventions_[i].kind))
            return true;
    }
    return false;
}

void Plan::apply(const InterventionSpec& intervention) {
    switch (intervention.kind) {
        case Kind::kVaccination:
            return;
        case Kind::kContacts:
            for (std::uint16_t r = 0; r < regions_; ++r) {
                const auto& chosen = intervention.regions;
                if (!chosen.empty() && std::find(chosen.begin(), chosen.end(), r) == chosen.end())
                    continue;
                for (std::size_t band = 0; band < contacts::kAgeBands; ++band) {
                    // A band is covered when its first year is in the age range.
                    const int first_age = int(band) * 5;
                    if (first_age < intervention.age_from || first_age > intervention.age_to)
                        continue;
                    for (std::size_t l = 0; l < contacts::kLayers; ++l) {
                        policy_.factor(r, band, contacts::Layer(l)) *=
                            static_cast<float>(intervention.layer_factor[l]);
                    }
                }
            }
            return;
        case Kind::kSchools:
            for (std::size_t level = 0; level < kSchoolLevels; ++level) {
                policy_.school_attendance[level] =
                    std::min(policy_.school_attendance[level], intervention.attendance[level]);
            }
            return;
        case Kind::kTelework:
            policy_.telework = std::max(policy_.telework, intervention.telework);
            return;
        case Kind::kMasks:
            for (std::size_t l = 0; l < contacts::kLayers; ++l) {
                policy_.mask_factor[l] *=
                    mask_factor(intervention.wearing[l], intervention.efficacy_wearer,
                                intervention.efficacy_others);
            }
            return;
        case Kind::kTesting:
        case Kind::kTracing:
        case Kind::kMassTesting:
            return;  // the engine's test-trace-isolate step reads these specs directly
    }
}

void Plan::end_of_day(const Indicators& indicators) {
    for (auto& trigger : triggers_) trigger.observe(indicator_value(trigger.spec(), indicators));
}

}  // namespace sortie::interventions
