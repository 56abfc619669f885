#include "sim/fit/abc.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "sim/core/rng.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/core/samplers.hpp"

namespace sortie::fit {
namespace {

struct Proposal {
    std::vector<double> values;
    std::uint64_t seed = 0;
};

double log_prior(const std::vector<Prior>& priors, std::span<const double> values) {
    double sum = 0;
    for (std::size_t j = 0; j < priors.size(); ++j) sum += priors[j].log_density(values[j]);
    return sum;
}

// The kernel's standard deviations: twice the particles' weighted variance (Beaumont et al.
// 2009), the choice that minimises the Kullback-Leibler divergence to the next target.
std::vector<double> kernel_scales(const AbcGeneration& previous, std::size_t dimensions) {
    std::vector<double> scales(dimensions);
    for (std::size_t j = 0; j < dimensions; ++j) {
        double mean = 0, second = 0;
        for (std::size_t i = 0; i < previous.particles.size(); ++i)
            mean += previous.weights[i] * previous.particles[i][j];
        for (std::size_t i = 0; i < previous.particles.size(); ++i) {
            const double d = previous.particles[i][j] - mean;
            second += previous.weights[i] * d * d;
        }
        scales[j] = std::sqrt(2.0 * second);
    }
    return scales;
}

std::size_t pick(const std::vector<double>& weights, double u) {
    double cumulative = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        cumulative += weights[i];
        if (u < cumulative) return i;
    }
    return weights.size() - 1;
}

// The kernel moving a particle's value `from` along parameter j: a normal of sd `scale`
// truncated to the prior's bounds, so that every proposal is inside them whatever the number of
// parameters (a kernel redrawn until all land inside fails in many dimensions, and its
// normalising constant, the chance of landing inside, depends on the particle moved).
Prior kernel_along(const Prior& prior, double from, double scale) {
    Prior kernel;
    kernel.kind = PriorKind::kTruncatedNormal;
    kernel.lower = prior.lower;
    kernel.upper = prior.upper;
    kernel.mean = from;
    kernel.sd = scale;
    return kernel;
}

// Proposal `index` of `generation`: from the priors for generation 0, else a particle of the
// previous generation moved by the kernel.
Proposal propose(const std::vector<Prior>& priors, const AbcOptions& options,
                 std::uint32_t generation, std::uint32_t index, const AbcGeneration* previous,
                 const std::vector<double>& scales) {
    const auto key = core::RngKey::from_seed(options.seed);
    core::Draws draws(key, core::streams::kAbcProposals, generation, index);
    Proposal proposal;
    proposal.seed = core::draw_u64(key, core::streams::kAbcSeeds, generation, index, 0);
    proposal.values.resize(priors.size());
    if (!previous) {
        for (std::size_t j = 0; j < priors.size(); ++j)
            proposal.values[j] = priors[j].quantile(draws.uniform());
        return proposal;
    }
    const auto& from = previous->particles[pick(previous->weights, draws.uniform())];
    for (std::size_t j = 0; j < priors.size(); ++j) {
        const double u = draws.uniform();
        proposal.values[j] =
            scales[j] > 0 ? kernel_along(priors[j], from[j], scales[j]).quantile(u) : from[j];
    }
    return proposal;
}

// The log of the importance weight of an accepted proposal: prior over the mixture of kernels
// it may have been drawn from (Toni et al. 2009, eq. 3.1; unnormalised). In logarithms, with
// the largest kernel term factored out, so that a prior or kernel far in its tail does not
// round every weight to 0.
double log_weight(const std::vector<Prior>& priors, std::span<const double> values,
                  const AbcGeneration& previous, const std::vector<double>& scales) {
    std::vector<double> terms(previous.particles.size());
    double largest = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < terms.size(); ++i) {
        double log_kernel = std::log(previous.weights[i]);
        for (std::size_t j = 0; j < values.size(); ++j) {
            if (scales[j] <= 0) continue;
            const double from = previous.particles[i][j];
            const double z = (values[j] - from) / scales[j];
            log_kernel -= 0.5 * z * z + std::log(normal_mass_between(
                                            priors[j].lower, priors[j].upper, from, scales[j]));
        }
        terms[i] = log_kernel;
        largest = std::max(largest, log_kernel);
    }
    double mixture = 0;
    for (const double t : terms) mixture += std::exp(t - largest);
    return log_prior(priors, values) - (largest + std::log(mixture));
}

// The distance below which a share `q` of the generation's weight lies.
double weighted_quantile(const AbcGeneration& generation, double q) {
    std::vector<std::size_t> order(generation.distances.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return generation.distances[a] < generation.distances[b];
    });
    double cumulative = 0;
    for (const auto i : order) {
        cumulative += generation.weights[i];
        if (cumulative >= q) return generation.distances[i];
    }
    return generation.distances[order.back()];
}

// Weights from their logarithms, summing to 1.
std::vector<double> normalised(const std::vector<double>& log_weights) {
    const double largest = *std::max_element(log_weights.begin(), log_weights.end());
    std::vector<double> weights;
    for (const double l : log_weights) weights.push_back(std::exp(l - largest));
    const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    for (auto& w : weights) w /= sum;
    return weights;
}

void check(const std::vector<Prior>& priors, const AbcOptions& options) {
    if (priors.empty()) throw std::invalid_argument("ABC-SMC needs at least one parameter");
    if (options.particles < 2) throw std::invalid_argument("ABC-SMC needs at least 2 particles");
    if (!(options.quantile > 0 && options.quantile < 1))
        throw std::invalid_argument(
            fmt::format("the tolerance quantile must be in (0, 1), not {}", options.quantile));
    if (options.batch == 0) throw std::invalid_argument("a batch holds at least 1 proposal");
    if (options.max_evaluations < options.particles)
        throw std::invalid_argument(
            fmt::format("max_evaluations ({}) must be at least the particles ({}): the prior's "
                        "generation evaluates that many",
                        options.max_evaluations, options.particles));
}

}  // namespace

std::vector<AbcGeneration> abc_smc(const Distance& distance, const std::vector<Prior>& priors,
                                   const AbcOptions& options, std::vector<AbcRecord>* records,
                                   const AbcProgress& progress) {
    check(priors, options);
    std::vector<AbcGeneration> generations;
    std::uint64_t spent = 0;
    for (std::uint32_t g = 0; g <= options.generations; ++g) {
        const AbcGeneration* previous = g == 0 ? nullptr : &generations.back();
        AbcGeneration current;
        current.tolerance = previous ? weighted_quantile(*previous, options.quantile)
                                     : std::numeric_limits<double>::infinity();
        const auto scales = previous ? kernel_scales(*previous, priors.size())
                                     : std::vector<double>(priors.size(), 0.0);
        std::uint32_t next = 0;
        std::vector<double> log_weights;
        const std::size_t first_record = records ? records->size() : 0;
        while (current.particles.size() < options.particles) {
            if (spent >= options.max_evaluations) {
                // The unfinished generation is dropped: none of its proposals is kept.
                if (records)
                    for (std::size_t r = first_record; r < records->size(); ++r)
                        (*records)[r].accepted = false;
                return generations;
            }
            const auto left = static_cast<std::uint32_t>(
                std::min<std::uint64_t>(options.max_evaluations - spent, options.batch));
            const std::uint32_t batch = g == 0 ? options.particles : left;
            std::vector<Proposal> proposals(batch);
            std::vector<double> distances(batch);
            tbb::parallel_for(std::uint32_t{0}, batch, [&](std::uint32_t b) {
                proposals[b] = propose(priors, options, g, next + b, previous, scales);
                distances[b] = distance(proposals[b].values, proposals[b].seed);
            });
            next += batch;
            spent += batch;
            current.evaluations += batch;
            for (std::uint32_t b = 0; b < batch; ++b) {
                const bool accepted = current.particles.size() < options.particles &&
                                      distances[b] <= current.tolerance;
                if (records)
                    records->push_back(
                        {g, proposals[b].values, proposals[b].seed, distances[b], accepted});
                if (!accepted) continue;
                log_weights.push_back(
                    previous ? log_weight(priors, proposals[b].values, *previous, scales) : 0.0);
                current.particles.push_back(std::move(proposals[b].values));
                current.distances.push_back(distances[b]);
            }
        }
        current.weights = normalised(log_weights);
        generations.push_back(std::move(current));
        if (progress) progress(g, generations.back());
    }
    return generations;
}

std::vector<AbcGeneration> abc_smc(const Objective& objective, const std::vector<Prior>& priors,
                                   const AbcOptions& options, std::vector<Evaluation>* evaluations,
                                   std::vector<AbcRecord>* records, const AbcProgress& progress) {
    if (priors.size() != objective.parameters().size())
        throw std::invalid_argument(fmt::format("{} priors for {} parameters", priors.size(),
                                                objective.parameters().size()));
    // Evaluations arrive from the threads in any order; they are put in the records' order
    // (proposal order) by their seeds, which are distinct 64-bit draws.
    std::map<std::uint64_t, Evaluation> by_seed;
    std::mutex lock;
    const Distance distance = [&](std::span<const double> values, std::uint64_t seed) {
        auto evaluation = objective.evaluate(values, seed);
        const double loss = evaluation.loss;
        if (evaluations) {
            const std::lock_guard guard(lock);
            by_seed.emplace(seed, std::move(evaluation));
        }
        return loss;
    };
    std::vector<AbcRecord> own;
    auto& kept = records ? *records : own;
    const std::size_t first = kept.size();
    auto generations = abc_smc(distance, priors, options, &kept, progress);
    if (evaluations) {
        for (std::size_t i = first; i < kept.size(); ++i) {
            const auto found = by_seed.find(kept[i].seed);
            if (found != by_seed.end()) evaluations->push_back(std::move(found->second));
        }
    }
    return generations;
}

}  // namespace sortie::fit
