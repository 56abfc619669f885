#pragma once

// One description of the records of a replicate: their names, dimensions and meanings, and the
// order in which every reader and writer of results goes through them. Checkpoint and task
// images, the result file's writer and reader, the checksum and the Python module all use
// for_each_field, so a new output variable is a member of ReplicateResult plus one line here.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sim/results/result.hpp"

namespace sortie::results {

/// A dimension of a record, after the replicate (every record has one value set per replicate).
enum class Axis : std::uint8_t {
    kTime,
    kRegion,
    kAgeBand,
    kState,
    kEvent,
    kMeasure,
    kIntervention,     ///< empty without interventions
    kHospitalMeasure,  ///< empty without `hospitals:`
    kResource,         ///< empty without hospital supplies
    kSupplyMeasure,
    kParameter,  ///< empty unless the replicates draw parameter sets (`--posterior`)
};
inline constexpr std::size_t kAxes = 11;
/// The names of the axes as the result file, xarray and the docs call them.
inline constexpr std::array<std::string_view, kAxes> kAxisNames = {
    "time",         "region",           "age_band", "state",          "event",    "measure",
    "intervention", "hospital_measure", "resource", "supply_measure", "parameter"};
/// The name of the first dimension of every record.
inline constexpr std::string_view kReplicateAxis = "replicate";

inline std::string_view axis_name(Axis axis) {
    return kAxisNames[static_cast<std::size_t>(axis)];
}

/// The length of `axis` in `scenario`; 0 for an axis the scenario does not have (no
/// interventions, no hospitals, no supplies): a record along it is then left out.
std::size_t extent(const ScenarioResult& scenario, Axis axis);

/// A record of a replicate.
struct Field {
    std::string_view name;  ///< dataset name in the result file
    std::string_view description;
    std::array<Axis, 4> axes{};  ///< the dimensions after the replicate; the first `rank` are used
    std::size_t rank = 0;        ///< 0: one value per replicate

    std::span<const Axis> dimensions() const { return {axes.data(), rank}; }
};

inline constexpr Field kCountsField{"counts",
                                    "people in each state at the end of each day",
                                    {Axis::kTime, Axis::kRegion, Axis::kAgeBand, Axis::kState},
                                    4};
inline constexpr Field kIncidenceField{"incidence",
                                       "events during each day",
                                       {Axis::kTime, Axis::kRegion, Axis::kAgeBand, Axis::kEvent},
                                       4};
inline constexpr Field kR0Field{
    "r0_realised", "mean number of secondary infections of the first infections not seeded", {}, 0};
inline constexpr Field kActiveField{"interventions_active",
                                    "1 when the intervention was in force that day",
                                    {Axis::kTime, Axis::kIntervention},
                                    2};
inline constexpr Field kMeasuresField{
    "measures",
    "tests, positives, unmet requests, traced contacts and vaccine doses during each day; "
    "isolated, quarantined and vaccinated people at its end",
    {Axis::kTime, Axis::kRegion, Axis::kMeasure},
    3};
inline constexpr Field kHospitalField{
    "hospital",
    "occupancy, capacity and staff at the end of each day; admissions, refusals, transfers, "
    "discharges and deaths during it; patients in the region of their bed, excess deaths where "
    "they lived",
    {Axis::kTime, Axis::kRegion, Axis::kHospitalMeasure},
    3};
inline constexpr Field kSuppliesField{
    "supplies",
    "stock at the end of each day, deliveries, use by the patients in beds, unmet use, shortage "
    "flag and days of stock left, in the region of the beds",
    {Axis::kTime, Axis::kRegion, Axis::kResource, Axis::kSupplyMeasure},
    4};
inline constexpr Field kParametersField{
    "parameters",
    "the values of the parameter set the replicate drew from a fit's posterior (sortie run "
    "--posterior)",
    {Axis::kParameter},
    1};

/// Calls `visit(field, values)` for each record of `replicate` (a ReplicateResult, const or
/// not), in the result file's order. `values` is the member: a std::vector<std::int32_t>, a
/// std::vector<double> laid out row-major over the field's dimensions, or a double (rank 0).
template <typename Replicate, typename Visit>
requires std::is_same_v<std::remove_const_t<Replicate>, ReplicateResult>
void for_each_field(Replicate& replicate, Visit&& visit) {
    visit(kCountsField, replicate.counts);
    visit(kIncidenceField, replicate.incidence);
    visit(kR0Field, replicate.r0_realised);
    visit(kActiveField, replicate.active);
    visit(kMeasuresField, replicate.measures);
    visit(kHospitalField, replicate.hospital);
    visit(kSuppliesField, replicate.supplies);
    visit(kParametersField, replicate.parameters);
}

/// Calls `use(values)` with the member of `replicate` that `field` describes (`use` is
/// instantiated for every member type: pick the one you handle with `if constexpr`).
template <typename Replicate, typename Use>
void with_field(Replicate& replicate, const Field& field, Use&& use) {
    for_each_field(replicate, [&](const Field& f, auto& values) {
        if (f.name == field.name) use(values);
    });
}

/// A column of the transmission log.
struct LogColumn {
    std::string_view name;
    std::string_view description;
};
inline constexpr std::size_t kLogColumns = 5;
/// The columns of the transmission log, in the file's order.
inline constexpr std::array<LogColumn, kLogColumns> kLogColumnInfo = {{
    {"day", "day index of the infection"},
    {"infector", "agent index, -1 for a seeded infection"},
    {"infectee", "agent index"},
    {"layer", "contact layer: 0 household, 1 school, 2 work, 3 community"},
    {"place", "household, school or workplace index shared by both; region index for community"},
}};

/// The columns of `log` (a TransmissionLog, const or not), in kLogColumnInfo's order.
template <typename Log>
requires std::is_same_v<std::remove_const_t<Log>, TransmissionLog>
auto log_columns(Log& log) {
    return std::array{&log.day, &log.infector, &log.infectee, &log.layer, &log.place};
}

/// Calls `visit(column, values)` for each column of a transmission log, in the file's order.
template <typename Log, typename Visit>
requires std::is_same_v<std::remove_const_t<Log>, TransmissionLog>
void for_each_log_column(Log& log, Visit&& visit) {
    const auto columns = log_columns(log);
    for (std::size_t c = 0; c < kLogColumns; ++c) visit(kLogColumnInfo[c], *columns[c]);
}

/// How the result file labels the resources' units and kinds (coordinates of the resource
/// axis): the kind of a supply, and the descriptions of the two.
inline std::string_view resource_kind(const SupplyLabel& supply) {
    return supply.equipment ? "equipment" : "consumable";
}
inline constexpr std::string_view kResourceUnitDescription = "unit of the amounts of each resource";
inline constexpr std::string_view kResourceKindDescription =
    "consumable (used up) or equipment (held by patients)";

/// The axes of a replicate's records, unlabelled: what checkpoints and the memory estimate
/// size records by.
ScenarioResult record_axes(std::uint32_t days, std::size_t regions, std::size_t age_bands,
                           std::size_t interventions, bool hospitals, std::size_t supplies);

/// The values of `field` in one replicate of `scenario`: the product of its extents.
std::size_t values_per_replicate(const ScenarioResult& scenario, const Field& field);
/// Whether `scenario` has the record (every axis of the field is non-empty).
bool has_field(const ScenarioResult& scenario, const Field& field);
/// "replicate,time,region,...": the dimensions attribute of the result file.
std::string dimensions_text(const Field& field);

/// The labels of a label axis (region, age band, state ...) of `scenario`; empty for time.
std::vector<std::string> axis_labels(const ScenarioResult& scenario, Axis axis);

}  // namespace sortie::results
