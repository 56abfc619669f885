#include "sim/results/fields.hpp"

namespace sortie::results {
namespace {

template <std::size_t N>
std::vector<std::string> labels(const std::array<std::string_view, N>& names) {
    return {names.begin(), names.end()};
}

}  // namespace

std::size_t extent(const ScenarioResult& scenario, Axis axis) {
    switch (axis) {
        case Axis::kTime:
            return scenario.days;
        case Axis::kRegion:
            return scenario.regions.size();
        case Axis::kAgeBand:
            return scenario.age_bands.size();
        case Axis::kState:
            return kStates;
        case Axis::kEvent:
            return kEvents;
        case Axis::kMeasure:
            return kMeasures;
        case Axis::kIntervention:
            return scenario.interventions.size();
        case Axis::kHospitalMeasure:
            return scenario.hospitals ? kHospitalMeasures : 0;
        case Axis::kResource:
            return scenario.supplies.size();
        case Axis::kSupplyMeasure:
            return kSupplyMeasures;
        case Axis::kParameter:
            return scenario.parameters.size();
    }
    return 0;
}

std::size_t values_per_replicate(const ScenarioResult& scenario, const Field& field) {
    std::size_t values = 1;
    for (const Axis axis : field.dimensions()) values *= extent(scenario, axis);
    return values;
}

bool has_field(const ScenarioResult& scenario, const Field& field) {
    for (const Axis axis : field.dimensions())
        if (extent(scenario, axis) == 0) return false;
    return true;
}

std::string dimensions_text(const Field& field) {
    std::string text(kReplicateAxis);
    for (const Axis axis : field.dimensions()) (text += ',') += axis_name(axis);
    return text;
}

ScenarioResult record_axes(std::uint32_t days, std::size_t regions, std::size_t age_bands,
                           std::size_t interventions, bool hospitals, std::size_t supplies) {
    ScenarioResult axes;
    axes.days = days;
    axes.regions.resize(regions);
    axes.age_bands.resize(age_bands);
    axes.interventions.resize(interventions);
    axes.hospitals = hospitals;
    axes.supplies.resize(supplies);
    return axes;
}

std::vector<std::string> axis_labels(const ScenarioResult& scenario, Axis axis) {
    switch (axis) {
        case Axis::kTime:
            return {};
        case Axis::kRegion:
            return scenario.regions;
        case Axis::kAgeBand:
            return scenario.age_bands;
        case Axis::kState:
            return labels(kStateNames);
        case Axis::kEvent:
            return labels(kEventNames);
        case Axis::kMeasure:
            return labels(kMeasureNames);
        case Axis::kIntervention:
            return scenario.interventions;
        case Axis::kHospitalMeasure:
            return labels(kHospitalMeasureNames);
        case Axis::kResource: {
            std::vector<std::string> names;
            for (const auto& supply : scenario.supplies) names.push_back(supply.name);
            return names;
        }
        case Axis::kSupplyMeasure:
            return labels(kSupplyMeasureNames);
        case Axis::kParameter:
            return scenario.parameters;
    }
    return {};
}

}  // namespace sortie::results
