// The files of `sortie bench`: the shipped problem reads, expected.yaml round-trips, and
// malformed files (tests/data/malformed/bench/) are refused with their exact messages.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/scenario/bench_problem.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
namespace scenario = sortie::scenario;

namespace {

const fs::path kBench = fs::path(SORTIE_SOURCE_DIR) / "benchmarks" / "bench";
const fs::path kMalformed = fs::path(SORTIE_SOURCE_DIR) / "tests" / "data" / "malformed" / "bench";

struct Case {
    const char* file;
    std::string expected;  ///< "$/" stands for the folder
};

const std::vector<Case> kCases = {
    {"problem-missing-version.yaml",
     "$/problem-missing-version.yaml:2:1: problem_version: missing "
     "required key 'problem_version'"},
    {"problem-unknown-size.yaml",
     "$/problem-unknown-size.yaml:8:3: sizes.huge: unknown key "
     "'huge'; valid keys: france, large, medium, small"},
    {"problem-zero-agents.yaml",
     "$/problem-zero-agents.yaml:4:19: sizes.small.agents: must be "
     "between 1 and 4294967294 (got 0)"},
    {"problem-missing-size.yaml",
     "$/problem-missing-size.yaml:4:3: sizes.large: missing required key 'large'"},
    {"expected-bad-checksum.yaml",
     "$/expected-bad-checksum.yaml:4:10: checksums.small: expected "
     "16 hexadecimal digits, got '0123456789abcdeg'"},
    {"expected-number-checksum.yaml",
     "$/expected-number-checksum.yaml:4:11: checksums.medium: "
     "expected 16 hexadecimal digits, got '1234'"},
    {"expected-version-zero.yaml",
     "$/expected-version-zero.yaml:1:18: problem_version: must be "
     "between 1 and 1000000000 (got 0)"},
};

std::string with_folder(std::string text) {
    const std::string folder = kMalformed.string() + "/";
    if (text.rfind("$/", 0) == 0) text.replace(0, 2, folder);
    return text;
}

std::string error_of(const fs::path& file) {
    try {
        if (file.filename().string().rfind("problem-", 0) == 0) {
            (void)scenario::load_bench_problem(file);
        } else {
            (void)scenario::load_bench_expected(file);
        }
    } catch (const sortie::core::InputError& error) {
        return error.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("the shipped benchmark problem reads, with every size") {
    const auto problem = scenario::load_bench_problem(kBench / "problem.yaml");
    CHECK(problem.version >= 1);
    CHECK(fs::exists(problem.scenario));
    CHECK(problem.scenario == (kBench / "scenario.yaml").lexically_normal());
    CHECK(problem.sizes[*scenario::bench_size_index("small")].agents == 100000u);
    CHECK(problem.sizes[*scenario::bench_size_index("small")].replicates == 2u);
    CHECK(problem.sizes[*scenario::bench_size_index("large")].agents == 10000000u);
    CHECK_FALSE(problem.sizes[*scenario::bench_size_index("france")].agents);
    CHECK_FALSE(scenario::bench_size_index("huge"));
}

TEST_CASE("the shipped checksums are for the shipped problem version") {
    const auto problem = scenario::load_bench_problem(kBench / "problem.yaml");
    const auto expected = scenario::load_bench_expected(kBench / "expected.yaml");
    CHECK(expected.problem_version == problem.version);
    CHECK(expected.checksums[*scenario::bench_size_index("small")]);
}

TEST_CASE("expected.yaml reads back what was written, all 64 bits") {
    scenario::BenchExpected written;
    written.problem_version = 7;
    written.sortie_version = "1.2.3";
    written.checksums[0] = 0xfedcba9876543210ULL;
    written.checksums[2] = 0x0000000000000001ULL;
    sortie::test::TempDir dir;
    const fs::path file = dir.path() / "expected.yaml";
    std::ofstream(file) << scenario::bench_expected_text(written);
    const auto read = scenario::load_bench_expected(file);
    CHECK(read.problem_version == 7);
    CHECK(read.sortie_version == "1.2.3");
    CHECK(read.checksums[0] == 0xfedcba9876543210ULL);
    CHECK_FALSE(read.checksums[1]);
    CHECK(read.checksums[2] == 1u);
    CHECK_FALSE(read.checksums[3]);
}

TEST_CASE("expected.yaml without any checksum reads back") {
    scenario::BenchExpected written;
    written.problem_version = 2;
    sortie::test::TempDir dir;
    const fs::path file = dir.path() / "expected.yaml";
    std::ofstream(file) << scenario::bench_expected_text(written);
    const auto read = scenario::load_bench_expected(file);
    CHECK(read.problem_version == 2);
    for (const auto& checksum : read.checksums) CHECK_FALSE(checksum);
}

TEST_CASE("every malformed benchmark file is refused with its exact message") {
    std::set<std::string> listed;
    for (const Case& c : kCases) {
        const std::string file = c.file;
        CAPTURE(file);
        CHECK(listed.insert(file).second);
        CHECK(error_of(kMalformed / file) == with_folder(c.expected));
    }
    std::set<std::string> present;
    for (const auto& entry : fs::directory_iterator(kMalformed))
        present.insert(entry.path().filename().string());
    CHECK(present == listed);
}
