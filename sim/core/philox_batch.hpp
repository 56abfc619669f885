#pragma once

// Many Philox4x32-10 blocks at once, bit for bit equal to Random123's r123::Philox4x32_R<10>
// (and so to draw_u64). The contact kernel decides each pair of classmates with one block;
// computing 8 (AVX2) or 16 (AVX-512F) blocks per instruction stream removes most of that cost
// without changing a single draw (met_members).
//
// The instruction set is chosen once at run time from the CPU (no -march flag: a build must run
// on any x86-64, and results must not depend on the machine). set_philox_isa() forces another
// one, e.g. the scalar path, to compare.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/core/rng.hpp"

namespace sortie::core {

/// The implementations of the batched Philox, narrowest first. All give identical results.
enum class Isa : std::uint8_t {
    kScalar,  ///< Random123, one block at a time; every build and CPU.
    kAvx2,    ///< 8 blocks at a time; x86-64 CPUs with AVX2.
    kAvx512,  ///< 16 blocks at a time; x86-64 CPUs with AVX-512F.
};

/// "scalar", "avx2" or "avx512".
std::string_view isa_name(Isa isa);

/// Whether this build and this CPU can run `isa`.
bool philox_isa_supported(Isa isa);

/// The widest instruction set this build and CPU support: the default.
Isa best_philox_isa();

/// The instruction set the batched functions use now.
Isa philox_isa();

/// Makes the batched functions use `isa` (process-wide; results do not change, only speed).
/// For tests and comparisons; not meant to be called while other threads draw.
/// Throws std::invalid_argument if `isa` is not supported here.
void set_philox_isa(Isa isa);

/// Counters as structure-of-arrays: word[j][i] is word j of counter i.
struct PhiloxCounters {
    std::array<const std::uint32_t*, 4> word;
};

/// Philox4x32-10 of `n` counters under `key`, as draws: with block i equal to
/// r123::Philox4x32_R<10>()({c0[i], c1[i], c2[i], c3[i]}, {key.low, key.high}),
/// out[2i] = (word 1 << 32) | word 0 and out[2i + 1] = (word 3 << 32) | word 2, the two draws
/// of draw_u64 the block gives. `out` (room for 2n) must not overlap the counters.
void philox_draws(RngKey key, PhiloxCounters counters, std::size_t n, std::uint64_t* out);

/// The members among members[0, n) that `agent` meets on `day`: each `other` but the agent
/// itself whose pair draw draw_u64(key, stream, day, min(other, agent), max(other, agent)) is
/// below `threshold`. Writes them in their order to `met` (room for n) and returns how many.
/// The contact kernel's class and team contacts: the draws and the choice in vector
/// instructions, without a branch per member (whether one is met is a coin toss to the
/// processor, which mispredicted a branch on it).
std::size_t met_members(RngKey key, StreamId stream, std::uint32_t day, std::uint32_t agent,
                        const std::uint32_t* members, std::size_t n, std::uint64_t threshold,
                        std::uint32_t* met);

/// The first blocks of many cursors, computed together by philox_draws: request() each
/// cursor's blocks, compute() once, then give blocks() to each cursor's Draws. The contact
/// kernel asks, for a batch of infectious people, the blocks of their community, venue and
/// infection draws at once (scalar, one at a time, they were half of its work). Up to
/// kPrecomputedStride blocks; a request beyond gets none (its Draws computes its own).
class PrecomputedCursors {
  public:
    struct Request {
        std::uint32_t where = 0, count = 0;
    };
    void clear() { size_ = 0; }
    /// Asks for blocks [0, count) of (stream, day, agent).
    Request request(StreamId stream, std::uint32_t day, std::uint32_t agent, std::uint32_t count) {
        if (size_ + count > kPrecomputedStride) return {size_, 0};
        const Request r{size_, count};
        for (std::uint32_t block = 0; block < count; ++block, ++size_) {
            // The counter layout of detail::philox_block.
            counters_[size_] = agent;
            counters_[kPrecomputedStride + size_] = day;
            counters_[2 * kPrecomputedStride + size_] = stream.value;
            counters_[3 * kPrecomputedStride + size_] = block;
        }
        return r;
    }
    /// Computes every block requested since clear().
    void compute(RngKey key);
    /// The draws of a request (after compute()).
    PrecomputedDraws draws(Request r) const { return {draws_.data() + 2 * r.where, 2 * r.count}; }

  private:
    std::array<std::uint32_t, 4 * kPrecomputedStride> counters_;
    /// Block i's two draws in a row: a cursor's draws are consecutive, one load each.
    std::array<std::uint64_t, 2 * kPrecomputedStride> draws_;
    std::uint32_t size_ = 0;
};

}  // namespace sortie::core
