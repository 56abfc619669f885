#include "sim/scenario/scenario.hpp"

#include <cmath>

#include "sim/scenario/document.hpp"
#include "sim/scenario/map_reader.hpp"

namespace sortie::scenario {
namespace {

// Agent ids are 32-bit (DESIGN.md §3).
constexpr double kMaxAgents = 4294967294.0;

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& path) {
    const std::filesystem::path p(path);
    return p.is_absolute() ? p : (base / p).lexically_normal();
}

void read_path(MapReader& map, std::string_view key, const std::filesystem::path& base,
               std::filesystem::path& out) {
    if (!map.require(key)) return;
    if (const auto path = map.string(key)) out = resolve(base, *path);
}

void read_population(MapReader& map, const std::filesystem::path& base,
                     core::DiagnosticList& problems, PopulationSection& out) {
    bool has_size = map.has("size"), has_scale = map.has("scale");
    // A --set of one replaces the other given in the file.
    auto from_command_line = [&](std::string_view key) {
        return map.location(key).file.rfind("--set", 0) == 0;
    };
    if (has_size && has_scale && from_command_line("size") != from_command_line("scale")) {
        (from_command_line("size") ? has_scale : has_size) = false;
    }
    if (has_size == has_scale) {
        problems.add(map.location(), map.key_path(has_size ? "scale" : "size"),
                     has_size ? "give either size or scale, not both"
                              : "missing required key: give size or scale");
    }
    if (has_size) {
        if (const auto size = map.integer("size", Bounds::between(1, kMaxAgents)))
            out.size = std::uint64_t(*size);
    }
    Bounds fraction = Bounds::greater_than(0);
    fraction.max = 1.0;
    if (has_scale) {
        if (const auto scale = map.number("scale", fraction)) out.scale = *scale;
    }
    out.regions_location = map.location("regions");
    if (const auto regions = map.string_list("regions")) {
        if (!(regions->size() == 1 && (*regions)[0] == "all")) out.regions = *regions;
    }
    read_path(map, "data", base, out.data);
    read_path(map, "age_distribution", base, out.age_distribution);
    if (const auto team = map.number("team_size", Bounds::at_least(1))) out.team_size = *team;
    map.finish();
}

void read_group_layer(MapReader& parent, std::string_view layer, std::string_view share_key,
                      double& per_day, double& share) {
    if (auto map = parent.map(layer)) {
        if (const auto v = map->number("per_day", Bounds::at_least(0))) per_day = *v;
        if (const auto v = map->number(share_key, Bounds::probability())) share = *v;
        map->finish();
    }
}

void read_contacts(MapReader& map, const std::filesystem::path& base, ContactsSection& out) {
    read_group_layer(map, "school", "class_share", out.school_per_day, out.school_class_share);
    read_group_layer(map, "work", "team_share", out.work_per_day, out.work_team_share);
    map.require("community");
    if (auto community = map.map("community")) {
        read_path(*community, "matrix", base, out.community_matrix);
        read_path(*community, "matrix_population", base, out.matrix_population);
        if (const auto v = community->number("per_day", Bounds::at_least(0)))
            out.community_per_day = *v;
        if (const auto v = community->number("outside_region_share", Bounds::probability())) {
            out.outside_region_share = *v;
        }
        community->finish();
    }
    map.finish();
}

std::string emit(const YAML::Node& root) {
    YAML::Emitter emitter;
    emitter << root;
    return emitter.c_str();
}

}  // namespace

Scenario load(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
    Document document = Document::load_file(file);
    for (const auto& assignment : overrides) document.apply_override(assignment);

    core::DiagnosticList problems;
    Scenario scenario;
    scenario.file = file.string();
    scenario.name = file.stem().string();
    const auto base = file.parent_path();
    MapReader root(document, document.root(), "", problems);
    if (const auto name = root.string("name")) scenario.name = *name;
    if (const auto seed = root.integer("seed", Bounds::between(0, 9007199254740992.0))) {
        scenario.seed = std::uint64_t(*seed);
    }
    if (root.require("population")) {
        if (auto population = root.map("population"))
            read_population(*population, base, problems, scenario.population);
    }
    if (root.require("contacts")) {
        if (auto contacts = root.map("contacts")) read_contacts(*contacts, base, scenario.contacts);
    }
    root.finish();
    problems.throw_if_any();
    scenario.resolved_yaml = emit(document.root());
    return scenario;
}

}  // namespace sortie::scenario
