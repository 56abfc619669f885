// The checksum of `sortie bench`: FNV-1a as published, over the documented byte stream, and
// sensitive to every result value but to nothing volatile.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>
#include <string_view>

#include "sim/results/checksum.hpp"

using sortie::results::Fnv1a64;
using sortie::results::ReplicateResult;
using sortie::results::result_checksum;
using sortie::results::RunResult;
using sortie::results::ScenarioResult;

namespace {

std::uint64_t fnv(std::string_view text) {
    Fnv1a64 hash;
    hash.add(text);
    return hash.value();
}

RunResult sample_run() {
    RunResult run;
    run.command_line = "sortie bench";
    ScenarioResult scenario;
    scenario.name = "s";
    scenario.scenario_yaml = "name: s";
    for (int r = 0; r < 2; ++r) {
        ReplicateResult replicate;
        replicate.counts = {1, 2, 3, -4};
        replicate.incidence = {5, 6};
        replicate.active = {0, 1};
        replicate.measures = {7};
        replicate.hospital = {8, 9};
        replicate.supplies = {10.5, std::numeric_limits<double>::infinity()};
        replicate.r0_realised = 2.5 + r;
        scenario.replicates.push_back(replicate);
    }
    run.scenarios.push_back(scenario);
    return run;
}

}  // namespace

TEST_CASE("FNV-1a 64 gives the published test vectors") {
    // Test vectors of Fowler, Noll and Vo's reference code (fnv_test.c).
    CHECK(fnv("") == 0xcbf29ce484222325ULL);
    CHECK(fnv("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(fnv("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("add_u64 feeds the bytes least significant first") {
    Fnv1a64 by_value, by_bytes;
    by_value.add_u64(0x0102030405060708ULL);
    by_bytes.add(std::array<unsigned char, 8>{8, 7, 6, 5, 4, 3, 2, 1});
    CHECK(by_value.value() == by_bytes.value());
}

TEST_CASE("the checksum is the documented byte stream") {
    RunResult run;
    ScenarioResult scenario;
    ReplicateResult replicate;
    replicate.counts = {0x01020304, -1};
    replicate.r0_realised = 1.0;
    scenario.replicates.push_back(replicate);
    run.scenarios.push_back(scenario);
    Fnv1a64 expected;
    expected.add(std::string_view("counts\0", 7));
    expected.add_u64(2);
    expected.add(std::array<unsigned char, 8>{4, 3, 2, 1, 0xff, 0xff, 0xff, 0xff});
    for (std::string_view name :
         {"incidence", "interventions_active", "measures", "hospital", "supplies"}) {
        expected.add(name);
        expected.add(std::string_view("\0", 1));
        expected.add_u64(0);
    }
    expected.add(std::string_view("r0_realised\0", 12));
    expected.add_u64(1);
    expected.add_u64(0x3ff0000000000000ULL);  // 1.0 in IEEE 754
    CHECK(result_checksum(run) == expected.value());
}

TEST_CASE("the checksum changes with any result value") {
    const RunResult base = sample_run();
    const std::uint64_t checksum = result_checksum(base);
    CHECK(result_checksum(sample_run()) == checksum);
    auto changed = [&](auto change) {
        RunResult run = sample_run();
        change(run.scenarios[0].replicates[1]);
        return result_checksum(run) != checksum;
    };
    CHECK(changed([](ReplicateResult& r) { r.counts[3] += 1; }));
    CHECK(changed([](ReplicateResult& r) { r.incidence[0] = 0; }));
    CHECK(changed([](ReplicateResult& r) { r.active[1] = 0; }));
    CHECK(changed([](ReplicateResult& r) { r.measures[0] = -7; }));
    CHECK(changed([](ReplicateResult& r) { r.hospital[1] = 10; }));
    CHECK(changed([](ReplicateResult& r) { r.supplies[0] = std::nextafter(10.5, 11.0); }));
    CHECK(changed([](ReplicateResult& r) {
        r.r0_realised = std::nextafter(r.r0_realised, std::numeric_limits<double>::infinity());
    }));
}

TEST_CASE("the checksum frames each dataset by its length") {
    // The last count moved to the front of the incidence: the same values in the same order,
    // but another result.
    RunResult run = sample_run();
    auto& replicates = run.scenarios[0].replicates;
    replicates[1].counts.pop_back();
    replicates[0].incidence.insert(replicates[0].incidence.begin(), -4);
    CHECK(result_checksum(run) != result_checksum(sample_run()));
}

TEST_CASE("the checksum ignores what is not a result value") {
    RunResult run = sample_run();
    const std::uint64_t checksum = result_checksum(run);
    run.command_line = "something else";
    run.scenarios[0].scenario_yaml = "name: t";
    run.scenarios[0].seed = 99;
    CHECK(result_checksum(run) == checksum);
}
