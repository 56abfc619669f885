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

void blocks_scalar(RngKey key, PhiloxCounters counters, std::size_t n, PhiloxBlocks out) {
    const detail::Philox::key_type philox_key = {{key.low, key.high}};
    for (std::size_t i = 0; i < n; ++i) {
        const detail::Philox::ctr_type counter = {
            {counters.word[0][i], counters.word[1][i], counters.word[2][i], counters.word[3][i]}};
        const auto block = detail::Philox()(counter, philox_key);
        for (std::size_t j = 0; j < 4; ++j) out.word[j][i] = block[j];
    }
}

void pairs_scalar(RngKey key, StreamId stream, std::uint32_t day, const std::uint32_t* low,
                  const std::uint32_t* high, std::size_t n, std::uint64_t* out) {
    for (std::size_t i = 0; i < n; ++i) out[i] = draw_u64(key, stream, day, low[i], high[i]);
}

// The vector paths compute whole batches of kWidth; a short last batch is padded with zero
// counters in local arrays, and only its real results are copied out.

using BlocksBatch = void (*)(RngKey, PhiloxCounters, PhiloxBlocks);
using PairsBatch = void (*)(RngKey, StreamId, std::uint32_t, const std::uint32_t*,
                            const std::uint32_t*, std::uint64_t*);

template <std::size_t kWidth>
void blocks_in_batches(BlocksBatch batch, RngKey key, PhiloxCounters counters, std::size_t n,
                       PhiloxBlocks out) {
    const auto shifted = [](auto words, std::size_t by) {
        for (auto& word : words) word += by;
        return words;
    };
    std::size_t first = 0;
    for (; first + kWidth <= n; first += kWidth) {
        batch(key, {shifted(counters.word, first)}, {shifted(out.word, first)});
    }
    if (first == n) return;
    const std::size_t rest = n - first;
    std::array<std::array<std::uint32_t, kWidth>, 4> counter_pad{}, block_pad{};
    PhiloxCounters padded_counters{};
    PhiloxBlocks padded_blocks{};
    for (std::size_t j = 0; j < 4; ++j) {
        std::copy_n(counters.word[j] + first, rest, counter_pad[j].begin());
        padded_counters.word[j] = counter_pad[j].data();
        padded_blocks.word[j] = block_pad[j].data();
    }
    batch(key, padded_counters, padded_blocks);
    for (std::size_t j = 0; j < 4; ++j)
        std::copy_n(block_pad[j].begin(), rest, out.word[j] + first);
}

template <std::size_t kWidth>
void pairs_in_batches(PairsBatch batch, RngKey key, StreamId stream, std::uint32_t day,
                      const std::uint32_t* low, const std::uint32_t* high, std::size_t n,
                      std::uint64_t* out) {
    std::size_t first = 0;
    for (; first + kWidth <= n; first += kWidth) {
        batch(key, stream, day, low + first, high + first, out + first);
    }
    if (first == n) return;
    const std::size_t rest = n - first;
    std::array<std::uint32_t, kWidth> low_pad{}, high_pad{};
    std::array<std::uint64_t, kWidth> out_pad{};
    std::copy_n(low + first, rest, low_pad.begin());
    std::copy_n(high + first, rest, high_pad.begin());
    batch(key, stream, day, low_pad.data(), high_pad.data(), out_pad.data());
    std::copy_n(out_pad.begin(), rest, out + first);
}

#if defined(__x86_64__)

// No -march flag: only these functions are compiled for AVX2 / AVX-512F, and they run only
// where the CPU reports the instruction set (philox_isa_supported).
#define SORTIE_TARGET_AVX2 __attribute__((target("avx2")))
#define SORTIE_TARGET_AVX512 __attribute__((target("avx512f")))

namespace avx2 {

constexpr std::size_t kWidth = 8;

struct Words {
    __m256i w0, w1, w2, w3;
};

SORTIE_TARGET_AVX2 inline __m256i splat(std::uint32_t x) {
    return _mm256_set1_epi32(static_cast<int>(x));
}

SORTIE_TARGET_AVX2 inline __m256i load(const std::uint32_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

SORTIE_TARGET_AVX2 inline void store(void* p, __m256i v) {
    _mm256_storeu_si256(static_cast<__m256i*>(p), v);
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

SORTIE_TARGET_AVX2 inline Words philox(Words x, RngKey key) {
    __m256i key0 = splat(key.low), key1 = splat(key.high);
    x = round(x, key0, key1);
    for (int r = 1; r < kRounds; ++r) {
        key0 = _mm256_add_epi32(key0, splat(kKeyStep0));
        key1 = _mm256_add_epi32(key1, splat(kKeyStep1));
        x = round(x, key0, key1);
    }
    return x;
}

SORTIE_TARGET_AVX2 void blocks(RngKey key, PhiloxCounters counters, PhiloxBlocks out) {
    const Words x = philox({load(counters.word[0]), load(counters.word[1]), load(counters.word[2]),
                            load(counters.word[3])},
                           key);
    store(out.word[0], x.w0);
    store(out.word[1], x.w1);
    store(out.word[2], x.w2);
    store(out.word[3], x.w3);
}

SORTIE_TARGET_AVX2 void pairs(RngKey key, StreamId stream, std::uint32_t day,
                              const std::uint32_t* low, const std::uint32_t* high,
                              std::uint64_t* out) {
    const __m256i k = load(high);
    const Words x =
        philox({load(low), splat(day), splat(stream.value), _mm256_srli_epi32(k, 1)}, key);
    const __m256i odd = _mm256_cmpeq_epi32(_mm256_and_si256(k, splat(1)), splat(1));
    const __m256i low_words = _mm256_blendv_epi8(x.w0, x.w2, odd);
    const __m256i high_words = _mm256_blendv_epi8(x.w1, x.w3, odd);
    // unpack interleaves within 128-bit halves; this order makes it yield draws 0-3 and 4-7.
    const __m256i order = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
    const __m256i lows = _mm256_permutevar8x32_epi32(low_words, order);
    const __m256i highs = _mm256_permutevar8x32_epi32(high_words, order);
    store(out, _mm256_unpacklo_epi32(lows, highs));
    store(out + 4, _mm256_unpackhi_epi32(lows, highs));
}

}  // namespace avx2

// GCC 12's AVX-512 headers start many intrinsics from a self-initialised "undefined" vector,
// which GCC 12 reports as uninitialised: a false positive (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace avx512 {

constexpr std::size_t kWidth = 16;
constexpr __mmask16 kOddLanes = 0xAAAA;

struct Words {
    __m512i w0, w1, w2, w3;
};

SORTIE_TARGET_AVX512 inline __m512i splat(std::uint32_t x) {
    return _mm512_set1_epi32(static_cast<int>(x));
}

SORTIE_TARGET_AVX512 inline __m512i load(const std::uint32_t* p) {
    return _mm512_loadu_si512(p);
}

SORTIE_TARGET_AVX512 inline void store(void* p, __m512i v) {
    _mm512_storeu_si512(p, v);
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

SORTIE_TARGET_AVX512 inline Words philox(Words x, RngKey key) {
    __m512i key0 = splat(key.low), key1 = splat(key.high);
    x = round(x, key0, key1);
    for (int r = 1; r < kRounds; ++r) {
        key0 = _mm512_add_epi32(key0, splat(kKeyStep0));
        key1 = _mm512_add_epi32(key1, splat(kKeyStep1));
        x = round(x, key0, key1);
    }
    return x;
}

SORTIE_TARGET_AVX512 void blocks(RngKey key, PhiloxCounters counters, PhiloxBlocks out) {
    const Words x = philox({load(counters.word[0]), load(counters.word[1]), load(counters.word[2]),
                            load(counters.word[3])},
                           key);
    store(out.word[0], x.w0);
    store(out.word[1], x.w1);
    store(out.word[2], x.w2);
    store(out.word[3], x.w3);
}

SORTIE_TARGET_AVX512 void pairs(RngKey key, StreamId stream, std::uint32_t day,
                                const std::uint32_t* low, const std::uint32_t* high,
                                std::uint64_t* out) {
    const __m512i k = load(high);
    const Words x =
        philox({load(low), splat(day), splat(stream.value), _mm512_srli_epi32(k, 1)}, key);
    const __mmask16 odd = _mm512_test_epi32_mask(k, splat(1));
    const __m512i low_words = _mm512_mask_blend_epi32(odd, x.w0, x.w2);
    const __m512i high_words = _mm512_mask_blend_epi32(odd, x.w1, x.w3);
    // unpack interleaves within 128-bit quarters; this order makes it yield draws 0-7, 8-15.
    const __m512i order = _mm512_setr_epi32(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
    const __m512i lows = _mm512_permutexvar_epi32(order, low_words);
    const __m512i highs = _mm512_permutexvar_epi32(order, high_words);
    store(out, _mm512_unpacklo_epi32(lows, highs));
    store(out + 8, _mm512_unpackhi_epi32(lows, highs));
}

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

void philox_blocks(RngKey key, PhiloxCounters counters, std::size_t n, PhiloxBlocks out) {
    switch (philox_isa()) {
#if defined(__x86_64__)
        case Isa::kAvx512:
            return blocks_in_batches<avx512::kWidth>(avx512::blocks, key, counters, n, out);
        case Isa::kAvx2:
            return blocks_in_batches<avx2::kWidth>(avx2::blocks, key, counters, n, out);
#endif
        default:
            return blocks_scalar(key, counters, n, out);
    }
}

void draw_u64_pairs(RngKey key, StreamId stream, std::uint32_t day, const std::uint32_t* low,
                    const std::uint32_t* high, std::size_t n, std::uint64_t* out) {
    switch (philox_isa()) {
#if defined(__x86_64__)
        case Isa::kAvx512:
            return pairs_in_batches<avx512::kWidth>(avx512::pairs, key, stream, day, low, high, n,
                                                    out);
        case Isa::kAvx2:
            return pairs_in_batches<avx2::kWidth>(avx2::pairs, key, stream, day, low, high, n, out);
#endif
        default:
            return pairs_scalar(key, stream, day, low, high, n, out);
    }
}

}  // namespace sortie::core
