#pragma once

#include <array>
#include <cstdint>

#include "sim/core/rng.hpp"
#include "sim/population/tables.hpp"

namespace sortie::population::detail {

/// The people of a region not yet placed in a household, counted by single year of age.
/// Households take people out of it, so the region ends with exactly its age quota.
class AgePool {
  public:
    explicit AgePool(const std::array<std::uint64_t, kAges>& counts) : count_(counts) {}

    std::uint64_t count_in(int lo, int hi) const;
    /// An age in [lo, hi] drawn in proportion to who is left; -1 if nobody is left there.
    int take_proportional(core::Draws& draws, int lo, int hi);
    /// An age in [lo, hi] drawn in proportion to count x weight; -1 if nobody is left there.
    int take_weighted(core::Draws& draws, const ByAge& weight, int lo, int hi);
    /// The age closest to `target` in [lo, hi] with someone left (ties: the younger); -1 if none.
    int take_nearest(int target, int lo, int hi);

  private:
    int take(int age) {
        --count_[static_cast<std::size_t>(age)];
        return age;
    }
    std::array<std::uint64_t, kAges> count_;
};

}  // namespace sortie::population::detail
