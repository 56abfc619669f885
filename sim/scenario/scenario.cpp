#include "sim/scenario/scenario.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string_view>

#include <fmt/format.h>

#include "sim/scenario/disease_file.hpp"
#include "sim/scenario/document.hpp"
#include "sim/scenario/interventions_section.hpp"
#include "sim/scenario/map_reader.hpp"
#include "sim/scenario/sweep.hpp"

namespace sortie::scenario {
namespace {

// Agent ids are 32-bit (population::AgentId).
constexpr double kMaxAgents = 4294967294.0;

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& path) {
    const std::filesystem::path p(path);
    return p.is_absolute() ? p : (base / p).lexically_normal();
}

enum class PathKind { kFile, kFolder };

// A path that names nothing usable is reported at the key that names it, with the path as
// written and as resolved, while the scenario is read: `validate` finds it, and `run` stops
// before building anything.
void check_path(MapReader& map, std::string_view key, const std::string& written,
                const std::filesystem::path& resolved, PathKind kind) {
    std::error_code error;
    const auto status = std::filesystem::status(resolved, error);
    const bool folder = kind == PathKind::kFolder;
    const auto absolute = std::filesystem::absolute(resolved, error).lexically_normal();
    if (!std::filesystem::exists(status)) {
        map.report_key(key, fmt::format("no such {} '{}' (resolved to {})",
                                        folder ? "folder" : "file", written, absolute.string()));
    } else if (folder != std::filesystem::is_directory(status)) {
        map.report_key(key, fmt::format("'{}' is not a {} (resolved to {})", written,
                                        folder ? "folder" : "file", absolute.string()));
    }
}

// Paths are relative to the folder of the file that wrote them (a base file of `extends:`
// may live elsewhere).
void read_path(MapReader& map, std::string_view key, const Document& document, PathKind kind,
               std::filesystem::path& out) {
    if (!map.require(key)) return;
    const YAML::Node* node = map.node(key);
    const auto path = map.string(key);
    if (!path) return;
    out = resolve(document.base_directory_of(*node), *path);
    check_path(map, key, *path, out, kind);
}

void read_population(MapReader& map, const Document& base, core::DiagnosticList& problems,
                     PopulationSection& out) {
    bool has_size = map.has("size"), has_scale = map.has("scale");
    // A --set of one replaces the other given in a file, and a file's replaces the one of the
    // file it extends (a fitted scenario sets the size its fit ran at over the base's scale).
    auto precedence = [&](std::string_view key) -> std::size_t {
        const auto file = map.location(key).file;
        if (file.rfind("--set", 0) == 0) return 0;
        const auto& files = base.files();
        return 1 + static_cast<std::size_t>(std::find(files.begin(), files.end(), file) -
                                            files.begin());
    };
    if (has_size && has_scale && precedence("size") != precedence("scale")) {
        (precedence("size") < precedence("scale") ? has_scale : has_size) = false;
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
    if (const auto regions = map.distinct_string_list("regions")) {
        if (!(regions->size() == 1 && (*regions)[0] == "all")) out.regions = *regions;
    }
    out.data_location = map.location("data");
    read_path(map, "data", base, PathKind::kFolder, out.data);
    read_path(map, "age_distribution", base, PathKind::kFile, out.age_distribution);
    if (const auto team = map.number("team_size", Bounds::at_least(1))) out.team_size = *team;
    constexpr std::array<std::string_view, 2> kStructures = {"census", "none"};
    if (const auto structure = map.one_of("structure", kStructures))
        out.structured = *structure == "census";
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

void read_contacts(MapReader& map, const Document& base, ContactsSection& out) {
    read_group_layer(map, "school", "class_share", out.school_per_day, out.school_class_share);
    read_group_layer(map, "work", "team_share", out.work_per_day, out.work_team_share);
    map.require("community");
    if (auto community = map.map("community")) {
        // `matrix: uniform` is mass action: contacts in proportion to each band's people.
        if (community->require("matrix") && community->string("matrix") != "uniform") {
            read_path(*community, "matrix", base, PathKind::kFile, out.community_matrix);
            read_path(*community, "matrix_population", base, PathKind::kFile,
                      out.matrix_population);
        } else {
            community->allow({"matrix_population"});
        }
        if (const auto v = community->number("per_day", Bounds::at_least(0)))
            out.community_per_day = *v;
        if (const auto v = community->number("outside_region_share", Bounds::probability())) {
            out.outside_region_share = *v;
        }
        community->finish();
    }
    map.finish();
}

// A run may last at most this long: day numbers are 16-bit in the engine.
constexpr std::int32_t kMaxDays = 3650;

// Whether start and end were both read (later checks against them make sense only then).
bool read_dates(MapReader& root, Scenario& s, core::DiagnosticList& problems) {
    const bool has_start = root.require("start"), has_end = root.require("end");
    const auto start = has_start ? root.date("start") : std::nullopt;
    const auto end = has_end ? root.date("end") : std::nullopt;
    if (!start || !end) return false;
    s.start = *start;
    s.end = *end;
    if (end->days_since(*start) < 0) {
        problems.add(
            root.location("end"), "end",
            fmt::format("end {} is before start {}", end->to_string(), start->to_string()));
    } else if (end->days_since(*start) >= kMaxDays) {
        problems.add(root.location("end"), "end",
                     fmt::format("a run lasts at most {} days", kMaxDays));
    }
    s.dates_valid = end->days_since(*start) >= 0;
    return s.dates_valid;
}

void read_disease(MapReader& map, const Document& base, DiseaseSection& out) {
    read_path(map, "parameters", base, PathKind::kFile, out.parameters_file);
    if (map.require("R0")) out.r0 = map.number("R0", Bounds::between(0.01, 100)).value_or(0);
    constexpr std::array<std::string_view, 2> kMethods = {"simulated", "next_generation"};
    if (const auto method = map.one_of("R0_method", kMethods))
        out.r0_by_next_generation = *method == "next_generation";
    if (auto weights = map.map("layer_weights")) {
        constexpr std::array<std::string_view, 5> kLayers = {"household", "school", "work",
                                                             "community", "hospital"};
        for (std::size_t l = 0; l < kLayers.size(); ++l) {
            if (const auto w = weights->number(kLayers[l], Bounds::at_least(0)))
                out.layer_weights[l] = *w;
        }
        weights->finish();
    }
    if (auto severity = map.map("severity")) {
        const auto multiplier = Bounds::at_least(0);
        if (const auto m = severity->number("hospitalisation", multiplier))
            out.hospitalisation_multiplier = *m;
        if (const auto m = severity->number("icu", multiplier)) out.icu_multiplier = *m;
        if (const auto m = severity->number("death", multiplier)) out.death_multiplier = *m;
        if (const auto m = severity->number("death_outside", multiplier))
            out.death_outside_multiplier = *m;
        severity->finish();
    }
    if (auto stays = map.map("stays")) {
        const auto days = Bounds::between(0.5, 365);
        out.ward_stay_mean = stays->number("ward_mean", days);
        out.icu_stay_mean = stays->number("icu_mean", days);
        out.step_down_stay_mean = stays->number("step_down_mean", days);
        out.follow_up_stay_mean = stays->number("follow_up_mean", days);
        out.follow_up_share = stays->number("follow_up_share", Bounds::probability());
        stays->finish();
    }
    map.finish();
}

// A probability of every age band times a multiplier; a product above 1 is reported at the
// multiplier, naming the band.
void scale_probabilities(std::vector<double>& probabilities, double multiplier,
                         const std::vector<int>& band_starts, std::string_view table,
                         const MapReader& severity, std::string_view key,
                         core::DiagnosticList& problems) {
    for (std::size_t b = 0; b < probabilities.size(); ++b) {
        const double scaled = probabilities[b] * multiplier;
        if (scaled > 1.0) {
            problems.add(
                severity.location(key), severity.key_path(key),
                fmt::format("{} makes {} of the band from age {} {:.3g}, above 1", multiplier,
                            table, b < band_starts.size() ? band_starts[b] : 0, scaled));
            return;
        }
        probabilities[b] = scaled;
    }
}

// Hospitalisation and deaths outside hospital are paths of symptomatic infections: scaled,
// they must still fit in the symptomatic share of every band (the parameter file's own check),
// reported at the multiplier that moved them.
void check_symptomatic_share(const disease::DiseaseParameters& p, const DiseaseSection& disease,
                             const MapReader& severity, core::DiagnosticList& problems) {
    const std::string_view key =
        disease.death_outside_multiplier != 1.0 ? "death_outside" : "hospitalisation";
    for (std::size_t b = 0;
         b < p.asymptomatic_fraction.size() && b < p.hospitalisation_given_infection.size() &&
         b < p.death_outside_hospital_given_infection.size();
         ++b) {
        const double severe =
            p.hospitalisation_given_infection[b] + p.death_outside_hospital_given_infection[b];
        if (severe <= 1.0 - p.asymptomatic_fraction[b] + 1e-12) continue;
        problems.add(severity.location(key), severity.key_path(key),
                     fmt::format("the severity multipliers make hospitalisation plus deaths "
                                 "outside hospital {:.3g} in the band from age {}, above its "
                                 "symptomatic share {:.3g}",
                                 severe, b < p.age_band_starts.size() ? p.age_band_starts[b] : 0,
                                 1.0 - p.asymptomatic_fraction[b]));
        return;
    }
}

void set_mean(disease::DurationLaw& law, double mean) {
    law.sd *= mean / law.mean;
    law.mean = mean;
}

// A `stays:` key that moves a law the disease file does not have is reported at the key.
void missing_law(const Document& document, std::string_view key, std::string_view law,
                 core::DiagnosticList& problems) {
    core::DiagnosticList already_reported;
    MapReader root(document, document.root(), "", already_reported);
    auto section = root.map("disease");
    auto stays = section ? section->map("stays") : std::nullopt;
    if (!stays) return;
    problems.add(stays->location(key), stays->key_path(key),
                 fmt::format("the disease parameter file has no {} to move", law));
}

// `stays:` keys for the stages a disease file may leave out: the step-down after ICU and
// follow-up care.
void adjust_optional_stays(const Document& document, DiseaseSection& disease,
                           core::DiagnosticList& problems) {
    auto& p = disease.parameters;
    if (disease.step_down_stay_mean) {
        if (p.step_down_to_discharge)
            set_mean(*p.step_down_to_discharge, *disease.step_down_stay_mean);
        else
            missing_law(document, "step_down_mean", "step_down_to_discharge law", problems);
    }
    if (!p.follow_up) {
        if (disease.follow_up_stay_mean)
            missing_law(document, "follow_up_mean", "follow_up section", problems);
        if (disease.follow_up_share)
            missing_law(document, "follow_up_share", "follow_up section", problems);
        return;
    }
    if (disease.follow_up_stay_mean) set_mean(p.follow_up->stay, *disease.follow_up_stay_mean);
    if (disease.follow_up_share) p.follow_up->share = *disease.follow_up_share;
}

// Applies `severity:` and `stays:` to the parameters read from the disease file; a product
// above 1 is reported at its multiplier (found again by a reader of its own, whose other
// findings were reported when the section was read).
void adjust_parameters(const Document& document, DiseaseSection& disease) {
    auto& p = disease.parameters;
    core::DiagnosticList problems;
    if (disease.hospitalisation_multiplier != 1.0 || disease.icu_multiplier != 1.0 ||
        disease.death_multiplier != 1.0 || disease.death_outside_multiplier != 1.0) {
        core::DiagnosticList already_reported;
        MapReader root(document, document.root(), "", already_reported);
        auto section = root.map("disease");
        auto severity = section ? section->map("severity") : std::nullopt;
        if (severity) {
            scale_probabilities(p.hospitalisation_given_infection,
                                disease.hospitalisation_multiplier, p.age_band_starts,
                                "hospitalisation_given_infection", *severity, "hospitalisation",
                                problems);
            scale_probabilities(p.icu_given_hospital, disease.icu_multiplier, p.age_band_starts,
                                "icu_given_hospital", *severity, "icu", problems);
            scale_probabilities(p.death_given_hospital, disease.death_multiplier, p.age_band_starts,
                                "death_given_hospital", *severity, "death", problems);
            scale_probabilities(p.death_outside_hospital_given_infection,
                                disease.death_outside_multiplier, p.age_band_starts,
                                "death_outside_hospital_given_infection", *severity,
                                "death_outside", problems);
            check_symptomatic_share(p, disease, *severity, problems);
        }
    }
    if (disease.ward_stay_mean) set_mean(p.ward_to_discharge, *disease.ward_stay_mean);
    if (disease.icu_stay_mean) set_mean(p.icu_to_discharge, *disease.icu_stay_mean);
    adjust_optional_stays(document, disease, problems);
    problems.throw_if_any();
}

void read_seeding(MapReader& root, Scenario& s, core::DiagnosticList& problems) {
    if (!root.require("seeding")) return;
    auto entries = root.map_list("seeding");
    if (!entries) return;
    for (auto& entry : *entries) {
        SeedingEntry seed;
        seed.location = entry.location();
        if (entry.require("date")) {
            if (const auto date = entry.date("date")) {
                seed.date = *date;
                const bool dates_valid = s.dates_valid;
                if (dates_valid && (date->days_since(s.start) < 0 || date->days_since(s.end) > 0)) {
                    problems.add(entry.location("date"), entry.key_path("date"),
                                 fmt::format("{} is outside the run ({} to {})", date->to_string(),
                                             s.start.to_string(), s.end.to_string()));
                }
            }
        }
        // A number of people, or a rate that scales with the population (per million people
        // of the seeded regions, stochastically rounded each day).
        if (entry.has("infections") == entry.has("per_million")) {
            problems.add(entry.location(), entry.key_path("infections"),
                         "give either infections or per_million");
        }
        if (const auto n = entry.integer("infections", Bounds::between(1, 1e7)))
            seed.infections = std::uint32_t(*n);
        if (const auto rate = entry.number("per_million", Bounds::between(0, 1e6)))
            seed.per_million = *rate;
        if (const auto days = entry.integer("days", Bounds::between(1, kMaxDays)))
            seed.days = std::uint32_t(*days);
        if (const auto regions = entry.distinct_string_list("regions")) seed.regions = *regions;
        entry.finish();
        s.seeding.push_back(std::move(seed));
    }
}

void read_hospital_changes(MapReader& map, HospitalsSection& out, core::DiagnosticList& problems) {
    auto entries = map.map_list("changes");
    if (!entries) return;
    for (auto& entry : *entries) {
        HospitalChange change;
        change.location = entry.location();
        if (entry.require("date")) {
            if (const auto date = entry.date("date")) change.date = *date;
        }
        if (entry.require("region")) {
            if (const auto region = entry.string("region")) change.region = *region;
        }
        change.icu_beds = entry.number("icu_beds", Bounds::at_least(0));
        change.ward_beds = entry.number("ward_beds", Bounds::at_least(0));
        if (!entry.has("icu_beds") && !entry.has("ward_beds")) {
            problems.add(entry.location(), entry.key_path("icu_beds"),
                         "give icu_beds, ward_beds or both");
        }
        entry.finish();
        out.changes.push_back(std::move(change));
    }
}

void read_staff_per_bed(MapReader& parent, std::string_view unit, double& nurses, double& doctors) {
    if (auto map = parent.map(unit)) {
        if (const auto v = map->number("nurses_per_bed", Bounds::at_least(0))) nurses = *v;
        if (const auto v = map->number("doctors_per_bed", Bounds::at_least(0))) doctors = *v;
        map->finish();
    }
}

void read_hospital_staff(MapReader& map, HospitalsSection& out) {
    out.staff = true;
    if (const auto share = map.number("covid_share", Bounds::probability()))
        out.covid_staff_share = *share;
    read_staff_per_bed(map, "icu", out.icu_nurses, out.icu_doctors);
    read_staff_per_bed(map, "ward", out.ward_nurses, out.ward_doctors);
    map.finish();
}

constexpr std::array<std::string_view, 2> kSupplyKinds = {"consumable", "equipment"};

void read_supply(MapReader& entry, SupplyEntry& supply) {
    supply.location = entry.location();
    if (entry.require("name")) {
        if (const auto name = entry.string("name")) supply.name = *name;
    }
    if (entry.require("unit")) {
        if (const auto unit = entry.string("unit")) supply.unit = *unit;
    }
    if (const auto kind = entry.one_of("kind", kSupplyKinds))
        supply.equipment = *kind == "equipment";
    // Equipment is held, not used up: units per patient, units available, no deliveries.
    const bool held = supply.equipment;
    const std::string_view ward = held ? "per_ward_patient" : "per_ward_patient_day";
    const std::string_view icu = held ? "per_icu_patient" : "per_icu_patient_day";
    if (const auto v = entry.number(ward, Bounds::at_least(0))) supply.per_ward_patient = *v;
    if (const auto v = entry.number(icu, Bounds::at_least(0))) supply.per_icu_patient = *v;
    const std::string_view stock = held ? "available_per_100k" : "stock_per_100k";
    if (entry.require(stock)) {
        if (const auto v = entry.number(stock, Bounds::at_least(0))) supply.stock_per_100k = *v;
    }
    if (!held) {
        if (const auto v = entry.number("delivery_per_100k_per_day", Bounds::at_least(0)))
            supply.delivery_per_100k = *v;
    }
    entry.finish();
}

void read_supplies(MapReader& map, HospitalsSection& out, core::DiagnosticList& problems) {
    auto entries = map.map_list("supplies");
    if (!entries) return;
    for (auto& entry : *entries) {
        SupplyEntry supply;
        read_supply(entry, supply);
        for (const auto& earlier : out.supplies) {
            if (!supply.name.empty() && earlier.name == supply.name)
                problems.add(entry.location("name"), entry.key_path("name"),
                             fmt::format("'{}' is already a supply", supply.name));
        }
        out.supplies.push_back(std::move(supply));
    }
}

// A value for ward patients and one for ICU patients: `{ward: x, icu: y}`.
void read_by_care(MapReader& parent, std::string_view key, Bounds bounds, double& ward,
                  double& icu) {
    if (auto map = parent.map(key)) {
        if (const auto v = map->number("ward", bounds)) ward = *v;
        if (const auto v = map->number("icu", bounds)) icu = *v;
        map->finish();
    }
}

void read_hospital_contacts(MapReader& map, HospitalsSection& out) {
    out.contacts = true;
    read_by_care(map, "patient_contacts", Bounds::between(0, 1000), out.ward_patient_contacts,
                 out.icu_patient_contacts);
    read_by_care(map, "ppe_efficacy", Bounds::probability(), out.ward_ppe_efficacy,
                 out.icu_ppe_efficacy);
    map.finish();
}

void read_hospitals(MapReader& map, const Document& base, core::DiagnosticList& problems,
                    HospitalsSection& out) {
    out.present = true;
    out.location = map.location();
    read_path(map, "capacity", base, PathKind::kFile, out.capacity);
    if (const auto days = map.integer("ramp_days", Bounds::between(0, kMaxDays)))
        out.ramp_days = std::uint32_t(*days);
    if (auto transfers = map.map("transfers")) {
        if (const auto n = transfers->integer("per_day", Bounds::between(0, 1e6)))
            out.transfers_per_day = std::uint32_t(*n);
        transfers->finish();
    }
    if (auto overflow = map.map("overflow")) {
        if (const auto p = overflow->number("death_without_icu", Bounds::probability()))
            out.death_without_icu = *p;
        if (const auto p = overflow->number("death_without_ward", Bounds::probability()))
            out.death_without_ward = *p;
        if (const auto days = overflow->number("days_to_death_without_icu", Bounds::between(0, 60)))
            out.days_to_death_without_icu = *days;
        overflow->finish();
    }
    read_hospital_changes(map, out, problems);
    if (auto staff = map.map("staff")) read_hospital_staff(*staff, out);
    if (const auto share = map.number("non_covid_icu_occupancy", Bounds::between(0, 0.99)))
        out.non_covid_icu_occupancy = *share;
    read_supplies(map, out, problems);
    if (auto contacts = map.map("contacts")) read_hospital_contacts(*contacts, out);
    map.finish();
}

void read_run_sections(MapReader& root, const Document& base, Scenario& s,
                       core::DiagnosticList& problems, Purpose purpose) {
    if (purpose == Purpose::kPopulation) {
        root.allow({"start", "end", "replicates", "disease", "seeding", "interventions", "triggers",
                    "hospitals"});
        return;
    }
    read_dates(root, s, problems);
    if (const auto r = root.integer("replicates", Bounds::between(1, 100000)))
        s.replicates = std::uint32_t(*r);
    if (root.require("disease")) {
        if (auto d = root.map("disease")) read_disease(*d, base, s.disease);
    }
    read_seeding(root, s, problems);
    detail::read_interventions(root, s, problems);
    detail::read_triggers(root, s, problems);
    detail::check_references(s, problems);
    // `hospitals: null` (--set hospitals=null) drops a section inherited through `extends`.
    const YAML::Node* hospitals = root.node("hospitals");
    if (hospitals && !hospitals->IsNull()) {
        if (auto section = root.map("hospitals"))
            read_hospitals(*section, base, problems, s.hospitals);
    }
}

std::string emit(const YAML::Node& root) {
    YAML::Emitter emitter;
    emitter << root;
    return emitter.c_str();
}

}  // namespace

namespace {

constexpr std::string_view kValidNames =
    "a scenario's name becomes a group of the result file: any text but an empty one, '.' and "
    "'..', without '/', '\\' or control characters";

std::string invalid_name(std::string_view name, std::string_view problem) {
    return fmt::format("name '{}' {}; {}", name, problem, kValidNames);
}

// The name is the `name` key's, else the file's name without `.yaml` (reported at the file).
void read_name(MapReader& root, const std::filesystem::path& file, Scenario& scenario,
               core::DiagnosticList& problems) {
    scenario.name = file.stem().string();
    scenario.name_location = core::SourceLocation(file.string());
    if (root.has("name")) {
        scenario.name_location = root.location("name");
        const auto name = root.string("name");
        if (!name) return;  // not text: reported by the reader
        scenario.name = *name;
    }
    if (const auto problem = name_problem(scenario.name); !problem.empty())
        problems.add(scenario.name_location, "name", invalid_name(scenario.name, problem));
}

Scenario read_document(const Document& document, const std::filesystem::path& file,
                       Purpose purpose) {
    core::DiagnosticList problems;
    Scenario scenario;
    scenario.file = file.string();
    scenario.sources = document.files();
    const Document& base = document;
    MapReader root(document, document.root(), "", problems);
    read_name(root, file, scenario, problems);
    if (const auto seed = root.integer("seed", Bounds::between(0, double(kMaxSeed)))) {
        scenario.seed = std::uint64_t(*seed);
    }
    if (root.require("population")) {
        if (auto population = root.map("population"))
            read_population(*population, base, problems, scenario.population);
    }
    if (root.require("contacts")) {
        if (auto contacts = root.map("contacts")) read_contacts(*contacts, base, scenario.contacts);
    }
    read_run_sections(root, base, scenario, problems, purpose);
    root.finish();
    problems.throw_if_any();
    // The parameter file is its own document, with its own locations.
    if (purpose == Purpose::kRun) {
        scenario.disease.parameters = load_disease_parameters(scenario.disease.parameters_file);
        adjust_parameters(document, scenario.disease);
    }
    scenario.resolved_yaml = emit(document.root());
    return scenario;
}

}  // namespace

namespace {

// The first character a name may not hold: '/' and '\\' make it a path, control characters
// (NUL, line breaks) cut or hide it.
std::optional<char> refused_character(std::string_view text) {
    for (const char c : text) {
        const auto code = static_cast<unsigned char>(c);
        if (c == '/' || c == '\\' || code < 0x20 || code == 0x7f) return c;
    }
    return std::nullopt;
}

// A point's name holds its values' text: a value with a '/' (a path swept over) makes a name
// that cannot be a group; reported at that value.
void check_point_name(const Scenario& scenario, const SweepPoint& point) {
    const std::string problem = name_problem(scenario.name);
    if (problem.empty()) return;
    core::SourceLocation at = scenario.name_location;
    for (std::size_t i = 0; i < point.overrides.size(); ++i) {
        const auto& assignment = point.overrides[i];
        if (refused_character(std::string_view(assignment).substr(assignment.find('=') + 1))) {
            at = point.value_locations[i];
            break;
        }
    }
    throw core::InputError(at, "name", "the sweep point's " + invalid_name(scenario.name, problem));
}

// Two points with the same name (a value given twice in a list) are reported at the value of
// the later one that differs in place from the earlier one's.
void check_point_names_unique(const std::vector<Scenario>& scenarios,
                              const std::vector<SweepPoint>& points) {
    core::DiagnosticList problems;
    std::map<std::string_view, std::size_t> first_with;
    for (std::size_t p = 0; p < scenarios.size(); ++p) {
        const auto [earlier, inserted] = first_with.emplace(scenarios[p].name, p);
        if (inserted) continue;
        const auto& a = points[earlier->second].value_locations;
        const auto& b = points[p].value_locations;
        if (b.empty() || a.empty()) continue;  // points without values: one scenario
        std::size_t i = 0;
        const std::size_t last = std::min(a.size(), b.size()) - 1;
        while (i < last && a[i].to_string() == b[i].to_string()) ++i;
        problems.add(b[i], "sweep",
                     fmt::format("two points of the sweep are named '{}' (this value and the one "
                                 "at {}); give each value once",
                                 scenarios[p].name, a[i].to_string()));
    }
    problems.throw_if_any();
}

}  // namespace

std::string name_problem(std::string_view name) {
    if (name.empty()) return "is empty";
    if (name == "." || name == "..") return "is reserved";
    const auto refused = refused_character(name);
    if (!refused) return "";
    if (*refused == '/' || *refused == '\\') return fmt::format("holds '{}'", *refused);
    return fmt::format("holds the control character {:#04x}", static_cast<unsigned char>(*refused));
}

// The scenarios of one run are groups of one result file, so their names differ.
void check_names_unique(const std::vector<Scenario>& scenarios) {
    core::DiagnosticList problems;
    std::map<std::string_view, const Scenario*> first_with;
    for (const Scenario& s : scenarios) {
        const auto [earlier, inserted] = first_with.emplace(s.name, &s);
        if (inserted) continue;
        const auto& first = *earlier->second;
        problems.add(
            s.name_location, "name",
            first.file == s.file
                ? fmt::format("the file {} is given twice (scenario '{}')", s.file, s.name)
                : fmt::format("'{}' is already the name of a scenario at {}; the scenarios of "
                              "one run need different names",
                              s.name, first.name_location.to_string()));
    }
    problems.throw_if_any();
}

std::vector<Scenario> load_all(const std::filesystem::path& file,
                               const std::vector<std::string>& overrides, Purpose purpose) {
    Document document = Document::load_file(file);
    for (const auto& assignment : overrides) document.apply_override(assignment);
    const auto points = sweep_points(document);
    if (points.empty()) return {read_document(document.without("sweep"), file, purpose)};
    std::vector<Scenario> scenarios;
    for (const auto& point : points) {
        // A fresh load per point: copies of one document would share (and grow) yaml-cpp's node
        // memory, which makes large sweeps quadratic.
        Document loaded = Document::load_file(file);
        for (const auto& assignment : overrides) loaded.apply_override(assignment);
        Document variant = loaded.without("sweep");
        try {
            for (const auto& assignment : point.overrides) variant.apply_override(assignment);
            auto scenario = read_document(variant, file, purpose);
            scenario.name = sweep_point_name(scenario.name, point);
            check_point_name(scenario, point);
            scenarios.push_back(std::move(scenario));
        } catch (const core::InputError& error) {
            throw located_at_sweep_values(error, point);
        }
    }
    check_point_names_unique(scenarios, points);
    return scenarios;
}

Scenario load(const std::filesystem::path& file, const std::vector<std::string>& overrides,
              Purpose purpose) {
    Document document = Document::load_file(file);
    for (const auto& assignment : overrides) document.apply_override(assignment);
    return read_document(document, file, purpose);
}

std::vector<Scenario> load_files(const std::vector<std::string>& files,
                                 const std::vector<std::string>& overrides, Purpose purpose) {
    std::vector<Scenario> scenarios;
    for (const auto& file : files) {
        auto loaded = load_all(file, overrides, purpose);
        for (auto& s : loaded) scenarios.push_back(std::move(s));
    }
    check_names_unique(scenarios);
    return scenarios;
}

Purpose purpose_of(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
    Document document = Document::load_file(file);
    for (const std::string& assignment : overrides) document.apply_override(assignment);
    return document.root()["start"].IsDefined() ? Purpose::kRun : Purpose::kPopulation;
}

}  // namespace sortie::scenario
