#pragma once

// The definition of `sortie bench`'s problem (benchmarks/bench/problem.yaml) and its expected
// checksums (benchmarks/bench/expected.yaml); docs/benchmark.md describes both files.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sortie::scenario {

/// The standard sizes of the benchmark, smallest first.
inline constexpr std::array<std::string_view, 4> kBenchSizes = {"small", "medium", "large",
                                                                "france"};

/// How one size runs the problem's scenario: a number of agents, or the scenario's own
/// `population.scale` (all of France) when `agents` is absent.
struct BenchSize {
    std::optional<std::uint64_t> agents;
    std::uint32_t replicates = 1;
};

/// problem.yaml: a version, the scenario file (resolved against problem.yaml's folder) and
/// the sizes, indexed like kBenchSizes.
struct BenchProblem {
    std::int64_t version = 0;
    std::filesystem::path scenario;
    std::array<BenchSize, kBenchSizes.size()> sizes;
};

/// expected.yaml: the checksums recorded for one problem version; an absent one was not
/// recorded.
struct BenchExpected {
    std::int64_t problem_version = 0;
    std::string sortie_version;
    std::array<std::optional<std::uint64_t>, kBenchSizes.size()> checksums;
};

/// The index of `size` in kBenchSizes, or nullopt.
std::optional<std::size_t> bench_size_index(std::string_view size);

/// Reads problem.yaml. Throws core::InputError with every problem at its file:line:column:
/// a missing or non-positive `problem_version`, a missing `scenario`, a size missing, with
/// unknown keys, or with agents or replicates out of range.
BenchProblem load_bench_problem(const std::filesystem::path& file);

/// Reads expected.yaml. Throws core::InputError as load_bench_problem does; a checksum must be
/// text of exactly 16 hexadecimal digits ("checksums.small: expected 16 hexadecimal digits, got
/// 'xyz'").
BenchExpected load_bench_expected(const std::filesystem::path& file);

/// The text of expected.yaml for `expected`, as load_bench_expected reads it back.
std::string bench_expected_text(const BenchExpected& expected);

}  // namespace sortie::scenario
