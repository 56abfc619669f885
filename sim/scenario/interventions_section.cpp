#include "sim/scenario/interventions_section.hpp"

#include <algorithm>
#include <set>
#include <string_view>

#include <fmt/format.h>

namespace sortie::scenario::detail {
namespace {

constexpr std::array<std::string_view, 5> kLayerKeys = {"household", "school", "work", "community",
                                                        "hospital"};
// Tracing follows the contacts of the ContactModel: no hospital layer.
constexpr std::array<std::string_view, 4> kTraceableKeys = {"household", "school", "work",
                                                            "community"};
constexpr std::array<std::string_view, 6> kLevelKeys = {"creche",  "maternelle", "primaire",
                                                        "college", "lycee",      "universite"};
constexpr std::array<std::string_view, 9> kTypes = {"contacts", "schools",   "telework",
                                                    "masks",    "shielding", "vaccination",
                                                    "testing",  "tracing",   "mass_testing"};

// RT-PCR sensitivity by day since infection: one minus the false-negative rates of Kucirka et
// al. (Ann Intern Med 2020): 100% on day 1, 67% on day 4, 38% on day 5 (symptom onset), 20% on
// day 8 (the minimum), 66% on day 21; linear between those days, 0 on day 0.
const std::vector<double> kDefaultSensitivity = {0.0,  0.0,  0.11, 0.22, 0.33, 0.62, 0.68, 0.74,
                                                 0.80, 0.76, 0.73, 0.69, 0.66, 0.62, 0.59, 0.55,
                                                 0.52, 0.48, 0.45, 0.41, 0.38, 0.34};
constexpr std::array<std::string_view, 5> kIndicators = {
    "icu_occupancy", "hospital_occupancy", "hospital_admissions", "incidence", "test_positivity"};

template <std::size_t N>
void read_by_key(MapReader& parent, std::string_view key,
                 const std::array<std::string_view, N>& names, Bounds bounds,
                 std::array<double, N>& out) {
    auto map = parent.map(key);
    if (!map) return;
    for (std::size_t i = 0; i < N; ++i) {
        if (const auto v = map->number(names[i], bounds)) out[i] = *v;
    }
    map->finish();
}

void read_dates(MapReader& entry, const Scenario& s, InterventionSection& out,
                core::DiagnosticList& problems) {
    out.start = entry.date("start");
    out.end = entry.date("end");
    for (const auto* key : {"start", "end"}) {
        const auto& date = std::string_view(key) == "start" ? out.start : out.end;
        if (date && (date->days_since(s.start) < 0 || date->days_since(s.end) > 0) &&
            s.dates_valid) {
            problems.add(entry.location(key), entry.key_path(key),
                         fmt::format("{} is outside the run ({} to {})", date->to_string(),
                                     s.start.to_string(), s.end.to_string()));
        }
    }
    if (out.start && out.end && out.end->days_since(*out.start) < 0) {
        problems.add(
            entry.location("end"), entry.key_path("end"),
            fmt::format("end {} is before start {}", out.end->to_string(), out.start->to_string()));
    }
}

void read_ages(MapReader& entry, InterventionSection& out) {
    if (auto ages = entry.map("ages")) {
        if (const auto from = ages->integer("from", Bounds::between(0, 255)))
            out.age_from = int(*from);
        if (const auto to = ages->integer("to", Bounds::between(0, 255))) out.age_to = int(*to);
        ages->finish();
    }
}

void read_contacts_type(MapReader& entry, InterventionSection& out) {
    read_by_key(entry, "layers", kLayerKeys, Bounds::at_least(0), out.layers);
    // `scale` multiplies the factors written in `layers`: the measure's strength, fitted as
    // one value while its split across layers stays the one given (from a contact survey).
    if (const auto scale = entry.number("scale", Bounds::at_least(0))) {
        const YAML::Node* layers = entry.node("layers");
        for (std::size_t l = 0; l < kLayerKeys.size(); ++l) {
            if (layers && layers->IsMap() && (*layers)[std::string(kLayerKeys[l])])
                out.layers[l] *= *scale;
        }
    }
    read_ages(entry, out);
    if (const auto regions = entry.distinct_string_list("regions")) out.regions = *regions;
}

// A share for every group, or one list with a share per group.
void read_uptake(MapReader& entry, InterventionSection& out, core::DiagnosticList& problems) {
    if (!entry.require("uptake")) return;
    if (!entry.node("uptake")->IsSequence()) {
        if (const auto share = entry.number("uptake", Bounds::probability()))
            out.uptake.assign(out.priority.size(), *share);
        return;
    }
    const auto shares = entry.number_list("uptake", Bounds::probability());
    if (!shares) return;
    if (shares->size() != out.priority.size() && !out.priority.empty()) {
        problems.add(entry.location("uptake"), entry.key_path("uptake"),
                     fmt::format("expected one share per priority group ({}), got {}",
                                 out.priority.size(), shares->size()));
        return;
    }
    out.uptake = *shares;
}

void read_vaccination_type(MapReader& entry, InterventionSection& out,
                           core::DiagnosticList& problems) {
    if (entry.require("per_100k"))
        out.per_100k = entry.number("per_100k", Bounds::between(0, 100000)).value_or(0);
    if (entry.require("priority")) {
        if (const auto ranges = entry.integer_ranges("priority", Bounds::between(0, 120))) {
            for (const auto& range : *ranges)
                out.priority.push_back(std::array<int, 2>{int(range[0]), int(range[1])});
        }
    }
    read_uptake(entry, out, problems);
    if (entry.require("efficacy_infection"))
        out.efficacy_infection =
            entry.number("efficacy_infection", Bounds::probability()).value_or(0);
    if (entry.require("efficacy_severe"))
        out.efficacy_severe = entry.number("efficacy_severe", Bounds::probability()).value_or(0);
    if (entry.require("delay_days"))
        out.delay_days =
            std::uint32_t(entry.integer("delay_days", Bounds::between(0, 365)).value_or(0));
    if (const auto regions = entry.distinct_string_list("regions")) out.regions = *regions;
}

// A key that must be there: its value, or `out` unchanged after a diagnostic.
template <typename T>
void required_number(MapReader& map, std::string_view key, Bounds bounds, T& out) {
    if (!map.require(key)) return;
    if (const auto v = map.number(key, bounds)) out = static_cast<T>(*v);
}

void required_days(MapReader& map, std::string_view key, std::uint32_t& out) {
    if (!map.require(key)) return;
    if (const auto v = map.integer(key, Bounds::between(0, 365))) out = std::uint32_t(*v);
}

// `isolation:` (with household_quarantine) or `quarantine:` (with test).
void read_isolation(MapReader& entry, std::string_view key, IsolationSection& out) {
    if (!entry.require(key)) return;
    auto map = entry.map(key);
    if (!map) return;
    required_number(*map, "compliance", Bounds::probability(), out.compliance);
    if (map->require("days")) {
        if (const auto v = map->integer("days", Bounds::between(1, 365)))
            out.days = std::uint32_t(*v);
    }
    const bool isolation = key == "isolation";
    const auto flag = isolation ? "household_quarantine" : "test";
    if (const auto v = map->boolean(flag)) (isolation ? out.household_quarantine : out.test) = *v;
    map->finish();
}

// The test itself, shared by testing and mass_testing.
void read_test(MapReader& entry, TestSection& out, core::DiagnosticList& problems) {
    required_days(entry, "result_delay_days", out.result_delay_days);
    out.sensitivity = kDefaultSensitivity;
    if (const auto v = entry.number_list("sensitivity", Bounds::probability())) {
        if (v->empty())
            problems.add(entry.location("sensitivity"), entry.key_path("sensitivity"),
                         "must list at least one value (by day since infection)");
        else
            out.sensitivity = *v;
    }
    required_number(entry, "specificity", Bounds::probability(), out.specificity);
    required_number(entry, "per_100k", Bounds::between(0, 1e5), out.per_100k);
    read_isolation(entry, "isolation", out.isolation);
}

void read_testing_type(MapReader& entry, InterventionSection& out, core::DiagnosticList& problems) {
    required_number(entry, "seek_test", Bounds::probability(), out.test.seek_test);
    required_days(entry, "delay_days", out.test.delay_days);
    read_test(entry, out.test, problems);
}

void read_app(MapReader& entry, TracingSection& out) {
    auto app = entry.map("app");
    if (!app) return;
    required_days(*app, "delay_days", out.app_delay_days);
    if (app->require("uptake")) {
        if (auto ranges = app->map_list("uptake")) {
            for (auto& range : *ranges) {
                AppUptakeSection uptake;
                required_number(range, "from", Bounds::between(0, 255), uptake.from);
                required_number(range, "to", Bounds::between(0, 255), uptake.to);
                required_number(range, "share", Bounds::probability(), uptake.share);
                range.finish();
                out.app_uptake.push_back(uptake);
            }
        }
    }
    app->finish();
}

void read_tracing_type(MapReader& entry, InterventionSection& out) {
    auto& tracing = out.tracing;
    if (entry.require("traceable"))
        read_by_key(entry, "traceable", kTraceableKeys, Bounds::probability(), tracing.traceable);
    required_days(entry, "lookback_days", tracing.lookback_days);
    required_days(entry, "delay_days", tracing.delay_days);
    required_number(entry, "index_cases_per_100k", Bounds::between(0, 1e5),
                    tracing.index_cases_per_100k);
    read_app(entry, tracing);
    read_isolation(entry, "quarantine", tracing.quarantine);
}

void read_mass_testing_type(MapReader& entry, InterventionSection& out,
                            core::DiagnosticList& problems) {
    read_test(entry, out.test, problems);
    read_ages(entry, out);
    if (const auto regions = entry.distinct_string_list("regions")) out.regions = *regions;
}

void read_type_fields(MapReader& entry, InterventionSection& out, core::DiagnosticList& problems) {
    if (out.type == "contacts") {
        read_contacts_type(entry, out);
    } else if (out.type == "schools") {
        read_by_key(entry, "levels", kLevelKeys, Bounds::probability(), out.levels);
    } else if (out.type == "telework") {
        if (entry.require("fraction"))
            out.fraction = entry.number("fraction", Bounds::probability()).value_or(0);
    } else if (out.type == "masks") {
        read_by_key(entry, "wearing", kLayerKeys, Bounds::probability(), out.wearing);
        if (entry.require("efficacy_wearer"))
            out.efficacy_wearer =
                entry.number("efficacy_wearer", Bounds::probability()).value_or(0);
        if (entry.require("efficacy_others"))
            out.efficacy_others =
                entry.number("efficacy_others", Bounds::probability()).value_or(0);
    } else if (out.type == "shielding") {
        // Shielding: people of `age` and over cut their contacts outside the household.
        if (entry.require("age"))
            out.age_from = int(entry.integer("age", Bounds::between(0, 120)).value_or(0));
        if (entry.require("factor")) {
            const double factor = entry.number("factor", Bounds::probability()).value_or(1);
            // Patients keep their care: the hospital layer is not shielded.
            out.layers = {1, factor, factor, factor, 1};
        }
        if (const auto regions = entry.distinct_string_list("regions")) out.regions = *regions;
    } else if (out.type == "vaccination") {
        read_vaccination_type(entry, out, problems);
    } else if (out.type == "testing") {
        read_testing_type(entry, out, problems);
    } else if (out.type == "tracing") {
        read_tracing_type(entry, out);
    } else if (out.type == "mass_testing") {
        read_mass_testing_type(entry, out, problems);
    }
}

// The engine records the campaign of each vaccinated person in one byte.
constexpr std::size_t kMaxVaccinationCampaigns = 255;

void check_campaign_count(const Scenario& scenario, core::DiagnosticList& problems) {
    std::size_t campaigns = 0;
    for (const auto& i : scenario.interventions) {
        if (i.type == "vaccination" && ++campaigns == kMaxVaccinationCampaigns + 1) {
            problems.add(i.location, "interventions." + i.name,
                         fmt::format("at most {} vaccination interventions are allowed",
                                     kMaxVaccinationCampaigns));
        }
    }
}

}  // namespace

// Keys of a mapping in document order (the names of interventions or triggers).
std::vector<std::string> keys_of(MapReader& root, std::string_view key) {
    std::vector<std::string> keys;
    const YAML::Node* node = root.node(key);
    if (node == nullptr || !node->IsMap()) return keys;
    for (auto it = node->begin(); it != node->end(); ++it) keys.push_back(it->first.Scalar());
    return keys;
}

void read_interventions(MapReader& root, Scenario& scenario, core::DiagnosticList& problems) {
    const auto names = keys_of(root, "interventions");
    auto map = root.map("interventions");
    if (!map) return;
    for (const auto& name : names) {
        auto entry = map->map(name);
        if (!entry) continue;
        InterventionSection out;
        out.name = name;
        out.location = entry->location();
        if (entry->require("type")) out.type = entry->one_of("type", kTypes).value_or("");
        read_dates(*entry, scenario, out, problems);
        if (const auto trigger = entry->string("trigger")) out.trigger = *trigger;
        read_type_fields(*entry, out, problems);
        entry->finish();
        scenario.interventions.push_back(std::move(out));
    }
    check_campaign_count(scenario, problems);
}

void read_triggers(MapReader& root, Scenario& scenario, core::DiagnosticList& problems) {
    const auto names = keys_of(root, "triggers");
    auto map = root.map("triggers");
    if (!map) return;
    for (const auto& name : names) {
        auto entry = map->map(name);
        if (!entry) continue;
        TriggerSection out;
        out.name = name;
        out.location = entry->location();
        if (entry->require("indicator"))
            out.indicator = entry->one_of("indicator", kIndicators).value_or("");
        if (const auto region = entry->string("region"))
            out.region = *region == "national" ? "" : *region;
        out.reporting_delay =
            std::uint32_t(entry->integer("reporting_delay", Bounds::between(0, 60)).value_or(0));
        out.window = std::uint32_t(entry->integer("window", Bounds::between(1, 60)).value_or(1));
        out.minimum_days =
            std::uint32_t(entry->integer("minimum_days", Bounds::between(0, 3650)).value_or(0));
        if (entry->require("on_above"))
            out.on_above = entry->number("on_above", Bounds::at_least(0)).value_or(0);
        if (entry->require("off_below"))
            out.off_below = entry->number("off_below", Bounds::at_least(0)).value_or(0);
        if (out.off_below > out.on_above) {
            problems.add(entry->location("off_below"), entry->key_path("off_below"),
                         fmt::format("must not exceed on_above ({}), or the trigger would flap",
                                     out.on_above));
        }
        entry->finish();
        scenario.triggers.push_back(std::move(out));
    }
}

void check_references(const Scenario& scenario, core::DiagnosticList& problems) {
    std::set<std::string> names;
    for (const auto& t : scenario.triggers) names.insert(t.name);
    for (const auto& i : scenario.interventions) {
        if (i.trigger.empty() || names.count(i.trigger)) continue;
        std::string known;
        for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
        problems.add(i.location, "interventions." + i.name + ".trigger",
                     fmt::format("unknown trigger '{}'; defined triggers: {}", i.trigger,
                                 known.empty() ? "none" : known));
    }
}

}  // namespace sortie::scenario::detail
