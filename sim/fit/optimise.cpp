#include "sim/fit/optimise.hpp"

#include <fmt/format.h>
#include <nlopt.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <stdexcept>

#include "sim/core/rng.hpp"
#include "sim/core/rng_streams.hpp"

namespace sortie::fit {
namespace {

struct Search {
    const std::function<double(std::span<const double>)>* loss;
    PointFit* fit;
    nlopt::opt* opt = nullptr;
    /// What the loss threw: NLopt's wrapper would turn it into its own "nlopt failure".
    std::exception_ptr error;
};

double nlopt_loss(const std::vector<double>& x, std::vector<double>& /*gradient*/, void* data) {
    auto& search = *static_cast<Search*>(data);
    double value = 0;
    try {
        value = (*search.loss)(x);
    } catch (...) {
        search.error = std::current_exception();
        search.opt->force_stop();
        return std::numeric_limits<double>::infinity();
    }
    search.fit->points.push_back(x);
    search.fit->losses.push_back(value);
    if (value < search.fit->loss) {
        search.fit->loss = value;
        search.fit->best = x;
    }
    return value;
}

void run(nlopt::algorithm algorithm, std::vector<double> start, std::uint32_t budget,
         const std::vector<double>& lower, const std::vector<double>& upper,
         const PointFitOptions& options, Search& search) {
    nlopt::opt opt(algorithm, static_cast<unsigned>(start.size()));
    opt.set_lower_bounds(lower);
    opt.set_upper_bounds(upper);
    opt.set_min_objective(nlopt_loss, &search);
    opt.set_maxeval(static_cast<int>(budget));
    opt.set_xtol_rel(options.relative_tolerance);
    // A tenth of each range: NLopt's default step, from the start's distance to the bounds,
    // is zero for a start on a bound (where a global search often ends), which BOBYQA refuses.
    std::vector<double> step(start.size());
    for (std::size_t i = 0; i < step.size(); ++i) step[i] = 0.1 * (upper[i] - lower[i]);
    opt.set_initial_step(step);
    search.opt = &opt;
    double value = 0;
    try {
        opt.optimize(start, value);
    } catch (const nlopt::roundoff_limited&) {
        // the best point so far stands
    } catch (const nlopt::forced_stop&) {
    }
    if (search.error) std::rethrow_exception(search.error);
}

PointFit search_box(const std::function<double(std::span<const double>)>& loss,
                    const std::vector<double>& lower, const std::vector<double>& upper,
                    const PointFitOptions& options) {
    PointFit fit;
    fit.loss = std::numeric_limits<double>::infinity();
    Search search{&loss, &fit, nullptr, nullptr};
    std::vector<double> middle(lower.size());
    for (std::size_t i = 0; i < lower.size(); ++i) middle[i] = 0.5 * (lower[i] + upper[i]);
    if (options.global_evaluations > 0) {
        nlopt::srand(options.seed);
        run(nlopt::GN_CRS2_LM, middle, options.global_evaluations, lower, upper, options, search);
    }
    const core::RngKey key = core::RngKey::from_seed(options.seed);
    for (std::uint32_t s = 0; s < options.starts; ++s) {
        std::vector<double> start = fit.best.empty() ? middle : fit.best;
        if (s > 0) {
            for (std::size_t i = 0; i < start.size(); ++i)
                start[i] =
                    lower[i] + (upper[i] - lower[i]) * core::to_unit_interval(core::draw_u64(
                                                           key, core::streams::kFitStarts, s,
                                                           static_cast<std::uint32_t>(i), 0));
        }
        run(nlopt::LN_BOBYQA, start, options.local_evaluations, lower, upper, options, search);
    }
    return fit;
}

}  // namespace

PointFit minimise(const std::function<double(std::span<const double>)>& loss,
                  const std::vector<double>& lower, const std::vector<double>& upper,
                  const PointFitOptions& options, const std::vector<bool>& log_scale) {
    if (lower.size() != upper.size() || lower.empty())
        throw std::invalid_argument("bounds of different lengths, or none");
    const auto on_log = [&](std::size_t i) { return i < log_scale.size() && log_scale[i]; };
    for (std::size_t i = 0; i < lower.size(); ++i) {
        if (!(lower[i] < upper[i]))
            throw std::invalid_argument(
                fmt::format("bound {}: lower {} is not below upper {}", i, lower[i], upper[i]));
        if (on_log(i) && !(lower[i] > 0))
            throw std::invalid_argument(fmt::format(
                "bound {}: a search on the logarithm needs a lower bound above 0, not {}", i,
                lower[i]));
    }
    std::vector<double> low = lower, high = upper;
    for (std::size_t i = 0; i < low.size(); ++i) {
        if (!on_log(i)) continue;
        low[i] = std::log(lower[i]);
        high[i] = std::log(upper[i]);
    }
    // From the search's coordinates to the values, clamped: exp(log(b)) can differ from b in
    // the last bit, and a loss may refuse a value outside its bounds.
    const auto values_of = [&](std::span<const double> x) {
        std::vector<double> values(x.begin(), x.end());
        for (std::size_t i = 0; i < values.size(); ++i)
            if (on_log(i)) values[i] = std::clamp(std::exp(values[i]), lower[i], upper[i]);
        return values;
    };
    const std::function<double(std::span<const double>)> on_values =
        [&](std::span<const double> x) { return loss(values_of(x)); };
    auto fit = search_box(on_values, low, high, options);
    fit.best = values_of(fit.best);
    for (auto& point : fit.points) point = values_of(point);
    return fit;
}

PointFit minimise(const Objective& objective, const PointFitOptions& options,
                  std::vector<Evaluation>* evaluations, const std::vector<bool>& log_scale) {
    std::vector<double> lower, upper;
    for (const auto& p : objective.parameters()) {
        lower.push_back(p.lower);
        upper.push_back(p.upper);
    }
    const std::function<double(std::span<const double>)> loss = [&](std::span<const double> x) {
        auto evaluation = objective.evaluate(x);
        const double value = evaluation.loss;
        if (evaluations) evaluations->push_back(std::move(evaluation));
        return value;
    };
    return minimise(loss, lower, upper, options, log_scale);
}

}  // namespace sortie::fit
