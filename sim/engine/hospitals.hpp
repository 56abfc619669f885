#pragma once

// Hospital capacity and patient flow (docs/model.md, Hospitals): the plain inputs the engine
// needs, and the per-agent record of where a patient is cared for.
#include <cstdint>
#include <vector>

namespace sortie::engine {

/// Staff needed per bed (full-time equivalents: all shifts of the week).
struct StaffPerBed {
    double nurses = 0;  ///< nurses and nursing aides
    double doctors = 0;
};

/// A supply used by hospital patients (docs/model.md, Supplies). A consumable is used up: its
/// stock falls by the use and rises by the deliveries. Equipment (ventilators) is not used up:
/// patients hold units while in a bed, and a shortage is more units needed than available.
struct SupplySpec {
    bool equipment = false;
    double per_ward_patient = 0;  ///< a day (consumable) or held (equipment)
    double per_icu_patient = 0;
    /// Per region, already scaled to its agents: initial stock (consumable) or units available
    /// (equipment), and deliveries a day (consumable).
    std::vector<double> stock, delivery_per_day;
};

/// The hospital contact layer (docs/model.md, Hospitals): each patient in a ward or ICU bed
/// meets staff on duty of the bed's region; protective equipment (PPE) cuts transmission.
struct HospitalContactSpec {
    bool enabled = false;
    double ward_per_day = 0, icu_per_day = 0;            ///< staff met per patient and day
    double ward_ppe_efficacy = 0, icu_ppe_efficacy = 0;  ///< 1 = no transmission
};

/// Beds per region and day, already scaled to the agents; transfer limit; death risks of
/// patients refused a bed. `enabled` = false: no hospital records, the run is as without.
struct HospitalSpec {
    bool enabled = false;
    std::vector<std::int32_t> ward_beds;  ///< [day][region]
    std::vector<std::int32_t> icu_beds;   ///< [day][region]
    /// National limit of ICU transfers between regions, scaled to the agents: a fraction
    /// spreads over days (transfers_allowed()).
    double transfers_per_day = 0;
    double death_without_icu = 0.0;          ///< a patient needing ICU left in a ward or at home
    double death_without_ward = 0.0;         ///< a patient needing a ward bed left at home
    double days_to_death_without_icu = 0.0;  ///< refusal of ICU to death, when they die
    /// Staff limit admissions: the present hospital staff times covid_staff_share run ICU beds
    /// first, then ward beds, at these ratios (staff per bed; 0 = no limit from that group).
    bool staff_limits = false;
    double covid_staff_share = 1.0;
    StaffPerBed icu_staff, ward_staff;
    std::vector<SupplySpec> supplies;  ///< in the scenario's order
    HospitalContactSpec contacts;      ///< off: patients infect no one, as before the layer
};

/// Where a patient is cared for (low bits of the per-agent care byte).
enum class Care : std::uint8_t { kNone = 0, kWard = 1, kIcu = 2, kHome = 3 };
inline constexpr std::uint8_t kCarePlaceMask = 0x3;
inline Care care_place(std::uint8_t care) {
    return static_cast<Care>(care & kCarePlaceMask);
}
/// Set when a refused patient, whose course would have ended in recovery, dies untreated at the
/// end of the current stage.
inline constexpr std::uint8_t kDiesUntreated = 0x4;
/// Set while a patient refused ICU lives out their course in a ward bed or at home.
inline constexpr std::uint8_t kWaitsForIcu = 0x8;

}  // namespace sortie::engine
