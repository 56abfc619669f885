#include "sim/core/philox_batch.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sortie::core;

namespace {

constexpr StreamId kTestStream{1001};
constexpr std::uint32_t kMax = 0xFFFFFFFFu;
constexpr std::size_t kLongest = 40;  // several 16-wide batches and every tail length

const std::vector<Isa> kAllIsas = {Isa::kScalar, Isa::kAvx2, Isa::kAvx512};

/// Restores the instruction set in use when a test ends, even by an exception.
class IsaGuard {
  public:
    IsaGuard() : saved_(philox_isa()) {}
    ~IsaGuard() { set_philox_isa(saved_); }
    IsaGuard(const IsaGuard&) = delete;
    IsaGuard& operator=(const IsaGuard&) = delete;

  private:
    Isa saved_;
};

std::vector<Isa> supported_isas() {
    std::vector<Isa> isas;
    for (const Isa isa : kAllIsas) {
        if (philox_isa_supported(isa)) isas.push_back(isa);
    }
    return isas;
}

const std::vector<RngKey> kKeys = {RngKey{0, 0}, RngKey{kMax, kMax}, RngKey{kMax, 0},
                                   RngKey::from_seed(20200317), RngKey::from_seed(42)};

/// `n` words: 0, 0xFFFFFFFF and their neighbours first, then pseudo-random ones.
std::vector<std::uint32_t> words(std::size_t n, std::uint32_t salt) {
    const std::vector<std::uint32_t> edges = {0, kMax, 1, kMax - 1, 0x80000000u};
    std::vector<std::uint32_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto index = static_cast<std::uint32_t>(i);
        out[i] = (i + salt) % 3 == 0 ? edges[(i + salt) % edges.size()]
                                     : static_cast<std::uint32_t>(draw_u64(
                                           RngKey::from_seed(7), kTestStream, salt, index, 0));
    }
    return out;
}

struct Counters {
    std::vector<std::uint32_t> word[4];
};

Counters counters(std::size_t n, std::uint32_t salt) {
    Counters c;
    for (std::uint32_t j = 0; j < 4; ++j) c.word[j] = words(n, salt * 4 + j);
    return c;
}

/// Runs philox_blocks on `c` and checks every block against Random123 and that nothing past
/// n is written.
void check_blocks(RngKey key, const Counters& c, std::size_t n) {
    constexpr std::uint32_t kUntouched = 0xDEADBEEFu;
    std::vector<std::uint32_t> out[4];
    for (auto& word : out) word.assign(n + 16, kUntouched);
    philox_blocks(key, {{c.word[0].data(), c.word[1].data(), c.word[2].data(), c.word[3].data()}},
                  n, {{out[0].data(), out[1].data(), out[2].data(), out[3].data()}});
    const detail::Philox::key_type philox_key = {{key.low, key.high}};
    for (std::size_t i = 0; i < n; ++i) {
        const detail::Philox::ctr_type counter = {
            {c.word[0][i], c.word[1][i], c.word[2][i], c.word[3][i]}};
        const auto expected = detail::Philox()(counter, philox_key);
        for (std::size_t j = 0; j < 4; ++j) {
            INFO("block ", i, " word ", j);
            CHECK(out[j][i] == expected[j]);
        }
    }
    for (const auto& word : out) {
        for (std::size_t i = n; i < word.size(); ++i) CHECK(word[i] == kUntouched);
    }
}

/// Runs draw_u64_pairs and checks every draw against draw_u64 and that nothing past n is
/// written.
void check_pairs(RngKey key, StreamId stream, std::uint32_t day,
                 const std::vector<std::uint32_t>& low, const std::vector<std::uint32_t>& high,
                 std::size_t n) {
    constexpr std::uint64_t kUntouched = 0xDEADBEEFDEADBEEFull;
    std::vector<std::uint64_t> out(n + 16, kUntouched);
    draw_u64_pairs(key, stream, day, low.data(), high.data(), n, out.data());
    for (std::size_t i = 0; i < n; ++i) {
        INFO("pair ", i, ": ", low[i], ", ", high[i]);
        CHECK(out[i] == draw_u64(key, stream, day, low[i], high[i]));
    }
    for (std::size_t i = n; i < out.size(); ++i) CHECK(out[i] == kUntouched);
}

}  // namespace

TEST_CASE("the scalar path always exists and the default is the widest supported one") {
    CHECK(philox_isa_supported(Isa::kScalar));
    CHECK(philox_isa_supported(best_philox_isa()));
    CHECK(philox_isa() == best_philox_isa());
    const IsaGuard guard;
    for (const Isa isa : kAllIsas) {
        INFO(std::string(isa_name(isa)));
        if (philox_isa_supported(isa)) {
            set_philox_isa(isa);
            CHECK(philox_isa() == isa);
        } else {
            CHECK_THROWS_AS(set_philox_isa(isa), std::invalid_argument);
        }
    }
#if defined(__x86_64__) && defined(__AVX2__)
    CHECK(philox_isa_supported(Isa::kAvx2));
#endif
}

TEST_CASE("every path gives Random123's known answer") {
    // Random123 kat_vectors: Philox4x32-10, counter 0, key 0.
    const IsaGuard guard;
    for (const Isa isa : supported_isas()) {
        INFO(std::string(isa_name(isa)));
        set_philox_isa(isa);
        const std::vector<std::uint32_t> zero(3, 0);
        std::vector<std::uint32_t> out[4];
        for (auto& word : out) word.assign(3, 0);
        philox_blocks({0, 0}, {{zero.data(), zero.data(), zero.data(), zero.data()}}, 3,
                      {{out[0].data(), out[1].data(), out[2].data(), out[3].data()}});
        for (std::size_t i = 0; i < 3; ++i) {
            CHECK(out[0][i] == 0x6627e8d5u);
            CHECK(out[1][i] == 0xe169c58du);
            CHECK(out[2][i] == 0xbc57ac4cu);
            CHECK(out[3][i] == 0x9b00dbd8u);
        }
    }
}

TEST_CASE("every path computes Random123's blocks, for every batch length from 0 to 40") {
    const IsaGuard guard;
    for (const Isa isa : supported_isas()) {
        INFO(std::string(isa_name(isa)));
        set_philox_isa(isa);
        for (std::size_t k = 0; k < kKeys.size(); ++k) {
            for (std::size_t n = 0; n <= kLongest; ++n) {
                INFO("key ", k, ", n = ", n);
                check_blocks(kKeys[k], counters(n, static_cast<std::uint32_t>(n + 50 * k)), n);
            }
        }
    }
}

TEST_CASE("every path's pair draws equal draw_u64, for every batch length from 0 to 40") {
    const IsaGuard guard;
    const std::vector<StreamId> streams = {StreamId{0}, StreamId{7}, StreamId{kMax}};
    const std::vector<std::uint32_t> days = {0, 45, kMax};
    for (const Isa isa : supported_isas()) {
        INFO(std::string(isa_name(isa)));
        set_philox_isa(isa);
        for (std::size_t k = 0; k < kKeys.size(); ++k) {
            for (std::size_t n = 0; n <= kLongest; ++n) {
                const auto salt = static_cast<std::uint32_t>(n + 50 * k);
                const StreamId stream = streams[(n + k) % streams.size()];
                const std::uint32_t day = days[n % days.size()];
                INFO("key ", k, ", n = ", n, ", stream ", stream.value, ", day ", day);
                check_pairs(kKeys[k], stream, day, words(n, salt), words(n, salt + 1000), n);
            }
        }
    }
}

TEST_CASE("a pupil's classmate pairs drawn in one batch are the kernel's pair draws") {
    // As the contact kernel calls it: one agent against each member of a class of 25, the
    // pair always ordered (lower id, higher id), odd and even k mixed.
    const RngKey key = RngKey::from_seed(20200317);
    const std::uint32_t pupil = 1000;
    std::vector<std::uint32_t> low, high;
    for (std::uint32_t other = 988; other <= 1012; ++other) {
        if (other == pupil) continue;
        low.push_back(std::min(other, pupil));
        high.push_back(std::max(other, pupil));
    }
    REQUIRE(low.size() == 24);
    const IsaGuard guard;
    for (const Isa isa : supported_isas()) {
        INFO(std::string(isa_name(isa)));
        set_philox_isa(isa);
        check_pairs(key, StreamId{3}, 45, low, high, low.size());
    }
}

TEST_CASE("Draws over precomputed blocks give the cursor's own draws, beyond them too") {
    const RngKey key = RngKey::from_seed(0x5eed);
    PrecomputedCursors cursors;
    std::vector<PrecomputedCursors::Request> requests;
    // Cursors with 0 to 9 blocks in advance, until the capacity refuses one.
    std::uint32_t asked = 0;
    for (std::uint32_t agent = 0; asked <= kPrecomputedStride + 40; ++agent) {
        const std::uint32_t count = agent % 10;
        requests.push_back(cursors.request(kTestStream, 17, agent * 7919, count));
        asked += count;
    }
    CHECK(requests.back().count == 0);  // over capacity: none, the Draws computes its own
    cursors.compute(key);
    for (std::uint32_t agent = 0; agent < requests.size(); ++agent) {
        Draws plain(key, kTestStream, 17, agent * 7919);
        Draws fast(key, kTestStream, 17, agent * 7919, cursors.blocks(requests[agent]));
        for (int k = 0; k < 25; ++k) REQUIRE(fast.next_u64() == plain.next_u64());
    }
}
