#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/core/samplers.hpp"

namespace sortie::core {

/// Samples index i with probability weights[i] / sum(weights) in O(1) (Walker's alias method,
/// built with Vose's stable construction). Construction is deterministic.
class AliasTable {
  public:
    AliasTable() = default;

    /// Throws std::invalid_argument unless the weights are finite, non-negative, and not all 0.
    explicit AliasTable(std::span<const double> weights);

    /// An index in [0, size()). Inline: the contact kernel samples a table per contact. The
    /// column or its alias is chosen without a branch: the coin is as good as random to the
    /// processor, which mispredicted a branch on it.
    std::uint32_t sample(Draws& draws) const {
        const auto column = static_cast<std::uint32_t>(uniform_int(draws, probability_.size()));
        const std::uint32_t alias = alias_[column];
        const std::uint32_t keep = draws.uniform() < probability_[column];  // 1 or 0
        return alias ^ ((column ^ alias) & (0u - keep));
    }

    std::size_t size() const { return probability_.size(); }

    /// The normalised probability of index i (for tests and reports).
    double probability_of(std::size_t i) const { return normalised_[i]; }

  private:
    std::vector<double> probability_;   ///< chance of keeping the drawn column
    std::vector<std::uint32_t> alias_;  ///< the other index in that column
    std::vector<double> normalised_;
};

}  // namespace sortie::core
