#pragma once

// The checksum `sortie bench` verifies (docs/benchmark.md, "Verification").
#include <cstdint>
#include <span>
#include <string_view>

#include "sim/results/result.hpp"

namespace sortie::results {

/// 64-bit FNV-1a (Fowler, Noll and Vo; offset basis 0xcbf29ce484222325, prime 0x100000001b3),
/// fed byte by byte.
class Fnv1a64 {
  public:
    void add(std::span<const unsigned char> bytes);
    void add(std::string_view text);
    /// The 8 bytes of `value`, least significant first (little-endian, whatever the host).
    void add_u64(std::uint64_t value);
    std::uint64_t value() const { return hash_; }

  private:
    std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

/// The checksum of a run's result datasets, independent of timestamps, command line, paths,
/// thread count and host byte order. For each scenario in order, for each record with a time
/// axis in for_each_field's order (counts, incidence, interventions_active, measures, hospital,
/// supplies), then for each record of one value per replicate (r0_realised): the dataset's
/// name, a 0 byte, its number of values as 8 little-endian bytes, then the values of every
/// replicate in replicate order, an int32 as its 4 little-endian two's-complement bytes, a
/// float64 as the 8 little-endian bytes of its IEEE 754 bits; all fed to Fnv1a64.
std::uint64_t result_checksum(const RunResult& run);

}  // namespace sortie::results
