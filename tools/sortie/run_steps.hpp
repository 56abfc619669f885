#pragma once

// The steps of `sortie run` that a run in one process and a run over MPI ranks share
// (run_command.cpp, mpi_run.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/ensemble/run.hpp"
#include "sim/model/memory.hpp"
#include "sim/output/slice.hpp"
#include "sim/scenario/scenario.hpp"
#include "tools/sortie/commands.hpp"
#include "tools/sortie/interrupt.hpp"
#include "tools/sortie/progress.hpp"

namespace sortie::cli {

using ensemble::Task;
using ensemble::TaskFailure;
using model::MemoryEstimate;

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
    std::optional<std::uint32_t> task_index, task_count;  ///< a slice of the tasks
    std::vector<std::string> only_missing;  ///< slice files whose tasks are not run again
};

/// The scenarios of the run (files, --set, --replicates, --seed), read and checked.
std::vector<scenario::Scenario> load_scenarios(const RunOptions& options);

/// Prints the memory estimate (--dry-run).
void print_estimate(const MemoryEstimate& estimate, std::size_t available);
/// Throws model::NotEnoughMemory when the run cannot fit.
void check_memory(const MemoryEstimate& estimate, const RunOptions& options, std::size_t available);

/// Whether the output is a slice file (--task-count, --only-missing).
bool writes_a_slice(const RunOptions& options);
/// The tasks of this run: its slice, less those the --only-missing slices hold.
std::vector<Task> tasks_to_run(const std::vector<scenario::Scenario>& scenarios,
                               const RunOptions& options, const std::string& manifest);
/// Replicate-days of `tasks` (for the progress ETA).
std::uint64_t work_of(const std::vector<scenario::Scenario>& scenarios,
                      const std::vector<Task>& tasks);

/// Writes a run whose tasks are all in `slice`: the result file, or the slice file when one
/// was asked for or tasks failed; then throws ensemble::IncompleteRun naming the failed tasks.
void write_slice_outcome(const std::vector<scenario::Scenario>& scenarios, output::Slice slice,
                         const std::vector<TaskFailure>& failures, const RunOptions& options,
                         Progress& progress);

/// `sortie run` over the ranks of an MPI job (mpi_run.cpp).
int run_over_mpi(const RunOptions& options, const InterruptBridge& interrupts);
/// Whether an MPI launcher (mpirun, srun) started this process.
bool launched_by_mpi();

}  // namespace sortie::cli
