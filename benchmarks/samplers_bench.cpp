// Nanoseconds per draw for each sampler, one fresh cursor per draw as the engine uses them
// (one decision per agent and day). Run: benchmarks/run-micro (see README).
#include <benchmark/benchmark.h>

#include <array>
#include <string>
#include <vector>

#include "sim/core/alias_table.hpp"
#include "sim/core/philox_batch.hpp"
#include "sim/core/samplers.hpp"

using namespace sortie::core;

namespace {

constexpr StreamId kStream{9001};
const RngKey kKey = RngKey::from_seed(2020);

template <typename Sampler>
void run(benchmark::State& state, Sampler sampler) {
    std::uint32_t agent = 0;
    for (auto _ : state) {
        Draws draws(kKey, kStream, 0, agent++);
        benchmark::DoNotOptimize(sampler(draws));
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_raw_u64(benchmark::State& state) {
    std::uint32_t agent = 0;
    for (auto _ : state) benchmark::DoNotOptimize(draw_u64(kKey, kStream, 0, agent++, 0));
}
void BM_uniform(benchmark::State& s) {
    run(s, [](Draws& d) { return uniform(d); });
}
void BM_bernoulli(benchmark::State& s) {
    run(s, [](Draws& d) { return bernoulli(d, 0.3); });
}
void BM_uniform_int(benchmark::State& s) {
    run(s, [](Draws& d) { return uniform_int(d, 1000003); });
}
void BM_normal(benchmark::State& s) {
    run(s, [](Draws& d) { return standard_normal(d); });
}
void BM_poisson(benchmark::State& s) {
    const double mean = static_cast<double>(s.range(0)) / 1000.0;
    run(s, [mean](Draws& d) { return poisson(d, mean); });
}
void BM_gamma(benchmark::State& s) {
    const double shape = static_cast<double>(s.range(0)) / 10.0;
    run(s, [shape](Draws& d) { return gamma(d, shape, 1.0); });
}
void BM_lognormal(benchmark::State& s) {
    run(s, [](Draws& d) { return lognormal(d, 1.0, 0.5); });
}
void BM_negative_binomial(benchmark::State& s) {
    run(s, [](Draws& d) { return negative_binomial(d, 2.5, 0.5); });
}
void BM_alias(benchmark::State& s) {
    std::vector<double> weights(85);
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 + double(i % 7);
    const AliasTable table(weights);
    run(s, [&table](Draws& d) { return table.sample(d); });
}

// The contact kernel's class contacts of one pupil of a class of 25: 24 pair draws (lower id,
// higher id), one Philox block each, each classmate met with probability 0.36 (11.41 school
// contacts a day, 3/4 of them in class: contact_model.hpp). Time per iteration / 24 = ns per
// classmate.
constexpr std::size_t kClassmates = 24;
constexpr std::uint64_t kPairThreshold = 0x5C28F5C28F5C28F5ull;  // 0.36 * 2^64

struct Class {
    std::array<std::uint32_t, kClassmates + 1> members{};
    std::uint32_t pupil;

    explicit Class(std::uint32_t pupil_id) : pupil(pupil_id) {
        for (std::size_t i = 0; i < members.size(); ++i)
            members[i] = pupil - 12 + static_cast<std::uint32_t>(i);
    }
};

void BM_pairs_one_by_one(benchmark::State& state) {
    std::array<std::uint32_t, kClassmates + 1> met{};
    std::uint32_t pupil = 1000;
    for (auto _ : state) {
        const Class c(pupil++);
        std::size_t count = 0;
        for (const std::uint32_t other : c.members) {
            if (other != c.pupil && draw_u64(kKey, kStream, 0, std::min(other, c.pupil),
                                             std::max(other, c.pupil)) < kPairThreshold)
                met[count++] = other;
        }
        benchmark::DoNotOptimize(count);
        benchmark::DoNotOptimize(met.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kClassmates));
}

// The batched Philox switched to the benchmark's instruction set (argument: 0 scalar, 1 AVX2,
// 2 AVX-512F) while the benchmark runs; skipped with an error where the CPU lacks it.
class IsaOfBenchmark {
  public:
    explicit IsaOfBenchmark(benchmark::State& state) : saved_(philox_isa()) {
        const auto isa = static_cast<Isa>(state.range(0));
        supported_ = philox_isa_supported(isa);
        if (!supported_) {
            state.SkipWithError("instruction set not supported here");
            return;
        }
        set_philox_isa(isa);
        state.SetLabel(std::string(isa_name(isa)));
    }
    ~IsaOfBenchmark() { set_philox_isa(saved_); }
    IsaOfBenchmark(const IsaOfBenchmark&) = delete;
    IsaOfBenchmark& operator=(const IsaOfBenchmark&) = delete;
    bool supported() const { return supported_; }

  private:
    Isa saved_;
    bool supported_ = false;
};

// met_members on the instruction set given as argument (Isa: 0 scalar, 1 AVX2, 2 AVX-512F).
void BM_pairs_batched(benchmark::State& state) {
    const IsaOfBenchmark isa(state);
    if (!isa.supported()) return;
    std::array<std::uint32_t, kClassmates + 1> met{};
    std::uint32_t pupil = 1000;
    for (auto _ : state) {
        const Class c(pupil++);
        const std::size_t count = met_members(kKey, kStream, 0, c.pupil, c.members.data(),
                                              c.members.size(), kPairThreshold, met.data());
        benchmark::DoNotOptimize(count);
        benchmark::DoNotOptimize(met.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kClassmates));
}

// Throughput of philox_draws on 4096 counters (time per iteration / 4096 = ns per block).
void BM_blocks_batched(benchmark::State& state) {
    const IsaOfBenchmark isa(state);
    if (!isa.supported()) return;
    constexpr std::size_t kCount = 4096;
    std::vector<std::uint32_t> counters(4 * kCount);
    std::vector<std::uint64_t> draws(2 * kCount);
    for (std::size_t i = 0; i < counters.size(); ++i) counters[i] = static_cast<std::uint32_t>(i);
    const auto word = [&](std::size_t j) { return counters.data() + j * kCount; };
    for (auto _ : state) {
        philox_draws(kKey, {{word(0), word(1), word(2), word(3)}}, kCount, draws.data());
        benchmark::DoNotOptimize(draws.data());
        benchmark::ClobberMemory();
        ++counters[0];
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kCount));
}

}  // namespace

BENCHMARK(BM_raw_u64);
BENCHMARK(BM_uniform);
BENCHMARK(BM_bernoulli);
BENCHMARK(BM_uniform_int);
BENCHMARK(BM_normal);
// Poisson means in thousandths: 0.01, 0.5, 3, 50, 5000.
BENCHMARK(BM_poisson)->Arg(10)->Arg(500)->Arg(3000)->Arg(50000)->Arg(5000000);
// Gamma shapes in tenths: 0.1, 1, 2.5, 30.
BENCHMARK(BM_gamma)->Arg(1)->Arg(10)->Arg(25)->Arg(300);
BENCHMARK(BM_lognormal);
BENCHMARK(BM_negative_binomial);
BENCHMARK(BM_alias);
BENCHMARK(BM_pairs_one_by_one);
BENCHMARK(BM_pairs_batched)->Arg(0)->Arg(1)->Arg(2);
BENCHMARK(BM_blocks_batched)->Arg(0)->Arg(1)->Arg(2);
BENCHMARK_MAIN();
