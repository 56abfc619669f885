// `sortie run SCENARIO.yaml -o OUT.h5`: builds the population, calibrates the transmission
// rate to the scenario's R0, runs the replicates and writes their trajectories.
#include <fmt/format.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>

#include "sim/core/system.hpp"
#include "sim/engine/calibration.hpp"
#include "sim/ensemble/run.hpp"
#include "sim/ensemble/slices.hpp"
#include "sim/model/memory.hpp"
#include "sim/output/writer.hpp"
#include "tools/sortie/commands.hpp"
#include "tools/sortie/exit_codes.hpp"
#include "tools/sortie/interrupt.hpp"
#include "tools/sortie/progress.hpp"
#include "tools/sortie/run_steps.hpp"

namespace sortie::cli {

void print_estimate(const MemoryEstimate& estimate, std::size_t available) {
    for (const auto& m : estimate.scenarios) {
        fmt::print("{}: {} agents, {} days, {} replicates ({} at once)\n", m.name, m.agents, m.days,
                   m.replicates, m.in_flight);
        fmt::print("    population {}, each replicate in flight {}, trajectories {}\n",
                   model::bytes_text(double(m.population)),
                   model::bytes_text(double(m.per_replicate)),
                   model::bytes_text(double(m.trajectories)));
    }
    fmt::print("expected peak memory: {}{}\n", model::bytes_text(double(estimate.peak)),
               available > 0 ? fmt::format(" (available: {})", model::bytes_text(double(available)))
                             : std::string());
}

// Stops before anything large is allocated when the run cannot fit.
void check_memory(const MemoryEstimate& estimate, const RunOptions& options,
                  std::size_t available) {
    const std::uint64_t limit = options.max_memory > 0 ? options.max_memory : available;
    if (limit == 0 || estimate.peak <= limit) return;
    throw model::NotEnoughMemory(fmt::format(
        "this run needs about {} but {} {}: lower population.scale or size, replicates, "
        "--threads (replicates run at once), or split the scenarios over several runs "
        "(sortie run --dry-run shows the details)",
        model::bytes_text(double(estimate.peak)), model::bytes_text(double(limit)),
        options.max_memory > 0 ? "is the limit (--max-memory)" : "are available"));
}

std::vector<scenario::Scenario> load_scenarios(const RunOptions& options) {
    auto overrides = options.scenario.overrides;
    if (options.replicates) overrides.push_back(fmt::format("replicates={}", *options.replicates));
    if (options.seed) overrides.push_back(fmt::format("seed={}", *options.seed));
    std::vector<scenario::Scenario> scenarios;
    for (const auto& file : options.files) {
        auto loaded = scenario::load_all(file, overrides, scenario::Purpose::kRun);
        for (auto& s : loaded) scenarios.push_back(std::move(s));
    }
    return scenarios;
}

bool writes_a_slice(const RunOptions& options) {
    return options.task_count.has_value() || !options.only_missing.empty();
}

// The tasks of this process: a slice, less those other slices already hold.
std::vector<Task> tasks_to_run(const std::vector<scenario::Scenario>& scenarios,
                               const RunOptions& options, const std::string& manifest) {
    auto tasks =
        options.task_count
            ? ensemble::slice_tasks(scenarios, options.task_index.value_or(0), *options.task_count)
            : ensemble::all_tasks(scenarios);
    if (options.only_missing.empty()) return tasks;
    const auto held = ensemble::held_tasks(options.only_missing, manifest);
    std::erase_if(tasks, [&](const Task& t) { return held.contains({t.scenario, t.replicate}); });
    return tasks;
}

std::uint64_t work_of(const std::vector<scenario::Scenario>& scenarios,
                      const std::vector<Task>& tasks) {
    std::uint64_t days = 0;
    for (const auto& task : tasks) days += scenarios[task.scenario].days();
    return days;
}

namespace {

// Where the finished tasks of a run with failed tasks go: a slice beside the output.
std::string kept_tasks_path(const std::string& output) {
    return output + ".finished-tasks.h5";
}

std::string failures_text(const std::vector<scenario::Scenario>& scenarios,
                          const std::vector<TaskFailure>& failures) {
    std::string text;
    for (const auto& f : failures) {
        text += fmt::format("  scenario '{}', replicate {}: {}\n", scenarios[f.task.scenario].name,
                            f.task.replicate, f.message);
    }
    return text;
}

}  // namespace

void write_slice_outcome(const std::vector<scenario::Scenario>& scenarios, output::Slice slice,
                         const std::vector<TaskFailure>& failures, const RunOptions& options,
                         Progress& progress) {
    const bool failed = !failures.empty();
    if (!writes_a_slice(options) && !failed) {
        results::RunResult run = ensemble::join_slices({std::move(slice)});
        run.command_line = options.command_line;
        output::write_run(options.output, run);
        progress.note(fmt::format("wrote {}", options.output));
        return;
    }
    // Nothing to keep: the first failure says it all (bad tables, as in a plain run).
    if (failed && slice.tasks.empty() && failures.front().error)
        std::rethrow_exception(failures.front().error);
    slice.command_line = options.command_line;
    slice.task_index = static_cast<std::int32_t>(options.task_index.value_or(0));
    slice.task_count = static_cast<std::int32_t>(options.task_count.value_or(1));
    const std::string path =
        writes_a_slice(options) ? options.output : kept_tasks_path(options.output);
    output::write_slice(path, slice);
    progress.note(fmt::format("wrote {} ({} tasks)", path, slice.tasks.size()));
    if (!failed) return;
    throw ensemble::IncompleteRun(fmt::format(
        "{} task{} failed:\n{}the {} finished tasks are kept in the slice {}: rerun the failed "
        "ones with --only-missing {} (and -o for a new slice), then join both with `sortie "
        "collect` (docs/cluster.md)",
        failures.size(), failures.size() > 1 ? "s" : "", failures_text(scenarios, failures),
        slice.tasks.size(), path, path));
}

namespace {

// Writes the result, or a slice (asked for, or holding what finished when tasks failed).
void write_outcome(const std::vector<scenario::Scenario>& scenarios,
                   ensemble::TasksOutcome& outcome, const RunOptions& options,
                   const std::string& manifest, Progress& progress) {
    if (!writes_a_slice(options) && outcome.failures.empty()) {
        outcome.run.command_line = options.command_line;
        const auto write_start = std::chrono::steady_clock::now();
        output::write_run(options.output, outcome.run);
        const std::chrono::duration<double> write_time =
            std::chrono::steady_clock::now() - write_start;
        progress.note(fmt::format("wrote {} in {:.2f} s", options.output, write_time.count()));
        return;
    }
    write_slice_outcome(scenarios, ensemble::make_slice(scenarios, outcome, manifest),
                        outcome.failures, options, progress);
}

int run(const RunOptions& options) {
    tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                                std::size_t(options.scenario.threads > 0 ? options.scenario.threads
                                                                         : core::available_cpus()));
    const InterruptBridge interrupts;
#ifdef SORTIE_WITH_MPI
    if (launched_by_mpi()) return run_over_mpi(options, interrupts);
#endif
    // Everything is read and checked before anything is simulated or written.
    const auto scenarios = load_scenarios(options);
    const std::size_t available = core::available_memory_bytes();
    const MemoryEstimate estimate = model::estimate_memory(
        scenarios,
        static_cast<std::size_t>(
            tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism)),
        options.transmissions, available);
    if (options.dry_run) {
        print_estimate(estimate, available);
        return kExitSuccess;
    }
    check_memory(estimate, options, available);
    const std::string manifest = ensemble::checkpoint_manifest(scenarios, options.transmissions);
    const auto mine = tasks_to_run(scenarios, options, manifest);
    ensemble::TaskList tasks(mine);
    std::optional<ensemble::CheckpointStore> store;
    // A leftover checkpoint is refused rather than ignored: it is someone's unfinished run.
    if (options.checkpoint_every > 0 || options.resume ||
        std::filesystem::exists(ensemble::checkpoint_folder(options.output)))
        store.emplace(options.output, scenarios, options.transmissions, options.resume);
    Progress progress(options.quiet);
    progress.expect(work_of(scenarios, mine));
    ensemble::RunSettings settings{options.transmissions,
                                   options.checkpoint_every,
                                   store ? &*store : nullptr,
                                   &tasks,
                                   {},
                                   nullptr,
                                   interrupts.token()};
    ensemble::TasksOutcome outcome = ensemble::run_tasks(scenarios, progress, settings);
    write_outcome(scenarios, outcome, options, manifest, progress);
    if (store) store->remove();  // only once the result is complete
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
    command
        ->add_option("--task-count", options->task_count,
                     "Run only a slice of the tasks (scenario, replicate), for job arrays: the "
                     "tasks are dealt round robin to COUNT slices; OUTPUT is then a slice file "
                     "for `sortie collect`")
        ->check(CLI::Range(1, 1000000));
    command
        ->add_option("--task-index", options->task_index,
                     "Which slice to run, from 0 to --task-count - 1 (e.g. $SLURM_ARRAY_TASK_ID)")
        ->needs("--task-count");
    command
        ->add_option("--only-missing", options->only_missing,
                     "Run only the tasks that none of these slice files holds (after a failed or "
                     "lost slice); OUTPUT is then a slice file")
        ->expected(1, -1);
    command->parse_complete_callback([options] {
        if (!options->dry_run && options->output.empty())
            throw CLI::RequiredError("--output (unless --dry-run)");
        if (options->task_count && options->task_index.value_or(0) >= *options->task_count)
            throw CLI::ValidationError("--task-index", "must be below --task-count");
    });
    return [options] { return run(*options); };
}

}  // namespace sortie::cli
