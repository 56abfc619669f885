#include "sim/fit/fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>

#include "sim/core/build_info.hpp"
#include "sim/core/error.hpp"

#include <yaml-cpp/yaml.h>

namespace sortie::fit {
namespace {

namespace fs = std::filesystem;
using results::FitResult;

std::string_view series_name(SeriesKind kind) {
    switch (kind) {
        case SeriesKind::kDaily:
            return "daily";
        case SeriesKind::kCumulative:
            return "cumulative";
        case SeriesKind::kStock:
            return "stock";
        case SeriesKind::kTotal:
            return "total";
    }
    return "daily";
}

std::string_view likelihood_name(ObservationModel model) {
    switch (model) {
        case ObservationModel::kPoisson:
            return "poisson";
        case ObservationModel::kNegativeBinomial:
            return "negative_binomial";
        case ObservationModel::kLogNormal:
            return "log_normal";
    }
    return "poisson";
}

void describe(const FitFile& file, const std::string& command_line, FitResult& out) {
    out.command_line = command_line;
    out.fit_yaml = file.text;
    out.scenario_file = file.scenario.string();
    out.seed = file.seed;
    out.replicates = file.replicates;
    for (std::size_t i = 0; i < file.parameters.size(); ++i) {
        const auto& p = file.parameters[i];
        const auto& prior = file.priors[i];
        const bool gaussian =
            prior.kind == PriorKind::kNormal || prior.kind == PriorKind::kTruncatedNormal;
        out.parameters.push_back({p.key, std::string(prior_name(prior.kind)), p.lower, p.upper,
                                  gaussian ? prior.mean : 0.0, gaussian ? prior.sd : 0.0});
    }
    for (std::size_t t = 0; t < file.targets.size(); ++t) {
        const auto& target = file.targets[t];
        const auto& column = file.columns[t];
        results::FitTargetRecord record;
        record.name = target.name;
        record.file = column.file.string();
        record.column = column.column;
        record.series = std::string(series_name(column.kind));
        record.quantity = target.quantity.to_string();
        record.region = target.region.value_or("");
        record.likelihood = std::string(likelihood_name(target.observation.model));
        record.dispersion = target.observation.model == ObservationModel::kPoisson
                                ? 0.0
                                : target.observation.dispersion;
        record.weight = target.weight;
        record.people_per_agent = target.people_per_agent;
        record.bin_days = static_cast<std::int32_t>(target.bin_days);
        record.first_date = target.observed.first.to_string();
        record.observed = target.observed.values;
        out.targets.push_back(std::move(record));
    }
}

void record(const Evaluation& evaluation, std::int32_t stage, bool accepted, FitResult& out) {
    out.evaluation_stage.push_back(stage);
    out.evaluation_accepted.push_back(accepted ? 1 : 0);
    out.evaluation_values.insert(out.evaluation_values.end(), evaluation.values.begin(),
                                 evaluation.values.end());
    out.evaluation_loss.push_back(evaluation.loss);
    out.evaluation_deviance.insert(out.evaluation_deviance.end(), evaluation.deviance.begin(),
                                   evaluation.deviance.end());
}

// The value below which a share q of the weight lies, among `values` weighted by `weights`.
double weighted_quantile(std::vector<std::pair<double, double>> values_weights, double q) {
    std::sort(values_weights.begin(), values_weights.end());
    double cumulative = 0;
    for (const auto& [value, weight] : values_weights) {
        cumulative += weight;
        if (cumulative >= q) return value;
    }
    return values_weights.back().first;
}

// The posterior's 5-50-95% bands of each target's expected series, from the last
// generation's particles and their weights.
void posterior_bands(const std::vector<const Evaluation*>& particles,
                     const std::vector<double>& weights, FitResult& out) {
    for (std::size_t t = 0; t < out.targets.size(); ++t) {
        auto& target = out.targets[t];
        const std::size_t days = target.observed.size();
        for (std::size_t d = 0; d < days; ++d) {
            std::vector<std::pair<double, double>> day;
            for (std::size_t i = 0; i < particles.size(); ++i)
                day.emplace_back(particles[i]->expected[t][d], weights[i]);
            target.posterior_low.push_back(weighted_quantile(day, 0.05));
            target.posterior_median.push_back(weighted_quantile(day, 0.5));
            target.posterior_high.push_back(weighted_quantile(day, 0.95));
        }
    }
}

Objective build_objective(const FitFile& file, const fs::path& fit_file) {
    try {
        return Objective(file.scenario, file.sets, file.parameters, file.targets, file.replicates);
    } catch (const std::invalid_argument& e) {
        // What the fit file's reader could not check without building the population: a
        // parameter that would change it.
        const std::string message = e.what();
        if (message.find("changes the population") == std::string::npos) throw;
        throw core::InputError(core::SourceLocation(fit_file.string()), "parameters", message);
    }
}

void point_fit(const Objective& objective, const FitFile& file, const FitLog& log, FitResult& out) {
    std::vector<Evaluation> evaluations;
    log(fmt::format("point estimate: {} global evaluations, {} local searches of up to {}",
                    file.point.global_evaluations, file.point.starts,
                    file.point.local_evaluations));
    std::vector<bool> log_scale;
    for (const auto& prior : file.priors) log_scale.push_back(prior.kind == PriorKind::kLogUniform);
    const auto point = minimise(objective, file.point, &evaluations, log_scale);
    for (const auto& evaluation : evaluations) record(evaluation, results::kPointStage, false, out);
    out.best = point.best;
    out.best_loss = point.loss;
    // A fitted negative binomial size is recorded with its target, at its best value.
    for (std::size_t i = 0; i < file.parameters.size(); ++i)
        if (const auto t = file.parameters[i].dispersion_of)
            out.targets[*t].dispersion = out.best[i];
    const auto best = std::find_if(evaluations.begin(), evaluations.end(),
                                   [&](const Evaluation& e) { return e.values == point.best; });
    if (best == evaluations.end())
        throw std::runtime_error("the point estimate found no evaluation with a finite loss");
    for (std::size_t t = 0; t < out.targets.size(); ++t) {
        out.targets[t].fitted = best->expected[t];
        out.targets[t].deviance = best->deviance[t];
    }
    std::string values;
    for (std::size_t i = 0; i < point.best.size(); ++i)
        values +=
            fmt::format("{}{} = {:.6g}", i ? ", " : "", file.parameters[i].key, point.best[i]);
    log(fmt::format("point estimate after {} evaluations: loss {:.6g} at {}", evaluations.size(),
                    point.loss, values));
}

void posterior_sample(const Objective& objective, const FitFile& file, const FitLog& log,
                      FitResult& out) {
    const auto& options = *file.posterior;
    log(
        fmt::format("posterior: ABC-SMC, {} particles, up to {} generations after the prior's, "
                    "at most {} evaluations",
                    options.particles, options.generations, options.max_evaluations));
    std::vector<Evaluation> evaluations;
    std::vector<AbcRecord> records;
    const AbcProgress progress = [&](std::uint32_t g, const AbcGeneration& generation) {
        log(fmt::format("generation {}: tolerance {:.6g}, {} evaluations for {} particles", g,
                        generation.tolerance, generation.evaluations, generation.particles.size()));
    };
    const auto generations =
        abc_smc(objective, file.priors, options, &evaluations, &records, progress);
    if (generations.empty())
        throw std::runtime_error(
            fmt::format("ABC-SMC: method.posterior.max_evaluations ({}) ran out before the prior's "
                        "generation was complete",
                        options.max_evaluations));
    const auto last = static_cast<std::uint32_t>(generations.size() - 1);
    std::vector<const Evaluation*> particles;
    for (std::size_t i = 0; i < records.size(); ++i) {
        record(evaluations[i], static_cast<std::int32_t>(records[i].generation),
               records[i].accepted, out);
        if (records[i].generation == last && records[i].accepted)
            particles.push_back(&evaluations[i]);
    }
    for (const auto& generation : generations) {
        out.tolerances.push_back(generation.tolerance);
        out.generation_evaluations.push_back(generation.evaluations);
    }
    const auto& sample = generations.back();
    for (const auto& particle : sample.particles)
        out.posterior.insert(out.posterior.end(), particle.begin(), particle.end());
    out.posterior_weight = sample.weights;
    posterior_bands(particles, sample.weights, out);
}

// The nested YAML of "a.b.c" = value entries.
struct Tree {
    std::map<std::string, Tree> children;
    std::string value, comment;
};

bool is_index(const std::string& segment) {
    return !segment.empty() &&
           std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string> segments_of(const std::string& path) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (true) {
        const auto dot = path.find('.', start);
        segments.push_back(path.substr(start, dot - start));
        if (dot == std::string::npos) return segments;
        start = dot + 1;
    }
}

// `extends:` merges mappings key by key but replaces a sequence whole: a value inside a
// sequence is written as the whole sequence, taken from the resolved scenario at the best
// values, in flow style.
void insert(Tree& tree, const std::string& path, std::string value, std::string comment,
            const YAML::Node& resolved) {
    const auto segments = segments_of(path);
    Tree* node = &tree;
    YAML::Node at = YAML::Clone(resolved);
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (i + 1 < segments.size() && is_index(segments[i + 1]) && at[segments[i]].IsSequence()) {
            YAML::Emitter flow;
            flow.SetMapFormat(YAML::Flow);
            flow.SetSeqFormat(YAML::Flow);
            flow << at[segments[i]];
            node = &node->children[segments[i]];
            node->children.clear();
            node->value = flow.c_str();
            node->comment = comment + ", the whole sequence";
            return;
        }
        node = &node->children[segments[i]];
        if (at.IsMap()) at = at[segments[i]];
    }
    node->children.clear();
    node->value = std::move(value);
    node->comment = std::move(comment);
}

void emit(const Tree& tree, int indent, std::string& text) {
    for (const auto& [key, child] : tree.children) {
        text += fmt::format("{:{}}{}:", "", indent, key);
        if (child.children.empty()) {
            text += " " + child.value;
            if (!child.comment.empty()) text += "  # " + child.comment;
            text += "\n";
        } else {
            text += "\n";
            emit(child, indent + 2, text);
        }
    }
}

}  // namespace

results::FitResult run_fit(const FitFile& file, const fs::path& fit_file,
                           const std::string& command_line, const FitLog& log) {
    FitResult out;
    describe(file, command_line, out);
    log(fmt::format("building the model of {} once for every evaluation", file.scenario.string()));
    const auto objective = build_objective(file, fit_file);
    point_fit(objective, file, log, out);
    if (file.posterior) posterior_sample(objective, file, log, out);
    out.scenario_yaml = objective.scenario_at(out.best).resolved_yaml;
    return out;
}

std::string fitted_scenario_text(const FitResult& fit, const FitFile& file, const fs::path& path) {
    Tree tree;
    const YAML::Node resolved = YAML::Load(fit.scenario_yaml);
    for (const auto& set : file.sets) {
        const auto equals = set.find('=');
        if (equals == std::string::npos) continue;
        insert(tree, set.substr(0, equals), set.substr(equals + 1), "set by the fit", resolved);
    }
    for (std::size_t i = 0; i < fit.parameters.size(); ++i) {
        const auto& p = fit.parameters[i];
        if (file.parameters[i].dispersion_of)
            continue;  // the observation model's, not the scenario's
        insert(tree, p.key, fmt::format("{}", fit.best[i]),
               fmt::format("fitted: bounds [{}, {}], {} prior", p.lower, p.upper, p.prior),
               resolved);
    }
    const auto folder = fs::absolute(path).parent_path();
    auto base = fs::absolute(file.scenario).lexically_relative(folder);
    if (base.empty()) base = fs::absolute(file.scenario);
    std::string text = fmt::format(
        "# The scenario fitted by `{}`\n"
        "# (sortie {}, commit {}, seed {}): the best values found, with loss {:.6g}\n"
        "# (the weighted sum of the targets' deviances), over the scenario below.\n"
        "extends: {}\n",
        fit.command_line, core::version(), core::git_commit(), fit.seed, fit.best_loss,
        base.generic_string());
    emit(tree, 0, text);
    return text;
}

std::string posterior_csv(const FitResult& fit) {
    if (fit.particles() == 0)
        throw std::invalid_argument("this fit has no posterior sample (method.posterior)");
    std::string text = "weight";
    for (const auto& p : fit.parameters) text += "," + p.key;
    text += "\n";
    const std::size_t n = fit.parameters.size();
    for (std::size_t i = 0; i < fit.particles(); ++i) {
        text += fmt::format("{:.17g}", fit.posterior_weight[i]);
        for (std::size_t j = 0; j < n; ++j)
            text += fmt::format(",{:.17g}", fit.posterior[i * n + j]);
        text += "\n";
    }
    return text;
}

}  // namespace sortie::fit
