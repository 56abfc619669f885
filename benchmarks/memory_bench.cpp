// What this machine's memory allows the transmission kernel (issue #8): reads of one byte at
// random places in a column of 1 MiB to 1 GiB, on 2 MiB pages as the engine's columns are.
// - independent: the next address does not depend on the last read (the kernel's case: a
//   batch's contacts are known before their states are read), so the core overlaps as many
//   misses as it can track; reads per second is the ceiling on random reads per core.
// - dependent: each address needs the last read (a pointer chase): the latency of one miss.
// Run: benchmarks/run-micro (see README); benchmarks/RESULTS.md uses the figures.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/core/system.hpp"

namespace {

using sortie::core::draw_u64;
using sortie::core::RngKey;
using sortie::core::StreamId;

constexpr std::size_t kReads = std::size_t{1} << 22;
constexpr std::size_t kHugePage = std::size_t{2} << 20;

struct FreeDeleter {
    void operator()(std::uint8_t* p) const { std::free(p); }
};

// aligned_alloc wants a multiple of the alignment.
std::size_t whole_pages(std::size_t bytes) {
    return (bytes + kHugePage - 1) / kHugePage * kHugePage;
}

// A column of `bytes` on 2 MiB pages, and kReads random positions in it.
struct Column {
    std::unique_ptr<std::uint8_t, FreeDeleter> data;
    std::vector<std::uint32_t> positions;

    explicit Column(std::size_t bytes)
        : data(static_cast<std::uint8_t*>(std::aligned_alloc(kHugePage, whole_pages(bytes)))),
          positions(kReads) {
        if (!data) throw std::bad_alloc();
        sortie::core::advise_huge_pages(data.get(), whole_pages(bytes));
        for (std::size_t i = 0; i < bytes; ++i) data.get()[i] = static_cast<std::uint8_t>(i);
        for (std::size_t i = 0; i < kReads; ++i) {
            const auto bits =
                draw_u64(RngKey::from_seed(8), StreamId{9002}, 0, static_cast<std::uint32_t>(i), 0);
            positions[i] = static_cast<std::uint32_t>(bits % bytes);
        }
    }
};

std::size_t column_bytes(const benchmark::State& state) {
    return static_cast<std::size_t>(state.range(0)) << 20;
}

void BM_independent_reads(benchmark::State& state) {
    const Column column(column_bytes(state));
    const std::uint8_t* data = column.data.get();
    for (auto _ : state) {
        unsigned sum = 0;
        for (const std::uint32_t p : column.positions) sum += data[p];
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kReads));
}

void BM_dependent_reads(benchmark::State& state) {
    const std::size_t bytes = column_bytes(state);
    const Column column(bytes);
    const std::uint8_t* data = column.data.get();
    constexpr std::size_t kChase = kReads / 8;
    for (auto _ : state) {
        std::size_t at = 0;
        // The next position is a random one moved by the byte just read: the read must finish
        // before the next address is known.
        for (std::size_t i = 0; i < kChase; ++i)
            at = (column.positions[i] + data[at]) & (bytes - 1);
        benchmark::DoNotOptimize(at);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kChase));
}

// Column sizes in MiB (powers of two: the chase masks the position).
void sizes(benchmark::internal::Benchmark* b) {
    for (const int mib : {1, 4, 16, 64, 256, 1024}) b->Arg(mib);
}

}  // namespace

BENCHMARK(BM_independent_reads)->Apply(sizes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_dependent_reads)->Apply(sizes)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
