#pragma once

// Plain result types of a run: what the engine produces and the output module writes.
// Nothing here depends on HDF5 or on the engine's internals.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sortie::results {

/// Disease states (docs/model.md, natural history).
enum class State : std::uint8_t {
    kSusceptible,
    kExposed,         ///< infected, latent, not infectious
    kPresymptomatic,  ///< infectious, symptoms to come
    kAsymptomatic,    ///< infectious, never symptomatic
    kSymptomatic,     ///< infectious, symptomatic, not in hospital
    kHospitalWard,
    kIcu,
    kFollowUp,  ///< recovering in follow-up care after an acute stay, counted in hospital by France
    kRecovered,
    kDead,
};
inline constexpr std::size_t kStates = 10;
inline constexpr std::array<std::string_view, kStates> kStateNames = {"S", "E", "Ip", "Ia", "Is",
                                                                      "H", "C", "F",  "R",  "D"};

/// Daily events counted in `incidence`.
enum class Event : std::uint8_t {
    kInfections,  ///< all new infections (the sum of the five next and infections_hospital)
    kInfectionsHousehold,
    kInfectionsSchool,
    kInfectionsWork,
    kInfectionsCommunity,
    kInfectionsSeeded,  ///< initial infections and imports
    kSymptomOnsets,
    kHospitalAdmissions,
    kIcuAdmissions,
    kDeaths,              ///< in hospital or outside
    kHospitalDischarges,  ///< leaving hospital alive
    /// Staff infected by patients on the hospital layer (after the others: the events before it
    /// keep their places, and stay zero-free of it without the layer).
    kInfectionsHospital,
    /// Deaths at the end of a hospital course (ward or ICU, or refused a bed), in the region
    /// where the patient lives; `deaths` minus these are the deaths outside hospital (at home,
    /// in care homes). Last for the same reason as the one before.
    kHospitalDeaths,
};
inline constexpr std::size_t kEvents = 13;
inline constexpr std::array<std::string_view, kEvents> kEventNames = {
    "infections",      "infections_household", "infections_school",
    "infections_work", "infections_community", "infections_seeded",
    "symptom_onsets",  "hospital_admissions",  "icu_admissions",
    "deaths",          "hospital_discharges",  "infections_hospital",
    "hospital_deaths"};

/// Daily records of testing, tracing, isolation and vaccination, per region. Flows count what
/// happened during the day; stocks (isolated, quarantined, vaccinated) are people at its end.
enum class Measure : std::uint8_t {
    kTests,          ///< tests performed (symptomatic, traced and mass testing)
    kTestsPositive,  ///< of which positive (true or false positives)
    kTestsUnmet,     ///< test requests beyond the day's capacity (not performed)
    kIsolated,       ///< people in isolation after a positive test (stock)
    kQuarantined,    ///< people in quarantine as contacts or household members (stock)
    kTraced,         ///< contacts reached by manual or digital tracing
    kVaccineDoses,   ///< doses given
    kVaccinated,     ///< people vaccinated so far (stock)
    kIndexCases,     ///< positive cases whose contacts tracers started on (tracer capacity)
    /// tests the testing interventions in force could perform: the capacity for requested
    /// tests plus the mass-testing campaigns' tests of the day
    kTestCapacity,
};
inline constexpr std::size_t kMeasures = 10;
inline constexpr std::array<std::string_view, kMeasures> kMeasureNames = {
    "tests",  "tests_positive", "tests_unmet", "isolated",    "quarantined",
    "traced", "vaccine_doses",  "vaccinated",  "index_cases", "test_capacity"};

/// Daily hospital records per region (only when the scenario has `hospitals:`). Stocks
/// (occupancy, capacity, staff) are at the end of the day; the others are flows during it.
/// Patients are counted in the region of their bed; excess deaths in the region they live in.
enum class HospitalMeasure : std::uint8_t {
    kWardOccupancy,
    kIcuOccupancy,
    kWardCapacity,  ///< beds for COVID-19 patients, scaled to the agents
    kIcuCapacity,
    kWardEffectiveCapacity,  ///< the beds admissions may use
    kIcuEffectiveCapacity,
    kAdmissions,      ///< patients entering the region's hospital from home (ward or ICU)
    kWardAdmissions,  ///< ward beds taken by patients from home
    kIcuAdmissions,   ///< ICU beds taken (from a ward, from home or by transfer)
    kWardRefused,     ///< patients needing a ward bed who stay home
    kIcuRefused,      ///< patients needing ICU left without an ICU bed anywhere
    kTransfersOut,    ///< patients sent to an ICU bed of another region
    kTransfersIn,
    kDischarges,    ///< patients leaving a bed of the region alive
    kDeaths,        ///< patients dying in a bed of the region
    kExcessDeaths,  ///< deaths of patients refused care whose course would have ended in recovery
    kStaffPresent,  ///< hospital staff agents of the region at work
    kStaffAbsent,   ///< symptomatic, in hospital, dead, isolated or quarantined
    /// patients refused ICU living out their course in a ward bed or at home (a stock, in the
    /// region where they are): ICU demand is icu_occupancy + icu_waiting
    kIcuWaiting,
};
inline constexpr std::size_t kHospitalMeasures = 19;
inline constexpr std::array<std::string_view, kHospitalMeasures> kHospitalMeasureNames = {
    "ward_occupancy",
    "icu_occupancy",
    "ward_capacity",
    "icu_capacity",
    "ward_effective_capacity",
    "icu_effective_capacity",
    "admissions",
    "ward_admissions",
    "icu_admissions",
    "ward_refused",
    "icu_refused",
    "transfers_out",
    "transfers_in",
    "discharges",
    "deaths",
    "excess_deaths",
    "staff_present",
    "staff_absent",
    "icu_waiting"};

/// Daily supply records per region and resource (only when `hospitals.supplies` is given).
/// A consumable's use is what the patients in beds at the end of the day need that day; an
/// equipment's is the units they hold (docs/model.md, Supplies).
enum class SupplyMeasure : std::uint8_t {
    kStock,      ///< consumable: stock at the end of the day; equipment: units available
    kDelivered,  ///< consumable: delivered during the day; equipment: 0
    kUsed,       ///< needed by the patients (consumable: during the day; equipment: held)
    kShortfall,  ///< the part of the need that could not be met
    kShortage,   ///< 1 when the shortfall is above 0, else 0
    /// consumable: stock / mean use over the last 7 days (fewer at the start), +inf without
    /// use; equipment: +inf (not used up)
    kDaysLeft,
};
inline constexpr std::size_t kSupplyMeasures = 6;
inline constexpr std::array<std::string_view, kSupplyMeasures> kSupplyMeasureNames = {
    "stock", "delivered", "used", "shortfall", "shortage", "days_left"};
/// Days of use averaged for kDaysLeft.
inline constexpr std::uint32_t kDaysLeftWindow = 7;

/// A resource's labels in the output.
struct SupplyLabel {
    std::string name;
    std::string unit;
    bool equipment = false;
};

/// The optional transmission log of a replicate: one entry per infection, in the order of the
/// simulation (by day; seeds first, then by infectee). One column per field.
struct TransmissionLog {
    std::vector<std::int32_t> day;
    std::vector<std::int32_t> infector;  ///< -1 for seeded infections
    std::vector<std::int32_t> infectee;
    std::vector<std::int32_t> layer;  ///< 0 household, 1 school, 2 work, 3 community, 4 hospital
    /// The household, school or workplace (venue index) shared by both, the infectee's region
    /// index for a community contact, or the region of the patient's bed for a hospital one.
    std::vector<std::int32_t> place;

    std::size_t size() const { return day.size(); }
};
inline constexpr std::array<std::string_view, 5> kLayerNames = {"household", "school", "work",
                                                                "community", "hospital"};

/// One replicate's trajectories. Arrays are row-major:
/// counts[day][region][age_band][state] (people in each state at the end of the day) and
/// incidence[day][region][age_band][event] (events during the day).
struct ReplicateResult {
    std::vector<std::int32_t> counts;
    std::vector<std::int32_t> incidence;
    double r0_realised = 0.0;  ///< mean secondary infections of the first infections not seeded
    /// active[day][intervention]: 1 when the intervention was in force that day.
    std::vector<std::int32_t> active;
    /// measures[day][region][measure] (Measure).
    std::vector<std::int32_t> measures;
    /// hospital[day][region][hospital measure]; empty without `hospitals:`.
    std::vector<std::int32_t> hospital;
    /// supplies[day][region][resource][supply measure]; empty without supplies.
    std::vector<double> supplies;
    /// The values this replicate ran with, one per ScenarioResult::parameters, drawn from a
    /// fit's posterior (`sortie run --posterior`); empty otherwise.
    std::vector<double> parameters;
    TransmissionLog transmissions;  ///< empty unless the log was asked for
};

/// One scenario (or sweep point) of a run, with its replicates.
struct ScenarioResult {
    std::string name;
    std::uint64_t seed = 0;
    std::uint64_t agents = 0;
    std::string start_date;  ///< ISO date of day 0
    std::uint32_t days = 0;
    std::vector<std::string> regions;        ///< region keys, in index order
    std::vector<std::string> age_bands;      ///< labels "0-4", ..., "85+"
    std::string scenario_yaml;               ///< the resolved scenario text
    std::vector<std::string> interventions;  ///< names, in the scenario's order
    bool transmission_log = false;           ///< write each replicate's transmissions
    bool hospitals = false;                  ///< the scenario has `hospitals:` (hospital records)
    std::vector<SupplyLabel> supplies;       ///< resources, in the scenario's order
    /// Keys of the values each replicate draws from a posterior (`sortie run --posterior`), and
    /// the file it came from; empty when every replicate runs the scenario as written.
    std::vector<std::string> parameters;
    std::string parameters_source;
    std::vector<ReplicateResult> replicates;

    std::size_t counts_per_day() const { return regions.size() * age_bands.size() * kStates; }
    std::size_t incidence_per_day() const { return regions.size() * age_bands.size() * kEvents; }
    std::size_t measures_per_day() const { return regions.size() * kMeasures; }
    std::size_t hospital_per_day() const {
        return hospitals ? regions.size() * kHospitalMeasures : 0;
    }
    std::size_t supplies_per_day() const {
        return regions.size() * supplies.size() * kSupplyMeasures;
    }
};

/// Everything a run writes.
struct RunResult {
    std::string command_line;
    std::vector<ScenarioResult> scenarios;
};

}  // namespace sortie::results
