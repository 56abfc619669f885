#include "sim/model/model.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "sim/engine/calibration.hpp"
#include "sim/model/inputs.hpp"
#include "sim/population/build.hpp"

namespace sortie::model {
namespace {

using Clock = std::chrono::steady_clock;
using population::AgentId;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::string> age_band_labels() {
    std::vector<std::string> labels;
    for (std::size_t b = 0; b < contacts::kAgeBands; ++b) {
        labels.push_back(b + 1 < contacts::kAgeBands ? fmt::format("{}-{}", 5 * b, 5 * b + 4)
                                                     : fmt::format("{}+", 5 * b));
    }
    return labels;
}

// Where an infection happened: the household, school or workplace the two share (venue
// index), or the infectee's region for a community or hospital contact.
std::int32_t place_of(const engine::Transmission& t, const population::Population& p) {
    const AgentId b = t.infectee;
    switch (t.layer) {
        case contacts::Layer::kHousehold:
            return static_cast<std::int32_t>(p.household[b]);
        case contacts::Layer::kSchool:
            return static_cast<std::int32_t>(p.schools.group_venue[p.school_group[b]]);
        case contacts::Layer::kWork:
            return static_cast<std::int32_t>(p.workplaces.group_venue[p.work_group[b]]);
        case contacts::Layer::kCommunity:
        case contacts::Layer::kHospital:  // the staff member's region: the patient's bed's
            break;
    }
    return static_cast<std::int32_t>(p.region[b]);
}

}  // namespace

engine::Simulation Model::simulation(std::uint32_t replicate) const {
    return engine::Simulation(population, *contacts, *disease, spec,
                              core::RngKey::for_replicate(seed, replicate));
}

std::string structure_key(const scenario::Scenario& scenario) {
    const auto& p = scenario.population;
    const auto& c = scenario.contacts;
    return fmt::format(
        "seed {}; size {}; scale {}; regions {}; data {}; ages {}; teams {}; structured {}; "
        "matrix {} on {}; school {} {}; work {} {}; community {} {}",
        scenario.seed, p.size ? std::to_string(*p.size) : "-",
        p.scale ? fmt::format("{}", *p.scale) : "-", fmt::join(p.regions, ","), p.data.string(),
        p.age_distribution.string(), p.team_size, p.structured, c.community_matrix.string(),
        c.matrix_population.string(), c.school_per_day, c.school_class_share, c.work_per_day,
        c.work_team_share, c.community_per_day, c.outside_region_share);
}

namespace {

CalibrationInputs calibration_inputs(const scenario::Scenario& scenario) {
    return {scenario.disease.r0, scenario.disease.r0_by_next_generation,
            scenario.disease.layer_weights, scenario.disease.parameters};
}

// The disease, the engine's spec and the calibration, on a model whose structure is built;
// the calibration is `known`'s if it was made from the same inputs (on the same structure).
void build_on_structure(Model& model, const scenario::Scenario& scenario, const ModelInputs& inputs,
                        const Model* known, std::stop_token stop) {
    model.seed = scenario.seed;
    model.disease.emplace(scenario.disease.parameters);
    auto& spec = model.spec;
    spec.days = scenario.days();
    spec.layer_weight = scenario.disease.layer_weights;
    spec.seeding = seeding_of(scenario, model.population);
    add_interventions(scenario, model.population, spec);
    spec.hospitals = hospital_spec(scenario, inputs.tables, model.population);
    model.calibration_inputs = calibration_inputs(scenario);
    if (known && known->calibration_inputs == model.calibration_inputs) {
        model.calibration = known->calibration;
    } else {
        model.calibration = engine::calibrate_transmission_rate(
            *model.contacts, *model.disease, scenario.disease.r0, spec.layer_weight,
            core::RngKey::from_seed(scenario.seed),
            {scenario.disease.r0_by_next_generation ? engine::R0Method::kNextGeneration
                                                    : engine::R0Method::kSimulated,
             std::move(stop), scenario.replicates});
    }
    spec.transmission_rate = model.calibration.transmission_rate;
}

}  // namespace

std::unique_ptr<Model> build_model(const scenario::Scenario& scenario, BuildTimes* times,
                                   std::stop_token stop) {
    auto model = std::make_unique<Model>();
    BuildTimes spent;
    auto start = Clock::now();
    const auto inputs = prepare(scenario);
    model->structure->key = structure_key(scenario);
    model->population =
        population::build(inputs.population, inputs.tables, core::RngKey::from_seed(scenario.seed));
    spent.population = seconds_since(start);
    start = Clock::now();
    model->contacts.emplace(model->population, inputs.contacts);
    spent.contacts = seconds_since(start);
    start = Clock::now();
    build_on_structure(*model, scenario, inputs, nullptr, std::move(stop));
    spent.calibration = seconds_since(start);
    if (times) *times = spent;
    return model;
}

bool shares_structure(const Model& model, const scenario::Scenario& scenario) {
    return model.structure->key == structure_key(scenario);
}

std::unique_ptr<Model> build_model_on(const Model& base, const scenario::Scenario& scenario,
                                      BuildTimes* times, std::stop_token stop) {
    if (!shares_structure(base, scenario))
        throw std::invalid_argument(fmt::format(
            "scenario '{}' has another population or contacts than the model it would share "
            "them with ({} against {})",
            scenario.name, structure_key(scenario), base.structure->key));
    const auto start = Clock::now();
    auto model = std::make_unique<Model>(base.structure);
    build_on_structure(*model, scenario, prepare(scenario), &base, std::move(stop));
    if (times) *times = BuildTimes{0, 0, seconds_since(start)};
    return model;
}

results::ScenarioResult describe(const scenario::Scenario& scenario, const Model& model) {
    results::ScenarioResult result;
    result.name = scenario.name;
    result.seed = scenario.seed;
    result.agents = model.population.size();
    result.start_date = scenario.start.to_string();
    result.days = model.spec.days;
    for (const auto& region : model.population.regions) result.regions.push_back(region.key);
    result.age_bands = age_band_labels();
    result.scenario_yaml = scenario.resolved_yaml;
    for (const auto& intervention : scenario.interventions)
        result.interventions.push_back(intervention.name);
    result.hospitals = model.spec.hospitals.enabled;
    for (const auto& supply : scenario.hospitals.supplies)
        result.supplies.push_back({supply.name, supply.unit, supply.equipment});
    result.replicates.resize(scenario.replicates);
    return result;
}

results::TransmissionLog transmission_log(const std::vector<engine::Transmission>& transmissions,
                                          const population::Population& population) {
    results::TransmissionLog log;
    for (const auto& t : transmissions) {
        log.day.push_back(static_cast<std::int32_t>(t.day));
        log.infector.push_back(
            t.infector == engine::kNoInfector ? -1 : static_cast<std::int32_t>(t.infector));
        log.infectee.push_back(static_cast<std::int32_t>(t.infectee));
        log.layer.push_back(static_cast<std::int32_t>(t.layer));
        log.place.push_back(t.infector == engine::kNoInfector ? -1 : place_of(t, population));
    }
    return log;
}

}  // namespace sortie::model
