#include "sim/output/writer.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <type_traits>

#include "sim/core/build_info.hpp"
#include "sim/core/date.hpp"
#include "sim/output/hdf5_file.hpp"
#include "sim/output/layout.hpp"
#include "sim/results/fields.hpp"

namespace sortie::output {
namespace {

namespace fs = std::filesystem;
using detail::Element;
using detail::Object;
using results::Axis;
using results::Field;
using results::ReplicateResult;
using results::RunResult;
using results::ScenarioResult;

constexpr std::size_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();

// ---- Checks made before anything is written ----

// "5 days x 2 regions x 18 age bands x 9 states": the extents behind a record's size.
std::string extents_text(const ScenarioResult& scenario, const Field& field) {
    static constexpr std::array<const char*, results::kAxes> kNouns = {
        "days",      "regions",         "age bands",     "states",
        "events",    "measures",        "interventions", "hospital measures",
        "resources", "supply measures", "parameters"};
    std::string text;
    for (const Axis axis : field.dimensions()) {
        text += fmt::format("{}{} {}", text.empty() ? "" : " x ", results::extent(scenario, axis),
                            kNouns[static_cast<std::size_t>(axis)]);
    }
    return text;
}

// Each record of a replicate must hold one value per cell of its dimensions.
void check_sizes(const fs::path& path, const ScenarioResult& scenario, std::size_t replicate) {
    results::for_each_field(scenario.replicates[replicate], [&](const Field& field,
                                                                const auto& values) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(values)>, double>) {
            const std::size_t expected = results::values_per_replicate(scenario, field);
            if (values.size() == expected) return;
            throw OutputError(path, fmt::format("scenario '{}', replicate {}: {} holds {} values, "
                                                "expected {} ({})",
                                                scenario.name, replicate, field.name, values.size(),
                                                expected, extents_text(scenario, field)));
        }
    });
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
    for (std::size_t r = 0; r < scenario.replicates.size(); ++r) check_sizes(path, scenario, r);
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

Object index_axis(const Object& group, std::string_view name, std::size_t size,
                  const std::string& description) {
    std::vector<std::int32_t> values(size);
    std::iota(values.begin(), values.end(), 0);
    Object axis = detail::create_dataset(group, std::string(name), Element::kInt32, {size});
    detail::write_values(axis, values);
    detail::make_scale(axis, std::string(name));
    detail::write_attribute(axis, "description", description);
    return axis;
}

Object label_axis(const Object& group, std::string_view name,
                  const std::vector<std::string>& labels, const std::string& description) {
    Object axis = detail::create_string_dataset(group, std::string(name), labels);
    detail::make_scale(axis, std::string(name));
    detail::write_attribute(axis, "description", description);
    return axis;
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

// A string coordinate of the resource axis (like date for time: not a scale of its own).
void write_resource_coordinate(const Object& group, const char* name,
                               const std::vector<std::string>& values, const Object& resource,
                               std::string_view description) {
    const Object coordinate = detail::create_string_dataset(group, name, values);
    detail::attach_scale(coordinate, resource, 0);
    detail::write_attribute(coordinate, "description", std::string(description));
    detail::write_attribute(coordinate, "dimensions", layout::kResource);
}

const char* axis_description(Axis axis) {
    switch (axis) {
        case Axis::kTime:
            return "day index since start_date";
        case Axis::kRegion:
            return "region key";
        case Axis::kAgeBand:
            return "age band in years";
        case Axis::kState:
            return "disease state";
        case Axis::kEvent:
            return "daily event";
        case Axis::kMeasure:
            return "testing, tracing, isolation or vaccination record";
        case Axis::kIntervention:
            return "intervention name";
        case Axis::kHospitalMeasure:
            return "hospital record (docs/output.md)";
        case Axis::kResource:
            return "hospital supply";
        case Axis::kSupplyMeasure:
            return "supply record (docs/output.md)";
        case Axis::kParameter:
            return "scenario key path of a value drawn from a fit's posterior";
    }
    return "";
}

/// The dimension scales of a scenario group. Those every group has are made at once, the
/// others (interventions, hospital and supply records) with the first record along them.
class GroupAxes {
  public:
    GroupAxes(const Object& group, const ScenarioResult& scenario)
        : group_(group),
          scenario_(scenario),
          replicate_(index_axis(group, results::kReplicateAxis, scenario.replicates.size(),
                                "replicate index")) {
        made_.emplace(Axis::kTime, time_axis(group, scenario));
        for (const Axis axis :
             {Axis::kRegion, Axis::kAgeBand, Axis::kState, Axis::kEvent, Axis::kMeasure})
            get(axis);
        write_dates(group, scenario, made_.at(Axis::kTime));
    }

    const Object& replicate() const { return replicate_; }

    const Object& get(Axis axis) {
        if (const auto found = made_.find(axis); found != made_.end()) return found->second;
        Object made = label_axis(group_, results::axis_name(axis),
                                 results::axis_labels(scenario_, axis), axis_description(axis));
        if (axis == Axis::kResource) write_resource_coordinates(made);
        return made_.emplace(axis, std::move(made)).first->second;
    }

  private:
    void write_resource_coordinates(const Object& resource) const {
        std::vector<std::string> units, kinds;
        for (const auto& supply : scenario_.supplies) {
            units.push_back(supply.unit);
            kinds.emplace_back(results::resource_kind(supply));
        }
        write_resource_coordinate(group_, layout::kResourceUnit, units, resource,
                                  results::kResourceUnitDescription);
        write_resource_coordinate(group_, layout::kResourceKind, kinds, resource,
                                  results::kResourceKindDescription);
    }

    const Object& group_;
    const ScenarioResult& scenario_;
    Object replicate_;
    std::map<Axis, Object> made_;
};

// ---- Records ----

template <typename Values>
constexpr Element element_of() {
    if constexpr (std::is_same_v<Values, std::vector<std::int32_t>>) return Element::kInt32;
    return Element::kFloat64;  // std::vector<double>, double
}

// A record of every replicate as one dataset [replicate, dimensions...], chunked by replicate,
// each dimension labelled by its scale; left out when the scenario lacks one of its axes.
template <typename Values>
void write_field(const Object& group, const ScenarioResult& scenario, GroupAxes& axes,
                 const Field& field) {
    if (!results::has_field(scenario, field)) return;
    std::vector<const Object*> scales = {&axes.replicate()};
    std::vector<hsize_t> chunk = {1};
    for (const Axis axis : field.dimensions()) {
        scales.push_back(&axes.get(axis));
        chunk.push_back(results::extent(scenario, axis));
    }
    std::vector<hsize_t> shape = chunk;
    shape[0] = scenario.replicates.size();
    // One value per replicate: a plain array, too small to chunk.
    const Object dataset =
        detail::create_dataset(group, std::string(field.name), element_of<Values>(), shape,
                               field.rank > 0 ? chunk : std::vector<hsize_t>{});
    if constexpr (std::is_same_v<Values, double>) {
        std::vector<double> values;
        for (const auto& replicate : scenario.replicates)
            results::with_field(replicate, field, [&](const auto& v) {
                if constexpr (std::is_same_v<std::decay_t<decltype(v)>, double>)
                    values.push_back(v);
            });
        detail::write_values(dataset, values);
    } else {
        for (std::size_t r = 0; r < scenario.replicates.size(); ++r)
            results::with_field(scenario.replicates[r], field, [&](const auto& v) {
                if constexpr (std::is_same_v<std::decay_t<decltype(v)>, Values>)
                    detail::write_slice(dataset, r, v);
            });
    }
    for (unsigned d = 0; d < scales.size(); ++d) detail::attach_scale(dataset, *scales[d], d);
    detail::write_attribute(dataset, "dimensions", results::dimensions_text(field));
    detail::write_attribute(dataset, "description", std::string(field.description));
    // The dates are a coordinate of the time axis: only records along time carry them.
    if (field.rank > 0 && field.axes[0] == Axis::kTime)
        detail::write_attribute(dataset, "coordinates", layout::kDate);
}

// The transmission log: 1-D columns over all replicates' infections, replicate by replicate.
void write_log_column(const Object& log, std::string_view name,
                      const std::vector<std::int32_t>& values, std::string_view description) {
    const std::vector<hsize_t> chunk =
        values.empty() ? std::vector<hsize_t>{}
                       : std::vector<hsize_t>{std::min<hsize_t>(values.size(), 1 << 16)};
    const Object dataset =
        detail::create_dataset(log, std::string(name), Element::kInt32, {values.size()}, chunk);
    if (!values.empty()) detail::write_values(dataset, values);
    detail::write_attribute(dataset, "description", std::string(description));
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
    // Column by column, each the concatenation of every replicate's.
    for (std::size_t c = 0; c < results::kLogColumns; ++c) {
        std::vector<std::int32_t> values;
        for (const auto& r : scenario.replicates) {
            const auto& part = *results::log_columns(r.transmissions)[c];
            values.insert(values.end(), part.begin(), part.end());
        }
        write_log_column(log, results::kLogColumnInfo[c].name, values,
                         results::kLogColumnInfo[c].description);
    }
}

void write_group_attributes(const Object& group, const ScenarioResult& scenario) {
    detail::write_attribute(group, layout::kSeed, scenario.seed);
    detail::write_attribute(group, layout::kAgents, scenario.agents);
    detail::write_attribute(group, layout::kStartDate, scenario.start_date);
    detail::write_attribute(group, layout::kScenarioYaml, scenario.scenario_yaml);
    detail::write_attribute(group, layout::kReplicates,
                            static_cast<std::int32_t>(scenario.replicates.size()));
    if (!scenario.parameters.empty())
        detail::write_attribute(group, layout::kParametersSource, scenario.parameters_source);
}

void write_scenario(const Object& file, const ScenarioResult& scenario) {
    const Object group = detail::create_group(file, scenario.name);
    write_group_attributes(group, scenario);
    GroupAxes axes(group, scenario);
    results::for_each_field(
        scenario.replicates.front(), [&](const Field& field, const auto& values) {
            write_field<std::decay_t<decltype(values)>>(group, scenario, axes, field);
        });
    write_transmissions(group, scenario);
}

void write_contents(const Object& file, const RunResult& run) {
    write_root_attributes(file, run);
    for (const auto& scenario : run.scenarios) write_scenario(file, scenario);
    detail::write_attribute(file, layout::kComplete, std::int32_t{1});
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

void write_run(const fs::path& path, const RunResult& run) {
    detail::silence_hdf5_errors();
    check_run(path, run);
    detail::write_sealed_file(path, [&](const Object& file) { write_contents(file, run); });
}

}  // namespace sortie::output
