// `sortie bench [--size S] [--threads N] [--repeat K] [--json]`: runs the fixed benchmark
// problem of benchmarks/bench/ at a standard size, reports the figure of merit and the time
// split, and verifies the result against the recorded checksum (docs/benchmark.md).
#include <fmt/format.h>
#include <sys/resource.h>
#include <tbb/global_control.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "sim/core/build_info.hpp"
#include "sim/core/error.hpp"
#include "sim/core/system.hpp"
#include "sim/ensemble/run.hpp"
#include "sim/model/memory.hpp"
#include "sim/output/error.hpp"
#include "sim/output/writer.hpp"
#include "sim/results/checksum.hpp"
#include "sim/scenario/bench_problem.hpp"
#include "tools/sortie/commands.hpp"
#include "tools/sortie/exit_codes.hpp"
#include "tools/sortie/interrupt.hpp"
#include "tools/sortie/progress.hpp"

#ifndef SORTIE_BENCH_PROBLEMS_DIR
#error "SORTIE_BENCH_PROBLEMS_DIR must name the folder of problem.yaml (set by CMake)"
#endif

namespace sortie::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

struct BenchOptions {
    std::string size = "small";
    int threads = 0;
    unsigned repeat = 1;
    bool json = false;
    bool record = false;
    std::string problems;                ///< folder of problem.yaml and expected.yaml
    std::vector<std::string> overrides;  ///< --set: a changed problem (fails verification)
    std::string output;                  ///< keep the HDF5 result here
};

/// One repeat: where its time went and its checksum.
struct Sample {
    double population_seconds = 0, model_seconds = 0, simulation_seconds = 0;
    double output_seconds = 0, total_seconds = 0, cpu_seconds = 0;
    std::uint64_t contact_evaluations = 0;
    std::uint64_t agents = 0;
    std::uint64_t checksum = 0;
};

/// What the problem is at the size asked for.
struct Problem {
    fs::path folder;
    scenario::BenchProblem definition;
    std::size_t size_index = 0;
    std::vector<scenario::Scenario> scenarios;
};

struct Verification {
    bool passed = false;
    std::optional<std::uint64_t> expected;
    std::string reason;
};

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of the process (user and system, all threads): on a shared machine, the work done
// whatever the waiting for a core.
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) {
        return double(t.tv_sec) + 1e-6 * double(t.tv_usec);
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The --problems option, else $SORTIE_BENCH_PROBLEMS, else the source tree's folder compiled in.
fs::path problems_folder(const BenchOptions& options) {
    if (!options.problems.empty()) return options.problems;
    if (const char* folder = std::getenv("SORTIE_BENCH_PROBLEMS"); folder && *folder) return folder;
    return SORTIE_BENCH_PROBLEMS_DIR;
}

Problem load_problem(const BenchOptions& options) {
    Problem problem;
    problem.folder = problems_folder(options);
    problem.definition = scenario::load_bench_problem(problem.folder / "problem.yaml");
    problem.size_index = *scenario::bench_size_index(options.size);
    const scenario::BenchSize& size = problem.definition.sizes[problem.size_index];
    std::vector<std::string> overrides;
    if (size.agents) overrides.push_back(fmt::format("population.size={}", *size.agents));
    overrides.push_back(fmt::format("replicates={}", size.replicates));
    overrides.insert(overrides.end(), options.overrides.begin(), options.overrides.end());
    problem.scenarios =
        scenario::load_all(problem.definition.scenario, overrides, scenario::Purpose::kRun);
    return problem;
}

void check_memory(const Problem& problem, std::size_t threads) {
    const std::size_t available = core::available_memory_bytes();
    const auto estimate = model::estimate_memory(problem.scenarios, threads, false, available);
    if (available == 0 || estimate.peak <= available) return;
    throw model::NotEnoughMemory(fmt::format(
        "size {} needs about {} but {} are available", scenario::kBenchSizes[problem.size_index],
        model::bytes_text(double(estimate.peak)), model::bytes_text(double(available))));
}

// The output is part of the work measured: the result is written as `sortie run` writes it, to
// a temporary file removed afterwards unless -o asked to keep it.
double write_result(const results::RunResult& result, const BenchOptions& options) {
    const fs::path path = options.output.empty() ? fs::temp_directory_path() /
                                                       fmt::format("sortie-bench-{}.h5", ::getpid())
                                                 : fs::path(options.output);
    const auto start = Clock::now();
    output::write_run(path, result);
    const double seconds = seconds_since(start);
    if (options.output.empty()) fs::remove(path);
    return seconds;
}

Sample run_once(const Problem& problem, const BenchOptions& options, std::stop_token stop) {
    const auto start = Clock::now();
    const double cpu_start = cpu_seconds();
    ensemble::RunTimings timings;
    ensemble::RunObserver silent;
    ensemble::RunSettings settings;
    settings.timings = &timings;
    settings.stop = std::move(stop);
    const results::RunResult result = ensemble::run_scenarios(problem.scenarios, silent, settings);
    Sample sample;
    sample.population_seconds = timings.population_seconds;
    sample.model_seconds = timings.model_seconds;
    sample.simulation_seconds = timings.simulation_seconds;
    sample.contact_evaluations = timings.contact_evaluations.load();
    sample.output_seconds = write_result(result, options);
    sample.total_seconds = seconds_since(start);
    sample.cpu_seconds = cpu_seconds() - cpu_start;
    sample.agents = result.scenarios.front().agents;
    sample.checksum = results::result_checksum(result);
    return sample;
}

double median(std::vector<Sample> samples, double Sample::*field) {
    std::sort(samples.begin(), samples.end(),
              [field](const Sample& a, const Sample& b) { return a.*field < b.*field; });
    const std::size_t n = samples.size();
    return n % 2 ? samples[n / 2].*field
                 : 0.5 * (samples[n / 2 - 1].*field + samples[n / 2].*field);
}

std::optional<scenario::BenchExpected> load_expected(const fs::path& folder) {
    const fs::path file = folder / "expected.yaml";
    if (!fs::exists(file)) return std::nullopt;
    return scenario::load_bench_expected(file);
}

Verification verify(const Problem& problem, const std::vector<Sample>& samples) {
    Verification v;
    const std::uint64_t actual = samples.front().checksum;
    for (const auto& sample : samples) {
        if (sample.checksum != actual) {
            v.reason = "the repeats gave different results (not deterministic)";
            return v;
        }
    }
    const auto expected = load_expected(problem.folder);
    if (!expected) {
        v.reason = "no expected.yaml (record it with --record)";
    } else if (expected->problem_version != problem.definition.version) {
        v.reason = fmt::format(
            "expected.yaml is for problem version {}, problem.yaml is version {} (record the "
            "checksums again: benchmarks/bench/record)",
            expected->problem_version, problem.definition.version);
    } else {
        v.expected = expected->checksums[problem.size_index];
        if (!v.expected) {
            v.reason = "no checksum recorded for this size (record it with --record)";
        } else if (*v.expected != actual) {
            v.reason = "the result differs from the recorded one";
        } else {
            v.passed = true;
        }
    }
    return v;
}

// Keeps the other sizes' checksums if they are for the same problem version.
void record(const Problem& problem, std::uint64_t checksum) {
    scenario::BenchExpected expected;
    if (auto old = load_expected(problem.folder);
        old && old->problem_version == problem.definition.version)
        expected = *old;
    expected.problem_version = problem.definition.version;
    expected.sortie_version = std::string(core::version());
    expected.checksums[problem.size_index] = checksum;
    const fs::path file = problem.folder / "expected.yaml";
    std::ofstream out(file);
    out << scenario::bench_expected_text(expected);
    out.close();
    if (!out) throw output::OutputError(file, "cannot write the checksums");
}

json machine() {
    return {{"cpu_model", core::cpu_model()},
            {"cpus_available", core::available_cpus()},
            {"hardware_threads", std::thread::hardware_concurrency()},
            {"memory_bytes", core::total_memory_bytes()}};
}

json build() {
    return {{"sortie_version", core::version()},
            {"git_commit", core::git_commit()},
            {"build_type", core::build_type()},
            {"libraries", core::libraries()}};
}

json problem_json(const Problem& problem, const BenchOptions& options) {
    const auto& s = problem.scenarios.front();
    return {{"folder", problem.folder.string()},
            {"scenario", problem.definition.scenario.string()},
            {"version", problem.definition.version},
            {"size", options.size},
            {"days", s.days()},
            {"replicates", s.replicates},
            {"modified_by_set", options.overrides}};
}

json timings_json(const std::vector<Sample>& samples) {
    json repeats = json::array();
    for (const auto& s : samples) {
        repeats.push_back({{"population", s.population_seconds},
                           {"model", s.model_seconds},
                           {"day_loop", s.simulation_seconds},
                           {"output", s.output_seconds},
                           {"total", s.total_seconds},
                           {"cpu", s.cpu_seconds}});
    }
    return {{"population", median(samples, &Sample::population_seconds)},
            {"model", median(samples, &Sample::model_seconds)},
            {"day_loop", median(samples, &Sample::simulation_seconds)},
            {"output", median(samples, &Sample::output_seconds)},
            {"total", median(samples, &Sample::total_seconds)},
            {"cpu", median(samples, &Sample::cpu_seconds)},
            {"repeats", repeats}};
}

json figure_of_merit(const Problem& problem, const std::vector<Sample>& samples,
                     std::uint64_t agents, std::size_t threads) {
    const auto& s = problem.scenarios.front();
    const double agent_days = double(agents) * s.days() * s.replicates;
    const double loop = median(samples, &Sample::simulation_seconds);
    const double evaluations = double(samples.front().contact_evaluations);
    return {{"agents", agents},
            {"agent_days", agent_days},
            {"agent_days_per_second", agent_days / loop},
            {"contact_evaluations", samples.front().contact_evaluations},
            {"contact_evaluations_per_second", evaluations / loop},
            {"contact_evaluations_per_second_per_thread", evaluations / loop / double(threads)}};
}

json report(const Problem& problem, const BenchOptions& options, const std::vector<Sample>& samples,
            const Verification& v, std::size_t threads) {
    const std::uint64_t agents = samples.front().agents;
    const std::size_t peak = core::peak_resident_bytes();
    return {{"benchmark", "sortie bench"},
            {"problem", problem_json(problem, options)},
            {"build", build()},
            {"machine", machine()},
            {"threads", threads},
            {"repeats", samples.size()},
            {"timings_seconds", timings_json(samples)},
            {"figure_of_merit", figure_of_merit(problem, samples, agents, threads)},
            {"peak_resident_bytes", peak},
            {"peak_resident_bytes_per_agent", double(peak) / double(agents)},
            {"verification",
             {{"checksum", fmt::format("{:016x}", samples.front().checksum)},
              {"expected", v.expected ? json(fmt::format("{:016x}", *v.expected)) : json()},
              {"status", v.passed ? "PASSED" : "FAILED"},
              {"reason", v.reason}}}};
}

void print_text(const json& r) {
    const auto& p = r["problem"];
    const auto& f = r["figure_of_merit"];
    const auto& t = r["timings_seconds"];
    const auto& m = r["machine"];
    fmt::print("sortie bench: problem version {}, size {}, {} agents x {} days x {} replicates\n",
               p["version"].get<int>(), p["size"].get<std::string>(),
               f["agents"].get<std::uint64_t>(), p["days"].get<int>(), p["replicates"].get<int>());
    fmt::print("sortie {} ({} build, commit {}) on {} ({} CPUs available)\n",
               r["build"]["sortie_version"].get<std::string>(),
               r["build"]["build_type"].get<std::string>(),
               r["build"]["git_commit"].get<std::string>(), m["cpu_model"].get<std::string>(),
               m["cpus_available"].get<int>());
    fmt::print("threads {}, repeats {} (times are medians)\n", r["threads"].get<int>(),
               r["repeats"].get<int>());
    fmt::print(
        "time        population {:.3f} s, contacts and calibration {:.3f} s, day loop "
        "{:.3f} s, output {:.3f} s, total {:.3f} s (CPU time {:.3f} s)\n",
        t["population"].get<double>(), t["model"].get<double>(), t["day_loop"].get<double>(),
        t["output"].get<double>(), t["total"].get<double>(), t["cpu"].get<double>());
    fmt::print(
        "merit       {:.4g} agent-days per second; {:.4g} contact evaluations per second "
        "({:.4g} per thread)\n",
        f["agent_days_per_second"].get<double>(), f["contact_evaluations_per_second"].get<double>(),
        f["contact_evaluations_per_second_per_thread"].get<double>());
    fmt::print("memory      peak resident {} ({:.1f} bytes per agent)\n",
               model::bytes_text(r["peak_resident_bytes"].get<double>()),
               r["peak_resident_bytes_per_agent"].get<double>());
    const auto& v = r["verification"];
    fmt::print("checksum    {} (expected {})\n", v["checksum"].get<std::string>(),
               v["expected"].is_null() ? "none" : v["expected"].get<std::string>());
    const bool passed = v["status"] == "PASSED";
    fmt::print("VERIFICATION: {}{}\n", passed ? "PASSED" : "FAILED",
               passed ? "" : ": " + v["reason"].get<std::string>());
}

int run_bench(const BenchOptions& options) {
    const std::size_t threads =
        std::size_t(options.threads > 0 ? options.threads : core::available_cpus());
    tbb::global_control control(tbb::global_control::max_allowed_parallelism, threads);
    // SIGINT/SIGTERM stop at a day boundary (exit 130), recording nothing.
    const InterruptBridge interrupts;
    const Problem problem = load_problem(options);
    check_memory(problem, threads);
    std::vector<Sample> samples;
    for (unsigned k = 0; k < options.repeat; ++k)
        samples.push_back(run_once(problem, options, interrupts.token()));
    if (options.record) {
        record(problem, samples.front().checksum);
        fmt::print(stderr, "recorded checksum {:016x} for size {} of problem version {} in {}\n",
                   samples.front().checksum, options.size, problem.definition.version,
                   (problem.folder / "expected.yaml").string());
    }
    const Verification v = verify(problem, samples);
    const json result = report(problem, options, samples, v, threads);
    if (options.json) {
        fmt::print("{}\n", result.dump(2));
    } else {
        print_text(result);
    }
    return v.passed ? kExitSuccess : kExitVerificationFailed;
}

}  // namespace

std::function<int()> add_bench_command(CLI::App& app) {
    auto options = std::make_shared<BenchOptions>();
    auto* command = app.add_subcommand(
        "bench", "Run the self-verifying benchmark problem at a standard size (docs/benchmark.md)");
    command->add_option("--size", options->size, "Problem size (default: small)")
        ->check(CLI::IsMember({"small", "medium", "large", "france"}));
    command
        ->add_option("--threads", options->threads, "Worker threads (default: the CPUs available)")
        ->check(CLI::Range(1, 1024));
    command->add_option("--repeat", options->repeat, "Runs to take the median of (default: 1)")
        ->check(CLI::Range(1, 100));
    command->add_flag("--json", options->json, "Machine-readable report on stdout");
    command->add_option(
        "--problems", options->problems,
        "Folder of problem.yaml and expected.yaml (default: $SORTIE_BENCH_PROBLEMS, "
        "else " SORTIE_BENCH_PROBLEMS_DIR ")");
    command->add_option("-o,--output", options->output, "Keep the result file (HDF5) here");
    command
        ->add_option("--set", options->overrides,
                     "Change the problem: key.path=value (repeatable); verification then fails "
                     "unless the change leaves the result as it was")
        ->take_all();
    command->add_flag("--record", options->record,
                      "Write this size's checksum to expected.yaml (after a deliberate change of "
                      "the model; bump problem_version in problem.yaml)");
    command->parse_complete_callback([options] {
        if (options->record && !options->overrides.empty())
            throw CLI::ValidationError("--record", "cannot record a problem changed by --set");
    });
    return [options] { return run_bench(*options); };
}

}  // namespace sortie::cli
