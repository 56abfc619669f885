#include "sim/scenario/bench_problem.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "sim/scenario/document.hpp"
#include "sim/scenario/map_reader.hpp"

namespace sortie::scenario {
namespace {

// Agent ids are 32-bit (population::AgentId).
constexpr double kMaxAgents = 4294967294.0;
constexpr std::size_t kChecksumDigits = 16;

void read_version(MapReader& root, std::string_view key, std::int64_t& out) {
    if (!root.require(key)) return;
    if (const auto v = root.integer(key, Bounds::between(1, 1e9))) out = *v;
}

void read_size(MapReader& sizes, std::string_view name, BenchSize& out) {
    if (!sizes.require(name)) return;
    auto size = sizes.map(name);
    if (!size) return;
    if (const auto agents = size->integer("agents", Bounds::between(1, kMaxAgents)))
        out.agents = std::uint64_t(*agents);
    if (const auto r = size->integer("replicates", Bounds::between(1, 1000)))
        out.replicates = std::uint32_t(*r);
    size->finish();
}

std::filesystem::path scenario_path(MapReader& root, const Document& document) {
    if (!root.require("scenario")) return {};
    const YAML::Node* node = root.node("scenario");
    const auto text = root.string("scenario");
    if (!text) return {};
    const std::filesystem::path path(*text);
    return path.is_absolute() ? path
                              : (document.base_directory_of(*node) / path).lexically_normal();
}

bool is_checksum(const std::string& text) {
    return text.size() == kChecksumDigits && std::all_of(text.begin(), text.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) != 0;
           });
}

void read_checksum(MapReader& checksums, std::string_view name, core::DiagnosticList& problems,
                   std::optional<std::uint64_t>& out) {
    const auto text = checksums.string(name);
    if (!text) return;
    if (!is_checksum(*text)) {
        problems.add(
            checksums.location(name), checksums.key_path(name),
            fmt::format("expected {} hexadecimal digits, got '{}'", kChecksumDigits, *text));
        return;
    }
    out = std::stoull(*text, nullptr, 16);
}

}  // namespace

std::optional<std::size_t> bench_size_index(std::string_view size) {
    const auto found = std::find(kBenchSizes.begin(), kBenchSizes.end(), size);
    if (found == kBenchSizes.end()) return std::nullopt;
    return static_cast<std::size_t>(found - kBenchSizes.begin());
}

BenchProblem load_bench_problem(const std::filesystem::path& file) {
    const Document document = Document::load_file(file);
    core::DiagnosticList problems;
    MapReader root(document, document.root(), "", problems);
    BenchProblem problem;
    read_version(root, "problem_version", problem.version);
    problem.scenario = scenario_path(root, document);
    if (root.require("sizes")) {
        if (auto sizes = root.map("sizes")) {
            for (std::size_t s = 0; s < kBenchSizes.size(); ++s)
                read_size(*sizes, kBenchSizes[s], problem.sizes[s]);
            sizes->finish();
        }
    }
    root.finish();
    problems.throw_if_any();
    return problem;
}

BenchExpected load_bench_expected(const std::filesystem::path& file) {
    const Document document = Document::load_file(file);
    core::DiagnosticList problems;
    MapReader root(document, document.root(), "", problems);
    BenchExpected expected;
    read_version(root, "problem_version", expected.problem_version);
    if (const auto version = root.string("sortie_version")) expected.sortie_version = *version;
    if (root.require("checksums")) {
        if (auto checksums = root.map("checksums")) {
            for (std::size_t s = 0; s < kBenchSizes.size(); ++s)
                read_checksum(*checksums, kBenchSizes[s], problems, expected.checksums[s]);
            checksums->finish();
        }
    }
    root.finish();
    problems.throw_if_any();
    return expected;
}

std::string bench_expected_text(const BenchExpected& expected) {
    std::string text = fmt::format(
        "# Checksums of `sortie bench` (docs/benchmark.md), written by `sortie bench --record`\n"
        "# (benchmarks/bench/record): regenerate them, do not edit them.\n"
        "problem_version: {}\n"
        "sortie_version: \"{}\"\n"
        "checksums:\n",
        expected.problem_version, expected.sortie_version);
    bool any = false;
    for (std::size_t s = 0; s < kBenchSizes.size(); ++s) {
        if (!expected.checksums[s]) continue;
        text += fmt::format("  {}: \"{:016x}\"\n", kBenchSizes[s], *expected.checksums[s]);
        any = true;
    }
    if (!any) text.back() = ' ', text += "{}\n";
    return text;
}

}  // namespace sortie::scenario
