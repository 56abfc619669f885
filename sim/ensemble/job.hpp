#pragma once

// A job: an ensemble that writes its files. Which tasks this process runs (all, a slice of a
// job array, those other slices lack), where the result goes (a result file, or a slice file
// when a slice was asked for or tasks failed) and the checkpoints that let it resume. What
// `sortie run` does in one process, and what every MPI rank shares (mpi.hpp).
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "sim/ensemble/output_claim.hpp"
#include "sim/ensemble/posterior.hpp"
#include "sim/ensemble/run.hpp"
#include "sim/output/slice.hpp"
#include "sim/scenario/scenario.hpp"

namespace sortie::ensemble {

struct Job {
    std::string output;        ///< the result file (or slice file)
    std::string command_line;  ///< recorded in the file
    bool transmissions = false;
    std::uint32_t checkpoint_every = 0;  ///< days; 0: no periodic checkpoint
    bool resume = false;
    std::optional<std::uint32_t> task_index, task_count;  ///< a slice of the tasks
    std::vector<std::string> only_missing;  ///< slice files whose tasks are not run again
    /// Other files the job reads (the --posterior file): never accepted as the output.
    std::vector<std::string> other_inputs;
    bool force = false;  ///< the output may replace a regular file that sortie did not write
    /// Per scenario, the parameter sets its replicates drew (`--posterior`); empty: none.
    std::vector<ReplicateVariants> variants;
};

/// The job's variants for RunSettings and checkpoint_manifest: null when it has none.
const std::vector<ReplicateVariants>* variants_of(const Job& job);

/// Every file the job reads, which its output may not be (output_claim.hpp).
std::vector<std::filesystem::path> job_inputs(const std::vector<scenario::Scenario>& scenarios,
                                              const Job& job);

/// Whether the output is a slice file (--task-count, --only-missing).
bool writes_a_slice(const Job& job);
/// The tasks of this job: its slice, less those the --only-missing slices hold.
std::vector<Task> tasks_to_run(const std::vector<scenario::Scenario>& scenarios, const Job& job,
                               const std::string& manifest);
/// Replicate-days of `tasks` (for the progress ETA).
std::uint64_t work_of(const std::vector<scenario::Scenario>& scenarios,
                      const std::vector<Task>& tasks);
/// Whether the job keeps checkpoints: asked for, resumed, or left by an interrupted run (a
/// leftover checkpoint is refused rather than ignored: it is someone's unfinished run).
bool keeps_checkpoints(const Job& job);

/// Writes a job whose tasks are all in `slice`: the result file, or the slice file when one was
/// asked for or tasks failed; then throws IncompleteRun naming the failed tasks.
void write_slice_outcome(const std::vector<scenario::Scenario>& scenarios, output::Slice slice,
                         const std::vector<TaskFailure>& failures, const Job& job,
                         RunObserver& observer);

/// Runs the job in this process and writes its file, holding its output's claim throughout;
/// the checkpoint folder is removed once the file is complete. Throws Interrupted when `stop` is
/// requested (after saving the checkpoint, if any), IncompleteRun when tasks failed (the others
/// kept in a slice file), core::InputError for bad tables or a checkpoint of another run,
/// core::FileError when a file cannot be written.
void run_job(const std::vector<scenario::Scenario>& scenarios, const Job& job,
             RunObserver& observer, std::stop_token stop = {});

}  // namespace sortie::ensemble
