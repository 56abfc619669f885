// `sortie population SCENARIO.yaml [--json]`: builds the population and its contact layers and
// reports what was built, with contacts measured by enumerating the layers.
#include <fmt/format.h>
#include <tbb/global_control.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <map>

#include "sim/contacts/survey.hpp"
#include "sim/core/system.hpp"
#include "sim/model/inputs.hpp"
#include "tools/sortie/commands.hpp"
#include "tools/sortie/exit_codes.hpp"

namespace sortie::cli {
namespace {

using json = nlohmann::ordered_json;
using population::Population;

// Contacts are measured on this many agents spread over all ids (all of them if fewer).
constexpr std::uint64_t kSurveyAgents = 200000;

struct Built {
    Population population;
    std::unique_ptr<contacts::ContactModel> model;
    double build_seconds = 0;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

json age_bands(const Population& population) {
    std::array<std::uint64_t, contacts::kAgeBands> counts{};
    for (auto age : population.age) ++counts[contacts::age_band(age)];
    json bands = json::array();
    for (std::size_t b = 0; b < contacts::kAgeBands; ++b) {
        const int to = b + 1 == contacts::kAgeBands ? population::kMaxAge : int(5 * b + 4);
        bands.push_back({{"from", 5 * b}, {"to", to}, {"count", counts[b]}});
    }
    return bands;
}

json household_sizes(const Population& population) {
    std::map<std::uint32_t, std::uint64_t> counts;
    for (std::uint32_t h = 0; h < population.households(); ++h)
        ++counts[population.household_size(h)];
    json sizes = json::object();
    for (const auto& [size, count] : counts) sizes[std::to_string(size)] = count;
    return sizes;
}

constexpr const char* kVenueNames[] = {"creche",     "maternelle", "primaire", "college",  "lycee",
                                       "universite", "workplace",  "hospital", "care_home"};

json venues(const population::GroupLayer& layer) {
    std::map<std::string, std::array<double, 3>> by_kind;  // venues, groups, members
    for (std::uint32_t v = 0; v < layer.venues(); ++v) {
        auto& row = by_kind[kVenueNames[static_cast<int>(layer.venue_kind[v])]];
        row[0] += 1;
        row[1] += layer.venue_group_offsets[v + 1] - layer.venue_group_offsets[v];
        row[2] += layer.venue_size(v);
    }
    json result = json::object();
    for (const auto& [kind, row] : by_kind) {
        result[kind] = {{"venues", row[0]},
                        {"groups", row[1]},
                        {"members", row[2]},
                        {"mean_venue_size", row[2] / row[0]},
                        {"mean_group_size", row[2] / row[1]}};
    }
    return result;
}

json contacts_per_day(const contacts::ContactSurvey& survey) {
    json result = json::object();
    for (std::size_t l = 0; l < contacts::kContactModelLayers; ++l) {
        const auto layer = static_cast<contacts::Layer>(l);
        json bands = json::array();
        for (std::size_t b = 0; b < contacts::kAgeBands; ++b)
            bands.push_back(survey.mean_in_band(layer, b));
        result[std::string(contacts::kContactModelLayerNames[l])] = {
            {"mean", survey.mean(layer)},
            {"mean_per_member", survey.mean_per_member(layer)},
            {"by_age_band", bands}};
    }
    return result;
}

json report(const scenario::Scenario& scenario, const Built& built,
            const contacts::ContactSurvey& survey) {
    const auto& population = built.population;
    const double n = double(population.size());
    json regions = json::array();
    for (std::size_t r = 0; r < population.regions.size(); ++r) {
        regions.push_back(
            {{"key", population.regions[r].key},
             {"name", population.regions[r].name},
             {"agents", population.region_offsets[r + 1] - population.region_offsets[r]}});
    }
    return {{"scenario", scenario.name},
            {"seed", scenario.seed},
            {"agents", population.size()},
            {"households", population.households()},
            {"regions", regions},
            {"age_bands", age_bands(population)},
            {"household_sizes", household_sizes(population)},
            {"schools", venues(population.schools)},
            {"workplaces", venues(population.workplaces)},
            {"contacts_per_day", contacts_per_day(survey)},
            {"contacts_sampled_agents", survey.agents_sampled},
            {"bytes_per_agent", double(population.bytes() + built.model->bytes()) / n},
            {"peak_memory_bytes_per_agent", double(core::peak_resident_bytes()) / n},
            {"build_seconds", built.build_seconds}};
}

void print_venues(const json& venues, const char* title) {
    fmt::print("\n{:<12} {:>10} {:>10} {:>12} {:>11} {:>11}\n", title, "venues", "groups",
               "members", "mean size", "group size");
    for (const auto& [kind, row] : venues.items()) {
        fmt::print("{:<12} {:>10} {:>10} {:>12} {:>11.1f} {:>11.1f}\n", kind,
                   row["venues"].get<double>(), row["groups"].get<double>(),
                   row["members"].get<double>(), row["mean_venue_size"].get<double>(),
                   row["mean_group_size"].get<double>());
    }
}

void print_text(const json& r) {
    const double agents = r["agents"].get<double>();
    fmt::print("Population of scenario '{}' (seed {})\n", r["scenario"].get<std::string>(),
               r["seed"].get<std::uint64_t>());
    fmt::print("agents        {} in {} regions\n", r["agents"].get<std::uint64_t>(),
               r["regions"].size());
    fmt::print("households    {} (mean size {:.2f})\n", r["households"].get<std::uint64_t>(),
               agents / r["households"].get<double>());
    fmt::print("memory        {:.1f} bytes per agent in structures, {:.1f} peak resident\n",
               r["bytes_per_agent"].get<double>(), r["peak_memory_bytes_per_agent"].get<double>());
    fmt::print("built in      {:.2f} s\n", r["build_seconds"].get<double>());
    fmt::print("\nhousehold size  share\n");
    for (const auto& [size, count] : r["household_sizes"].items()) {
        fmt::print("{:>14}  {:.4f}\n", size, count.get<double>() / r["households"].get<double>());
    }
    print_venues(r["schools"], "schools");
    print_venues(r["workplaces"], "workplaces");
    fmt::print("\ncontacts per day, measured on {} agents\n",
               r["contacts_sampled_agents"].get<std::uint64_t>());
    fmt::print("{:<8} {:>10}", "age", "people");
    for (const auto& name : contacts::kContactModelLayerNames) fmt::print(" {:>10}", name);
    fmt::print("\n");
    for (std::size_t b = 0; b < contacts::kAgeBands; ++b) {
        const auto& band = r["age_bands"][b];
        fmt::print("{:<8} {:>10}",
                   fmt::format("{}-{}", band["from"].get<int>(), band["to"].get<int>()),
                   band["count"].get<std::uint64_t>());
        for (const auto& name : contacts::kContactModelLayerNames) {
            fmt::print(" {:>10.2f}",
                       r["contacts_per_day"][std::string(name)]["by_age_band"][b].get<double>());
        }
        fmt::print("\n");
    }
    fmt::print("{:<8} {:>10}", "all", r["agents"].get<std::uint64_t>());
    for (const auto& name : contacts::kContactModelLayerNames) {
        fmt::print(" {:>10.2f}", r["contacts_per_day"][std::string(name)]["mean"].get<double>());
    }
    fmt::print("\n{:<19}", "per member");
    for (const auto& name : contacts::kContactModelLayerNames) {
        fmt::print(" {:>10.2f}",
                   r["contacts_per_day"][std::string(name)]["mean_per_member"].get<double>());
    }
    fmt::print("\n");
}

int run_population(const ScenarioOptions& options) {
    tbb::global_control threads(
        tbb::global_control::max_allowed_parallelism,
        std::size_t(options.threads > 0 ? options.threads : core::available_cpus()));
    const auto scenario = scenario::load(options.file, options.overrides);
    const auto inputs = model::prepare(scenario);
    const auto start = std::chrono::steady_clock::now();
    Built built{
        population::build(inputs.population, inputs.tables, core::RngKey::from_seed(scenario.seed)),
        {},
        0};
    built.model = std::make_unique<contacts::ContactModel>(built.population, inputs.contacts);
    built.build_seconds = seconds_since(start);
    const auto survey = contacts::survey_contacts(
        built.population, *built.model, core::RngKey::from_seed(scenario.seed), 0, kSurveyAgents);
    const json result = report(scenario, built, survey);
    if (options.json) {
        fmt::print("{}\n", result.dump(2));
    } else {
        print_text(result);
    }
    return kExitSuccess;
}

}  // namespace

void add_scenario_options(CLI::App& command, ScenarioOptions& options) {
    command.add_option("scenario", options.file, "Scenario file (YAML)")->required();
    command
        .add_option("--set", options.overrides,
                    "Override a scenario value: key.path=value (repeatable)")
        ->take_all();
    command
        .add_option("--threads", options.threads, "Worker threads (default: the CPUs available)")
        ->check(CLI::Range(1, 1024));
}

std::function<int()> add_population_command(CLI::App& app) {
    auto options = std::make_shared<ScenarioOptions>();
    auto* command =
        app.add_subcommand("population", "Build the synthetic population and report it");
    add_scenario_options(*command, *options);
    command->add_flag("--json", options->json, "Print the report as JSON");
    return [options] { return run_population(*options); };
}

}  // namespace sortie::cli
