#pragma once

#include <cmath>

namespace sortie::engine {

/// Whether a contact of this exposure infects, given the uniform draw u in [0, 1):
/// u < -expm1(-exposure), the probability 1 - exp(-exposure), bit for bit. Since
/// x - x^2/2 <= 1 - exp(-x) <= x, the answer is known without expm1 (a third of a run's time
/// when it was called for every contact) unless u falls in that band, of probability about
/// x^2/2. The margins, 2^-40 relative, exceed by far the rounding of the bounds and of expm1
/// (under 1 ulp in glibc), so the decision never differs (benchmarks/RESULTS.md).
inline bool infects(double u, double exposure) {
    constexpr double kMargin = 0x1p-40;
    if (u >= exposure * (1.0 + kMargin)) return false;
    if (exposure <= 1.0 && u < (exposure - 0.5 * exposure * exposure) * (1.0 - kMargin))
        return true;
    return u < -std::expm1(-exposure);
}

/// Whether a contact infects when what stands between the two people keeps only `kept` of its
/// transmission (contact factors, masks, vaccine protection, isolation): with probability
/// kept x (1 - exp(-exposure)), which is what keeping the contact with probability `kept`
/// would give. On the contact's one draw u, so that under common random numbers the
/// infections under a factor are a subset of those without (docs/model.md, Natural history).
/// kept = 1 decides exactly as infects(u, exposure). Above 1 (a contact factor raising
/// contacts) the contact counts as `kept` independent ones: 1 - exp(-kept x exposure).
inline bool infects(double u, double exposure, double kept) {
    if (kept == 1.0) return infects(u, exposure);
    if (kept > 1.0) return infects(u, exposure * kept);
    if (!(kept > 0.0)) return false;
    return infects(u / kept, exposure);
}

}  // namespace sortie::engine
