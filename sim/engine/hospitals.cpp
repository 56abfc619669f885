// Hospital capacity and patient flow (docs/model.md, Hospitals). Everything here runs in the
// serial part of the day (advance() and record_day()), agent by agent in a fixed order, so the
// result does not depend on the number of threads.
#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/core/rng_streams.hpp"
#include "sim/engine/simulation.hpp"

namespace sortie::engine {
namespace {

using disease::Path;

bool course_fatal(Path path) {
    return path == Path::kWardDies || path == Path::kIcuDies;
}

bool hospital_staff(population::Occupation occupation) {
    using population::Occupation;
    return occupation == Occupation::kHospitalNurseOrCarer ||
           occupation == Occupation::kHospitalDoctor || occupation == Occupation::kHospitalOther;
}

constexpr std::int64_t kUnlimited = 0x7FFFFFFF;

Care place_of(std::uint8_t care) {
    return static_cast<Care>(care & kCarePlaceMask);
}

}  // namespace

void Simulation::set_up_hospitals() {
    if (!spec_.hospitals.enabled) return;
    care_.assign(population_.size(), 0);
    bed_region_.assign(population_.size(), 0);
    hospital_.assign(population_.regions.size() * kHospitalMeasures, 0);
    // No staff counted yet: the first day's admissions are limited by the beds alone.
    for (std::size_t r = 0; r < population_.regions.size(); ++r) {
        hospital(r, HospitalMeasure::kWardEffectiveCapacity) = kUnlimited;
        hospital(r, HospitalMeasure::kIcuEffectiveCapacity) = kUnlimited;
    }
    for (AgentId a = 0; a < population_.size(); ++a) {
        if (hospital_staff(population_.occupation[a])) hospital_staff_.push_back(a);
    }
}

std::int64_t& Simulation::hospital(std::size_t region, HospitalMeasure measure) {
    return hospital_[region * kHospitalMeasures + std::size_t(measure)];
}

std::int32_t Simulation::ward_beds(std::uint32_t day, std::size_t region) const {
    return spec_.hospitals.ward_beds[std::size_t{day} * population_.regions.size() + region];
}

std::int32_t Simulation::icu_beds(std::uint32_t day, std::size_t region) const {
    return spec_.hospitals.icu_beds[std::size_t{day} * population_.regions.size() + region];
}

// Admissions today use the beds the staff counted at the end of yesterday could run.
std::int64_t Simulation::ward_limit(std::uint32_t day, std::size_t region) const {
    return std::min<std::int64_t>(ward_beds(day, region),
                                  hospital_[region * kHospitalMeasures +
                                            std::size_t(HospitalMeasure::kWardEffectiveCapacity)]);
}

std::int64_t Simulation::icu_limit(std::uint32_t day, std::size_t region) const {
    return std::min<std::int64_t>(icu_beds(day, region),
                                  hospital_[region * kHospitalMeasures +
                                            std::size_t(HospitalMeasure::kIcuEffectiveCapacity)]);
}

// A patient needing hospital care gets a ward bed in the region, or stays home.
void Simulation::admit_to_ward(AgentId a, std::uint32_t day) {
    const std::size_t r = population_.region[a];
    if (hospital(r, HospitalMeasure::kWardOccupancy) < ward_limit(day, r)) {
        care_[a] = std::uint8_t(Care::kWard);
        bed_region_[a] = static_cast<std::uint16_t>(r);
        ++hospital(r, HospitalMeasure::kWardOccupancy);
        ++hospital(r, HospitalMeasure::kAdmissions);
        ++hospital(r, HospitalMeasure::kWardAdmissions);
        return;
    }
    care_[a] = std::uint8_t(Care::kHome);
    ++hospital(r, HospitalMeasure::kWardRefused);
    deny_care(a, 0, spec_.hospitals.death_without_ward);
}

// A patient needing ICU gets a bed in the region where they are (their ward bed's, or their
// own), else one in the region with the most free ICU beds while the day's national transfer
// limit lasts, else stays where they are (ward bed or home), waiting: returns false.
bool Simulation::admit_to_icu(AgentId a, std::uint32_t day) {
    const Care place = place_of(care_[a]);
    const std::size_t from = place == Care::kWard ? bed_region_[a] : population_.region[a];
    int to = -1;
    if (hospital(from, HospitalMeasure::kIcuOccupancy) < icu_limit(day, from)) {
        to = int(from);
    } else if (transfers_today_ < transfers_allowed(day)) {
        to = icu_with_most_room(day);
    }
    if (to < 0) {
        ++hospital(from, HospitalMeasure::kIcuRefused);
        ++hospital(from, HospitalMeasure::kIcuWaiting);
        care_[a] |= kWaitsForIcu;
        deny_care(a, 1, spec_.hospitals.death_without_icu);
        return false;
    }
    // A patient from home enters the hospital of their region, even if only to be sent on.
    if (place == Care::kWard)
        --hospital(from, HospitalMeasure::kWardOccupancy);
    else
        ++hospital(from, HospitalMeasure::kAdmissions);
    const auto dest = std::size_t(to);
    if (dest != from) {
        ++hospital(from, HospitalMeasure::kTransfersOut);
        ++hospital(dest, HospitalMeasure::kTransfersIn);
        ++transfers_today_;
    }
    care_[a] = std::uint8_t(Care::kIcu);
    bed_region_[a] = static_cast<std::uint16_t>(dest);
    ++hospital(dest, HospitalMeasure::kIcuOccupancy);
    ++hospital(dest, HospitalMeasure::kIcuAdmissions);
    return true;
}

// The rest of the course of a patient refused ICU, in their ward bed or at home (state H): a
// patient who will die (their course, or care denied) dies after days_to_death_without_icu;
// the others recover after the ICU stay they would have had (docs/model.md, Hospitals).
std::uint32_t Simulation::course_without_icu(AgentId a) const {
    const bool dies = course_fatal(history_[a].path) || dies_untreated(a);
    if (!dies) return history_[a].stage_days[4];
    return static_cast<std::uint32_t>(std::lround(spec_.hospitals.days_to_death_without_icu));
}

// The transfers day `day` allows: floor((day + 1) x) - floor(day x) for x a day, so that any
// stretch of days allows x a day within one transfer, at every scale, without a draw (an
// unused transfer is not carried over).
std::uint32_t Simulation::transfers_allowed(std::uint32_t day) const {
    const double x = spec_.hospitals.transfers_per_day;
    return static_cast<std::uint32_t>(std::floor(double(day + 1) * x) -
                                      std::floor(double(day) * x));
}

// The region with the most free ICU beds today (the first on ties), or -1 if none has any.
int Simulation::icu_with_most_room(std::uint32_t day) const {
    int best = -1;
    std::int64_t most = 0;
    for (std::size_t r = 0; r < population_.regions.size(); ++r) {
        const std::int64_t free =
            icu_limit(day, r) -
            hospital_[r * kHospitalMeasures + std::size_t(HospitalMeasure::kIcuOccupancy)];
        if (free > most) {
            most = free;
            best = int(r);
        }
    }
    return best;
}

// A patient whose course ends in death dies as before; the others die untreated with the
// given probability (a draw of its own stream: the draws of the disease are untouched).
void Simulation::deny_care(AgentId a, std::uint32_t which, double death_probability) {
    if (course_fatal(history_[a].path)) return;
    const double u =
        core::to_unit_interval(core::draw_u64(key_, core::streams::kCareDenied, 0, a, which));
    if (u < death_probability) care_[a] |= kDiesUntreated;
}

// The end of a ward or ICU stage without a further acute stage: death, follow-up care or
// recovery. Follow-up care frees the acute bed; the patient leaves hospital at its end.
void Simulation::end_hospital_course(AgentId a, std::uint32_t day) {
    const bool fatal = course_fatal(history_[a].path);
    const bool dies = fatal || dies_untreated(a);
    if (hospitals_on()) leave_bed(a, dies, dies && !fatal);
    if (dies) {
        count_event(a, Event::kDeaths);
        count_event(a, Event::kHospitalDeaths);
        enter(a, State::kDead, day, 0);
    } else if (const auto follow_up = history_[a].stage_days[6]; follow_up > 0) {
        enter(a, State::kFollowUp, day, follow_up);
    } else {
        count_event(a, Event::kHospitalDischarges);
        enter(a, State::kRecovered, day, 0);
    }
}

// An ICU survivor spends the step-down stay on a ward when the disease has one (one whose
// care was denied ends their course in ICU, as they would have anywhere).
bool Simulation::steps_down(AgentId a) const {
    return history_[a].path == Path::kIcuRecovers &&
           disease_.parameters().step_down_to_discharge.has_value() && !dies_untreated(a);
}

// The rest of an ICU survivor's course is a ward survivor's, and its path says so from here:
// the ward stage that follows ends in discharge, not in ICU. False, and nothing changed, when
// the hospitals have no ward bed for them.
bool Simulation::step_down(AgentId a, std::uint32_t day) {
    if (hospitals_on() && !move_to_ward_after_icu(a, day)) return false;
    auto& history = history_[a];
    history.path = Path::kWardRecovers;
    enter(a, State::kHospitalWard, day, history.stage_days[5]);
    return true;
}

// A ward bed in the region of the patient's ICU bed, if one is free. Without one the patient
// leaves ICU without the step-down stay (to follow-up care or home, end_hospital_course):
// kept in their ICU bed they would be in ICU occupancy without being in state C, which
// triggers count.
bool Simulation::move_to_ward_after_icu(AgentId a, std::uint32_t day) {
    if (place_of(care_[a]) != Care::kIcu) return true;
    const std::size_t r = bed_region_[a];
    if (hospital(r, HospitalMeasure::kWardOccupancy) >= ward_limit(day, r)) return false;
    --hospital(r, HospitalMeasure::kIcuOccupancy);
    ++hospital(r, HospitalMeasure::kWardOccupancy);
    care_[a] = std::uint8_t((care_[a] & ~kCarePlaceMask) | std::uint8_t(Care::kWard));
    return true;
}

// Frees the bed in the region where the patient lies.
void Simulation::leave_bed(AgentId a, bool dies, bool excess) {
    const Care place = place_of(care_[a]);
    if (place == Care::kWard || place == Care::kIcu) {
        const std::size_t r = bed_region_[a];
        --hospital(r, place == Care::kWard ? HospitalMeasure::kWardOccupancy
                                           : HospitalMeasure::kIcuOccupancy);
        ++hospital(r, dies ? HospitalMeasure::kDeaths : HospitalMeasure::kDischarges);
    }
    if (excess) ++hospital(population_.region[a], HospitalMeasure::kExcessDeaths);
    if (care_[a] & kWaitsForIcu)
        --hospital(place == Care::kWard ? bed_region_[a] : population_.region[a],
                   HospitalMeasure::kIcuWaiting);
    care_[a] = std::uint8_t(Care::kNone);
}

// Flows start each day at zero; occupancy carries over; capacity and staff are recounted.
void Simulation::reset_hospital_flows() {
    transfers_today_ = 0;
    if (!hospitals_on()) return;
    for (std::size_t r = 0; r < population_.regions.size(); ++r) {
        for (std::size_t m = 0; m < kHospitalMeasures; ++m) {
            const auto measure = static_cast<HospitalMeasure>(m);
            if (measure != HospitalMeasure::kWardOccupancy &&
                measure != HospitalMeasure::kIcuOccupancy &&
                measure != HospitalMeasure::kIcuWaiting &&
                measure != HospitalMeasure::kWardEffectiveCapacity &&
                measure != HospitalMeasure::kIcuEffectiveCapacity)
                hospital(r, measure) = 0;
        }
    }
}

// Staff are absent when symptomatic, in hospital, dead or staying home (isolation or
// quarantine). Effective capacity (docs/model.md, Hospitals): the present nurses and doctors
// times covid_staff_share run ICU beds first, then ward beds; it limits tomorrow's admissions.
void Simulation::count_staff_and_beds(std::uint32_t day) {
    const std::size_t regions = population_.regions.size();
    std::vector<double> nurses(regions, 0.0), doctors(regions, 0.0);
    for (const AgentId a : hospital_staff_) {
        const bool absent = staff_absent(a, day);
        const std::size_t r = population_.region[a];
        ++hospital(r, absent ? HospitalMeasure::kStaffAbsent : HospitalMeasure::kStaffPresent);
        if (absent) continue;
        if (population_.occupation[a] == population::Occupation::kHospitalNurseOrCarer)
            nurses[r] += 1;
        else if (population_.occupation[a] == population::Occupation::kHospitalDoctor)
            doctors[r] += 1;
    }
    for (std::size_t r = 0; r < regions; ++r) {
        hospital(r, HospitalMeasure::kWardCapacity) = ward_beds(day, r);
        hospital(r, HospitalMeasure::kIcuCapacity) = icu_beds(day, r);
        staff_beds(r, nurses[r], doctors[r], day);
    }
}

bool Simulation::staff_absent(AgentId a, std::uint32_t day) const {
    const State s = state_[a];
    return s == State::kSymptomatic || s == State::kHospitalWard || s == State::kIcu ||
           s == State::kFollowUp || s == State::kDead || stays_home(a, day);
}

namespace {

// Beds that `nurses` and `doctors` can run at `need` per bed (a ratio of 0 sets no limit).
double runnable(double nurses, double doctors, const StaffPerBed& need) {
    double beds = 1e18;
    if (need.nurses > 0) beds = std::min(beds, nurses / need.nurses);
    if (need.doctors > 0) beds = std::min(beds, doctors / need.doctors);
    return std::floor(beds);
}

}  // namespace

void Simulation::staff_beds(std::size_t r, double nurses, double doctors, std::uint32_t day) {
    const auto& h = spec_.hospitals;
    if (!h.staff_limits) {
        hospital(r, HospitalMeasure::kWardEffectiveCapacity) = ward_beds(day, r);
        hospital(r, HospitalMeasure::kIcuEffectiveCapacity) = icu_beds(day, r);
        return;
    }
    nurses *= h.covid_staff_share;
    doctors *= h.covid_staff_share;
    const double icu = std::min<double>(icu_beds(day, r), runnable(nurses, doctors, h.icu_staff));
    nurses -= icu * h.icu_staff.nurses;
    doctors -= icu * h.icu_staff.doctors;
    const double ward =
        std::min<double>(ward_beds(day, r), runnable(nurses, doctors, h.ward_staff));
    hospital(r, HospitalMeasure::kIcuEffectiveCapacity) = static_cast<std::int64_t>(icu);
    hospital(r, HospitalMeasure::kWardEffectiveCapacity) = static_cast<std::int64_t>(ward);
}

}  // namespace sortie::engine
