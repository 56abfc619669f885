#include "tools/sortie/result_checksum.hpp"

#include <array>
#include <bit>
#include <vector>

namespace sortie::cli {
namespace {

using engine::ReplicateResult;
using engine::ScenarioResult;

constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

void add_int32_dataset(Fnv1a64& hash, std::string_view name, const ScenarioResult& scenario,
                       std::vector<std::int32_t> ReplicateResult::*values) {
    std::uint64_t count = 0;
    for (const auto& replicate : scenario.replicates) count += (replicate.*values).size();
    hash.add(name);
    hash.add(std::string_view("\0", 1));
    hash.add_u64(count);
    for (const auto& replicate : scenario.replicates) {
        for (const std::int32_t v : replicate.*values) {
            const auto u = static_cast<std::uint32_t>(v);
            const std::array<unsigned char, 4> bytes = {
                static_cast<unsigned char>(u), static_cast<unsigned char>(u >> 8),
                static_cast<unsigned char>(u >> 16), static_cast<unsigned char>(u >> 24)};
            hash.add(bytes);
        }
    }
}

void add_float64_dataset(Fnv1a64& hash, std::string_view name, const ScenarioResult& scenario,
                         std::vector<double> ReplicateResult::*values) {
    std::uint64_t count = 0;
    for (const auto& replicate : scenario.replicates) count += (replicate.*values).size();
    hash.add(name);
    hash.add(std::string_view("\0", 1));
    hash.add_u64(count);
    for (const auto& replicate : scenario.replicates) {
        for (const double v : replicate.*values) hash.add_u64(std::bit_cast<std::uint64_t>(v));
    }
}

void add_r0(Fnv1a64& hash, const ScenarioResult& scenario) {
    hash.add(std::string_view("r0_realised\0", 12));
    hash.add_u64(scenario.replicates.size());
    for (const auto& replicate : scenario.replicates)
        hash.add_u64(std::bit_cast<std::uint64_t>(replicate.r0_realised));
}

}  // namespace

void Fnv1a64::add(std::span<const unsigned char> bytes) {
    for (const unsigned char b : bytes) {
        hash_ ^= b;
        hash_ *= kFnvPrime;
    }
}

void Fnv1a64::add(std::string_view text) {
    for (const char c : text) add(std::array{static_cast<unsigned char>(c)});
}

void Fnv1a64::add_u64(std::uint64_t value) {
    std::array<unsigned char, 8> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<unsigned char>(value >> (8 * i));
    add(bytes);
}

std::uint64_t result_checksum(const engine::RunResult& run) {
    Fnv1a64 hash;
    for (const auto& scenario : run.scenarios) {
        add_int32_dataset(hash, "counts", scenario, &ReplicateResult::counts);
        add_int32_dataset(hash, "incidence", scenario, &ReplicateResult::incidence);
        add_int32_dataset(hash, "interventions_active", scenario, &ReplicateResult::active);
        add_int32_dataset(hash, "measures", scenario, &ReplicateResult::measures);
        add_int32_dataset(hash, "hospital", scenario, &ReplicateResult::hospital);
        add_float64_dataset(hash, "supplies", scenario, &ReplicateResult::supplies);
        add_r0(hash, scenario);
    }
    return hash.value();
}

}  // namespace sortie::cli
