// `sortie run SCENARIO.yaml -o OUT.h5`: builds the population, calibrates the transmission
// rate to the scenario's R0, runs the replicates and writes their trajectories.
#include <fmt/format.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "sim/core/system.hpp"
#include "sim/engine/calibration.hpp"
#include "sim/output/writer.hpp"
#include "tools/sortie/commands.hpp"
#include "tools/sortie/exit_codes.hpp"
#include "tools/sortie/interrupt.hpp"
#include "tools/sortie/memory_estimate.hpp"
#include "tools/sortie/runner.hpp"

namespace sortie::cli {
namespace {

struct RunOptions {
    ScenarioOptions scenario;
    std::vector<std::string> files;  ///< one or more scenario files, run into one result file
    std::string output;
    std::optional<std::uint32_t> replicates;
    std::optional<std::uint64_t> seed;
    bool quiet = false;
    std::uint32_t checkpoint_every = 0;
    bool resume = false;
    bool transmissions = false;
    bool dry_run = false;
    std::uint64_t max_memory = 0;  ///< bytes; 0 = the memory available
    std::string command_line;
};

void print_estimate(const MemoryEstimate& estimate, std::size_t available) {
    for (const auto& m : estimate.scenarios) {
        fmt::print("{}: {} agents, {} days, {} replicates ({} at once)\n", m.name, m.agents, m.days,
                   m.replicates, m.in_flight);
        fmt::print("    population {}, each replicate in flight {}, trajectories {}\n",
                   bytes_text(double(m.population)), bytes_text(double(m.per_replicate)),
                   bytes_text(double(m.trajectories)));
    }
    fmt::print("expected peak memory: {}{}\n", bytes_text(double(estimate.peak)),
               available > 0 ? fmt::format(" (available: {})", bytes_text(double(available)))
                             : std::string());
}

// Stops before anything large is allocated when the run cannot fit.
void check_memory(const MemoryEstimate& estimate, const RunOptions& options,
                  std::size_t available) {
    const std::uint64_t limit = options.max_memory > 0 ? options.max_memory : available;
    if (limit == 0 || estimate.peak <= limit) return;
    throw NotEnoughMemory(fmt::format(
        "this run needs about {} but {} {}: lower population.scale or size, replicates, "
        "--threads (replicates run at once), or split the scenarios over several runs "
        "(sortie run --dry-run shows the details)",
        bytes_text(double(estimate.peak)), bytes_text(double(limit)),
        options.max_memory > 0 ? "is the limit (--max-memory)" : "are available"));
}

int run(const RunOptions& options) {
    tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                                std::size_t(options.scenario.threads > 0 ? options.scenario.threads
                                                                         : core::available_cpus()));
    auto overrides = options.scenario.overrides;
    if (options.replicates) overrides.push_back(fmt::format("replicates={}", *options.replicates));
    if (options.seed) overrides.push_back(fmt::format("seed={}", *options.seed));
    catch_interrupts();
    // Everything is read and checked before anything is simulated or written.
    std::vector<scenario::Scenario> scenarios;
    for (const auto& file : options.files) {
        auto loaded = scenario::load_all(file, overrides, scenario::Purpose::kRun);
        for (auto& s : loaded) scenarios.push_back(std::move(s));
    }
    const std::size_t available = core::available_memory_bytes();
    const MemoryEstimate estimate = estimate_memory(
        scenarios,
        static_cast<std::size_t>(
            tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism)),
        options.transmissions, available);
    if (options.dry_run) {
        print_estimate(estimate, available);
        return kExitSuccess;
    }
    check_memory(estimate, options, available);
    std::optional<CheckpointStore> store;
    // A leftover checkpoint is refused rather than ignored: it is someone's unfinished run.
    if (options.checkpoint_every > 0 || options.resume ||
        std::filesystem::exists(checkpoint_folder(options.output)))
        store.emplace(options.output, scenarios, options.transmissions, options.resume);
    Progress progress(options.quiet);
    engine::RunResult result =
        run_scenarios(scenarios, progress,
                      {options.transmissions, options.checkpoint_every, store ? &*store : nullptr});
    result.command_line = options.command_line;
    const auto write_start = std::chrono::steady_clock::now();
    output::write_run(options.output, result);
    const std::chrono::duration<double> write_time = std::chrono::steady_clock::now() - write_start;
    if (store) store->remove();  // only once the result is complete
    progress.note(fmt::format("wrote {} in {:.2f} s", options.output, write_time.count()));
    return kExitSuccess;
}

}  // namespace

std::function<int()> add_run_command(CLI::App& app, std::string command_line) {
    auto options = std::make_shared<RunOptions>();
    options->command_line = std::move(command_line);
    auto* command = app.add_subcommand(
        "run", "Run a scenario's replicates and write their trajectories (HDF5)");
    command
        ->add_option("scenarios", options->files,
                     "Scenario files (YAML); each is a group of the result")
        ->required();
    command
        ->add_option(
            "--set", options->scenario.overrides,
            "Override a scenario value: key.path=value (repeatable, applies to every file)")
        ->take_all();
    command
        ->add_option("--threads", options->scenario.threads,
                     "Worker threads (default: the CPUs available)")
        ->check(CLI::Range(1, 1024));
    command->add_option("-o,--output", options->output, "Result file (HDF5)");
    command->add_flag("--dry-run", options->dry_run,
                      "Check the scenarios and print the memory the run would need; simulate "
                      "nothing");
    command
        ->add_option("--max-memory", options->max_memory,
                     "Refuse to start a run expected to need more (e.g. 4GB, 500MiB; default: "
                     "the memory available)")
        ->transform(CLI::AsSizeValue(false));
    command->parse_complete_callback([options] {
        if (!options->dry_run && options->output.empty())
            throw CLI::RequiredError("--output (unless --dry-run)");
    });
    command
        ->add_option("--replicates", options->replicates, "Replicates (overrides the scenario's)")
        ->check(CLI::Range(1, 100000));
    command->add_option("--seed", options->seed, "Seed (overrides the scenario's)");
    command->add_flag("--quiet", options->quiet, "No progress lines");
    command
        ->add_option("--checkpoint-every", options->checkpoint_every,
                     "Save each unfinished replicate's state every DAYS simulated days, and "
                     "each finished replicate, in OUTPUT.checkpoint/ (also saved on "
                     "SIGINT/SIGTERM)")
        ->check(CLI::Range(1, 65535));
    command->add_flag("--transmissions", options->transmissions,
                      "Also write every infection (day, infector, infectee, layer, place)");
    command->add_flag("--resume", options->resume,
                      "Continue the interrupted run of the same command from its checkpoint");
    return [options] { return run(*options); };
}

}  // namespace sortie::cli
