#include "sim/core/philox_batch.hpp"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace sortie::core {
namespace {

// Random123 philox.h: the round multipliers and the Weyl sequence that bumps the key.
constexpr std::uint32_t kMultiplier0 = 0xD2511F53u;
constexpr std::uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr std::uint32_t kKeyStep0 = 0x9E3779B9u;
constexpr std::uint32_t kKeyStep1 = 0xBB67AE85u;
constexpr int kRounds = 10;

// The pair draw k = high lives in block high / 2 of counter (low, day, stream, .), in words
// 0-1 when k is even and words 2-3 when odd (rng.hpp, draw_u64).

void draws_scalar(RngKey key, PhiloxCounters counters, std::size_t n, std::uint64_t* out) {
    const detail::Philox::key_type philox_key = {{key.low, key.high}};
    for (std::size_t i = 0; i < n; ++i) {
        const detail::Philox::ctr_type counter = {
            {counters.word[0][i], counters.word[1][i], counters.word[2][i], counters.word[3][i]}};
        const auto block = detail::Philox()(counter, philox_key);
        out[2 * i] = detail::join(block[1], block[0]);
        out[2 * i + 1] = detail::join(block[3], block[2]);
    }
}

std::size_t met_scalar(RngKey key, StreamId stream, std::uint32_t day, std::uint32_t agent,
                       const std::uint32_t* members, std::size_t n, std::uint64_t threshold,
                       std::uint32_t* met) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t other = members[i];
        met[count] = other;  // kept only if met: no branch, which would be mispredicted
        count += other != agent && draw_u64(key, stream, day, std::min(other, agent),
                                            std::max(other, agent)) < threshold;
    }
    return count;
}

// A vector kernel computes up to kVectors vectors of kWidth blocks at once: one Philox block is
// a chain of 10 dependent rounds, so several independent vectors in flight keep the multipliers
// busy. kernels[v - 1] handles `count` items in v vectors, (v - 1) * kWidth < count <=
// v * kWidth; the last vector is loaded and stored under a lane mask, so nothing past `count`
// is read or written.

using DrawsKernel = void (*)(RngKey, PhiloxCounters, std::size_t, std::uint64_t*);
using MetKernel = std::size_t (*)(RngKey, StreamId, std::uint32_t, std::uint32_t,
                                  const std::uint32_t*, std::size_t, std::uint64_t, std::uint32_t*);

/// Calls run(kernel, first, count) on consecutive batches covering [0, n).
template <std::size_t kWidth, typename Kernel, std::size_t kMaxVectors, typename Run>
void in_batches(const std::array<Kernel, kMaxVectors>& kernels, std::size_t n, Run run) {
    constexpr std::size_t kLargest = kWidth * kMaxVectors;
    std::size_t first = 0;
    for (; first + kLargest <= n; first += kLargest) run(kernels.back(), first, kLargest);
    const std::size_t rest = n - first;
    if (rest > 0) run(kernels[(rest + kWidth - 1) / kWidth - 1], first, rest);
}

template <std::size_t kWidth, std::size_t kMaxVectors>
void draws_in_batches(const std::array<DrawsKernel, kMaxVectors>& kernels, RngKey key,
                      PhiloxCounters counters, std::size_t n, std::uint64_t* out) {
    in_batches<kWidth>(kernels, n, [&](DrawsKernel kernel, std::size_t first, std::size_t count) {
        auto from = counters;
        for (auto& word : from.word) word += first;
        kernel(key, from, count, out + 2 * first);
    });
}

template <std::size_t kWidth, std::size_t kMaxVectors>
std::size_t met_in_batches(const std::array<MetKernel, kMaxVectors>& kernels, RngKey key,
                           StreamId stream, std::uint32_t day, std::uint32_t agent,
                           const std::uint32_t* members, std::size_t n, std::uint64_t threshold,
                           std::uint32_t* met) {
    std::size_t count = 0;
    in_batches<kWidth>(kernels, n, [&](MetKernel kernel, std::size_t first, std::size_t batch) {
        count += kernel(key, stream, day, agent, members + first, batch, threshold, met + count);
    });
    return count;
}

#if defined(__x86_64__)

// No -march flag: only these functions are compiled for AVX2 / AVX-512F, and they run only
// where the CPU reports the instruction set (philox_isa_supported).
#define SORTIE_TARGET_AVX2 __attribute__((target("avx2")))
#define SORTIE_TARGET_AVX512 __attribute__((target("avx512f")))

namespace avx2 {

constexpr std::size_t kWidth = 8;
// Four vectors spill some of the 16 registers yet match three (BM_blocks_batched: 2.6 vs
// 2.6 ns per block; two: 2.9).
constexpr std::size_t kMaxVectors = 4;

struct Words {
    __m256i w0, w1, w2, w3;
};

SORTIE_TARGET_AVX2 inline __m256i splat(std::uint32_t x) {
    return _mm256_set1_epi32(static_cast<int>(x));
}

/// Lanes i < count are all ones; count may exceed the width.
SORTIE_TARGET_AVX2 inline __m256i lanes_below(std::size_t count) {
    const auto limit = static_cast<int>(std::min(count, kWidth));
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(limit), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

SORTIE_TARGET_AVX2 inline __m256i load(const std::uint32_t* p, std::size_t count) {
    if (count >= kWidth) return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return _mm256_maskload_epi32(reinterpret_cast<const int*>(p), lanes_below(count));
}

SORTIE_TARGET_AVX2 inline __m256i xor3(__m256i a, __m256i b, __m256i c) {
    return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
}

// The 64-bit products a * m of each 32-bit lane, split into low and high words.
// _mm256_mul_epu32 multiplies only the even lanes, so the odd lanes are shifted into them.
SORTIE_TARGET_AVX2 inline void multiply(__m256i a, __m256i m, __m256i& low, __m256i& high) {
    const __m256i even = _mm256_mul_epu32(a, m);
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    const __m256i low_half = _mm256_set1_epi64x(0xFFFFFFFFll);
    low = _mm256_or_si256(_mm256_and_si256(even, low_half), _mm256_slli_epi64(odd, 32));
    high = _mm256_or_si256(_mm256_srli_epi64(even, 32), _mm256_andnot_si256(low_half, odd));
}

SORTIE_TARGET_AVX2 inline Words round(const Words& x, __m256i key0, __m256i key1) {
    __m256i low0, high0, low1, high1;
    multiply(x.w0, splat(kMultiplier0), low0, high0);
    multiply(x.w2, splat(kMultiplier1), low1, high1);
    return {xor3(high1, x.w1, key0), low1, xor3(high0, x.w3, key1), low0};
}

// Stores the draws of the blocks x, `count` of them (may exceed the width): block i's two
// draws at out[2i] and out[2i + 1] (philox_draws). A 4 x 8 transpose of the words.
SORTIE_TARGET_AVX2 inline void store_draws(const Words& x, std::uint64_t* out, std::size_t count) {
    // 64-bit lanes: first draws (words 0-1) of blocks 0, 1 | 4, 5, then of 2, 3 | 6, 7; and
    // the second draws (words 2-3) likewise.
    const __m256i first_01 = _mm256_unpacklo_epi32(x.w0, x.w1);
    const __m256i first_23 = _mm256_unpackhi_epi32(x.w0, x.w1);
    const __m256i second_01 = _mm256_unpacklo_epi32(x.w2, x.w3);
    const __m256i second_23 = _mm256_unpackhi_epi32(x.w2, x.w3);
    // Blocks 0 | 4, 1 | 5, 2 | 6, 3 | 7, each as its two draws.
    const __m256i b04 = _mm256_unpacklo_epi64(first_01, second_01);
    const __m256i b15 = _mm256_unpackhi_epi64(first_01, second_01);
    const __m256i b26 = _mm256_unpacklo_epi64(first_23, second_23);
    const __m256i b37 = _mm256_unpackhi_epi64(first_23, second_23);
    const __m256i in_order[4] = {
        _mm256_permute2x128_si256(b04, b15, 0x20), _mm256_permute2x128_si256(b26, b37, 0x20),
        _mm256_permute2x128_si256(b04, b15, 0x31), _mm256_permute2x128_si256(b26, b37, 0x31)};
    const std::size_t draws = 2 * std::min(count, kWidth);
    for (std::size_t v = 0; v < 4 && 4 * v < draws; ++v) {
        auto* p = reinterpret_cast<long long*>(out + 4 * v);
        if (draws >= 4 * v + 4) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), in_order[v]);
        } else {
            const auto limit = static_cast<long long>(draws - 4 * v);
            _mm256_maskstore_epi64(
                p, _mm256_cmpgt_epi64(_mm256_set1_epi64x(limit), _mm256_setr_epi64x(0, 1, 2, 3)),
                in_order[v]);
        }
    }
}

SORTIE_TARGET_AVX2 inline __m256i less_unsigned(__m256i a, __m256i b) {
    const __m256i sign = splat(0x80000000u);  // a < b unsigned: signed, sign bits flipped
    return _mm256_cmpgt_epi32(_mm256_xor_si256(b, sign), _mm256_xor_si256(a, sign));
}

// Appends to `met` the members whose draw k is below `threshold` and which are not `agent`, in
// order; returns how many. The draw k is words 0-1 of block x where k is even, 2-3 where odd
// (high word second). Every lane is written and the end moves past the met ones: no branch
// per member (met has room for `count`).
SORTIE_TARGET_AVX2 inline std::size_t store_met(const Words& x, __m256i k, __m256i members,
                                                const std::uint32_t* member_list, std::size_t count,
                                                std::uint32_t agent, std::uint64_t threshold,
                                                std::uint32_t* met) {
    const __m256i odd = _mm256_cmpeq_epi32(_mm256_and_si256(k, splat(1)), splat(1));
    const __m256i low_words = _mm256_blendv_epi8(x.w0, x.w2, odd);
    const __m256i high_words = _mm256_blendv_epi8(x.w1, x.w3, odd);
    const __m256i threshold_high = splat(static_cast<std::uint32_t>(threshold >> 32));
    const __m256i below = _mm256_or_si256(
        less_unsigned(high_words, threshold_high),
        _mm256_and_si256(_mm256_cmpeq_epi32(high_words, threshold_high),
                         less_unsigned(low_words, splat(static_cast<std::uint32_t>(threshold)))));
    const __m256i chosen = _mm256_andnot_si256(_mm256_cmpeq_epi32(members, splat(agent)), below);
    const auto lanes = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(chosen)));
    std::size_t written = 0;
    for (std::size_t i = 0; i < std::min(count, kWidth); ++i) {
        met[written] = member_list[i];
        written += (lanes >> i) & 1u;
    }
    return written;
}

SORTIE_TARGET_AVX2 inline __m256i min_unsigned(__m256i a, __m256i b) {
    return _mm256_min_epu32(a, b);
}
SORTIE_TARGET_AVX2 inline __m256i max_unsigned(__m256i a, __m256i b) {
    return _mm256_max_epu32(a, b);
}
SORTIE_TARGET_AVX2 inline __m256i add(__m256i a, __m256i b) {
    return _mm256_add_epi32(a, b);
}
SORTIE_TARGET_AVX2 inline __m256i shift_right_1(__m256i a) {
    return _mm256_srli_epi32(a, 1);
}

#define SORTIE_TARGET SORTIE_TARGET_AVX2
#include "sim/core/philox_batch_kernels.inc"
#undef SORTIE_TARGET

}  // namespace avx2

// GCC 12's AVX-512 headers start many intrinsics from a self-initialised "undefined" vector,
// which GCC 12 reports as uninitialised: a false positive (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace avx512 {

constexpr std::size_t kWidth = 16;
// 32 registers hold four vectors without spills (BM_blocks_batched: 1.8 ns per block; three:
// 1.9, two: 2.1).
constexpr std::size_t kMaxVectors = 4;
constexpr __mmask16 kOddLanes = 0xAAAA;

struct Words {
    __m512i w0, w1, w2, w3;
};

SORTIE_TARGET_AVX512 inline __m512i splat(std::uint32_t x) {
    return _mm512_set1_epi32(static_cast<int>(x));
}

/// Lanes i < count; count may exceed the width.
SORTIE_TARGET_AVX512 inline __mmask16 lanes_below(std::size_t count) {
    return static_cast<__mmask16>((1u << std::min(count, kWidth)) - 1u);
}

SORTIE_TARGET_AVX512 inline __m512i load(const std::uint32_t* p, std::size_t count) {
    return _mm512_maskz_loadu_epi32(lanes_below(count), p);
}

SORTIE_TARGET_AVX512 inline void store(std::uint32_t* p, __m512i v, std::size_t count) {
    _mm512_mask_storeu_epi32(p, lanes_below(count), v);
}

SORTIE_TARGET_AVX512 inline __m512i xor3(__m512i a, __m512i b, __m512i c) {
    return _mm512_xor_si512(_mm512_xor_si512(a, b), c);
}

// As avx2::multiply, with blends under a lane mask.
SORTIE_TARGET_AVX512 inline void multiply(__m512i a, __m512i m, __m512i& low, __m512i& high) {
    const __m512i even = _mm512_mul_epu32(a, m);
    const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
    low = _mm512_mask_blend_epi32(kOddLanes, even, _mm512_slli_epi64(odd, 32));
    high = _mm512_mask_blend_epi32(kOddLanes, _mm512_srli_epi64(even, 32), odd);
}

SORTIE_TARGET_AVX512 inline Words round(const Words& x, __m512i key0, __m512i key1) {
    __m512i low0, high0, low1, high1;
    multiply(x.w0, splat(kMultiplier0), low0, high0);
    multiply(x.w2, splat(kMultiplier1), low1, high1);
    return {xor3(high1, x.w1, key0), low1, xor3(high0, x.w3, key1), low0};
}

// As avx2::store_draws: a 4 x 16 transpose by two-source permutes.
SORTIE_TARGET_AVX512 inline void store_draws(const Words& x, std::uint64_t* out,
                                             std::size_t count) {
    // 64-bit lanes: the first draws (words 0-1) of blocks 0-7 and 8-15, the second (words 2-3)
    // likewise.
    const __m512i low_blocks =
        _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i high_blocks =
        _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const __m512i first_low = _mm512_permutex2var_epi32(x.w0, low_blocks, x.w1);
    const __m512i first_high = _mm512_permutex2var_epi32(x.w0, high_blocks, x.w1);
    const __m512i second_low = _mm512_permutex2var_epi32(x.w2, low_blocks, x.w3);
    const __m512i second_high = _mm512_permutex2var_epi32(x.w2, high_blocks, x.w3);
    // Interleaved: blocks 0-3, 4-7 (from the low halves), 8-11, 12-15.
    const __m512i blocks_0 = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
    const __m512i blocks_4 = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
    const __m512i in_order[4] = {_mm512_permutex2var_epi64(first_low, blocks_0, second_low),
                                 _mm512_permutex2var_epi64(first_low, blocks_4, second_low),
                                 _mm512_permutex2var_epi64(first_high, blocks_0, second_high),
                                 _mm512_permutex2var_epi64(first_high, blocks_4, second_high)};
    const std::size_t draws = 2 * std::min(count, kWidth);
    for (std::size_t v = 0; v < 4 && 8 * v < draws; ++v) {
        const auto lanes =
            static_cast<__mmask8>((1u << std::min<std::size_t>(draws - 8 * v, 8)) - 1u);
        _mm512_mask_storeu_epi64(out + 8 * v, lanes, in_order[v]);
    }
}

// As avx2::store_met. The met members are packed in a register then stored: a compressing
// store to memory is slow on some processors (AMD Zen 4).
SORTIE_TARGET_AVX512 inline std::size_t store_met(const Words& x, __m512i k, __m512i members,
                                                  const std::uint32_t* /*member_list*/,
                                                  std::size_t count, std::uint32_t agent,
                                                  std::uint64_t threshold, std::uint32_t* met) {
    const __mmask16 odd = _mm512_test_epi32_mask(k, splat(1));
    const __m512i low_words = _mm512_mask_blend_epi32(odd, x.w0, x.w2);
    const __m512i high_words = _mm512_mask_blend_epi32(odd, x.w1, x.w3);
    const __m512i threshold_high = splat(static_cast<std::uint32_t>(threshold >> 32));
    const __mmask16 below =
        _mm512_cmplt_epu32_mask(high_words, threshold_high) |
        (_mm512_cmpeq_epi32_mask(high_words, threshold_high) &
         _mm512_cmplt_epu32_mask(low_words, splat(static_cast<std::uint32_t>(threshold))));
    const __mmask16 chosen =
        below & _mm512_cmpneq_epi32_mask(members, splat(agent)) & lanes_below(count);
    const auto written = static_cast<std::size_t>(__builtin_popcount(chosen));
    store(met, _mm512_maskz_compress_epi32(chosen, members), written);
    return written;
}

SORTIE_TARGET_AVX512 inline __m512i min_unsigned(__m512i a, __m512i b) {
    return _mm512_min_epu32(a, b);
}
SORTIE_TARGET_AVX512 inline __m512i max_unsigned(__m512i a, __m512i b) {
    return _mm512_max_epu32(a, b);
}
SORTIE_TARGET_AVX512 inline __m512i add(__m512i a, __m512i b) {
    return _mm512_add_epi32(a, b);
}
SORTIE_TARGET_AVX512 inline __m512i shift_right_1(__m512i a) {
    return _mm512_srli_epi32(a, 1);
}

#define SORTIE_TARGET SORTIE_TARGET_AVX512
#include "sim/core/philox_batch_kernels.inc"
#undef SORTIE_TARGET

}  // namespace avx512

#pragma GCC diagnostic pop

#endif  // __x86_64__

bool cpu_supports(Isa isa) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    switch (isa) {
        case Isa::kScalar:
            return true;
        case Isa::kAvx2:
            return __builtin_cpu_supports("avx2");
        case Isa::kAvx512:
            return __builtin_cpu_supports("avx512f");
    }
    return false;
#else
    return isa == Isa::kScalar;
#endif
}

std::atomic<Isa>& selected_isa() {
    static std::atomic<Isa> isa{best_philox_isa()};
    return isa;
}

}  // namespace

std::string_view isa_name(Isa isa) {
    switch (isa) {
        case Isa::kScalar:
            return "scalar";
        case Isa::kAvx2:
            return "avx2";
        case Isa::kAvx512:
            return "avx512";
    }
    return "unknown";
}

bool philox_isa_supported(Isa isa) {
    static const bool avx2 = cpu_supports(Isa::kAvx2);
    static const bool avx512 = cpu_supports(Isa::kAvx512);
    switch (isa) {
        case Isa::kScalar:
            return true;
        case Isa::kAvx2:
            return avx2;
        case Isa::kAvx512:
            return avx512;
    }
    return false;
}

Isa best_philox_isa() {
    if (philox_isa_supported(Isa::kAvx512)) return Isa::kAvx512;
    if (philox_isa_supported(Isa::kAvx2)) return Isa::kAvx2;
    return Isa::kScalar;
}

Isa philox_isa() {
    return selected_isa().load(std::memory_order_relaxed);
}

void set_philox_isa(Isa isa) {
    if (!philox_isa_supported(isa)) {
        throw std::invalid_argument("set_philox_isa: " + std::string(isa_name(isa)) +
                                    " is not supported by this build or CPU");
    }
    selected_isa().store(isa, std::memory_order_relaxed);
}

void philox_draws(RngKey key, PhiloxCounters counters, std::size_t n, std::uint64_t* out) {
    switch (philox_isa()) {
#if defined(__x86_64__)
        case Isa::kAvx512:
            return draws_in_batches<avx512::kWidth>(avx512::kDrawsKernels, key, counters, n, out);
        case Isa::kAvx2:
            return draws_in_batches<avx2::kWidth>(avx2::kDrawsKernels, key, counters, n, out);
#endif
        default:
            return draws_scalar(key, counters, n, out);
    }
}

std::size_t met_members(RngKey key, StreamId stream, std::uint32_t day, std::uint32_t agent,
                        const std::uint32_t* members, std::size_t n, std::uint64_t threshold,
                        std::uint32_t* met) {
    switch (philox_isa()) {
#if defined(__x86_64__)
        case Isa::kAvx512:
            return met_in_batches<avx512::kWidth>(avx512::kMetKernels, key, stream, day, agent,
                                                  members, n, threshold, met);
        case Isa::kAvx2:
            return met_in_batches<avx2::kWidth>(avx2::kMetKernels, key, stream, day, agent, members,
                                                n, threshold, met);
#endif
        default:
            return met_scalar(key, stream, day, agent, members, n, threshold, met);
    }
}

void PrecomputedCursors::compute(RngKey key) {
    constexpr std::size_t kStride = kPrecomputedStride;
    const std::uint32_t* c = counters_.data();
    philox_draws(key, {{c, c + kStride, c + 2 * kStride, c + 3 * kStride}}, size_, draws_.data());
}

}  // namespace sortie::core
