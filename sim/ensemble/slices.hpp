#pragma once

// Runs in pieces (docs/cluster.md): slice files of `sortie run --task-index/--task-count`, of
// a run whose tasks partly failed, and of `--only-missing`; `sortie collect` joins them.
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/ensemble/run.hpp"
#include "sim/output/slice.hpp"
#include "sim/results/result.hpp"
#include "sim/scenario/scenario.hpp"

namespace sortie::ensemble {

/// Some tasks of a run failed or are missing; what finished is kept. `main` maps it to
/// kExitIncomplete.
class IncompleteRun : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// A slice of the run without tasks: its manifest and task list.
output::Slice slice_header(const std::vector<scenario::Scenario>& scenarios,
                           const std::string& manifest);

/// The tasks a process finished, as a slice file's content.
output::Slice make_slice(const std::vector<scenario::Scenario>& scenarios,
                         const TasksOutcome& outcome, const std::string& manifest);

/// The tasks held by slice files of the run whose manifest is given. Throws core::InputError
/// naming a file that cannot be read or belongs to another run.
std::set<std::pair<std::uint32_t, std::uint32_t>> held_tasks(const std::vector<std::string>& files,
                                                             const std::string& manifest);

/// Joins slice files into the run one process would have produced. Throws core::InputError
/// for an unreadable slice, slices of different runs or slices that disagree on a task, and
/// IncompleteRun listing the missing tasks by scenario and replicate.
results::RunResult join_slices(const std::vector<std::string>& files);
/// The same for slices in memory (the first names the run).
results::RunResult join_slices(std::vector<output::Slice> slices);

/// "scenario 'a': replicates 0, 2; scenario 'b': all 4 replicates", one scenario per line.
std::string task_list_text(const std::vector<std::string>& scenario_names,
                           const std::vector<std::int32_t>& scenario_replicates,
                           const std::set<std::pair<std::uint32_t, std::uint32_t>>& tasks);

}  // namespace sortie::ensemble
