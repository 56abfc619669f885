#include "sim/results/checksum.hpp"

#include <array>
#include <bit>
#include <vector>

#include "sim/results/fields.hpp"

namespace sortie::results {
namespace {

constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

void add_value(Fnv1a64& hash, std::int32_t value) {
    const auto u = static_cast<std::uint32_t>(value);
    const std::array<unsigned char, 4> bytes = {
        static_cast<unsigned char>(u), static_cast<unsigned char>(u >> 8),
        static_cast<unsigned char>(u >> 16), static_cast<unsigned char>(u >> 24)};
    hash.add(bytes);
}

void add_value(Fnv1a64& hash, double value) {
    hash.add_u64(std::bit_cast<std::uint64_t>(value));
}

template <typename T>
std::span<const T> values_of(const std::vector<T>& values) {
    return values;
}
std::span<const double> values_of(const double& value) {
    return {&value, 1};
}

// The field named `name` of every replicate, as one dataset: name, 0 byte, count, values.
void add_dataset(Fnv1a64& hash, const ScenarioResult& scenario, const Field& field) {
    std::uint64_t count = 0;
    const auto each = [&](auto&& use) {
        for (const auto& replicate : scenario.replicates)
            for_each_field(replicate, [&](const Field& f, const auto& values) {
                if (f.name == field.name) use(values_of(values));
            });
    };
    each([&](auto values) { count += values.size(); });
    // The parameters drawn per replicate came after the checksums of runs without them were
    // recorded: left out when absent, those checksums stand.
    if (count == 0 && field.name == kParametersField.name) return;
    hash.add(field.name);
    hash.add(std::string_view("\0", 1));
    hash.add_u64(count);
    each([&](auto values) {
        for (const auto v : values) add_value(hash, v);
    });
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

std::uint64_t result_checksum(const RunResult& run) {
    std::vector<Field> series, scalars;
    const ReplicateResult fields;
    for_each_field(fields, [&](const Field& field, const auto&) {
        (field.rank > 0 ? series : scalars).push_back(field);
    });
    Fnv1a64 hash;
    for (const auto& scenario : run.scenarios) {
        for (const Field& field : series) add_dataset(hash, scenario, field);
        for (const Field& field : scalars) add_dataset(hash, scenario, field);
    }
    return hash.value();
}

}  // namespace sortie::results
