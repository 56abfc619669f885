#include "sim/ensemble/job.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "sim/ensemble/checkpoint.hpp"
#include "sim/ensemble/slices.hpp"
#include "sim/output/writer.hpp"

namespace sortie::ensemble {
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

// Writes the result, or a slice (asked for, or holding what finished when tasks failed).
void write_outcome(const std::vector<scenario::Scenario>& scenarios, TasksOutcome& outcome,
                   const Job& job, const std::string& manifest, RunObserver& observer) {
    if (!writes_a_slice(job) && outcome.failures.empty()) {
        outcome.run.command_line = job.command_line;
        const auto write_start = std::chrono::steady_clock::now();
        output::write_run(job.output, outcome.run);
        const std::chrono::duration<double> write_time =
            std::chrono::steady_clock::now() - write_start;
        observer.note(fmt::format("wrote {} in {:.2f} s", job.output, write_time.count()));
        return;
    }
    write_slice_outcome(scenarios, make_slice(scenarios, outcome, manifest), outcome.failures, job,
                        observer);
}

}  // namespace

std::vector<std::filesystem::path> job_inputs(const std::vector<scenario::Scenario>& scenarios,
                                              const Job& job) {
    std::vector<std::filesystem::path> extra(job.only_missing.begin(), job.only_missing.end());
    extra.insert(extra.end(), job.other_inputs.begin(), job.other_inputs.end());
    return inputs_of(scenarios, std::move(extra));
}

bool writes_a_slice(const Job& job) {
    return job.task_count.has_value() || !job.only_missing.empty();
}

std::vector<Task> tasks_to_run(const std::vector<scenario::Scenario>& scenarios, const Job& job,
                               const std::string& manifest) {
    auto tasks = job.task_count
                     ? slice_tasks(scenarios, job.task_index.value_or(0), *job.task_count)
                     : all_tasks(scenarios);
    if (job.only_missing.empty()) return tasks;
    const auto held = held_tasks(job.only_missing, manifest);
    std::erase_if(tasks, [&](const Task& t) { return held.contains({t.scenario, t.replicate}); });
    return tasks;
}

std::uint64_t work_of(const std::vector<scenario::Scenario>& scenarios,
                      const std::vector<Task>& tasks) {
    std::uint64_t days = 0;
    for (const auto& task : tasks) days += scenarios[task.scenario].days();
    return days;
}

bool keeps_checkpoints(const Job& job) {
    return job.checkpoint_every > 0 || job.resume ||
           std::filesystem::exists(checkpoint_folder(job.output));
}

void write_slice_outcome(const std::vector<scenario::Scenario>& scenarios, output::Slice slice,
                         const std::vector<TaskFailure>& failures, const Job& job,
                         RunObserver& observer) {
    const bool failed = !failures.empty();
    if (!writes_a_slice(job) && !failed) {
        results::RunResult run = join_slices({std::move(slice)});
        run.command_line = job.command_line;
        output::write_run(job.output, run);
        observer.note(fmt::format("wrote {}", job.output));
        return;
    }
    // Nothing to keep: the first failure says it all (bad tables, as in a plain run).
    if (failed && slice.tasks.empty() && failures.front().error)
        std::rethrow_exception(failures.front().error);
    slice.command_line = job.command_line;
    slice.task_index = static_cast<std::int32_t>(job.task_index.value_or(0));
    slice.task_count = static_cast<std::int32_t>(job.task_count.value_or(1));
    const std::string path = writes_a_slice(job) ? job.output : kept_tasks_path(job.output);
    output::write_slice(path, slice);
    observer.note(fmt::format("wrote {} ({} tasks)", path, slice.tasks.size()));
    if (!failed) return;
    throw IncompleteRun(fmt::format(
        "{} task{} failed:\n{}the {} finished tasks are kept in the slice {}: rerun the failed "
        "ones with --only-missing {} (and -o for a new slice), then join both with `sortie "
        "collect` (docs/cluster.md)",
        failures.size(), failures.size() > 1 ? "s" : "", failures_text(scenarios, failures),
        slice.tasks.size(), path, path));
}

const std::vector<ReplicateVariants>* variants_of(const Job& job) {
    return job.variants.empty() ? nullptr : &job.variants;
}

void run_job(const std::vector<scenario::Scenario>& scenarios, const Job& job,
             RunObserver& observer, std::stop_token stop) {
    const OutputClaim claim(job.output, job_inputs(scenarios, job), job.force);
    if (!claim.unlocked().empty()) observer.note(claim.unlocked());
    const std::string manifest =
        checkpoint_manifest(scenarios, job.transmissions, variants_of(job));
    const auto mine = tasks_to_run(scenarios, job, manifest);
    TaskList tasks(mine);
    std::optional<CheckpointStore> store;
    if (keeps_checkpoints(job)) store.emplace(job.output, manifest, job.resume);
    observer.expect(work_of(scenarios, mine));
    RunSettings settings;
    settings.transmissions = job.transmissions;
    settings.checkpoint_every = job.checkpoint_every;
    settings.store = store ? &*store : nullptr;
    settings.source = &tasks;
    settings.stop = std::move(stop);
    settings.variants = variants_of(job);
    TasksOutcome outcome = run_tasks(scenarios, observer, settings);
    write_outcome(scenarios, outcome, job, manifest, observer);
    if (store) store->remove();  // only once the result is complete
}

}  // namespace sortie::ensemble
