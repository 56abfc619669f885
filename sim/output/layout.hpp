#pragma once

// Internal to sim/output: the names of a result file's groups, datasets and attributes, shared
// by the writer and the reader. docs/output.md describes the layout for users.

namespace sortie::output::layout {

// Root attributes.
inline constexpr const char* kComplete = "complete";
inline constexpr const char* kCommandLine = "command_line";
inline constexpr const char* kCreated = "created";
inline constexpr const char* kVolatileAttributes = "volatile_attributes";

// Scenario group attributes.
inline constexpr const char* kSeed = "seed";
inline constexpr const char* kAgents = "agents";
inline constexpr const char* kStartDate = "start_date";
inline constexpr const char* kScenarioYaml = "scenario_yaml";
inline constexpr const char* kReplicates = "replicates";
/// The posterior the replicates drew their parameters from (only with `--posterior`).
inline constexpr const char* kParametersSource = "parameters_source";

// Axes (dimension scales), in the order of the dimensions of counts and incidence.
inline constexpr const char* kReplicate = "replicate";
inline constexpr const char* kTime = "time";
inline constexpr const char* kRegion = "region";
inline constexpr const char* kAgeBand = "age_band";
inline constexpr const char* kState = "state";
inline constexpr const char* kEvent = "event";
inline constexpr const char* kMeasure = "measure";
inline constexpr const char* kHospitalMeasure = "hospital_measure";
inline constexpr const char* kResource = "resource";
inline constexpr const char* kSupplyMeasure = "supply_measure";
inline constexpr const char* kParameter = "parameter";
/// Coordinates of the resource axis: unit and kind (consumable or equipment) of each.
inline constexpr const char* kResourceUnit = "resource_unit";
inline constexpr const char* kResourceKind = "resource_kind";
/// ISO dates, one per day: a coordinate of the time axis, not a scale of its own.
inline constexpr const char* kDate = "date";

// Data.
inline constexpr const char* kCounts = "counts";
inline constexpr const char* kIncidence = "incidence";
inline constexpr const char* kR0Realised = "r0_realised";
/// Testing, tracing, isolation and vaccination per day and region.
inline constexpr const char* kMeasures = "measures";
/// Hospital beds, patient flow and staff per day and region (only with `hospitals:`).
inline constexpr const char* kHospital = "hospital";
/// Hospital supplies per day, region and resource (only with `hospitals.supplies`).
inline constexpr const char* kSupplies = "supplies";
/// Which interventions were in force each day (only when the scenario has interventions).
inline constexpr const char* kInterventionsActive = "interventions_active";
/// The optional transmission log: a group of 1-D datasets, one per field.
inline constexpr const char* kTransmissions = "transmissions";
inline constexpr const char* kIntervention = "intervention";

}  // namespace sortie::output::layout
