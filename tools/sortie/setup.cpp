#include "tools/sortie/setup.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace sortie::cli {
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

ModelInputs prepare(const scenario::Scenario& scenario) {
    ModelInputs inputs;
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
    out.traceable = in.traceable;
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

}  // namespace sortie::cli
