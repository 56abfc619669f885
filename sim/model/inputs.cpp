#include "sim/model/inputs.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/core/csv.hpp"

namespace sortie::model {
namespace {

void check_regions(const scenario::Scenario& scenario, const population::PopulationTables& tables) {
    core::DiagnosticList problems;
    std::string known;
    for (const auto& row : tables.regions) known += (known.empty() ? "" : ", ") + row.key;
    for (const auto& key : scenario.population.regions) {
        const bool found = std::any_of(tables.regions.begin(), tables.regions.end(),
                                       [&](const auto& row) { return row.key == key; });
        if (!found) {
            problems.add(scenario.population.regions_location, "population.regions",
                         fmt::format("unknown region '{}'; expected one of: {}", key, known));
        }
    }
    problems.throw_if_any();
}

std::uint64_t resolved_size(const scenario::Scenario& scenario,
                            const population::PopulationTables& tables) {
    if (scenario.population.size) return *scenario.population.size;
    double people = 0.0;
    for (const auto& row : tables.regions) {
        const auto& chosen = scenario.population.regions;
        if (chosen.empty() || std::find(chosen.begin(), chosen.end(), row.key) != chosen.end()) {
            people += row.population;
        }
    }
    return std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::llround(people * *scenario.population.scale)));
}

contacts::ContactSpec contact_spec(const scenario::ContactsSection& section) {
    contacts::ContactSpec spec;
    spec.school_per_day = section.school_per_day;
    spec.school_class_share = section.school_class_share;
    spec.work_per_day = section.work_per_day;
    spec.work_team_share = section.work_team_share;
    spec.community_per_day = section.community_per_day;
    spec.outside_region_share = section.outside_region_share;
    if (section.community_matrix.empty()) {
        // Uniform mixing: equal per-pair rates, so contacts go to each band in proportion to
        // its people (mass action).
        for (auto& row : spec.community.per_capita) row.fill(1.0);
        spec.community.reference_population.fill(1.0);
    } else {
        spec.community =
            contacts::load_contact_matrix(section.community_matrix, section.matrix_population);
    }
    return spec;
}

}  // namespace

// A table missing from the data folder is reported at the key that names the folder (the
// scenario reader has checked that the folder itself exists), all missing tables at once.
void check_data_folder(const scenario::PopulationSection& section) {
    std::vector<std::string> missing;
    for (const char* table : population::kFolderTables) {
        std::error_code error;
        if (!std::filesystem::is_regular_file(section.data / table, error))
            missing.emplace_back(table);
    }
    if (missing.empty()) return;
    std::error_code error;
    const auto folder = std::filesystem::absolute(section.data, error).lexically_normal().string();
    throw core::InputError(
        section.data_location, "population.data",
        missing.size() == population::kFolderTables.size()
            ? fmt::format("the data folder {} holds none of the demographic tables ({})", folder,
                          fmt::join(missing, ", "))
            : fmt::format("the data folder {} has no {}", folder, fmt::join(missing, ", ")));
}

ModelInputs prepare(const scenario::Scenario& scenario) {
    ModelInputs inputs;
    check_data_folder(scenario.population);
    inputs.tables =
        population::load_tables({scenario.population.data, scenario.population.age_distribution});
    check_regions(scenario, inputs.tables);
    inputs.population.size = resolved_size(scenario, inputs.tables);
    inputs.population.regions = scenario.population.regions;
    inputs.population.team_size = scenario.population.team_size;
    inputs.population.structured = scenario.population.structured;
    inputs.contacts = contact_spec(scenario.contacts);
    return inputs;
}

std::vector<engine::Seeding> seeding_of(const scenario::Scenario& scenario,
                                        const population::Population& population) {
    core::DiagnosticList problems;
    std::vector<engine::Seeding> result;
    for (const auto& entry : scenario.seeding) {
        engine::Seeding seeding;
        seeding.first_day = static_cast<std::uint32_t>(entry.date.days_since(scenario.start));
        seeding.days = entry.days;
        seeding.infections = entry.infections;
        for (const auto& key : entry.regions) {
            const auto it = std::find_if(population.regions.begin(), population.regions.end(),
                                         [&](const auto& r) { return r.key == key; });
            if (it == population.regions.end()) {
                problems.add(entry.location, "seeding.regions",
                             fmt::format("region '{}' is not in the population", key));
                continue;
            }
            seeding.regions.push_back(static_cast<std::uint16_t>(it - population.regions.begin()));
        }
        if (entry.per_million > 0) {
            double people = 0;
            for (std::size_t r = 0; r < population.regions.size(); ++r) {
                const bool chosen = seeding.regions.empty() ||
                                    std::find(seeding.regions.begin(), seeding.regions.end(), r) !=
                                        seeding.regions.end();
                if (chosen)
                    people += population.region_offsets[r + 1] - population.region_offsets[r];
            }
            seeding.infections = entry.per_million * people / 1e6;
        }
        result.push_back(std::move(seeding));
    }
    problems.throw_if_any();
    return result;
}

namespace {

int region_index(const population::Population& population, const std::string& key) {
    for (std::size_t r = 0; r < population.regions.size(); ++r) {
        if (population.regions[r].key == key) return int(r);
    }
    return -1;
}

interventions::Kind kind_of(const std::string& type) {
    if (type == "schools") return interventions::Kind::kSchools;
    if (type == "telework") return interventions::Kind::kTelework;
    if (type == "masks") return interventions::Kind::kMasks;
    if (type == "vaccination") return interventions::Kind::kVaccination;
    if (type == "testing") return interventions::Kind::kTesting;
    if (type == "tracing") return interventions::Kind::kTracing;
    if (type == "mass_testing") return interventions::Kind::kMassTesting;
    return interventions::Kind::kContacts;  // contacts, shielding
}

interventions::Indicator indicator_of(const std::string& name) {
    if (name == "hospital_occupancy") return interventions::Indicator::kHospitalOccupancy;
    if (name == "hospital_admissions") return interventions::Indicator::kHospitalAdmissions;
    if (name == "incidence") return interventions::Indicator::kIncidence;
    if (name == "test_positivity") return interventions::Indicator::kTestPositivity;
    return interventions::Indicator::kIcuOccupancy;
}

interventions::VaccinationSpec vaccination_spec(const scenario::InterventionSection& in) {
    interventions::VaccinationSpec out;
    out.doses_per_100k = in.per_100k;
    for (const auto& range : in.priority) out.priority.push_back({range[0], range[1]});
    out.uptake = in.uptake;
    out.efficacy_infection = in.efficacy_infection;
    out.efficacy_severe = in.efficacy_severe;
    out.delay_days = in.delay_days;
    return out;
}

interventions::IsolationSpec isolation_spec(const scenario::IsolationSection& in) {
    return {in.compliance, in.days, in.household_quarantine};
}

interventions::TestSpec test_spec(const scenario::TestSection& in) {
    interventions::TestSpec out;
    out.seek_test = in.seek_test;
    out.delay_days = in.delay_days;
    out.result_delay_days = in.result_delay_days;
    out.sensitivity = in.sensitivity;
    out.specificity = in.specificity;
    out.per_100k = in.per_100k;
    out.isolation = isolation_spec(in.isolation);
    return out;
}

interventions::TracingSpec tracing_spec(const scenario::TracingSection& in) {
    interventions::TracingSpec out;
    std::copy(in.traceable.begin(), in.traceable.end(), out.traceable.begin());
    out.lookback_days = in.lookback_days;
    out.delay_days = in.delay_days;
    out.index_cases_per_100k = in.index_cases_per_100k;
    for (const auto& range : in.app_uptake)
        out.app_uptake.push_back({range.from, range.to, range.share});
    out.app_delay_days = in.app_delay_days;
    out.quarantine = {in.quarantine.compliance, in.quarantine.days, in.quarantine.test};
    return out;
}

interventions::InterventionSpec intervention_spec(const scenario::Scenario& s,
                                                  const scenario::InterventionSection& in,
                                                  const population::Population& population,
                                                  core::DiagnosticList& problems) {
    interventions::InterventionSpec out;
    out.name = in.name;
    out.kind = kind_of(in.type);
    if (in.start) out.start_day = std::uint32_t(in.start->days_since(s.start));
    if (in.end) out.end_day = std::uint32_t(in.end->days_since(s.start));
    for (std::size_t t = 0; t < s.triggers.size(); ++t) {
        if (s.triggers[t].name == in.trigger) out.trigger = int(t);
    }
    out.layer_factor = in.layers;
    out.age_from = in.age_from;
    out.age_to = in.age_to;
    for (const auto& key : in.regions) {
        const int r = region_index(population, key);
        if (r < 0)
            problems.add(in.location, "interventions.regions",
                         fmt::format("region '{}' is not in the population", key));
        else
            out.regions.push_back(std::uint16_t(r));
    }
    out.attendance = in.levels;
    out.telework = in.fraction;
    out.wearing = in.wearing;
    out.efficacy_wearer = in.efficacy_wearer;
    out.efficacy_others = in.efficacy_others;
    out.vaccination = vaccination_spec(in);
    out.test = test_spec(in.test);
    out.tracing = tracing_spec(in.tracing);
    return out;
}

}  // namespace

void add_interventions(const scenario::Scenario& scenario, const population::Population& population,
                       engine::EngineSpec& spec) {
    core::DiagnosticList problems;
    for (const auto& in : scenario.interventions) {
        spec.interventions.push_back(intervention_spec(scenario, in, population, problems));
    }
    for (const auto& t : scenario.triggers) {
        interventions::TriggerSpec out;
        out.name = t.name;
        out.indicator = indicator_of(t.indicator);
        out.region = t.region.empty() ? -1 : region_index(population, t.region);
        if (!t.region.empty() && out.region < 0) {
            problems.add(t.location, "triggers.region",
                         fmt::format("region '{}' is not in the population", t.region));
        }
        out.reporting_delay_days = t.reporting_delay;
        out.window_days = t.window;
        out.on_above = t.on_above;
        out.off_below = t.off_below;
        out.minimum_days = t.minimum_days;
        spec.triggers.push_back(out);
    }
    problems.throw_if_any();
}

}  // namespace sortie::model

namespace sortie::model {
namespace {

/// One region's row of the capacity table, in real beds.
struct RegionBeds {
    double icu = 0, icu_surge = 0, ward_covid = 0;
    core::Date surge_date;
    /// The region's own share of ICU beds kept by other patients (the table's optional
    /// icu_non_covid_share column), else the scenario's non_covid_icu_occupancy.
    std::optional<double> icu_non_covid_share;
};

std::vector<RegionBeds> read_capacity(const scenario::HospitalsSection& section,
                                      const population::Population& population) {
    const auto table = core::CsvTable::read(section.capacity);
    const std::size_t key = table.column("key"), icu = table.column("icu_beds"),
                      surge = table.column("icu_beds_surge"), date = table.column("surge_date"),
                      ward = table.column("ward_beds"), share = table.column("ward_share_covid");
    const auto& header = table.header();
    const bool has_non_covid =
        std::find(header.begin(), header.end(), "icu_non_covid_share") != header.end();
    const std::size_t non_covid = has_non_covid ? table.column("icu_non_covid_share") : 0;
    std::vector<RegionBeds> beds(population.regions.size());
    std::vector<bool> found(beds.size(), false);
    for (std::size_t row = 0; row < table.rows(); ++row) {
        const int r = region_index(population, table.text(row, key));
        if (r < 0) continue;  // a region not simulated
        auto& b = beds[std::size_t(r)];
        b.icu = table.number(row, icu);
        b.icu_surge = table.number(row, surge);
        b.ward_covid = table.number(row, ward) * table.number(row, share);
        const auto parsed = core::Date::parse(table.text(row, date));
        if (!parsed) table.fail(row, date, "expected a date YYYY-MM-DD");
        b.surge_date = *parsed;
        // An empty cell: the scenario's share applies.
        if (has_non_covid && !table.text(row, non_covid).empty()) {
            const double value = table.number(row, non_covid);
            if (!(value >= 0 && value <= 0.99))
                table.fail(row, non_covid, "expected a share between 0 and 0.99");
            b.icu_non_covid_share = value;
        }
        found[std::size_t(r)] = true;
    }
    for (std::size_t r = 0; r < beds.size(); ++r) {
        if (!found[r])
            throw core::InputError(section.location, "hospitals.capacity",
                                   fmt::format("{} has no row for region '{}'", table.file(),
                                               population.regions[r].key));
    }
    return beds;
}

// ICU beds on `date`: linear from icu to icu_surge over the ramp_days ending at surge_date.
double icu_on(const RegionBeds& b, core::Date date, std::uint32_t ramp_days) {
    const double before_surge = -double(date.days_since(b.surge_date));
    if (before_surge <= 0) return b.icu_surge;
    if (before_surge >= ramp_days) return b.icu;
    return b.icu_surge - (b.icu_surge - b.icu) * before_surge / ramp_days;
}

double people_of(const population::PopulationTables& tables, const std::string& key) {
    for (const auto& row : tables.regions) {
        if (row.key == key) return row.population;
    }
    return 0;
}

// Stocks and deliveries per 100,000 inhabitants, scaled to the agents of each region (an
// agent stands for population / agents people, as for the beds).
std::vector<engine::SupplySpec> supply_specs(const scenario::HospitalsSection& section,
                                             const population::Population& population) {
    std::vector<engine::SupplySpec> specs;
    for (const auto& entry : section.supplies) {
        engine::SupplySpec supply;
        supply.equipment = entry.equipment;
        supply.per_ward_patient = entry.per_ward_patient;
        supply.per_icu_patient = entry.per_icu_patient;
        for (std::size_t r = 0; r < population.regions.size(); ++r) {
            const double agents = population.region_offsets[r + 1] - population.region_offsets[r];
            supply.stock.push_back(entry.stock_per_100k * agents / 1e5);
            supply.delivery_per_day.push_back(entry.delivery_per_100k * agents / 1e5);
        }
        specs.push_back(std::move(supply));
    }
    return specs;
}

}  // namespace

engine::HospitalSpec hospital_spec(const scenario::Scenario& scenario,
                                   const population::PopulationTables& tables,
                                   const population::Population& population) {
    const auto& section = scenario.hospitals;
    engine::HospitalSpec spec;
    if (!section.present) return spec;
    spec.enabled = true;
    spec.death_without_icu = section.death_without_icu;
    spec.death_without_ward = section.death_without_ward;
    spec.days_to_death_without_icu = section.days_to_death_without_icu;
    spec.staff_limits = section.staff;
    spec.covid_staff_share = section.covid_staff_share;
    spec.icu_staff = {section.icu_nurses, section.icu_doctors};
    spec.ward_staff = {section.ward_nurses, section.ward_doctors};
    spec.contacts = {section.contacts, section.ward_patient_contacts, section.icu_patient_contacts,
                     section.ward_ppe_efficacy, section.icu_ppe_efficacy};
    for (const auto& change : section.changes) {
        if (region_index(population, change.region) < 0)
            throw core::InputError(
                change.location, "hospitals.changes.region",
                fmt::format("region '{}' is not in the population", change.region));
    }
    const auto beds = read_capacity(section, population);
    const std::size_t regions = population.regions.size();
    std::vector<double> scale(regions);
    for (std::size_t r = 0; r < regions; ++r) {
        const double people = people_of(tables, population.regions[r].key);
        const double agents = population.region_offsets[r + 1] - population.region_offsets[r];
        scale[r] = people > 0 ? agents / people : 0.0;
    }
    // Transfers are a limit over all the simulated regions: scaled like the beds, by their
    // agents per person.
    double all_people = 0;
    for (const auto& region : population.regions) all_people += people_of(tables, region.key);
    spec.transfers_per_day =
        all_people > 0 ? section.transfers_per_day * double(population.size()) / all_people : 0.0;
    const std::uint32_t days = scenario.days();
    spec.ward_beds.resize(std::size_t{days} * regions);
    spec.icu_beds.resize(std::size_t{days} * regions);
    for (std::uint32_t day = 0; day < days; ++day) {
        const core::Date date = scenario.start.plus_days(static_cast<std::int32_t>(day));
        for (std::size_t r = 0; r < regions; ++r) {
            double icu = icu_on(beds[r], date, section.ramp_days), ward = beds[r].ward_covid;
            // Changes in the order written; a later one overrides an earlier one.
            for (const auto& change : section.changes) {
                if (change.region != population.regions[r].key || date.days_since(change.date) < 0)
                    continue;
                if (change.icu_beds) icu = *change.icu_beds;
                if (change.ward_beds) ward = *change.ward_beds;
            }
            const std::size_t at = std::size_t{day} * regions + r;
            // Beds for other patients come off before scaling; the result is rounded to the
            // nearest bed, like the others.
            icu *= 1.0 - beds[r].icu_non_covid_share.value_or(section.non_covid_icu_occupancy);
            spec.icu_beds[at] = static_cast<std::int32_t>(std::llround(icu * scale[r]));
            spec.ward_beds[at] = static_cast<std::int32_t>(std::llround(ward * scale[r]));
        }
    }
    spec.supplies = supply_specs(section, population);
    return spec;
}

}  // namespace sortie::model
