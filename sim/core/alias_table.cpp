#include "sim/core/alias_table.hpp"

#include <cmath>
#include <stdexcept>

#include "sim/core/samplers.hpp"

namespace sortie::core {
namespace {

std::vector<double> normalise(std::span<const double> weights) {
    if (weights.empty()) throw std::invalid_argument("alias table: no weights");
    double total = 0.0;
    for (double w : weights) {
        if (!std::isfinite(w) || w < 0.0) {
            throw std::invalid_argument("alias table: weights must be finite and >= 0");
        }
        total += w;
    }
    if (!(total > 0.0)) throw std::invalid_argument("alias table: all weights are 0");
    std::vector<double> normalised(weights.begin(), weights.end());
    for (double& w : normalised) w /= total;
    return normalised;
}

}  // namespace

AliasTable::AliasTable(std::span<const double> weights)
    : probability_(weights.size()), alias_(weights.size()), normalised_(normalise(weights)) {
    const std::size_t n = normalised_.size();
    std::vector<double> scaled(n);
    std::vector<std::uint32_t> small;
    std::vector<std::uint32_t> large;
    for (std::size_t i = 0; i < n; ++i) {
        scaled[i] = normalised_[i] * static_cast<double>(n);
        (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
        const std::uint32_t s = small.back();
        small.pop_back();
        const std::uint32_t l = large.back();
        probability_[s] = scaled[s];
        alias_[s] = l;
        scaled[l] = (scaled[l] + scaled[s]) - 1.0;
        if (scaled[l] < 1.0) {
            large.pop_back();
            small.push_back(l);
        }
    }
    // What remains has probability 1 up to rounding.
    for (std::uint32_t i : large) probability_[i] = 1.0, alias_[i] = i;
    for (std::uint32_t i : small) probability_[i] = 1.0, alias_[i] = i;
}

}  // namespace sortie::core
