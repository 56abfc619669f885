#include "sim/output/slice.hpp"

#include <fmt/format.h>

#include "sim/core/build_info.hpp"
#include "sim/output/hdf5_file.hpp"
#include "sim/output/layout.hpp"

namespace sortie::output {
namespace {

namespace fs = std::filesystem;
using detail::Element;
using detail::Object;

// Root attributes and objects of a slice file.
constexpr const char* kKind = "kind";
constexpr const char* kSliceKind = "sortie slice";
constexpr const char* kFormat = "slice_format";
constexpr std::int32_t kFormatVersion = 4;  // 4: task images carry their digest
constexpr const char* kManifest = "manifest";
constexpr const char* kTaskIndex = "task_index";
constexpr const char* kTaskCount = "task_count";
constexpr const char* kScenarioNames = "scenario_names";
constexpr const char* kScenarioReplicates = "scenario_replicates";
constexpr const char* kDescriptions = "descriptions";
constexpr const char* kDescribed = "described_scenarios";
constexpr const char* kResults = "results";
constexpr const char* kTaskScenario = "task_scenario";
constexpr const char* kTaskReplicate = "task_replicate";

void write_bytes(const Object& group, const std::string& name, const std::vector<char>& bytes) {
    const Object dataset = detail::create_dataset(group, name, Element::kUInt8, {bytes.size()}, {});
    detail::write_values(
        dataset, std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

std::vector<char> read_bytes(const Object& group, const std::string& name) {
    const Object dataset = detail::open_dataset(group, name);
    const auto extent = detail::shape(dataset);
    if (extent.size() != 1) group.fail(fmt::format("'{}' is not one-dimensional", dataset.name()));
    std::vector<char> bytes(extent[0]);
    detail::read_values(dataset,
                        std::span(reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()));
    return bytes;
}

std::vector<std::int32_t> read_ints(const Object& parent, const char* name) {
    const Object dataset = detail::open_dataset(parent, name);
    const auto extent = detail::shape(dataset);
    if (extent.size() != 1) parent.fail(fmt::format("'{}' is not one-dimensional", dataset.name()));
    std::vector<std::int32_t> values(extent[0]);
    detail::read_values(dataset, values);
    return values;
}

void write_ints(const Object& parent, const char* name, const std::vector<std::int32_t>& values) {
    const Object dataset = detail::create_dataset(parent, name, Element::kInt32, {values.size()});
    detail::write_values(dataset, values);
}

void write_descriptions(const Object& file, const Slice& slice) {
    const Object descriptions = detail::create_group(file, kDescriptions);
    std::vector<std::int32_t> described;
    for (const auto& s : slice.scenarios) {
        write_bytes(descriptions, std::to_string(s.scenario), s.description);
        described.push_back(static_cast<std::int32_t>(s.scenario));
    }
    write_ints(file, kDescribed, described);
}

void write_results(const Object& file, const Slice& slice) {
    const Object results = detail::create_group(file, kResults);
    std::vector<std::int32_t> scenario, replicate;
    for (const auto& task : slice.tasks) {
        write_bytes(results, fmt::format("{}-{}", task.scenario, task.replicate), task.result);
        scenario.push_back(static_cast<std::int32_t>(task.scenario));
        replicate.push_back(static_cast<std::int32_t>(task.replicate));
    }
    write_ints(file, kTaskScenario, scenario);
    write_ints(file, kTaskReplicate, replicate);
}

void write_contents(const Object& file, const Slice& slice) {
    detail::write_attribute(file, kKind, kSliceKind);
    detail::write_attribute(file, kFormat, kFormatVersion);
    detail::write_attribute(file, "sortie_version", core::version());
    detail::write_attribute(file, "git_commit", core::git_commit());
    detail::write_attribute(file, kManifest, slice.manifest);
    detail::write_attribute(file, layout::kCommandLine, slice.command_line);
    detail::write_attribute(file, layout::kCreated, detail::utc_now());
    detail::write_attribute(file, kTaskIndex, slice.task_index);
    detail::write_attribute(file, kTaskCount, slice.task_count);
    detail::create_string_dataset(file, kScenarioNames, slice.scenario_names);
    write_ints(file, kScenarioReplicates, slice.scenario_replicates);
    write_descriptions(file, slice);
    write_results(file, slice);
    detail::write_attribute(file, layout::kComplete, std::int32_t{1});
}

void check_slice(const Object& file) {
    if (!detail::has_attribute(file, kKind) ||
        detail::read_string_attribute(file, kKind) != kSliceKind) {
        file.fail(detail::has_attribute(file, layout::kComplete)
                      ? "a result file, not a slice: collect joins the files of "
                        "`sortie run --task-index/--task-count`"
                      : "not a sortie slice file");
    }
    if (detail::read_int32_attribute(file, kFormat) != kFormatVersion)
        file.fail("a slice file of another sortie version");
    if (!detail::has_attribute(file, layout::kComplete) ||
        detail::read_int32_attribute(file, layout::kComplete) != 1)
        file.fail("incomplete slice file (the run that wrote it did not finish)");
}

std::uint32_t index_of(const Object& file, std::int32_t value) {
    if (value < 0) file.fail("negative task index");
    return static_cast<std::uint32_t>(value);
}

}  // namespace

void write_slice(const fs::path& path, const Slice& slice) {
    detail::silence_hdf5_errors();
    detail::write_sealed_file(path, [&](const Object& file) { write_contents(file, slice); });
}

Slice read_slice(const fs::path& path) {
    detail::silence_hdf5_errors();
    const Object file = detail::open_file(path);
    check_slice(file);
    Slice slice;
    slice.manifest = detail::read_string_attribute(file, kManifest);
    slice.command_line = detail::read_string_attribute(file, layout::kCommandLine);
    slice.task_index = detail::read_int32_attribute(file, kTaskIndex);
    slice.task_count = detail::read_int32_attribute(file, kTaskCount);
    slice.scenario_names = detail::read_strings(detail::open_dataset(file, kScenarioNames));
    slice.scenario_replicates = read_ints(file, kScenarioReplicates);
    if (slice.scenario_replicates.size() != slice.scenario_names.size())
        file.fail("scenario_names and scenario_replicates differ in length");
    const Object descriptions = detail::open_group(file, kDescriptions);
    for (const std::int32_t s : read_ints(file, kDescribed))
        slice.scenarios.push_back({index_of(file, s), read_bytes(descriptions, std::to_string(s))});
    const auto scenario = read_ints(file, kTaskScenario);
    const auto replicate = read_ints(file, kTaskReplicate);
    if (scenario.size() != replicate.size()) file.fail("task lists differ in length");
    const Object results = detail::open_group(file, kResults);
    for (std::size_t i = 0; i < scenario.size(); ++i) {
        slice.tasks.push_back(
            {index_of(file, scenario[i]), index_of(file, replicate[i]),
             read_bytes(results, fmt::format("{}-{}", scenario[i], replicate[i]))});
    }
    return slice;
}

}  // namespace sortie::output
