#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/date.hpp"
#include "sim/core/error.hpp"
#include "sim/disease/parameters.hpp"

namespace sortie::scenario {

/// The `population:` section. Exactly one of size and scale is set.
struct PopulationSection {
    std::optional<std::uint64_t> size;  ///< agents in total
    std::optional<double> scale;        ///< or a fraction of the selected regions' people
    std::vector<std::string> regions;   ///< region keys; empty = all
    core::SourceLocation regions_location;
    std::filesystem::path data;              ///< folder of the demographic tables
    core::SourceLocation data_location;      ///< where `data` is written
    std::filesystem::path age_distribution;  ///< "age,count" CSV
    double team_size = 10.0;
    bool structured = true;  ///< `structure: none`: everyone alone, no school, no work
};

/// The `contacts:` section; defaults in docs/scenarios.md with their sources.
struct ContactsSection {
    std::filesystem::path community_matrix;   ///< 18x18 per-capita matrix; empty = uniform mixing
    std::filesystem::path matrix_population;  ///< the 18 band counts the matrix was made on
    double school_per_day = 11.41, school_class_share = 0.75;
    double work_per_day = 8.07, work_team_share = 0.6;
    double community_per_day = 2.79, outside_region_share = 0.05;
};

/// The `disease:` section.
struct DiseaseSection {
    std::filesystem::path parameters_file;
    disease::DiseaseParameters parameters;
    double r0 = 0.0;
    /// `R0_method: next_generation`: the transmission rate from the next-generation matrix
    /// alone, without the pilot runs of `simulated`, the default (docs/model.md).
    bool r0_by_next_generation = false;
    /// household, school, work, community, hospital
    std::array<double, 5> layer_weights{1.0, 1.0, 1.0, 1.0, 1.0};
    /// `severity:` multipliers on the parameter file's probabilities, the same for every age
    /// band (what a fit moves when the observed hospital burden is not the one the file's
    /// severity gives), already applied to `parameters`.
    double hospitalisation_multiplier = 1.0, icu_multiplier = 1.0, death_multiplier = 1.0;
    /// On `death_outside_hospital_given_infection` (deaths at home and in care homes).
    double death_outside_multiplier = 1.0;
    /// `stays:` mean ward, ICU, step-down (ward after ICU) and follow-up care stays, days (the
    /// coefficient of variation of the file's laws kept), and the share of hospital survivors
    /// who go on to follow-up care, already applied to `parameters`; absent: the file's.
    std::optional<double> ward_stay_mean, icu_stay_mean, step_down_stay_mean, follow_up_stay_mean,
        follow_up_share;
};

/// One entry of `seeding:`: infections per day for `days` days from `date`.
struct SeedingEntry {
    core::Date date;
    std::uint32_t infections = 0;
    double per_million = 0;  ///< or infections per million people of the seeded regions
    std::uint32_t days = 1;
    std::vector<std::string> regions;  ///< keys; empty = everywhere
    core::SourceLocation location;
};

/// `isolation:` of testing and mass_testing; `quarantine:` of tracing (test: tracing only).
struct IsolationSection {
    double compliance = 0;
    std::uint32_t days = 0;
    bool household_quarantine = false;  ///< isolation only
    bool test = false;                  ///< quarantine only: traced contacts are tested
};

/// The test of `testing` and `mass_testing` interventions.
struct TestSection {
    double seek_test = 0;          ///< testing only
    std::uint32_t delay_days = 0;  ///< testing only: onset -> test
    std::uint32_t result_delay_days = 0;
    std::vector<double> sensitivity;  ///< by days since infection; default in the reader
    double specificity = 1;
    double per_100k = 0;
    IsolationSection isolation;
};

/// One age range of `app.uptake`.
struct AppUptakeSection {
    int from = 0, to = 255;
    double share = 0;
};

/// The keys of a `tracing` intervention.
struct TracingSection {
    std::array<double, 4> traceable{0, 0, 0, 0};  ///< household, school, work, community
    std::uint32_t lookback_days = 0, delay_days = 0;
    double index_cases_per_100k = 0;
    std::vector<AppUptakeSection> app_uptake;
    std::uint32_t app_delay_days = 0;
    IsolationSection quarantine;
};

/// One entry of `interventions:` (docs/scenarios.md lists the keys of each type).
struct InterventionSection {
    std::string name;
    std::string type;  ///< contacts, schools, telework, masks, shielding, vaccination,
                       ///< testing, tracing, mass_testing
    std::optional<core::Date> start, end;
    std::string trigger;                           ///< name of a trigger, or empty
    std::array<double, 5> layers{1, 1, 1, 1, 1};   ///< contacts: factor by layer
    std::array<double, 5> wearing{0, 0, 0, 0, 0};  ///< masks: share wearing by layer
    int age_from = 0, age_to = 255;                ///< contacts: ages covered
    std::vector<std::string> regions;  ///< contacts, vaccination: region keys (empty = all)
    std::array<double, 6> levels{1, 1, 1, 1, 1, 1};   ///< schools: attendance by level
    double fraction = 0;                              ///< telework
    double efficacy_wearer = 0, efficacy_others = 0;  ///< masks
    // vaccination
    double per_100k = 0;                       ///< doses a day per 100,000 people
    std::vector<std::array<int, 2>> priority;  ///< age groups [from, to], in order
    std::vector<double> uptake;                ///< one share per group
    double efficacy_infection = 0, efficacy_severe = 0;
    std::uint32_t delay_days = 0;
    TestSection test;        ///< testing, mass_testing
    TracingSection tracing;  ///< tracing
    core::SourceLocation location;
};

/// One entry of `triggers:`.
struct TriggerSection {
    std::string name;
    std::string indicator;  ///< icu_occupancy, hospital_occupancy, hospital_admissions, incidence
    std::string region;     ///< a region key, or empty for the whole population
    std::uint32_t reporting_delay = 0, window = 1, minimum_days = 0;
    double on_above = 0, off_below = 0;
    core::SourceLocation location;
};

/// One dated change of `hospitals.changes`: from `date` on, the region has these beds (real
/// beds, before scaling to the agents; ward beds are those for COVID-19 patients).
struct HospitalChange {
    core::Date date;
    std::string region;
    std::optional<double> icu_beds, ward_beds;
    core::SourceLocation location;
};

/// One entry of `hospitals.supplies` (docs/scenarios.md): use per patient-day (consumable) or
/// units held per patient (equipment), stocks and deliveries per 100,000 inhabitants.
struct SupplyEntry {
    std::string name, unit;
    bool equipment = false;
    double per_ward_patient = 0, per_icu_patient = 0;
    double stock_per_100k = 0;     ///< consumable: initial stock; equipment: units available
    double delivery_per_100k = 0;  ///< consumable: a day
    core::SourceLocation location;
};

/// The optional `hospitals:` section (docs/scenarios.md); defaults with their sources there
/// and in scenarios/data/france-2020/HOSPITALS.md.
struct HospitalsSection {
    bool present = false;
    std::filesystem::path capacity;  ///< hospital_capacity.csv: beds per region
    /// ICU beds grow linearly from icu_beds to icu_beds_surge over the ramp_days ending at
    /// surge_date: France doubled its ICU beds in about three weeks, from the national alert of
    /// 12-13 March to about 10,000 beds on 28 March - early April 2020 (Lefrant et al. 2020;
    /// O. Véran, 28 March 2020).
    std::uint32_t ramp_days = 21;
    std::vector<HospitalChange> changes;
    /// ICU patients moved between regions a day: 344 in 15 days, 658 in about 30 days in spring
    /// 2020, about 22-23 a day (DGS, 2 April 2020; DGS via LCI, March 2021).
    std::uint32_t transfers_per_day = 25;
    /// Patients needing ICU without a bed: squire/nimue use 0.95 for ventilation denied
    /// (Walker et al., Science 2020); 0.90 for the fifth not ventilated (HOSPITALS.md).
    double death_without_icu = 0.90;
    /// Patients needing a ward bed left at home: about twice the ward death risk of spring 2020
    /// (Covasim's factor 2, Kerr et al. 2021); squire's 0.60 is the high end (HOSPITALS.md).
    double death_without_ward = 0.30;
    /// Days from the refusal of ICU to death, for a refused patient who dies: median survival
    /// 3 days (IQR 1-11) after a decision to limit life-sustaining therapy, COVID-ICU cohort,
    /// first wave (Crit Care 2023; hospital_overflow.csv), standing in for a refusal.
    double days_to_death_without_icu = 3.0;
    /// `staff:` given: present hospital staff limit admissions (docs/model.md, Hospitals).
    bool staff = false;
    /// Share of a region's hospital staff who may serve COVID-19 patients (estimate: most
    /// non-urgent activity was deprogrammed in spring 2020; no measured share was found).
    double covid_staff_share = 0.5;
    /// Full-time staff per bed (all shifts), hospital_staffing.csv: ICU nurses 2.2 + aides 1.4
    /// and doctors 0.70 + residents 0.35 (Décret 2002-466; Lefrant et al. 2020); ward nurses
    /// 0.45 + aides 0.36 and doctors 0.10 (usual practice, estimates).
    double icu_nurses = 3.6, icu_doctors = 1.05, ward_nurses = 0.81, ward_doctors = 0.10;
    /// Share of the ICU beds taken by other patients, removed from the COVID-19 ICU capacity.
    /// 0 by default (the capacity table then counts beds for COVID-19 patients only); France
    /// 2020 uses 0.27: 9,860 ICU beds for 7,148 COVID-19 patients at the peak of 8 April 2020
    /// (Lefrant et al. 2020; hospital_overflow.csv).
    double non_covid_icu_occupancy = 0.0;
    std::vector<SupplyEntry> supplies;
    /// `contacts:` given: patients in a bed meet the staff on duty (docs/model.md, Hospitals).
    bool contacts = false;
    /// Staff a patient meets a day. Ward: patients of general wards met 14 people in 24 hours,
    /// most of them staff (Jiang et al. 2017, Singapore; visits were suspended in spring 2020):
    /// 12 staff. ICU: about four times the ward's nurses per bed (3.6 vs 0.81 above) and
    /// continuous care; 20 is an estimate, no measured count was found.
    double ward_patient_contacts = 12, icu_patient_contacts = 20;
    /// Transmission reduction by protective equipment. Chu et al. (2020, Lancet, meta-analysis):
    /// risk x 0.33 with surgical or similar masks, x 0.04 with N95/FFP2 respirators (adjusted
    /// odds ratio of masks overall 0.15). Wards: surgical masks, FFP2 kept for aerosol-generating
    /// care in France in spring 2020 (0.67); ICU: FFP2 for most care, imperfect use (0.85).
    double ward_ppe_efficacy = 0.67, icu_ppe_efficacy = 0.85;
    core::SourceLocation location;
};

/// The largest `seed` (2^53): seeds are whole numbers from 0 to it, so that they stay exact
/// where they pass through doubles (YAML numbers, the Python module).
inline constexpr std::uint64_t kMaxSeed = std::uint64_t{1} << 53;

/// What a scenario is read for: building its population only, or a full run.
enum class Purpose { kPopulation, kRun };

/// A validated scenario: plain values, paths resolved against the scenario file's folder.
struct Scenario {
    std::string file;  ///< as given on the command line
    /// The files read for it: `file`, then the files it extends (`extends:`), as in messages.
    std::vector<std::string> sources;
    std::string name;
    /// Where the name comes from: the `name` key, or the file (its name without `.yaml`).
    core::SourceLocation name_location;
    std::uint64_t seed = 1;
    PopulationSection population;
    ContactsSection contacts;
    // For runs (Purpose::kRun makes them required):
    core::Date start, end;  ///< first and last simulated days
    std::uint32_t replicates = 1;
    bool dates_valid = false;  ///< start and end read, end not before start
    DiseaseSection disease;
    std::vector<SeedingEntry> seeding;
    std::vector<InterventionSection> interventions;
    std::vector<TriggerSection> triggers;
    HospitalsSection hospitals;
    std::string resolved_yaml;

    std::uint32_t days() const {
        return static_cast<std::uint32_t>(end.days_since(start) + 1);
    }  ///< the document after --set, for provenance
};

/// Why `name` cannot name a scenario ("holds '/'"), or "" when it can. A scenario's name becomes
/// a group of the result file (docs/output.md): any text but an empty one, `.` and `..`, and
/// none that holds `/`, a backslash or a control character (NUL included).
std::string name_problem(std::string_view name);

/// Reads, checks and resolves a scenario file, applying `overrides` ("key.path=value", as
/// given to --set) first. Throws core::InputError with every problem of the file, each as
/// file:line:column: key.path: message. Every file or folder the scenario names must exist
/// (reported at the key that names it); the name must be valid (name_problem).
Scenario load(const std::filesystem::path& file, const std::vector<std::string>& overrides = {},
              Purpose purpose = Purpose::kPopulation);

/// Like load, for every point of the file's `sweep:` (one scenario if it has none), each named
/// "name[key=value,...]" after its values. An error in a point is reported where its value is
/// written in the sweep, and so is a point's name that is invalid or the same as another
/// point's (a value given twice).
std::vector<Scenario> load_all(const std::filesystem::path& file,
                               const std::vector<std::string>& overrides = {},
                               Purpose purpose = Purpose::kPopulation);

/// Every scenario of several files, in order (one run's scenarios: `sortie run a.yaml b.yaml`).
/// Two scenarios with the same name are refused, at the second one's name, naming the first's
/// place: each is a group of the run's result file.
std::vector<Scenario> load_files(const std::vector<std::string>& files,
                                 const std::vector<std::string>& overrides, Purpose purpose);

/// Refuses two scenarios with the same name, at the second one's name, naming the first's
/// place (what load_files checks; `sortie validate` reads each file for its own purpose).
void check_names_unique(const std::vector<Scenario>& scenarios);

/// What a file is read for when nothing says: a run if it has a start date (after `extends:`
/// and `overrides`), else a population (`sortie population` reads such a file, and needs no
/// disease). What `sortie validate` and the Python module's validate() check.
Purpose purpose_of(const std::filesystem::path& file, const std::vector<std::string>& overrides);

}  // namespace sortie::scenario
