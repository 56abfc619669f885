// The hospital contact layer (docs/model.md, Hospitals): patients in a ward or ICU bed meet
// the nurses and doctors on duty in the region of their bed, who may be infected. Part of step
// 3 of the day: candidates join those of the other layers before the smallest-key rule picks
// one infection per person, so the result does not depend on the number of threads.
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <cmath>

#include "sim/core/rng_streams.hpp"
#include "sim/core/samplers.hpp"
#include "sim/engine/infection.hpp"
#include "sim/engine/simulation.hpp"

namespace sortie::engine {
namespace {

bool treats_patients(population::Occupation occupation) {
    return occupation == population::Occupation::kHospitalNurseOrCarer ||
           occupation == population::Occupation::kHospitalDoctor;
}

}  // namespace

// The staff at work today (as counted at the end of the day: not symptomatic, in hospital,
// dead or staying home), by region; hospital_staff_ is by id, so by region.
void Simulation::list_staff_on_duty(std::uint32_t day) {
    const std::size_t regions = population_.regions.size();
    on_duty_.clear();
    on_duty_offsets_.assign(regions + 1, 0);
    for (const AgentId a : hospital_staff_) {
        if (!treats_patients(population_.occupation[a]) || staff_absent(a, day)) continue;
        on_duty_.push_back(a);
        ++on_duty_offsets_[population_.region[a] + 1u];
    }
    for (std::size_t r = 0; r < regions; ++r) on_duty_offsets_[r + 1] += on_duty_offsets_[r];
}

void Simulation::transmit_in_hospitals(std::uint32_t day, std::vector<Candidate>& found) {
    list_staff_on_duty(day);
    tbb::enumerable_thread_specific<std::vector<Candidate>> local_found;
    tbb::enumerable_thread_specific<std::uint64_t> evaluated(0);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, active_.size(), 256),
                      [&](const auto& range) {
                          auto& local = local_found.local();
                          auto& evaluations = evaluated.local();
                          for (std::size_t i = range.begin(); i < range.end(); ++i)
                              evaluations += expose_staff(active_[i], day, local);
                      });
    for (auto n : evaluated) contact_evaluations_ += n;
    for (auto& local : local_found) found.insert(found.end(), local.begin(), local.end());
}

// A patient in a bed meets Poisson(patient_contacts) staff on duty, drawn uniformly among those
// of the bed's region. Infectiousness is the natural history's at this day since infection, as
// for a symptomatic case, times (1 - PPE efficacy). Returns the contacts examined.
std::uint64_t Simulation::expose_staff(AgentId patient, std::uint32_t day,
                                       std::vector<Candidate>& found) const {
    const Care place = care_place(care_[patient]);
    if (place != Care::kWard && place != Care::kIcu) return 0;
    const auto& layer = spec_.hospitals.contacts;
    const bool icu = place == Care::kIcu;
    const double force = spec_.transmission_rate *
                         spec_.layer_weight[std::size_t(contacts::Layer::kHospital)] *
                         multiplier_[patient] * disease_.profile(day - infection_day_[patient]);
    const double ppe_kept = 1.0 - (icu ? layer.icu_ppe_efficacy : layer.ward_ppe_efficacy);
    const std::size_t region = bed_region_[patient];
    const std::uint32_t first = on_duty_offsets_[region];
    const std::uint32_t staff = on_duty_offsets_[region + 1] - first;
    if (force <= 0.0 || staff == 0) return 0;
    core::Draws draws(key_, core::streams::kHospitalContacts, day, patient);
    const std::uint32_t count = core::poisson(draws, icu ? layer.icu_per_day : layer.ward_per_day);
    for (std::uint32_t c = 0; c < count; ++c) {
        const AgentId b =
            on_duty_[first + static_cast<std::uint32_t>(core::uniform_int(draws, staff))];
        const std::uint64_t bits = draws.next_u64();
        if (state_[b] != State::kSusceptible) continue;
        const double exposure = force * disease_.susceptibility(population_.age[b]);
        const double kept =
            ppe_kept *
            (policy_neutral_ ? 1.0f : contact_factor(patient, b, contacts::Layer::kHospital)) *
            vaccine_susceptibility(b, day);
        if (infects(core::to_unit_interval(bits), exposure, kept))
            found.push_back({b, bits, patient, contacts::Layer::kHospital});
    }
    return count;
}

}  // namespace sortie::engine
