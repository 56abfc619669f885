#include "sim/output/writer.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <limits>
#include <numeric>
#include <set>
#include <system_error>

#include "sim/core/build_info.hpp"
#include "sim/core/date.hpp"
#include "sim/output/hdf5_file.hpp"
#include "sim/output/layout.hpp"

namespace sortie::output {
namespace {

namespace fs = std::filesystem;
using detail::Element;
using detail::Object;
using engine::ReplicateResult;
using engine::RunResult;
using engine::ScenarioResult;

constexpr std::size_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();

// ---- Checks made before anything is written ----

// A per-day series of a replicate must hold `expected` values (days x values per day).
void check_length(const fs::path& path, const ScenarioResult& scenario, std::size_t replicate,
                  const char* what, std::size_t actual, std::size_t expected) {
    if (actual == expected) return;
    throw OutputError(path, fmt::format("scenario '{}', replicate {}: {} holds {} values, "
                                        "expected {}",
                                        scenario.name, replicate, what, actual, expected));
}

void check_size(const fs::path& path, const ScenarioResult& scenario, std::size_t replicate,
                const char* what, std::size_t actual, std::size_t last_axis,
                const char* last_axis_name) {
    const std::size_t expected =
        scenario.days * scenario.regions.size() * scenario.age_bands.size() * last_axis;
    if (actual == expected) return;
    throw OutputError(path, fmt::format("scenario '{}', replicate {}: {} holds {} values, "
                                        "expected {} ({} days x {} regions x {} age bands x {} {})",
                                        scenario.name, replicate, what, actual, expected,
                                        scenario.days, scenario.regions.size(),
                                        scenario.age_bands.size(), last_axis, last_axis_name));
}

void check_axes(const fs::path& path, const ScenarioResult& scenario) {
    const auto problem = [&](const std::string& text) {
        throw OutputError(path, "scenario '" + scenario.name + "': " + text);
    };
    if (scenario.replicates.empty()) problem("no replicates");
    if (scenario.replicates.size() > kMaxInt32) problem("too many replicates");
    if (scenario.days == 0 || scenario.days > kMaxInt32) problem("days must be 1 to 2^31-1");
    if (scenario.regions.empty()) problem("no regions");
    if (scenario.age_bands.empty()) problem("no age bands");
    if (!core::Date::parse(scenario.start_date))
        problem("start date '" + scenario.start_date + "' is not a YYYY-MM-DD date");
}

void check_scenario(const fs::path& path, const ScenarioResult& scenario) {
    if (scenario.name.empty() || scenario.name == "." ||
        scenario.name.find('/') != std::string::npos)
        throw OutputError(path, "scenario name '" + scenario.name +
                                    "' cannot name a group (empty, '.' or containing '/')");
    check_axes(path, scenario);
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r) {
        const ReplicateResult& replicate = scenario.replicates[r];
        check_size(path, scenario, r, "counts", replicate.counts.size(), engine::kStates, "states");
        check_size(path, scenario, r, "incidence", replicate.incidence.size(), engine::kEvents,
                   "events");
        const std::size_t days = scenario.days;
        check_length(path, scenario, r, "measures", replicate.measures.size(),
                     days * scenario.measures_per_day());
        check_length(path, scenario, r, "hospital", replicate.hospital.size(),
                     days * scenario.hospital_per_day());
        check_length(path, scenario, r, "supplies", replicate.supplies.size(),
                     days * scenario.supplies_per_day());
        check_length(path, scenario, r, "interventions_active", replicate.active.size(),
                     days * scenario.interventions.size());
    }
}

void check_run(const fs::path& path, const RunResult& run) {
    std::set<std::string> names;
    for (const auto& scenario : run.scenarios) {
        check_scenario(path, scenario);
        if (!names.insert(scenario.name).second)
            throw OutputError(path, "two scenarios are named '" + scenario.name + "'");
    }
}

// ---- Root attributes ----

std::string hdf5_version() {
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    return fmt::format("{}.{}.{}", major, minor, release);
}

void write_root_attributes(const Object& file, const RunResult& run) {
    detail::write_attribute(file, "sortie_version", core::version());
    detail::write_attribute(file, "git_commit", core::git_commit());
    detail::write_attribute(file, "build_type", core::build_type());
    detail::write_attribute(file, layout::kCommandLine, run.command_line);
    detail::write_attribute(file, layout::kCreated, detail::utc_now());
    detail::write_attribute(file, "hdf5_version", hdf5_version());
    detail::write_attribute(file, "libraries", core::libraries());
    detail::write_attribute(file, layout::kVolatileAttributes,
                            fmt::format("{} {}", layout::kCreated, layout::kCommandLine));
}

// ---- Axes ----

/// The dimension scales of a scenario group, in the order of the dimensions they label.
struct Axes {
    Object replicate;
    Object time;
    Object region;
    Object age_band;
    Object state;
    Object event;
    Object measure;
};

Object index_axis(const Object& group, const char* name, std::size_t size,
                  const std::string& description) {
    std::vector<std::int32_t> values(size);
    std::iota(values.begin(), values.end(), 0);
    Object axis = detail::create_dataset(group, name, Element::kInt32, {size});
    detail::write_values(axis, values);
    detail::make_scale(axis, name);
    detail::write_attribute(axis, "description", description);
    return axis;
}

Object label_axis(const Object& group, const char* name, const std::vector<std::string>& labels,
                  const std::string& description) {
    Object axis = detail::create_string_dataset(group, name, labels);
    detail::make_scale(axis, name);
    detail::write_attribute(axis, "description", description);
    return axis;
}

template <std::size_t N>
std::vector<std::string> labels(const std::array<std::string_view, N>& names) {
    return {names.begin(), names.end()};
}

Object time_axis(const Object& group, const ScenarioResult& scenario) {
    Object time = index_axis(group, layout::kTime, scenario.days, "day index since start_date");
    // CF conventions: xarray and netCDF tools decode these into calendar dates.
    detail::write_attribute(time, "units", "days since " + scenario.start_date);
    detail::write_attribute(time, "calendar", "proleptic_gregorian");
    return time;
}

// ISO dates, one per day: a coordinate of the time axis. Not a second dimension scale, since
// netCDF readers (h5netcdf) would take it for the name of the day dimension.
void write_dates(const Object& group, const ScenarioResult& scenario, const Object& time) {
    const core::Date start = *core::Date::parse(scenario.start_date);
    std::vector<std::string> dates;
    for (std::uint32_t day = 0; day < scenario.days; ++day)
        dates.push_back(start.plus_days(static_cast<std::int32_t>(day)).to_string());
    const Object date = detail::create_string_dataset(group, layout::kDate, dates);
    detail::attach_scale(date, time, 0);
    detail::write_attribute(date, "description", "ISO 8601 date of each day (YYYY-MM-DD)");
    detail::write_attribute(date, "dimensions", layout::kTime);
}

Axes write_axes(const Object& group, const ScenarioResult& scenario) {
    Axes axes{
        index_axis(group, layout::kReplicate, scenario.replicates.size(), "replicate index"),
        time_axis(group, scenario),
        label_axis(group, layout::kRegion, scenario.regions, "region key"),
        label_axis(group, layout::kAgeBand, scenario.age_bands, "age band in years"),
        label_axis(group, layout::kState, labels(engine::kStateNames), "disease state"),
        label_axis(group, layout::kEvent, labels(engine::kEventNames), "daily event"),
        label_axis(group, layout::kMeasure, labels(engine::kMeasureNames),
                   "testing, tracing, isolation or vaccination record"),
    };
    write_dates(group, scenario, axes.time);
    return axes;
}

// ---- Data ----

/// How one of the trajectory datasets (counts, incidence) is stored.
struct Trajectory {
    const char* name;
    std::vector<std::int32_t> ReplicateResult::*values;
    const Object& last_axis;
    std::size_t last_extent;
    const char* dimensions;
    const char* description;
};

void write_trajectory(const Object& group, const ScenarioResult& scenario, const Axes& axes,
                      const Trajectory& trajectory) {
    const std::vector<hsize_t> chunk = {1, scenario.days, scenario.regions.size(),
                                        scenario.age_bands.size(), trajectory.last_extent};
    std::vector<hsize_t> shape = chunk;
    shape[0] = scenario.replicates.size();
    const Object dataset =
        detail::create_dataset(group, trajectory.name, Element::kInt32, shape, chunk);
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r)
        detail::write_slice(dataset, r, scenario.replicates[r].*trajectory.values);
    const Object* scales[] = {&axes.replicate, &axes.time, &axes.region, &axes.age_band,
                              &trajectory.last_axis};
    for (unsigned d = 0; d < 5; ++d) detail::attach_scale(dataset, *scales[d], d);
    detail::write_attribute(dataset, "dimensions", trajectory.dimensions);
    detail::write_attribute(dataset, "description", trajectory.description);
    detail::write_attribute(dataset, "coordinates", layout::kDate);
}

void write_r0(const Object& group, const ScenarioResult& scenario, const Axes& axes) {
    std::vector<double> values;
    for (const auto& replicate : scenario.replicates) values.push_back(replicate.r0_realised);
    const Object dataset = detail::create_dataset(group, layout::kR0Realised, Element::kFloat64,
                                                  {scenario.replicates.size()});
    detail::write_values(dataset, values);
    detail::attach_scale(dataset, axes.replicate, 0);
    detail::write_attribute(dataset, "dimensions", layout::kReplicate);
    detail::write_attribute(dataset, "description",
                            "mean number of secondary infections of the earliest infections");
}

// active[replicate, time, intervention]: 1 when the intervention was in force that day.
void write_interventions(const Object& group, const ScenarioResult& scenario, const Axes& axes) {
    const std::size_t count = scenario.interventions.size();
    if (count == 0) return;
    const Object names =
        label_axis(group, layout::kIntervention, scenario.interventions, "intervention name");
    const std::vector<hsize_t> chunk = {1, scenario.days, count};
    const Object dataset =
        detail::create_dataset(group, layout::kInterventionsActive, Element::kInt32,
                               {scenario.replicates.size(), scenario.days, count}, chunk);
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r) {
        detail::write_slice(dataset, r, scenario.replicates[r].active);
    }
    const Object* scales[] = {&axes.replicate, &axes.time, &names};
    for (unsigned d = 0; d < 3; ++d) detail::attach_scale(dataset, *scales[d], d);
    detail::write_attribute(dataset, "dimensions", "replicate,time,intervention");
    detail::write_attribute(dataset, "description",
                            "1 when the intervention was in force that day");
    detail::write_attribute(dataset, "coordinates", layout::kDate);
}

/// How a per-region series (measures, hospital) is stored: [replicate, time, region, <axis>].
struct RegionalSeries {
    const char* name;
    std::vector<std::int32_t> ReplicateResult::*values;
    const Object& last_axis;
    std::size_t last_extent;
    const char* dimensions;
    const char* description;
};

void write_regional(const Object& group, const ScenarioResult& scenario, const Axes& axes,
                    const RegionalSeries& series) {
    const std::vector<hsize_t> chunk = {1, scenario.days, scenario.regions.size(),
                                        series.last_extent};
    std::vector<hsize_t> shape = chunk;
    shape[0] = scenario.replicates.size();
    const Object dataset =
        detail::create_dataset(group, series.name, Element::kInt32, shape, chunk);
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r)
        detail::write_slice(dataset, r, scenario.replicates[r].*series.values);
    const Object* scales[] = {&axes.replicate, &axes.time, &axes.region, &series.last_axis};
    for (unsigned d = 0; d < 4; ++d) detail::attach_scale(dataset, *scales[d], d);
    detail::write_attribute(dataset, "dimensions", series.dimensions);
    detail::write_attribute(dataset, "description", series.description);
    detail::write_attribute(dataset, "coordinates", layout::kDate);
}

// measures: testing, tracing, isolation, vaccination.
void write_measures(const Object& group, const ScenarioResult& scenario, const Axes& axes) {
    write_regional(group, scenario, axes,
                   {layout::kMeasures, &ReplicateResult::measures, axes.measure, engine::kMeasures,
                    "replicate,time,region,measure",
                    "tests, positives, unmet requests, traced contacts and vaccine doses during "
                    "each day; isolated, quarantined and vaccinated people at its end"});
}

// hospital: beds, patient flow and staff (only with a `hospitals:` section).
void write_hospital(const Object& group, const ScenarioResult& scenario, const Axes& axes) {
    if (!scenario.hospitals) return;
    const Object measure =
        label_axis(group, layout::kHospitalMeasure, labels(engine::kHospitalMeasureNames),
                   "hospital record (docs/output.md)");
    write_regional(group, scenario, axes,
                   {layout::kHospital, &ReplicateResult::hospital, measure,
                    engine::kHospitalMeasures, "replicate,time,region,hospital_measure",
                    "occupancy, capacity and staff at the end of each day; admissions, refusals, "
                    "transfers, discharges and deaths during it; patients in the region of their "
                    "bed, excess deaths where they lived"});
}

// A string coordinate of the resource axis (like date for time: not a scale of its own).
void write_resource_coordinate(const Object& group, const char* name,
                               const std::vector<std::string>& values, const Object& resource,
                               const char* description) {
    const Object coordinate = detail::create_string_dataset(group, name, values);
    detail::attach_scale(coordinate, resource, 0);
    detail::write_attribute(coordinate, "description", description);
    detail::write_attribute(coordinate, "dimensions", layout::kResource);
}

Object write_resource_axis(const Object& group, const ScenarioResult& scenario) {
    std::vector<std::string> names, units, kinds;
    for (const auto& supply : scenario.supplies) {
        names.push_back(supply.name);
        units.push_back(supply.unit);
        kinds.push_back(supply.equipment ? "equipment" : "consumable");
    }
    Object resource = label_axis(group, layout::kResource, names, "hospital supply");
    write_resource_coordinate(group, layout::kResourceUnit, units, resource,
                              "unit of the amounts of each resource");
    write_resource_coordinate(group, layout::kResourceKind, kinds, resource,
                              "consumable (used up) or equipment (held by patients)");
    return resource;
}

// supplies[replicate, time, region, resource, supply_measure] (only with hospital supplies).
void write_supplies(const Object& group, const ScenarioResult& scenario, const Axes& axes) {
    if (scenario.supplies.empty()) return;
    const Object resource = write_resource_axis(group, scenario);
    const Object measure =
        label_axis(group, layout::kSupplyMeasure, labels(engine::kSupplyMeasureNames),
                   "supply record (docs/output.md)");
    const std::vector<hsize_t> chunk = {1, scenario.days, scenario.regions.size(),
                                        scenario.supplies.size(), engine::kSupplyMeasures};
    std::vector<hsize_t> shape = chunk;
    shape[0] = scenario.replicates.size();
    const Object dataset =
        detail::create_dataset(group, layout::kSupplies, Element::kFloat64, shape, chunk);
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r)
        detail::write_slice(dataset, r, scenario.replicates[r].supplies);
    const Object* scales[] = {&axes.replicate, &axes.time, &axes.region, &resource, &measure};
    for (unsigned d = 0; d < 5; ++d) detail::attach_scale(dataset, *scales[d], d);
    detail::write_attribute(dataset, "dimensions", "replicate,time,region,resource,supply_measure");
    detail::write_attribute(dataset, "description",
                            "stock at the end of each day, deliveries, use by the patients in "
                            "beds, unmet use, shortage flag and days of stock left, in the "
                            "region of the beds");
    detail::write_attribute(dataset, "coordinates", layout::kDate);
}

// The transmission log: 1-D columns over all replicates' infections, replicate by replicate.
struct LogColumn {
    const char* name;
    std::vector<std::int32_t> engine::TransmissionLog::*values;
    const char* description;
};

void write_log_column(const Object& log, const char* name, const std::vector<std::int32_t>& values,
                      const char* description) {
    const std::vector<hsize_t> chunk =
        values.empty() ? std::vector<hsize_t>{}
                       : std::vector<hsize_t>{std::min<hsize_t>(values.size(), 1 << 16)};
    const Object dataset =
        detail::create_dataset(log, name, Element::kInt32, {values.size()}, chunk);
    if (!values.empty()) detail::write_values(dataset, values);
    detail::write_attribute(dataset, "description", description);
}

void write_transmissions(const Object& group, const ScenarioResult& scenario) {
    if (!scenario.transmission_log) return;
    const Object log = detail::create_group(group, layout::kTransmissions);
    detail::write_attribute(log, "description",
                            "one entry per infection, by replicate, then in simulation order");
    std::vector<std::int32_t> replicate;
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r)
        replicate.insert(replicate.end(), scenario.replicates[r].transmissions.size(),
                         static_cast<std::int32_t>(r));
    write_log_column(log, "replicate", replicate, "replicate index");
    const LogColumn columns[] = {
        {"day", &engine::TransmissionLog::day, "day index of the infection"},
        {"infector", &engine::TransmissionLog::infector, "agent index, -1 for a seeded infection"},
        {"infectee", &engine::TransmissionLog::infectee, "agent index"},
        {"layer", &engine::TransmissionLog::layer,
         "contact layer: 0 household, 1 school, 2 work, 3 community"},
        {"place", &engine::TransmissionLog::place,
         "household, school or workplace index shared by both; region index for community"},
    };
    for (const auto& column : columns) {
        std::vector<std::int32_t> values;
        for (const auto& r : scenario.replicates) {
            const auto& part = r.transmissions.*column.values;
            values.insert(values.end(), part.begin(), part.end());
        }
        write_log_column(log, column.name, values, column.description);
    }
}

void write_group_attributes(const Object& group, const ScenarioResult& scenario) {
    detail::write_attribute(group, layout::kSeed, scenario.seed);
    detail::write_attribute(group, layout::kAgents, scenario.agents);
    detail::write_attribute(group, layout::kStartDate, scenario.start_date);
    detail::write_attribute(group, layout::kScenarioYaml, scenario.scenario_yaml);
    detail::write_attribute(group, layout::kReplicates,
                            static_cast<std::int32_t>(scenario.replicates.size()));
}

void write_scenario(const Object& file, const ScenarioResult& scenario) {
    const Object group = detail::create_group(file, scenario.name);
    write_group_attributes(group, scenario);
    const Axes axes = write_axes(group, scenario);
    write_trajectory(
        group, scenario, axes,
        {layout::kCounts, &ReplicateResult::counts, axes.state, engine::kStates,
         "replicate,time,region,age_band,state", "people in each state at the end of each day"});
    write_trajectory(group, scenario, axes,
                     {layout::kIncidence, &ReplicateResult::incidence, axes.event, engine::kEvents,
                      "replicate,time,region,age_band,event", "events during each day"});
    write_r0(group, scenario, axes);
    write_interventions(group, scenario, axes);
    write_measures(group, scenario, axes);
    write_hospital(group, scenario, axes);
    write_supplies(group, scenario, axes);
    write_transmissions(group, scenario);
}

void write_file(const fs::path& partial, const RunResult& run) {
    Object file = detail::create_file(partial);
    write_root_attributes(file, run);
    for (const auto& scenario : run.scenarios) write_scenario(file, scenario);
    detail::write_attribute(file, layout::kComplete, std::int32_t{1});
    detail::flush(file);
    file.close();
}

// ---- Durability ----

[[noreturn]] void system_failure(const fs::path& path, const std::string& what, int error) {
    throw OutputError(path, what + ": " + std::system_category().message(error));
}

void fsync_path(const fs::path& path, bool directory) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
    if (fd < 0) system_failure(path, "cannot open for fsync", errno);
    const int status = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    // Some file systems cannot sync a directory (EINVAL): nothing more can be done there.
    if (status != 0 && !(directory && error == EINVAL)) system_failure(path, "cannot fsync", error);
}

fs::path directory_of(const fs::path& path) {
    return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

void remove_stale(const fs::path& partial) {
    std::error_code error;
    fs::remove(partial, error);
    if (error) throw OutputError(partial, "cannot remove stale file: " + error.message());
}

void move_into_place(const fs::path& partial, const fs::path& path) {
    std::error_code error;
    fs::rename(partial, path, error);
    if (error)
        throw OutputError(path, "cannot rename " + partial.string() + ": " + error.message());
}

}  // namespace

std::string detail::utc_now() {
    using namespace std::chrono;
    const auto now = floor<seconds>(system_clock::now());
    const auto today = floor<days>(now);
    const year_month_day date(today);
    const hh_mm_ss time(now - today);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                       time.hours().count(), time.minutes().count(), time.seconds().count());
}

void detail::write_atomically(const fs::path& path,
                              const std::function<void(const fs::path&)>& write) {
    fs::path partial = path;
    partial += ".partial";
    remove_stale(partial);
    try {
        write(partial);
        fsync_path(partial, false);
        move_into_place(partial, path);
    } catch (...) {
        std::error_code ignored;
        fs::remove(partial, ignored);
        throw;
    }
    fsync_path(directory_of(path), true);
}

void write_run(const fs::path& path, const RunResult& run) {
    detail::silence_hdf5_errors();
    check_run(path, run);
    detail::write_atomically(path, [&](const fs::path& partial) { write_file(partial, run); });
}

}  // namespace sortie::output
