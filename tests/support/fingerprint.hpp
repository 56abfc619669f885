#pragma once

// FNV-1a over a replicate's counts and incidence (int32 as uint32, in order): the fingerprint
// that pins the results of existing scenarios.
#include <cstdint>

#include "sim/results/result.hpp"

namespace sortie::testing {

/// Events added after the fingerprints were pinned are left out of the hash: infections_hospital
/// must be zero (a run with hospital infections gets 0, which is never a pinned value);
/// hospital_deaths, a breakdown of `deaths`, is not looked at.
inline std::uint64_t fingerprint(const results::ReplicateResult& r) {
    std::uint64_t hash = 0xcbf29ce484222325u;
    const auto mix = [&hash](std::int32_t v) {
        hash ^= static_cast<std::uint32_t>(v);
        hash *= 0x100000001b3u;
    };
    for (const auto v : r.counts) mix(v);
    constexpr std::size_t kPinnedEvents = std::size_t(results::Event::kInfectionsHospital);
    for (std::size_t i = 0; i < r.incidence.size(); ++i) {
        const std::size_t event = i % results::kEvents;
        if (event < kPinnedEvents)
            mix(r.incidence[i]);
        else if (event == kPinnedEvents && r.incidence[i] != 0)
            return 0;
    }
    return hash;
}

}  // namespace sortie::testing
