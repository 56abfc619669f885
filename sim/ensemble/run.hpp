#pragma once

// Ensembles: runs the replicates of validated scenarios (each scenario's model built once per
// process), concurrently, with checkpoints, task lists for slices and MPI ranks, failures
// recorded per task. What `sortie run`, `sortie bench`, the Python module and the tests share.
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

#include "sim/ensemble/checkpoint.hpp"
#include "sim/ensemble/posterior.hpp"
#include "sim/results/result.hpp"
#include "sim/scenario/scenario.hpp"

namespace sortie::ensemble {

/// What a run reports while it goes (progress lines, ETA, logs). Every method has an empty
/// default; the ensemble calls them from the threads running tasks, concurrently.
class RunObserver {
  public:
    virtual ~RunObserver() = default;

    /// The work of the whole run, in replicate-days (for an ETA).
    virtual void expect(std::uint64_t /*replicate_days*/) {}
    /// Replicate-days already done before this run (resumed from a checkpoint).
    virtual void skip(std::uint64_t /*replicate_days*/) {}
    virtual void day_done(const std::string& /*scenario*/, std::uint32_t /*replicate*/,
                          std::uint32_t /*day*/, std::uint32_t /*days*/) {}
    /// `seconds`, `contact_evaluations` and `kernel_seconds`: this process's work on the
    /// replicate (after the day it resumed from, if it did).
    virtual void replicate_done(const std::string& /*scenario*/, std::uint32_t /*replicate*/,
                                std::uint32_t /*replicates*/, double /*seconds*/, double /*r0*/,
                                std::uint64_t /*contact_evaluations*/, double /*kernel_seconds*/) {}
    /// A line for the log (a model built, a scenario's replicates done, a file written).
    virtual void note(const std::string& /*text*/) {}
    /// A replicate finished by another process (an MPI rank): `days` of work done.
    virtual void remote_done(const std::string& /*scenario*/, std::uint32_t /*replicate*/,
                             std::uint32_t /*replicates*/, std::uint32_t /*days*/, int /*rank*/) {}
};

/// Thrown after a stop was requested (RunSettings::stop), at a day boundary, with the
/// checkpoint saved if any: the run stops before writing anything.
class Interrupted : public std::runtime_error {
  public:
    explicit Interrupted(const std::string& what = "nothing was written")
        : std::runtime_error(what) {}
};

/// Where a run spent its time (wall seconds, summed over its scenarios) and the contacts it
/// evaluated: the figures of `sortie bench`.
struct RunTimings {
    double population_seconds = 0;  ///< building the synthetic populations
    double model_seconds = 0;       ///< contact layers, disease model, calibration
    double simulation_seconds = 0;  ///< the day loops of all replicates (run concurrently)
    std::atomic<std::uint64_t> contact_evaluations{0};  ///< summed over replicates
};

/// One unit of work of a run: a replicate of a scenario (each sweep point is a scenario).
struct Task {
    std::uint32_t scenario = 0;  ///< index in the run's list of scenarios
    std::uint32_t replicate = 0;
};

/// Hands out the tasks a process runs, in the run's order (by scenario, then replicate), so
/// that each scenario's population is built once per process.
class TaskSource {
  public:
    virtual ~TaskSource() = default;
    /// The next task, or none when there are no more. Called by one thread at a time.
    virtual std::optional<Task> next() = 0;
};

/// A fixed list of tasks.
class TaskList final : public TaskSource {
  public:
    explicit TaskList(std::vector<Task> tasks) : tasks_(std::move(tasks)) {}
    std::optional<Task> next() override;

  private:
    std::vector<Task> tasks_;
    std::size_t next_ = 0;
};

/// Every task of the run, in order: scenario 0's replicates, then scenario 1's, ...
std::vector<Task> all_tasks(const std::vector<scenario::Scenario>& scenarios);
/// The tasks of slice `index` of `count`: round robin over all_tasks (task t when
/// t mod count = index), so that each slice gets a share of every scenario's replicates.
std::vector<Task> slice_tasks(const std::vector<scenario::Scenario>& scenarios, std::uint32_t index,
                              std::uint32_t count);

/// A task that threw: its result is missing, the other tasks go on.
struct TaskFailure {
    Task task;
    std::string message;
    std::exception_ptr error;  ///< null when it was reported by another process
};

/// What the caller learns while tasks run (each optional).
struct TaskEvents {
    /// A scenario's model is built; its description (ScenarioResult without results) is ready.
    std::function<void(std::uint32_t scenario, const results::ScenarioResult&)> described;
    /// A task finished; called concurrently from the threads running tasks.
    std::function<void(const Task&, const results::ReplicateResult&)> finished;
    /// A task failed; called concurrently.
    std::function<void(const TaskFailure&)> failed;
};

/// Options of `sortie run` beyond the scenarios.
struct RunSettings {
    bool transmissions = false;              ///< keep each replicate's transmission log
    std::uint32_t checkpoint_every = 0;      ///< save each unfinished replicate's state this often
    const CheckpointStore* store = nullptr;  ///< checkpoints, if any
    TaskSource* source = nullptr;            ///< the tasks to run; null: all of them
    TaskEvents events;
    RunTimings* timings = nullptr;  ///< filled in when given (sortie bench)
    /// Per scenario, the parameter sets its replicates run (`sortie run --posterior`); null:
    /// every replicate runs its scenario as written.
    const std::vector<ReplicateVariants>* variants = nullptr;
    /// Stops the run at the next day boundary when requested (SIGINT, Ctrl-C in Python).
    std::stop_token stop;
};

/// What a process did of a run.
struct TasksOutcome {
    /// Every scenario of the run; those whose model was built are described (non-empty name)
    /// and hold the results of their finished tasks.
    results::RunResult run;
    std::vector<std::vector<std::uint8_t>> finished;  ///< [scenario][replicate]: 1 when done
    std::vector<TaskFailure> failures;                ///< in no particular order
};

/// Runs the tasks of `settings.source`. Within a scenario, replicates run concurrently (as
/// many as threads, fewer when memory is short), each parallel inside; the result does not
/// depend on that. A task that throws (also while its scenario's tables are read: unknown
/// regions, bad tables) is recorded in `failures` and the others go on. Throws Interrupted
/// when `settings.stop` is requested (with the checkpoint saved, if any).
TasksOutcome run_tasks(const std::vector<scenario::Scenario>& scenarios, RunObserver& observer,
                       const RunSettings& settings);

/// Runs every replicate of every scenario, in order (run_tasks over all tasks), and rethrows
/// the first failure, if any.
results::RunResult run_scenarios(const std::vector<scenario::Scenario>& scenarios,
                                 RunObserver& observer, const RunSettings& settings = {});

/// The message of a failure: what() of a standard exception.
std::string failure_message(const std::exception_ptr& error);

}  // namespace sortie::ensemble
