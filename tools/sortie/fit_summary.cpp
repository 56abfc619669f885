#include "tools/sortie/fit_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

namespace sortie::cli {
namespace {

struct Interval {
    double low = 0, median = 0, high = 0;
};

double weighted_quantile(std::vector<std::pair<double, double>> sample, double q) {
    std::sort(sample.begin(), sample.end());
    double cumulative = 0;
    for (const auto& [value, weight] : sample) {
        cumulative += weight;
        if (cumulative >= q) return value;
    }
    return sample.back().first;
}

std::optional<Interval> posterior_interval(const results::FitResult& fit, std::size_t parameter) {
    if (fit.particles() == 0) return std::nullopt;
    std::vector<std::pair<double, double>> sample;
    const std::size_t n = fit.parameters.size();
    for (std::size_t i = 0; i < fit.particles(); ++i)
        sample.emplace_back(fit.posterior[i * n + parameter], fit.posterior_weight[i]);
    return Interval{weighted_quantile(sample, 0.05), weighted_quantile(sample, 0.5),
                    weighted_quantile(sample, 0.95)};
}

// Kish's effective sample size of the weights: how many equally weighted particles they are
// worth.
double effective_sample_size(const std::vector<double>& weights) {
    double sum = 0, squares = 0;
    for (const double w : weights) sum += w, squares += w * w;
    return squares > 0 ? sum * sum / squares : 0.0;
}

std::size_t observed_days(const results::FitTargetRecord& target) {
    return static_cast<std::size_t>(std::count_if(target.observed.begin(), target.observed.end(),
                                                  [](double v) { return !std::isnan(v); }));
}

std::string prior_text(const results::FitParameterRecord& p) {
    if (p.prior == "normal" || p.prior == "truncated_normal")
        return fmt::format("{}({:.4g}, {:.4g}) on [{:.4g}, {:.4g}]", p.prior, p.prior_mean,
                           p.prior_sd, p.lower, p.upper);
    return fmt::format("{} on [{:.4g}, {:.4g}]", p.prior, p.lower, p.upper);
}

}  // namespace

nlohmann::ordered_json fit_to_json(const results::FitResult& fit) {
    nlohmann::ordered_json out;
    out["scenario"] = fit.scenario_file;
    out["seed"] = fit.seed;
    out["replicates_per_evaluation"] = fit.replicates;
    out["evaluations"] = fit.evaluations();
    out["best_loss"] = fit.best_loss;
    auto& parameters = out["parameters"] = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < fit.parameters.size(); ++i) {
        const auto& p = fit.parameters[i];
        nlohmann::ordered_json row;
        row["key"] = p.key;
        row["prior"] = prior_text(p);
        row["best"] = fit.best[i];
        if (const auto interval = posterior_interval(fit, i)) {
            row["posterior_median"] = interval->median;
            row["posterior_p05"] = interval->low;
            row["posterior_p95"] = interval->high;
        } else {
            row["posterior_median"] = row["posterior_p05"] = row["posterior_p95"] = nullptr;
        }
        parameters.push_back(row);
    }
    auto& targets = out["targets"] = nlohmann::ordered_json::array();
    for (const auto& t : fit.targets) {
        targets.push_back({{"name", t.name},
                           {"quantity", t.quantity},
                           {"region", t.region.empty() ? nlohmann::ordered_json(nullptr)
                                                       : nlohmann::ordered_json(t.region)},
                           {"likelihood", t.likelihood},
                           {"bin_days", t.bin_days},
                           {"days", observed_days(t)},
                           {"deviance", t.deviance},
                           {"weight", t.weight}});
    }
    if (fit.particles() > 0) {
        out["posterior"] = {{"method", "ABC-SMC"},
                            {"particles", fit.particles()},
                            {"effective_sample_size", effective_sample_size(fit.posterior_weight)},
                            {"tolerances", fit.tolerances},
                            {"simulations", fit.generation_evaluations}};
    }
    return out;
}

std::string fit_to_text(const results::FitResult& fit) {
    std::string text = fmt::format(
        "fit of {}\n{} evaluations of {} replicates each (seed {}); best loss {:.6g}\n\n",
        fit.scenario_file, fit.evaluations(), fit.replicates, fit.seed, fit.best_loss);
    std::size_t width = 9;
    for (const auto& p : fit.parameters) width = std::max(width, p.key.size());
    text += fmt::format("{:<{}}  {:>10}  {:>10}  {:>21}  {}\n", "parameter", width, "best",
                        "posterior", "90% interval", "prior");
    for (std::size_t i = 0; i < fit.parameters.size(); ++i) {
        const auto& p = fit.parameters[i];
        const auto interval = posterior_interval(fit, i);
        text += fmt::format(
            "{:<{}}  {:>10.4g}  {:>10}  {:>21}  {}\n", p.key, width, fit.best[i],
            interval ? fmt::format("{:.4g}", interval->median) : "-",
            interval ? fmt::format("[{:.4g}, {:.4g}]", interval->low, interval->high) : "-",
            prior_text(p));
    }
    text += fmt::format("\n{:<16}  {:<30}  {:<8}  {:<17}  {:>5}  {:>10}  {:>6}\n", "target",
                        "quantity", "region", "likelihood", "days", "deviance", "weight");
    for (const auto& t : fit.targets)
        text +=
            fmt::format("{:<16}  {:<30}  {:<8}  {:<17}  {:>5}  {:>10.4g}  {:>6.3g}\n", t.name,
                        t.quantity, t.region.empty() ? "all" : t.region,
                        t.bin_days > 1 ? fmt::format("{}, {}-day sums", t.likelihood, t.bin_days)
                                       : t.likelihood,
                        observed_days(t), t.deviance, t.weight);
    if (fit.particles() > 0) {
        text += fmt::format(
            "\nposterior: ABC-SMC, {} particles (effective sample size {:.1f}) after {} "
            "generations; tolerances",
            fit.particles(), effective_sample_size(fit.posterior_weight), fit.tolerances.size());
        for (std::size_t g = 0; g < fit.tolerances.size(); ++g)
            text += fmt::format(" {:.4g}", fit.tolerances[g]);
        text += "\n";
    } else {
        text += "\nno posterior sample (method.posterior): the intervals are not estimated\n";
    }
    return text;
}

}  // namespace sortie::cli
