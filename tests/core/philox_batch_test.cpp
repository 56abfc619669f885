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

/// Runs philox_draws on `c` and checks every block's two draws against Random123 and that
/// nothing past them is written.
void check_blocks(RngKey key, const Counters& c, std::size_t n) {
    constexpr std::uint64_t kUntouched = 0xDEADBEEFDEADBEEFull;
    std::vector<std::uint64_t> out(2 * n + 32, kUntouched);
    philox_draws(key, {{c.word[0].data(), c.word[1].data(), c.word[2].data(), c.word[3].data()}}, n,
                 out.data());
    const detail::Philox::key_type philox_key = {{key.low, key.high}};
    for (std::size_t i = 0; i < n; ++i) {
        const detail::Philox::ctr_type counter = {
            {c.word[0][i], c.word[1][i], c.word[2][i], c.word[3][i]}};
        const auto expected = detail::Philox()(counter, philox_key);
        INFO("block ", i);
        CHECK(out[2 * i] == detail::join(expected[1], expected[0]));
        CHECK(out[2 * i + 1] == detail::join(expected[3], expected[2]));
    }
    for (std::size_t i = 2 * n; i < out.size(); ++i) CHECK(out[i] == kUntouched);
}

/// What met_members must return: the members but `agent` whose pair draw is below
/// `threshold`, in order.
std::vector<std::uint32_t> met_by_definition(RngKey key, StreamId stream, std::uint32_t day,
                                             std::uint32_t agent,
                                             const std::vector<std::uint32_t>& members,
                                             std::uint64_t threshold) {
    std::vector<std::uint32_t> met;
    for (const std::uint32_t other : members) {
        if (other != agent &&
            draw_u64(key, stream, day, std::min(other, agent), std::max(other, agent)) < threshold)
            met.push_back(other);
    }
    return met;
}

/// Runs met_members and checks it against met_by_definition, and that nothing past n is
/// written.
void check_met(RngKey key, StreamId stream, std::uint32_t day, std::uint32_t agent,
               const std::vector<std::uint32_t>& members, std::uint64_t threshold) {
    constexpr std::uint32_t kUntouched = 0xDEADBEEFu;
    const std::size_t n = members.size();
    std::vector<std::uint32_t> out(n + 16, kUntouched);
    const std::size_t count =
        met_members(key, stream, day, agent, members.data(), n, threshold, out.data());
    const auto expected = met_by_definition(key, stream, day, agent, members, threshold);
    REQUIRE(count == expected.size());
    for (std::size_t i = 0; i < count; ++i) CHECK(out[i] == expected[i]);
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
        std::vector<std::uint64_t> out(6, 0);
        philox_draws({0, 0}, {{zero.data(), zero.data(), zero.data(), zero.data()}}, 3, out.data());
        for (std::size_t i = 0; i < 3; ++i) {
            CHECK(out[2 * i] == 0xe169c58d'6627e8d5ull);      // words 1, 0
            CHECK(out[2 * i + 1] == 0x9b00dbd8'bc57ac4cull);  // words 3, 2
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

TEST_CASE("every path's met members are those whose pair draw is below the threshold") {
    const IsaGuard guard;
    const RngKey key = RngKey::from_seed(20200317);
    const StreamId stream{3};
    for (const Isa isa : supported_isas()) {
        INFO(std::string(isa_name(isa)));
        set_philox_isa(isa);
        for (std::size_t n = 0; n <= 2 * kLongest; ++n) {
            auto members = words(n, static_cast<std::uint32_t>(n));
            // The agent itself among the members, at a place that moves with n.
            const std::uint32_t agent = n > 0 ? members[n / 2] : 12345;
            for (const std::uint64_t threshold :
                 {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{0x5C28F5C28F5C28F5},
                  ~std::uint64_t{0} >> 1, ~std::uint64_t{0}}) {
                INFO("n = ", n, ", threshold ", threshold);
                check_met(key, stream, 45, agent, members, threshold);
            }
        }
        // Thresholds equal to a draw and one above: the low words decide.
        const auto members = words(kLongest, 77);
        const std::uint32_t agent = 4242;
        for (std::size_t j = 0; j < members.size(); ++j) {
            const std::uint64_t draw =
                draw_u64(key, stream, 45, std::min(members[j], agent), std::max(members[j], agent));
            INFO("member ", j);
            check_met(key, stream, 45, agent, members, draw);
            if (draw < ~std::uint64_t{0}) check_met(key, stream, 45, agent, members, draw + 1);
        }
    }
}

TEST_CASE("a pupil's classmates met in one call are those the pair draws choose") {
    // As the contact kernel calls it: a class of 25 with the pupil among them, ids in a row
    // (odd and even, below and above the pupil's), met with probability 0.36.
    const RngKey key = RngKey::from_seed(20200317);
    const std::uint32_t pupil = 1000;
    constexpr std::uint64_t kThreshold = 0x5C28F5C28F5C28F5ull;
    std::vector<std::uint32_t> members;
    for (std::uint32_t other = 988; other <= 1012; ++other) members.push_back(other);
    const IsaGuard guard;
    for (const Isa isa : supported_isas()) {
        INFO(std::string(isa_name(isa)));
        set_philox_isa(isa);
        check_met(key, StreamId{3}, 45, pupil, members, kThreshold);
    }
    const auto met = met_by_definition(key, StreamId{3}, 45, pupil, members, kThreshold);
    CHECK(!met.empty());
    CHECK(met.size() < 24);
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
        Draws fast(key, kTestStream, 17, agent * 7919, cursors.draws(requests[agent]));
        for (int k = 0; k < 25; ++k) REQUIRE(fast.next_u64() == plain.next_u64());
    }
}
