#include "sim/output/reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <limits>
#include <type_traits>

#include "sim/core/date.hpp"
#include "sim/output/hdf5_file.hpp"
#include "sim/output/layout.hpp"
#include "sim/results/fields.hpp"

namespace sortie::output {
namespace {

namespace fs = std::filesystem;
using detail::Object;
using results::Axis;
using results::Field;
using results::ReplicateResult;
using results::RunResult;
using results::ScenarioResult;

void check_complete(const Object& file) {
    if (detail::has_attribute(file, layout::kComplete) &&
        detail::read_int32_attribute(file, layout::kComplete) == 1)
        return;
    throw OutputError(file.file(),
                      "incomplete file: the root attribute 'complete' is not 1 (the run that "
                      "wrote it did not finish)");
}

// The length of a one-dimensional axis dataset.
std::size_t axis_length(const Object& group, const char* name) {
    const Object axis = detail::open_dataset(group, name);
    const auto extent = detail::shape(axis);
    if (extent.size() != 1) group.fail(fmt::format("'{}' is not one-dimensional", axis.name()));
    return extent[0];
}

std::vector<std::string> axis_labels(const Object& group, const char* name) {
    return detail::read_strings(detail::open_dataset(group, name));
}

template <std::size_t N>
void check_labels(const Object& group, const char* name,
                  const std::array<std::string_view, N>& expected) {
    const auto labels = axis_labels(group, name);
    if (std::equal(labels.begin(), labels.end(), expected.begin(), expected.end())) return;
    group.fail(fmt::format("'{}' is [{}], but this sortie knows [{}]", group.child_name(name),
                           fmt::join(labels, ", "), fmt::join(expected, ", ")));
}

void read_axes(const Object& group, ScenarioResult& scenario, std::size_t replicates) {
    const std::size_t days = axis_length(group, layout::kTime);
    if (days > std::numeric_limits<std::uint32_t>::max()) group.fail("too many days");
    scenario.days = static_cast<std::uint32_t>(days);
    if (axis_length(group, layout::kReplicate) != replicates)
        group.fail(fmt::format("'{}' does not match the attribute 'replicates'",
                               group.child_name(layout::kReplicate)));
    scenario.regions = axis_labels(group, layout::kRegion);
    scenario.age_bands = axis_labels(group, layout::kAgeBand);
    check_labels(group, layout::kState, results::kStateNames);
    check_labels(group, layout::kEvent, results::kEventNames);
    check_labels(group, layout::kMeasure, results::kMeasureNames);
}

Object open_with_shape(const Object& group, const char* name,
                       const std::vector<hsize_t>& expected) {
    Object dataset = detail::open_dataset(group, name);
    const auto extent = detail::shape(dataset);
    if (extent != expected)
        group.fail(fmt::format("'{}' has shape [{}], expected [{}]", dataset.name(),
                               fmt::join(extent, ", "), fmt::join(expected, ", ")));
    return dataset;
}

// Reads the labels of an axis that only some scenarios have, from the first record along it.
void learn_axis(const Object& group, ScenarioResult& scenario, Axis axis) {
    switch (axis) {
        case Axis::kIntervention:
            scenario.interventions = axis_labels(group, layout::kIntervention);
            return;
        case Axis::kHospitalMeasure:
            scenario.hospitals = true;
            return;
        case Axis::kResource: {
            const auto names = axis_labels(group, layout::kResource);
            const auto units = axis_labels(group, layout::kResourceUnit);
            const auto kinds = axis_labels(group, layout::kResourceKind);
            if (units.size() != names.size() || kinds.size() != names.size())
                group.fail(fmt::format("'{}' and '{}' do not label every resource",
                                       group.child_name(layout::kResourceUnit),
                                       group.child_name(layout::kResourceKind)));
            scenario.supplies.clear();
            for (std::size_t i = 0; i < names.size(); ++i)
                scenario.supplies.push_back({names[i], units[i], kinds[i] == "equipment"});
            return;
        }
        case Axis::kSupplyMeasure:
            check_labels(group, layout::kSupplyMeasure, results::kSupplyMeasureNames);
            return;
        case Axis::kParameter:
            scenario.parameters = axis_labels(group, layout::kParameter);
            if (detail::has_attribute(group, layout::kParametersSource))
                scenario.parameters_source =
                    detail::read_string_attribute(group, layout::kParametersSource);
            return;
        default:  // read with the group's axes
            return;
    }
}

// Whether a scenario may lack the record (one of its axes can be empty).
bool optional_field(const Field& field) {
    for (const Axis axis : field.dimensions())
        if (axis == Axis::kIntervention || axis == Axis::kHospitalMeasure ||
            axis == Axis::kResource || axis == Axis::kParameter)
            return true;
    return false;
}

template <typename Values>
void read_field(const Object& group, ScenarioResult& scenario, const Field& field) {
    const std::string name(field.name);
    if (optional_field(field) && !detail::has_child(group, name)) return;
    std::vector<hsize_t> shape = {scenario.replicates.size()};
    for (const Axis axis : field.dimensions()) {
        learn_axis(group, scenario, axis);
        shape.push_back(results::extent(scenario, axis));
    }
    const Object dataset = open_with_shape(group, name.c_str(), shape);
    if constexpr (std::is_same_v<Values, double>) {
        std::vector<double> values(scenario.replicates.size());
        detail::read_values(dataset, values);
        for (std::size_t r = 0; r < values.size(); ++r)
            results::with_field(scenario.replicates[r], field, [&](auto& v) {
                if constexpr (std::is_same_v<std::decay_t<decltype(v)>, double>) v = values[r];
            });
    } else {
        const std::size_t size = results::values_per_replicate(scenario, field);
        for (std::size_t r = 0; r < scenario.replicates.size(); ++r)
            results::with_field(scenario.replicates[r], field, [&](auto& v) {
                if constexpr (std::is_same_v<std::decay_t<decltype(v)>, Values>) {
                    v.resize(size);
                    detail::read_slice(dataset, r, v);
                }
            });
    }
}

std::vector<std::int32_t> read_log_column(const Object& log, const char* name,
                                          std::size_t expected) {
    const Object dataset = open_with_shape(log, name, {expected});
    std::vector<std::int32_t> values(expected);
    if (expected > 0) detail::read_values(dataset, values);
    return values;
}

void read_transmissions(const Object& group, ScenarioResult& scenario) {
    if (!detail::has_child(group, layout::kTransmissions)) return;
    scenario.transmission_log = true;
    const Object log = detail::open_group(group, layout::kTransmissions);
    const auto extent = detail::shape(detail::open_dataset(log, "replicate"));
    if (extent.size() != 1) log.fail("'replicate' of the transmission log is not 1-D");
    const auto replicate = read_log_column(log, "replicate", extent[0]);
    // Each column holds every replicate's entries, in the order of `replicate`.
    for (std::size_t c = 0; c < results::kLogColumns; ++c) {
        const std::string name(results::kLogColumnInfo[c].name);
        const auto values = read_log_column(log, name.c_str(), extent[0]);
        for (std::size_t i = 0; i < values.size(); ++i) {
            const auto r = static_cast<std::size_t>(replicate[i]);
            if (replicate[i] < 0 || r >= scenario.replicates.size())
                log.fail("replicate index out of range in the transmission log");
            results::log_columns(scenario.replicates[r].transmissions)[c]->push_back(values[i]);
        }
    }
}

std::size_t read_group_attributes(const Object& group, ScenarioResult& scenario) {
    scenario.seed = detail::read_uint64_attribute(group, layout::kSeed);
    scenario.agents = detail::read_uint64_attribute(group, layout::kAgents);
    scenario.start_date = detail::read_string_attribute(group, layout::kStartDate);
    if (!core::Date::parse(scenario.start_date))
        group.fail("attribute 'start_date' of '" + group.name() + "' is not a YYYY-MM-DD date");
    scenario.scenario_yaml = detail::read_string_attribute(group, layout::kScenarioYaml);
    const std::int32_t replicates = detail::read_int32_attribute(group, layout::kReplicates);
    if (replicates < 0) group.fail("negative attribute 'replicates' of '" + group.name() + "'");
    return static_cast<std::size_t>(replicates);
}

ScenarioResult read_scenario(const Object& file, const std::string& name) {
    const Object group = detail::open_group(file, name);
    ScenarioResult scenario;
    scenario.name = name;
    const std::size_t replicates = read_group_attributes(group, scenario);
    read_axes(group, scenario, replicates);
    scenario.replicates.resize(replicates);
    const ReplicateResult records;
    results::for_each_field(records, [&](const Field& field, const auto& values) {
        read_field<std::decay_t<decltype(values)>>(group, scenario, field);
    });
    read_transmissions(group, scenario);
    return scenario;
}

}  // namespace

RunResult read_run(const fs::path& path) {
    detail::silence_hdf5_errors();
    const Object file = detail::open_file(path);
    check_complete(file);
    RunResult run;
    run.command_line = detail::read_string_attribute(file, layout::kCommandLine);
    for (const auto& name : detail::group_names(file))
        run.scenarios.push_back(read_scenario(file, name));
    return run;
}

}  // namespace sortie::output
