#include "sim/output/reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <limits>

#include "sim/core/date.hpp"
#include "sim/output/hdf5_file.hpp"
#include "sim/output/layout.hpp"

namespace sortie::output {
namespace {

namespace fs = std::filesystem;
using detail::Object;
using engine::ReplicateResult;
using engine::RunResult;
using engine::ScenarioResult;

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
    check_labels(group, layout::kState, engine::kStateNames);
    check_labels(group, layout::kEvent, engine::kEventNames);
    check_labels(group, layout::kMeasure, engine::kMeasureNames);
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

void read_trajectory(const Object& group, ScenarioResult& scenario, const char* name,
                     std::vector<std::int32_t> ReplicateResult::*values, std::size_t last) {
    const std::vector<hsize_t> shape = {scenario.replicates.size(), scenario.days,
                                        scenario.regions.size(), scenario.age_bands.size(), last};
    const Object dataset = open_with_shape(group, name, shape);
    const std::size_t size =
        scenario.days * scenario.regions.size() * scenario.age_bands.size() * last;
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r) {
        auto& series = scenario.replicates[r].*values;
        series.resize(size);
        detail::read_slice(dataset, r, series);
    }
}

void read_measures(const Object& group, ScenarioResult& scenario) {
    const Object dataset = open_with_shape(
        group, layout::kMeasures,
        {scenario.replicates.size(), scenario.days, scenario.regions.size(), engine::kMeasures});
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r) {
        auto& measures = scenario.replicates[r].measures;
        measures.resize(std::size_t{scenario.days} * scenario.measures_per_day());
        detail::read_slice(dataset, r, measures);
    }
}

void read_hospital(const Object& group, ScenarioResult& scenario) {
    if (!detail::has_child(group, layout::kHospital)) return;
    scenario.hospitals = true;
    const Object dataset = open_with_shape(group, layout::kHospital,
                                           {scenario.replicates.size(), scenario.days,
                                            scenario.regions.size(), engine::kHospitalMeasures});
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r) {
        auto& hospital = scenario.replicates[r].hospital;
        hospital.resize(std::size_t{scenario.days} * scenario.hospital_per_day());
        detail::read_slice(dataset, r, hospital);
    }
}

void read_supplies(const Object& group, ScenarioResult& scenario) {
    if (!detail::has_child(group, layout::kSupplies)) return;
    check_labels(group, layout::kSupplyMeasure, engine::kSupplyMeasureNames);
    const auto names = axis_labels(group, layout::kResource);
    const auto units = axis_labels(group, layout::kResourceUnit);
    const auto kinds = axis_labels(group, layout::kResourceKind);
    if (units.size() != names.size() || kinds.size() != names.size())
        group.fail(fmt::format("'{}' and '{}' do not label every resource",
                               group.child_name(layout::kResourceUnit),
                               group.child_name(layout::kResourceKind)));
    for (std::size_t i = 0; i < names.size(); ++i)
        scenario.supplies.push_back({names[i], units[i], kinds[i] == "equipment"});
    const Object dataset =
        open_with_shape(group, layout::kSupplies,
                        {scenario.replicates.size(), scenario.days, scenario.regions.size(),
                         names.size(), engine::kSupplyMeasures});
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r) {
        auto& supplies = scenario.replicates[r].supplies;
        supplies.resize(std::size_t{scenario.days} * scenario.supplies_per_day());
        detail::read_slice(dataset, r, supplies);
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
    const std::pair<const char*, std::vector<std::int32_t> engine::TransmissionLog::*> columns[] = {
        {"day", &engine::TransmissionLog::day},
        {"infector", &engine::TransmissionLog::infector},
        {"infectee", &engine::TransmissionLog::infectee},
        {"layer", &engine::TransmissionLog::layer},
        {"place", &engine::TransmissionLog::place}};
    for (const auto& [name, member] : columns) {
        const auto values = read_log_column(log, name, extent[0]);
        for (std::size_t i = 0; i < values.size(); ++i) {
            const auto r = static_cast<std::size_t>(replicate[i]);
            if (replicate[i] < 0 || r >= scenario.replicates.size())
                log.fail("replicate index out of range in the transmission log");
            (scenario.replicates[r].transmissions.*member).push_back(values[i]);
        }
    }
}

void read_r0(const Object& group, ScenarioResult& scenario) {
    const Object dataset =
        open_with_shape(group, layout::kR0Realised, {scenario.replicates.size()});
    std::vector<double> values(scenario.replicates.size());
    detail::read_values(dataset, values);
    for (std::size_t r = 0; r < values.size(); ++r) scenario.replicates[r].r0_realised = values[r];
}

void read_interventions(const Object& group, ScenarioResult& scenario) {
    if (!detail::has_child(group, layout::kInterventionsActive)) return;
    scenario.interventions = axis_labels(group, layout::kIntervention);
    const std::size_t count = scenario.interventions.size();
    const Object dataset = open_with_shape(group, layout::kInterventionsActive,
                                           {scenario.replicates.size(), scenario.days, count});
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r) {
        auto& active = scenario.replicates[r].active;
        active.resize(scenario.days * count);
        detail::read_slice(dataset, r, active);
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
    read_trajectory(group, scenario, layout::kCounts, &ReplicateResult::counts, engine::kStates);
    read_trajectory(group, scenario, layout::kIncidence, &ReplicateResult::incidence,
                    engine::kEvents);
    read_r0(group, scenario);
    read_interventions(group, scenario);
    read_measures(group, scenario);
    read_hospital(group, scenario);
    read_supplies(group, scenario);
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
