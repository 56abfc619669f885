#include "sim/output/fit_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <span>

#include "sim/core/atomic_file.hpp"
#include "sim/core/build_info.hpp"
#include "sim/output/hdf5_file.hpp"
#include "sim/output/layout.hpp"

namespace sortie::output {
namespace {

namespace fs = std::filesystem;
using detail::Element;
using detail::Object;
using results::FitResult;

constexpr const char* kKind = "kind";
constexpr const char* kFitKind = "fit";

// A target's text attributes by name, for the writer (const) and the reader.
template <typename Record>
auto text_attributes(Record& t) {
    using Field = decltype(&t.file);
    return std::array<std::pair<const char*, Field>, 7>{{{"file", &t.file},
                                                         {"column", &t.column},
                                                         {"series", &t.series},
                                                         {"quantity", &t.quantity},
                                                         {"region", &t.region},
                                                         {"likelihood", &t.likelihood},
                                                         {"first_date", &t.first_date}}};
}

void check_size(const fs::path& path, std::string_view what, std::size_t size,
                std::size_t expected) {
    if (size != expected)
        throw OutputError(path, fmt::format("{} has {} values, expected {}", what, size, expected));
}

void check_fit(const fs::path& path, const FitResult& fit) {
    const std::size_t p = fit.parameters.size(), t = fit.targets.size(), n = fit.evaluations();
    if (p == 0) throw OutputError(path, "a fit without parameters");
    check_size(path, "best", fit.best.size(), p);
    check_size(path, "evaluation stages", fit.evaluation_stage.size(), n);
    check_size(path, "evaluation acceptances", fit.evaluation_accepted.size(), n);
    check_size(path, "evaluation values", fit.evaluation_values.size(), n * p);
    check_size(path, "evaluation deviances", fit.evaluation_deviance.size(), n * t);
    check_size(path, "posterior values", fit.posterior.size(), fit.particles() * p);
    check_size(path, "generation evaluations", fit.generation_evaluations.size(),
               fit.tolerances.size());
    std::set<std::string> names;
    for (const auto& target : fit.targets) {
        if (target.name.empty() || target.name.find('/') != std::string::npos ||
            !names.insert(target.name).second)
            throw OutputError(path, fmt::format("target name '{}' is empty, repeated or has "
                                                "'/'",
                                                target.name));
        const auto days = target.observed.size();
        check_size(path, "fitted series of " + target.name, target.fitted.size(), days);
        for (const auto* band :
             {&target.posterior_low, &target.posterior_median, &target.posterior_high})
            if (!band->empty())
                check_size(path, "posterior band of " + target.name, band->size(), days);
    }
}

void write_doubles(const Object& group, const std::string& name, std::span<const double> values,
                   std::vector<hsize_t> shape) {
    const Object dataset = detail::create_dataset(group, name, Element::kFloat64, shape);
    detail::write_values(dataset, values);
}

void write_ints(const Object& group, const std::string& name,
                std::span<const std::int32_t> values) {
    const Object dataset = detail::create_dataset(group, name, Element::kInt32, {values.size()});
    detail::write_values(dataset, values);
}

void write_parameters(const Object& file, const FitResult& fit) {
    const Object group = detail::create_group(file, "parameters");
    std::vector<std::string> keys, priors;
    std::vector<double> lower, upper, mean, sd;
    for (const auto& p : fit.parameters) {
        keys.push_back(p.key), priors.push_back(p.prior);
        lower.push_back(p.lower), upper.push_back(p.upper);
        mean.push_back(p.prior_mean), sd.push_back(p.prior_sd);
    }
    const std::size_t n = keys.size();
    (void)detail::create_string_dataset(group, "key", keys);
    (void)detail::create_string_dataset(group, "prior", priors);
    write_doubles(group, "lower", lower, {n});
    write_doubles(group, "upper", upper, {n});
    write_doubles(group, "prior_mean", mean, {n});
    write_doubles(group, "prior_sd", sd, {n});
    write_doubles(group, "best", fit.best, {n});
}

void write_evaluations(const Object& file, const FitResult& fit) {
    const Object group = detail::create_group(file, "evaluations");
    const hsize_t n = fit.evaluations(), p = fit.parameters.size(), t = fit.targets.size();
    write_ints(group, "stage", fit.evaluation_stage);
    write_ints(group, "accepted", fit.evaluation_accepted);
    write_doubles(group, "values", fit.evaluation_values, {n, p});
    write_doubles(group, "loss", fit.evaluation_loss, {n});
    write_doubles(group, "deviance", fit.evaluation_deviance, {n, t});
}

void write_posterior(const Object& file, const FitResult& fit) {
    const Object group = detail::create_group(file, "posterior");
    const hsize_t m = fit.particles(), p = fit.parameters.size(), g = fit.tolerances.size();
    write_doubles(group, "values", fit.posterior, {m, p});
    write_doubles(group, "weight", fit.posterior_weight, {m});
    write_doubles(group, "tolerance", fit.tolerances, {g});
    std::vector<double> spent(fit.generation_evaluations.begin(), fit.generation_evaluations.end());
    write_doubles(group, "generation_evaluations", spent, {g});
}

void write_targets(const Object& file, const FitResult& fit) {
    const Object targets = detail::create_group(file, "targets");
    for (std::size_t t = 0; t < fit.targets.size(); ++t) {
        const auto& target = fit.targets[t];
        const Object group = detail::create_group(targets, target.name);
        // HDF5 lists a group's members by name: the index keeps the fit file's order, which
        // the columns of evaluations/deviance follow.
        detail::write_attribute(group, "index", static_cast<std::int32_t>(t));
        for (const auto& [name, value] : text_attributes(target))
            detail::write_attribute(group, name, std::string_view(*value));
        detail::write_attribute(group, "dispersion", target.dispersion);
        detail::write_attribute(group, "weight", target.weight);
        detail::write_attribute(group, "people_per_agent", target.people_per_agent);
        detail::write_attribute(group, "bin_days", target.bin_days);
        detail::write_attribute(group, "deviance", target.deviance);
        const hsize_t days = target.observed.size();
        write_doubles(group, "observed", target.observed, {days});
        write_doubles(group, "fitted", target.fitted, {days});
        if (!target.posterior_median.empty()) {
            write_doubles(group, "posterior_low", target.posterior_low, {days});
            write_doubles(group, "posterior_median", target.posterior_median, {days});
            write_doubles(group, "posterior_high", target.posterior_high, {days});
        }
    }
}

void write_root(const Object& file, const FitResult& fit) {
    detail::write_attribute(file, kKind, std::string_view(kFitKind));
    detail::write_attribute(file, "sortie_version", core::version());
    detail::write_attribute(file, "git_commit", core::git_commit());
    detail::write_attribute(file, "build_type", core::build_type());
    detail::write_attribute(file, layout::kCommandLine, fit.command_line);
    detail::write_attribute(file, layout::kCreated, detail::utc_now());
    detail::write_attribute(file, "libraries", core::libraries());
    detail::write_attribute(file, layout::kVolatileAttributes,
                            fmt::format("{} {}", layout::kCreated, layout::kCommandLine));
    detail::write_attribute(file, "fit_yaml", fit.fit_yaml);
    detail::write_attribute(file, "scenario_file", fit.scenario_file);
    detail::write_attribute(file, "scenario_yaml", fit.scenario_yaml);
    detail::write_attribute(file, "seed", fit.seed);
    detail::write_attribute(file, "replicates", std::uint64_t{fit.replicates});
    detail::write_attribute(file, "best_loss", fit.best_loss);
}

std::vector<double> read_doubles(const Object& group, const std::string& name) {
    const Object dataset = detail::open_dataset(group, name);
    hsize_t count = 1;
    for (const auto extent : detail::shape(dataset)) count *= extent;
    std::vector<double> values(count);
    detail::read_values(dataset, values);
    return values;
}

std::vector<std::int32_t> read_ints(const Object& group, const std::string& name) {
    const Object dataset = detail::open_dataset(group, name);
    std::vector<std::int32_t> values(detail::shape(dataset).at(0));
    detail::read_values(dataset, values);
    return values;
}

void read_parameters(const Object& file, FitResult& fit) {
    const Object group = detail::open_group(file, "parameters");
    const auto keys = detail::read_strings(detail::open_dataset(group, "key"));
    const auto priors = detail::read_strings(detail::open_dataset(group, "prior"));
    const auto lower = read_doubles(group, "lower"), upper = read_doubles(group, "upper");
    const auto mean = read_doubles(group, "prior_mean"), sd = read_doubles(group, "prior_sd");
    fit.best = read_doubles(group, "best");
    const std::size_t n = keys.size();
    for (const std::vector<double>* column :
         std::initializer_list<const std::vector<double>*>{&lower, &upper, &mean, &sd, &fit.best})
        check_size(file.file(), "a parameter column", column->size(), n);
    check_size(file.file(), "parameters/prior", priors.size(), n);
    for (std::size_t i = 0; i < n; ++i)
        fit.parameters.push_back({keys[i], priors[i], lower[i], upper[i], mean[i], sd[i]});
}

void read_targets(const Object& file, FitResult& fit) {
    const Object targets = detail::open_group(file, "targets");
    std::vector<std::pair<std::int32_t, std::string>> order;
    for (const auto& name : detail::group_names(targets))
        order.emplace_back(detail::read_int32_attribute(detail::open_group(targets, name), "index"),
                           name);
    std::sort(order.begin(), order.end());
    for (const auto& [index, name] : order) {
        const Object group = detail::open_group(targets, name);
        results::FitTargetRecord target;
        target.name = name;
        for (const auto& [key, value] : text_attributes(target))
            *value = detail::read_string_attribute(group, key);
        target.dispersion = detail::read_double_attribute(group, "dispersion");
        target.weight = detail::read_double_attribute(group, "weight");
        target.people_per_agent = detail::read_double_attribute(group, "people_per_agent");
        // Files written before targets could be binned score every day.
        if (detail::has_attribute(group, "bin_days"))
            target.bin_days = detail::read_int32_attribute(group, "bin_days");
        target.deviance = detail::read_double_attribute(group, "deviance");
        target.observed = read_doubles(group, "observed");
        target.fitted = read_doubles(group, "fitted");
        if (detail::has_child(group, "posterior_median")) {
            target.posterior_low = read_doubles(group, "posterior_low");
            target.posterior_median = read_doubles(group, "posterior_median");
            target.posterior_high = read_doubles(group, "posterior_high");
        }
        fit.targets.push_back(std::move(target));
    }
}

}  // namespace

void write_fit(const fs::path& path, const FitResult& fit) {
    detail::silence_hdf5_errors();
    check_fit(path, fit);
    detail::write_sealed_file(path, [&](const Object& file) {
        write_root(file, fit);
        write_parameters(file, fit);
        write_evaluations(file, fit);
        write_posterior(file, fit);
        write_targets(file, fit);
        detail::write_attribute(file, layout::kComplete, std::int32_t{1});
    });
}

bool is_fit_file(const fs::path& path) {
    detail::silence_hdf5_errors();
    const Object file = detail::open_file(path);
    return detail::has_attribute(file, kKind) &&
           detail::read_string_attribute(file, kKind) == kFitKind;
}

results::FitResult read_fit(const fs::path& path) {
    detail::silence_hdf5_errors();
    const Object file = detail::open_file(path);
    if (!detail::has_attribute(file, kKind) ||
        detail::read_string_attribute(file, kKind) != kFitKind)
        throw OutputError(path, "not the result of `sortie fit` (no root attribute kind = fit)");
    if (!detail::has_attribute(file, layout::kComplete) ||
        detail::read_int32_attribute(file, layout::kComplete) != 1)
        throw OutputError(path, "incomplete: the fit that wrote it did not finish");
    FitResult fit;
    fit.command_line = detail::read_string_attribute(file, layout::kCommandLine);
    fit.fit_yaml = detail::read_string_attribute(file, "fit_yaml");
    fit.scenario_file = detail::read_string_attribute(file, "scenario_file");
    fit.scenario_yaml = detail::read_string_attribute(file, "scenario_yaml");
    fit.seed = detail::read_uint64_attribute(file, "seed");
    fit.replicates = static_cast<std::uint32_t>(detail::read_uint64_attribute(file, "replicates"));
    fit.best_loss = detail::read_double_attribute(file, "best_loss");
    read_parameters(file, fit);
    const Object evaluations = detail::open_group(file, "evaluations");
    fit.evaluation_stage = read_ints(evaluations, "stage");
    fit.evaluation_accepted = read_ints(evaluations, "accepted");
    fit.evaluation_values = read_doubles(evaluations, "values");
    fit.evaluation_loss = read_doubles(evaluations, "loss");
    fit.evaluation_deviance = read_doubles(evaluations, "deviance");
    const Object posterior = detail::open_group(file, "posterior");
    fit.posterior = read_doubles(posterior, "values");
    fit.posterior_weight = read_doubles(posterior, "weight");
    fit.tolerances = read_doubles(posterior, "tolerance");
    for (const double spent : read_doubles(posterior, "generation_evaluations"))
        fit.generation_evaluations.push_back(static_cast<std::uint64_t>(spent));
    read_targets(file, fit);
    check_fit(path, fit);
    return fit;
}

}  // namespace sortie::output
