// `sortie run SCENARIO.yaml -o OUT.h5`: reads and checks the scenarios, checks that the run
// fits in memory, then runs the job (sim/ensemble/job.hpp), in this process or over MPI ranks.
#include <fmt/format.h>
#include <tbb/global_control.h>

#include <charconv>
#include <optional>

#include "sim/core/system.hpp"
#include "sim/ensemble/job.hpp"
#include "sim/ensemble/posterior.hpp"
#include "sim/model/memory.hpp"
#include "tools/sortie/commands.hpp"
#include "tools/sortie/exit_codes.hpp"
#include "tools/sortie/interrupt.hpp"
#include "tools/sortie/progress.hpp"
#ifdef SORTIE_WITH_MPI
#include "sim/mpi/mpi.hpp"
#endif

namespace sortie::cli {
namespace {

struct RunOptions {
    ScenarioOptions scenario;
    std::vector<std::string> files;  ///< one or more scenario files, run into one result file
    ensemble::Job job;
    std::optional<std::uint32_t> replicates;
    std::optional<std::uint64_t> seed;
    bool quiet = false;
    bool dry_run = false;
    std::uint64_t max_memory = 0;  ///< bytes; 0 = the memory available
    std::string posterior;         ///< FIT.h5 or POSTERIOR.csv: parameter sets per replicate
};

void print_estimate(const model::MemoryEstimate& estimate, std::size_t available) {
    for (const auto& m : estimate.scenarios) {
        fmt::print("{}: {} agents, {} days, {} replicates ({} at once)\n", m.name, m.agents, m.days,
                   m.replicates, m.in_flight);
        fmt::print("    population {}, each replicate in flight {}, trajectories {}{}\n",
                   model::bytes_text(double(m.population)),
                   model::bytes_text(double(m.per_replicate)),
                   model::bytes_text(double(m.trajectories)),
                   m.calibration > 0 ? fmt::format(", calibration pilots before them {}",
                                                   model::bytes_text(double(m.calibration)))
                                     : std::string());
    }
    fmt::print("expected peak memory: {}{}\n", model::bytes_text(double(estimate.peak)),
               available > 0 ? fmt::format(" (available: {})", model::bytes_text(double(available)))
                             : std::string());
}

// Stops before anything large is allocated when the run cannot fit.
void check_memory(const model::MemoryEstimate& estimate, const RunOptions& options,
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

// --seed takes what a scenario's `seed` takes: a whole number from 0 to 2^53, in decimal. The
// text is checked before CLI11 converts it, which would read "-1" as 2^64 - 1 and "010" as
// octal; a valid seed is passed on in plain decimal.
CLI::Validator seed_range() {
    return CLI::Validator(
        [](std::string& text) {
            std::uint64_t value = 0;
            const char* end = text.data() + text.size();
            const auto [stop, error] = std::from_chars(text.data(), end, value);
            if (text.empty() || error != std::errc() || stop != end || value > scenario::kMaxSeed)
                return fmt::format("must be a whole number from 0 to {} (2^53), got '{}'",
                                   scenario::kMaxSeed, text);
            text = std::to_string(value);
            return std::string();
        },
        "0 to 2^53");
}

// The --set values, then --replicates and --seed.
std::vector<std::string> overrides_of(const RunOptions& options) {
    auto overrides = options.scenario.overrides;
    if (options.replicates) overrides.push_back(fmt::format("replicates={}", *options.replicates));
    if (options.seed) overrides.push_back(fmt::format("seed={}", *options.seed));
    return overrides;
}

std::vector<scenario::Scenario> load_scenarios(const RunOptions& options) {
    return scenario::load_files(options.files, overrides_of(options), scenario::Purpose::kRun);
}

// The job, with the parameter sets each replicate draws when --posterior is given.
ensemble::Job job_of(const RunOptions& options, const std::vector<scenario::Scenario>& scenarios) {
    ensemble::Job job = options.job;
    if (options.posterior.empty()) return job;
    job.other_inputs.push_back(options.posterior);
    const auto sets = ensemble::read_parameter_sets(options.posterior);
    job.variants = ensemble::draw_variants(scenarios, options.files, overrides_of(options), sets);
    return job;
}

// Everything is read and checked before anything is simulated or written. None for a dry run
// (the estimate printed where `print`).
std::optional<std::vector<scenario::Scenario>> prepare(const RunOptions& options, bool print) {
    auto scenarios = load_scenarios(options);
    const std::size_t available = core::available_memory_bytes();
    const auto estimate = model::estimate_memory(
        scenarios,
        static_cast<std::size_t>(
            tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism)),
        options.job.transmissions, available);
    if (options.dry_run) {
        if (print) print_estimate(estimate, available);
        return std::nullopt;
    }
    check_memory(estimate, options, available);
    return scenarios;
}

#ifdef SORTIE_WITH_MPI
int run_over_mpi(const RunOptions& options, const InterruptBridge& interrupts) {
    Progress progress(options.quiet);
    // The draws are made where each rank prepares, so that a rank that cannot read the
    // posterior fails with the others (mpi::run_job's shared check), and before the job's
    // manifest is computed from them.
    ensemble::Job job = options.job;
    const auto ending = mpi::run_job(
        [&](bool root) {
            auto scenarios = prepare(options, root);
            if (scenarios) job.variants = job_of(options, *scenarios).variants;
            return scenarios;
        },
        job, progress, interrupts.token());
    switch (ending) {
        case mpi::Ending::kFinished:
            return kExitSuccess;
        case mpi::Ending::kInterrupted:
            return kExitInterrupted;
        case mpi::Ending::kFailedElsewhere:
            return kExitBadInput;
    }
    return kExitInternalError;
}
#endif

int run(const RunOptions& options) {
    tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                                std::size_t(options.scenario.threads > 0 ? options.scenario.threads
                                                                         : core::available_cpus()));
    const InterruptBridge interrupts;
#ifdef SORTIE_WITH_MPI
    if (mpi::launched_by_mpi()) return run_over_mpi(options, interrupts);
#endif
    const auto scenarios = prepare(options, true);
    if (!scenarios) return kExitSuccess;
    const ensemble::Job job = job_of(options, *scenarios);
    Progress progress(options.quiet);
    ensemble::run_job(*scenarios, job, progress, interrupts.token());
    return kExitSuccess;
}

}  // namespace

std::function<int()> add_run_command(CLI::App& app, std::string command_line) {
    auto options = std::make_shared<RunOptions>();
    options->job.command_line = std::move(command_line);
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
    command->add_option("-o,--output", options->job.output,
                        "Result file (HDF5): absent, or a file sortie wrote, which is replaced");
    command->add_flag("--force", options->job.force,
                      "Let -o replace a regular file that sortie did not write");
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
    command->add_option("--seed", options->seed, "Seed (overrides the scenario's)")
        ->transform(seed_range());
    command->add_option(
        "--posterior", options->posterior,
        "Give each replicate a parameter set drawn from a fit's posterior (FIT.h5 or the CSV of "
        "sortie fit --write-posterior), as a function of the seed and the replicate only "
        "(docs/fitting.md)");
    command->add_flag("--quiet", options->quiet, "No progress lines");
    command
        ->add_option("--checkpoint-every", options->job.checkpoint_every,
                     "Save each unfinished replicate's state every DAYS simulated days, and "
                     "each finished replicate, in OUTPUT.checkpoint/ (also saved on "
                     "SIGINT/SIGTERM)")
        ->check(CLI::Range(1, 65535));
    command->add_flag("--transmissions", options->job.transmissions,
                      "Also write every infection (day, infector, infectee, layer, place)");
    command->add_flag("--resume", options->job.resume,
                      "Continue the interrupted run of the same command from its checkpoint");
    command
        ->add_option("--task-count", options->job.task_count,
                     "Run only a slice of the tasks (scenario, replicate), for job arrays: the "
                     "tasks are dealt round robin to COUNT slices; OUTPUT is then a slice file "
                     "for `sortie collect`")
        ->check(CLI::Range(1, 1000000));
    command
        ->add_option("--task-index", options->job.task_index,
                     "Which slice to run, from 0 to --task-count - 1 (e.g. $SLURM_ARRAY_TASK_ID)")
        ->needs("--task-count");
    command
        ->add_option("--only-missing", options->job.only_missing,
                     "Run only the tasks that none of these slice files holds (after a failed or "
                     "lost slice); OUTPUT is then a slice file")
        ->expected(1, -1);
    command->parse_complete_callback([options] {
        if (!options->dry_run && options->job.output.empty())
            throw CLI::RequiredError("--output (unless --dry-run)");
        if (options->job.task_count &&
            options->job.task_index.value_or(0) >= *options->job.task_count)
            throw CLI::ValidationError("--task-index", "must be below --task-count");
    });
    return [options] { return run(*options); };
}

}  // namespace sortie::cli
