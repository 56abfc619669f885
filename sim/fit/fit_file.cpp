#include "sim/fit/fit_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/model/inputs.hpp"
#include "sim/scenario/document.hpp"
#include "sim/scenario/map_reader.hpp"
#include "sim/scenario/scenario.hpp"

namespace sortie::fit {
namespace {

using scenario::Bounds;
using scenario::MapReader;
namespace fs = std::filesystem;

constexpr std::array<std::string_view, 4> kPriors = {"uniform", "log_uniform", "normal",
                                                     "truncated_normal"};
constexpr std::array<std::string_view, 4> kSeries = {"daily", "cumulative", "stock", "total"};
constexpr std::array<std::string_view, 3> kLikelihoods = {"poisson", "negative_binomial",
                                                          "log_normal"};
// A normal prior without bounds is truncated at 4 standard deviations: the mass left out,
// 6e-5, is below what any sample of a fit can resolve.
constexpr double kNormalReach = 4.0;
/// A free parameter of a target's observation model: targets.NAME.dispersion.
constexpr std::string_view kTargetsPrefix = "targets.";
constexpr std::string_view kDispersion = ".dispersion";

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

fs::path path_value(MapReader& map, const scenario::Document& document, std::string_view key) {
    const auto text = map.string(key);
    if (!text) return {};
    const fs::path path(*text);
    return path.is_absolute()
               ? path
               : (document.base_directory_of(*map.node(key)) / path).lexically_normal();
}

// What the scenario refuses when the parameter takes `value`, or "" if it accepts it.
std::string scenario_refuses(const FitFile& fit, const std::string& key, double value) {
    auto sets = fit.sets;
    sets.push_back(fmt::format("{}={}", key, value));
    try {
        (void)scenario::load(fit.scenario, sets, scenario::Purpose::kRun);
    } catch (const core::InputError& e) {
        std::string reasons;
        for (const auto& d : e.diagnostics())
            reasons += (reasons.empty() ? "" : "; ") + d.key_path + ": " + d.message;
        return reasons;
    }
    return "";
}

struct ScenarioFacts {
    core::Date start, end;
    std::vector<std::string> regions;
    double people_per_agent = 1;
};

ScenarioFacts scenario_facts(const FitFile& fit) {
    const auto scenario = scenario::load(fit.scenario, fit.sets, scenario::Purpose::kRun);
    const auto inputs = model::prepare(scenario);
    ScenarioFacts facts{scenario.start, scenario.end, {}, 1};
    double people = 0;
    for (const auto& row : inputs.tables.regions) {
        const auto& chosen = scenario.population.regions;
        if (!chosen.empty() && std::find(chosen.begin(), chosen.end(), row.key) == chosen.end())
            continue;
        facts.regions.push_back(row.key);
        people += row.population;
    }
    facts.people_per_agent = people / double(inputs.population.size);
    return facts;
}

class Reader {
  public:
    Reader(const scenario::Document& document, core::DiagnosticList& problems)
        : document_(document), problems_(problems) {}

    void parameter(MapReader& map, FitFile& fit) {
        Parameter parameter;
        Prior prior;
        bool complete = true;
        if (map.require("key")) {
            if (const auto key = map.string("key"))
                parameter.key = *key;
            else
                complete = false;
        } else {
            complete = false;
        }
        const auto kind = map.one_of("prior", kPriors).value_or("uniform");
        prior.kind = kind == "log_uniform"        ? PriorKind::kLogUniform
                     : kind == "normal"           ? PriorKind::kNormal
                     : kind == "truncated_normal" ? PriorKind::kTruncatedNormal
                                                  : PriorKind::kUniform;
        const bool gaussian =
            prior.kind == PriorKind::kNormal || prior.kind == PriorKind::kTruncatedNormal;
        if (gaussian) {
            const bool has_mean = map.require("mean"), has_sd = map.require("sd");
            const auto mean = has_mean ? map.number("mean") : std::nullopt;
            const auto sd = has_sd ? map.number("sd", Bounds::greater_than(0)) : std::nullopt;
            if (mean && sd)
                prior.mean = *mean, prior.sd = *sd;
            else
                complete = false;
        } else {
            for (const auto key : {"mean", "sd"}) {
                if (map.has(key))
                    add(map, key,
                        fmt::format("'{}' belongs to a normal or truncated_normal prior, not {}",
                                    key, kind));
            }
        }
        // Bounds: required, except for a normal prior (mean +- 4 sd by default).
        const bool optional_bounds = prior.kind == PriorKind::kNormal;
        const bool has_lower = optional_bounds ? map.has("lower") : map.require("lower");
        const bool has_upper = optional_bounds ? map.has("upper") : map.require("upper");
        // NaN: not given, or not a number (already reported).
        double lower = std::nan(""), upper = std::nan("");
        if (has_lower)
            lower = map.number("lower").value_or(std::nan(""));
        else if (optional_bounds && complete)
            lower = prior.mean - kNormalReach * prior.sd;
        if (has_upper)
            upper = map.number("upper").value_or(std::nan(""));
        else if (optional_bounds && complete)
            upper = prior.mean + kNormalReach * prior.sd;
        if (std::isnan(lower) || std::isnan(upper))
            complete = false;
        else if (!(lower < upper)) {
            add(map, "upper",
                fmt::format("the upper bound ({}) must be above the lower bound ({})", upper,
                            lower));
            complete = false;
        }
        if (prior.kind == PriorKind::kLogUniform && !(lower > 0) && !std::isnan(lower)) {
            add(map, "lower",
                fmt::format("a log_uniform prior needs a lower bound above 0 (got {})", lower));
            complete = false;
        }
        map.finish();
        if (!complete) return;
        parameter.lower = prior.lower = lower;
        parameter.upper = prior.upper = upper;
        const bool repeated =
            std::any_of(fit.parameters.begin(), fit.parameters.end(),
                        [&](const Parameter& p) { return p.key == parameter.key; });
        if (repeated) {
            add(map, "key", fmt::format("'{}' is already a free parameter", parameter.key));
            return;
        }
        if (parameter.key.starts_with(kTargetsPrefix)) {
            const std::string rest = parameter.key.substr(kTargetsPrefix.size());
            const auto dot = rest.rfind('.');
            if (dot == std::string::npos || dot == 0 || rest.substr(dot) != kDispersion) {
                add(map, "key",
                    fmt::format("'{}': of a target only the dispersion can be fitted, as "
                                "targets.NAME.dispersion",
                                parameter.key));
                return;
            }
            if (!(lower > 0)) {
                add(map, "lower",
                    fmt::format("a negative binomial's size must stay above 0 (lower: {})", lower));
                return;
            }
            fitted_dispersions_.push_back(rest.substr(0, dot));
        }
        keys_.push_back(map.location("key"));
        bound_locations_.push_back({map.location("lower"), map.location("upper")});
        paths_.push_back(map.key_path("key"));
        fit.parameters.push_back(parameter);
        fit.priors.push_back(prior);
    }

    void target(MapReader& map, FitFile& fit, std::size_t index) {
        Target target;
        ObservedColumn column;
        bool complete = true;
        const auto require_string = [&](std::string_view key) -> std::optional<std::string> {
            if (!map.require(key)) return std::nullopt;
            return map.string(key);
        };
        const auto name = map.has("name") ? map.string("name") : std::nullopt;
        target.name = name.value_or(fmt::format("target{}", index));
        if (target.name.empty() || target.name.find('/') != std::string::npos ||
            target.name == "." || target.name == "..") {
            add(map, "name",
                fmt::format("'{}' cannot name a target: it names the target's "
                            "group in the output (not empty, '.', '..' or with '/')",
                            target.name));
            complete = false;
        } else if (std::find(names_.begin(), names_.end(), target.name) != names_.end()) {
            add(map, "name", fmt::format("two targets are named '{}'", target.name));
            complete = false;
        }
        names_.push_back(target.name);
        if (map.require("file")) column.file = path_value(map, document_, "file");
        if (const auto c = require_string("column"))
            column.column = *c;
        else
            complete = false;
        if (const auto d = map.string("date_column")) column.date_column = *d;
        if (!read_where(map, column)) complete = false;
        std::optional<std::string> series;
        if (map.require("series")) series = map.one_of("series", kSeries);
        if (series)
            column.kind = *series == "daily"        ? SeriesKind::kDaily
                          : *series == "cumulative" ? SeriesKind::kCumulative
                          : *series == "stock"      ? SeriesKind::kStock
                                                    : SeriesKind::kTotal;
        target.total = column.kind == SeriesKind::kTotal;
        std::optional<Quantity> quantity;
        if (const auto text = require_string("quantity")) {
            std::string problem;
            quantity = parse_quantity(*text, problem);
            if (!quantity) add(map, "quantity", problem);
        }
        if (const auto region = map.string("region")) target.region = *region;
        const auto from = map.require("from") ? map.date("from") : std::nullopt;
        const auto to = map.require("to") ? map.date("to") : std::nullopt;
        if (from && to && *to < *from) {
            add(map, "to",
                fmt::format("the window ends ({}) before it starts ({})", to->to_string(),
                            from->to_string()));
            complete = false;
        }
        std::optional<std::string> likelihood;
        if (map.require("likelihood")) likelihood = map.one_of("likelihood", kLikelihoods);
        const bool size_fitted = std::find(fitted_dispersions_.begin(), fitted_dispersions_.end(),
                                           target.name) != fitted_dispersions_.end();
        if (likelihood) observation(map, *likelihood, size_fitted, target.observation);
        if (likelihood && series && quantity) check_suits(map, *likelihood, *series, *quantity);
        if (series == "total" && likelihood && *likelihood != "log_normal" && from && to &&
            *from != *to)
            add(map, "to",
                "a total scored with a count likelihood must be scored on one day (from = to): "
                "on several days the same events would be counted again");
        if (const auto b = map.integer("bin_days", Bounds::between(1, 366))) {
            target.bin_days = std::uint32_t(*b);
            if (series && *series != "daily" && *series != "cumulative" && *b > 1)
                add(map, "bin_days",
                    fmt::format("only events are summed over days (a daily or cumulative "
                                "series), not a {} series",
                                *series));
            if (from && to && to->days_since(*from) + 1 < *b)
                add(map, "bin_days",
                    fmt::format("a bin of {} days is longer than the window ({} days)", *b,
                                to->days_since(*from) + 1));
        }
        if (const auto w = map.number("weight", Bounds::at_least(0))) target.weight = *w;
        if (const auto s = map.number("people_per_agent", Bounds::greater_than(0)))
            target.people_per_agent = *s, explicit_scale_.push_back(true);
        else
            explicit_scale_.push_back(false);
        map.finish();
        if (!complete || !series || !quantity || !from || !to || !likelihood || column.file.empty())
            return;
        target.quantity = *quantity;
        windows_.push_back({*from, *to});
        target_maps_.push_back(map.location());
        target_paths_.push_back(map.key_path(""));
        region_locations_.push_back(map.location("region"));
        column_locations_.push_back(map.location("column"));
        from_locations_.push_back({map.location("from"), map.location("to")});
        fit.targets.push_back(std::move(target));
        fit.columns.push_back(std::move(column));
    }

    // Each fitted dispersion to its target, which must exist and be negative binomial.
    void link_dispersions(FitFile& fit) {
        for (std::size_t i = 0; i < fit.parameters.size(); ++i) {
            auto& p = fit.parameters[i];
            if (!p.key.starts_with(kTargetsPrefix)) continue;
            const std::string name = p.key.substr(
                kTargetsPrefix.size(), p.key.size() - kTargetsPrefix.size() - kDispersion.size());
            const auto target = std::find_if(fit.targets.begin(), fit.targets.end(),
                                             [&](const Target& t) { return t.name == name; });
            if (target == fit.targets.end()) {
                problems_.add(keys_[i], paths_[i],
                              fmt::format("no target is named '{}'; targets: {}", name,
                                          fmt::join(names_, ", ")));
            } else if (target->observation.model != ObservationModel::kNegativeBinomial) {
                problems_.add(keys_[i], paths_[i],
                              fmt::format("only a negative_binomial target's dispersion can be "
                                          "fitted; '{}' is {}",
                                          name,
                                          target->observation.model == ObservationModel::kPoisson
                                              ? "poisson"
                                              : "log_normal"));
            } else {
                p.dispersion_of = static_cast<std::size_t>(target - fit.targets.begin());
            }
        }
    }

    // Checks against the scenario: parameter keys at their bounds, windows, regions; then
    // reads the observed series.
    void check_against_scenario(FitFile& fit) {
        for (std::size_t i = 0; i < fit.parameters.size(); ++i) {
            const auto& p = fit.parameters[i];
            if (p.dispersion_of) continue;  // the observation model's, not the scenario's
            const std::array<double, 2> bounds = {p.lower, p.upper};
            for (std::size_t b = 0; b < 2; ++b) {
                const auto refused = scenario_refuses(fit, p.key, bounds[b]);
                if (refused.empty()) continue;
                problems_.add(b == 0 ? keys_[i] : bound_locations_[i][1], paths_[i],
                              fmt::format("the scenario refuses {}={}: {}", p.key, bounds[b],
                                          first_line(refused)));
                break;
            }
        }
        const auto facts = scenario_facts(fit);
        for (std::size_t t = 0; t < fit.targets.size(); ++t) {
            auto& target = fit.targets[t];
            const auto& path = target_paths_[t];
            const auto [from, to] = windows_[t];
            bool window_ok = true;
            if (from < facts.start || to > facts.end) {
                problems_.add(from < facts.start ? from_locations_[t][0] : from_locations_[t][1],
                              path + (from < facts.start ? "from" : "to"),
                              fmt::format("the window {} to {} must lie in the scenario's "
                                          "period, {} to {}",
                                          from.to_string(), to.to_string(), facts.start.to_string(),
                                          facts.end.to_string()));
                window_ok = false;
            }
            if (target.region && std::find(facts.regions.begin(), facts.regions.end(),
                                           *target.region) == facts.regions.end())
                problems_.add(region_locations_[t], path + "region",
                              fmt::format("region '{}' is not in the scenario's population; "
                                          "expected one of: {}",
                                          *target.region, fmt::join(facts.regions, ", ")));
            if (!explicit_scale_[t]) target.people_per_agent = facts.people_per_agent;
            if (!window_ok) continue;
            try {
                target.observed = read_observed(fit.columns[t], from, to);
            } catch (const core::InputError& e) {
                for (const auto& d : e.diagnostics())
                    problems_.add(
                        column_locations_[t], path + "column",
                        fmt::format("cannot read the observed series: {}", d.to_string()));
            }
        }
    }

  private:
    // `where: {column: text, ...}`: the rows of a long table that hold this target's series.
    bool read_where(MapReader& map, ObservedColumn& column) {
        const YAML::Node* where = map.node("where");
        if (!where) return true;
        if (!where->IsMap() || where->size() == 0) {
            add(map, "where",
                "expected a mapping of column names to the text of their cells, e.g. "
                "{region_code: \"44\"}");
            return false;
        }
        for (const auto& entry : *where) {
            if (!entry.second.IsScalar()) {
                add(map, "where",
                    fmt::format("the value of '{}' must be a cell's text",
                                entry.first.as<std::string>()));
                return false;
            }
            column.where.emplace_back(entry.first.as<std::string>(),
                                      entry.second.as<std::string>());
        }
        return true;
    }

    void add(MapReader& map, std::string_view key, std::string message) {
        problems_.add(map.location(key), map.key_path(key), std::move(message));
    }

    void observation(MapReader& map, const std::string& likelihood, bool size_fitted,
                     Observation& out) {
        out.model = likelihood == "poisson"             ? ObservationModel::kPoisson
                    : likelihood == "negative_binomial" ? ObservationModel::kNegativeBinomial
                                                        : ObservationModel::kLogNormal;
        if (likelihood == "poisson") {
            if (map.has("dispersion"))
                add(map, "dispersion", "a poisson likelihood has no dispersion");
            return;
        }
        if (size_fitted) {
            // Checked against the likelihood in link_dispersions; a starting value is not
            // needed, the range is the parameter's.
            if (map.has("dispersion"))
                add(map, "dispersion",
                    "this target's dispersion is a free parameter (targets.NAME.dispersion): "
                    "remove it here");
            out.dispersion = 1.0;
            return;
        }
        if (!map.require("dispersion")) return;
        if (const auto d = map.number("dispersion", Bounds::greater_than(0))) out.dispersion = *d;
    }

    // Counts of events take a count likelihood; people present (a stock, cumulative for the
    // dead and recovered) take the log-normal, since their consecutive days are not
    // independent counts.
    void check_suits(MapReader& map, const std::string& likelihood, const std::string& series,
                     const Quantity& quantity) {
        const bool counts = likelihood != "log_normal";
        if (counts && quantity.is_stock())
            add(map, "likelihood",
                fmt::format("{} is people present at the end of each day, not events during "
                            "it: a {} likelihood would count the same people again every day; "
                            "use log_normal, or fit the daily events (incidence.*)",
                            quantity.to_string(), likelihood));
        else if (series == "stock" && !quantity.is_stock())
            add(map, "series",
                fmt::format("a stock series (people present) cannot observe {}, which counts "
                            "events during each day",
                            quantity.to_string()));
        else if (series != "stock" && quantity.is_stock())
            add(map, "series",
                fmt::format("a {} series counts events; {} is people present: use series: "
                            "stock",
                            series, quantity.to_string()));
        else if (!counts && series != "stock" && series != "total")
            add(map, "likelihood",
                "log_normal is for people present (series: stock) and running totals (series: "
                "total); daily events take poisson or negative_binomial");
    }

    const scenario::Document& document_;
    core::DiagnosticList& problems_;
    std::vector<core::SourceLocation> keys_;
    std::vector<std::array<core::SourceLocation, 2>> bound_locations_;
    std::vector<std::string> paths_;
    std::vector<bool> explicit_scale_;
    std::vector<std::pair<core::Date, core::Date>> windows_;
    std::vector<core::SourceLocation> target_maps_, region_locations_, column_locations_;
    std::vector<std::array<core::SourceLocation, 2>> from_locations_;
    std::vector<std::string> target_paths_;
    std::vector<std::string> names_;
    std::vector<std::string> fitted_dispersions_;  ///< targets named by targets.NAME.dispersion
};

void read_point(MapReader& method, PointFitOptions& point) {
    auto map = method.map("point");
    if (!map) return;
    if (const auto v = map->integer("global_evaluations", Bounds::between(0, 1e6)))
        point.global_evaluations = std::uint32_t(*v);
    if (const auto v = map->integer("starts", Bounds::between(1, 1000)))
        point.starts = std::uint32_t(*v);
    if (const auto v = map->integer("local_evaluations", Bounds::between(1, 1e6)))
        point.local_evaluations = std::uint32_t(*v);
    if (const auto v = map->number("tolerance", Bounds::greater_than(0)))
        point.relative_tolerance = *v;
    map->finish();
}

void read_posterior(MapReader& method, core::DiagnosticList& problems,
                    std::optional<AbcOptions>& posterior) {
    auto map = method.map("posterior");
    if (!map) return;
    AbcOptions abc;
    if (const auto v = map->integer("particles", Bounds::between(2, 1e6)))
        abc.particles = std::uint32_t(*v);
    if (const auto v = map->integer("generations", Bounds::between(0, 100)))
        abc.generations = std::uint32_t(*v);
    Bounds open_unit;
    open_unit.min = 0, open_unit.max = 1, open_unit.min_exclusive = open_unit.max_exclusive = true;
    if (const auto v = map->number("quantile", open_unit)) abc.quantile = *v;
    if (const auto v = map->integer("max_evaluations", Bounds::between(1, 1e9)))
        abc.max_evaluations = std::uint64_t(*v);
    if (const auto v = map->integer("batch", Bounds::between(1, 1e6)))
        abc.batch = std::uint32_t(*v);
    if (abc.max_evaluations < abc.particles) {
        const auto key = map->has("max_evaluations") ? "max_evaluations" : "particles";
        problems.add(map->location(key), map->key_path(key),
                     fmt::format("max_evaluations ({}) must be at least the particles ({}): the "
                                 "prior's generation evaluates that many",
                                 abc.max_evaluations, abc.particles));
    }
    map->finish();
    posterior = abc;
}

std::string file_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

FitFile load_fit_file(const fs::path& file, const std::vector<std::string>& sets) {
    const auto document = scenario::Document::load_file(file);
    core::DiagnosticList problems;
    MapReader root(document, document.root(), "", problems);
    FitFile fit;
    fit.text = file_text(file);
    if (root.require("scenario")) fit.scenario = path_value(root, document, "scenario");
    if (const auto s = root.string_list("set")) fit.sets = *s;
    fit.sets.insert(fit.sets.end(), sets.begin(), sets.end());
    if (const auto s = root.integer("seed", Bounds::between(0, 9.2e18)))
        fit.seed = std::uint64_t(*s);
    if (const auto r = root.integer("replicates", Bounds::between(1, 10000)))
        fit.replicates = std::uint32_t(*r);
    Reader reader(document, problems);
    if (root.require("parameters")) {
        if (auto list = root.map_list("parameters")) {
            if (list->empty())
                problems.add(root.location("parameters"), "parameters",
                             "a fit needs at least one free parameter");
            for (auto& map : *list) reader.parameter(map, fit);
        }
    }
    if (root.require("targets")) {
        if (auto list = root.map_list("targets")) {
            if (list->empty())
                problems.add(root.location("targets"), "targets",
                             "a fit needs at least one target");
            for (std::size_t i = 0; i < list->size(); ++i) reader.target((*list)[i], fit, i);
        }
    }
    if (auto method = root.map("method")) {
        read_point(*method, fit.point);
        read_posterior(*method, problems, fit.posterior);
        method->finish();
    }
    root.finish();
    fit.point.seed = fit.seed;
    if (fit.posterior) fit.posterior->seed = fit.seed;
    reader.link_dispersions(fit);
    problems.throw_if_any();
    // The scenario's own problems are reported at its own file:line:column.
    reader.check_against_scenario(fit);
    problems.throw_if_any();
    return fit;
}

}  // namespace sortie::fit
