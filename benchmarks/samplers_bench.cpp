// Nanoseconds per draw for each sampler, one fresh cursor per draw as the engine uses them
// (one decision per agent and day). Run: benchmarks/run-micro (see README).
#include <benchmark/benchmark.h>

#include <vector>

#include "sim/core/alias_table.hpp"
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
BENCHMARK_MAIN();
