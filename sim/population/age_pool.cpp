#include "sim/population/detail/age_pool.hpp"

#include <cstdlib>

#include "sim/core/samplers.hpp"

namespace sortie::population::detail {

std::uint64_t AgePool::count_in(int lo, int hi) const {
    std::uint64_t total = 0;
    for (int a = lo; a <= hi; ++a) total += count_[static_cast<std::size_t>(a)];
    return total;
}

int AgePool::take_proportional(core::Draws& draws, int lo, int hi) {
    const std::uint64_t total = count_in(lo, hi);
    if (total == 0) return -1;
    std::uint64_t pick = core::uniform_int(draws, total);
    for (int a = lo; a <= hi; ++a) {
        const std::uint64_t here = count_[static_cast<std::size_t>(a)];
        if (pick < here) return take(a);
        pick -= here;
    }
    return take(hi);  // unreachable: pick < total
}

int AgePool::take_weighted(core::Draws& draws, const ByAge& weight, int lo, int hi) {
    double total = 0.0;
    for (int a = lo; a <= hi; ++a) {
        total += static_cast<double>(count_[static_cast<std::size_t>(a)]) *
                 weight[static_cast<std::size_t>(a)];
    }
    if (!(total > 0.0)) return take_proportional(draws, lo, hi);
    double pick = draws.uniform() * total;
    int last_nonempty = -1;
    for (int a = lo; a <= hi; ++a) {
        const auto i = static_cast<std::size_t>(a);
        const double here = static_cast<double>(count_[i]) * weight[i];
        if (here > 0.0) last_nonempty = a;
        if (pick < here) return take(a);
        pick -= here;
    }
    return take(last_nonempty);  // rounding left pick just above the last share
}

int AgePool::take_nearest(int target, int lo, int hi) {
    for (int distance = 0; distance <= kMaxAge; ++distance) {
        for (int a : {target - distance, target + distance}) {
            if (a >= lo && a <= hi && count_[static_cast<std::size_t>(a)] > 0) return take(a);
        }
    }
    return -1;
}

}  // namespace sortie::population::detail
