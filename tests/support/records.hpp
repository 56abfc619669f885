#pragma once

// Two replicates' records compared one by one (each a CHECK of its own, so that a failure
// names the record).
#include <doctest/doctest.h>

#include "sim/results/result.hpp"

namespace sortie::test {

inline void check_same_records(const results::ReplicateResult& a,
                               const results::ReplicateResult& b) {
    CHECK(a.counts == b.counts);
    CHECK(a.incidence == b.incidence);
    CHECK(a.active == b.active);
    CHECK(a.measures == b.measures);
    CHECK(a.hospital == b.hospital);
    CHECK(a.supplies == b.supplies);
    CHECK(a.r0_realised == b.r0_realised);
}

}  // namespace sortie::test
