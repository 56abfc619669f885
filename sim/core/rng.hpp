#pragma once

#include <Random123/philox.h>

#include <cstddef>
#include <cstdint>

namespace sortie::core {

/// Names one random decision (infection, natural history, contacts...). Each decision draws
/// from its own stream, so switching a policy on does not reshuffle unrelated draws
/// (common random numbers, docs/model.md). The registry is in rng_streams.hpp.
struct StreamId {
    std::uint32_t value;
};

/// The key of a family of streams: one per (scenario seed, replicate).
struct RngKey {
    std::uint32_t low = 0;
    std::uint32_t high = 0;

    /// The key of a user seed (all 64 bits are used).
    static constexpr RngKey from_seed(std::uint64_t seed) {
        return {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
    }

    /// The key of replicate `replicate` of a scenario seeded with `seed`: derived through the
    /// generator itself rather than `seed + replicate`, so that replicate 1 of seed s and
    /// replicate 0 of seed s+1 are unrelated.
    static RngKey for_replicate(std::uint64_t seed, std::uint32_t replicate);

    friend constexpr bool operator==(RngKey, RngKey) = default;
};

namespace detail {

using Philox = r123::Philox4x32_R<10>;

inline Philox::ctr_type philox_block(RngKey key, StreamId stream, std::uint32_t day,
                                     std::uint32_t agent, std::uint32_t block) {
    const Philox::ctr_type counter = {{agent, day, stream.value, block}};
    const Philox::key_type philox_key = {{key.low, key.high}};
    return Philox()(counter, philox_key);
}

inline std::uint64_t join(std::uint32_t high, std::uint32_t low) {
    return (std::uint64_t{high} << 32) | low;
}

}  // namespace detail

/// The k-th 64-bit random number of (stream, day, agent) under `key`: a pure function, the
/// same in any call order and on any thread. Philox4x32-10 gives 128 bits per counter, so
/// draws 2j and 2j+1 share one block.
inline std::uint64_t draw_u64(RngKey key, StreamId stream, std::uint32_t day, std::uint32_t agent,
                              std::uint32_t k) {
    const auto block = detail::philox_block(key, stream, day, agent, k / 2);
    return (k % 2 == 0) ? detail::join(block[1], block[0]) : detail::join(block[3], block[2]);
}

/// A uniform double in [0, 1) with 53 random bits.
inline double to_unit_interval(std::uint64_t bits) {
    return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

/// Draws 0..count-1 of a cursor computed in advance (PrecomputedCursors in philox_batch.hpp,
/// with vector instructions); Draws reads them instead of computing them. Two per Philox
/// block: draws[k] == draw_u64(key, stream, day, agent, k), and count is even.
inline constexpr std::size_t kPrecomputedStride = 1024;  ///< blocks of a PrecomputedCursors
struct PrecomputedDraws {
    const std::uint64_t* draws = nullptr;
    std::uint32_t count = 0;
};

/// A cursor over the draws of one (stream, day, agent): the sequence k = first, first+1, ...
/// It is cheap to create and lives for one decision; it never crosses agents, so no result
/// depends on which thread handles which agent. The samplers in samplers.hpp consume it.
class Draws {
  public:
    Draws(RngKey key, StreamId stream, std::uint32_t day, std::uint32_t agent)
        : key_(key), stream_(stream), day_(day), agent_(agent) {}
    /// The same cursor, whose first draws were computed in advance: they must be this
    /// cursor's own (key, stream, day, agent, draw 0...), or the draws would differ.
    Draws(RngKey key, StreamId stream, std::uint32_t day, std::uint32_t agent,
          PrecomputedDraws precomputed)
        : key_(key), stream_(stream), day_(day), agent_(agent), precomputed_(precomputed) {}

    /// The next 64 random bits; draw_u64(key, stream, day, agent, k) for k = 0, 1, ...
    std::uint64_t next_u64() {
        if (next_ < precomputed_.count) return precomputed_.draws[next_++];
        return computed();
    }

    /// A uniform double in [0, 1).
    double uniform() { return to_unit_interval(next_u64()); }

    /// A uniform double in (0, 1]: safe to take the logarithm of.
    double uniform_positive() { return 1.0 - uniform(); }

    /// How many 64-bit draws were used so far.
    std::uint32_t used() const { return next_; }

  private:
    /// Draw k = next_ beyond those precomputed: an even k computes block k / 2, whose second
    /// half is draw k + 1 (precomputed counts are even, so that block is this cursor's).
    std::uint64_t computed() {
        const std::uint32_t k = next_++;
        if (k % 2 == 0) {
            block_ = detail::philox_block(key_, stream_, day_, agent_, k / 2);
            return detail::join(block_[1], block_[0]);
        }
        return detail::join(block_[3], block_[2]);
    }

    RngKey key_;
    StreamId stream_;
    std::uint32_t day_;
    std::uint32_t agent_;
    std::uint32_t next_ = 0;
    PrecomputedDraws precomputed_;
    detail::Philox::ctr_type block_{};
};

}  // namespace sortie::core
