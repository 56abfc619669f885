#pragma once

// Slice files: part of a run's tasks, written by `sortie run --task-index/--task-count` (or by
// a run in which some tasks failed) and joined by `sortie collect` (docs/cluster.md). The
// results are opaque byte images (sim/results/images.hpp) so that joining them gives back,
// bit for bit, what one process would have written.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sortie::output {

struct SliceTask {
    std::uint32_t scenario = 0;  ///< index in the run's list of scenarios (sweep points)
    std::uint32_t replicate = 0;
    std::vector<char> result;  ///< the replicate's result image
};

struct SliceScenario {
    std::uint32_t scenario = 0;
    std::vector<char> description;  ///< the scenario's description image (without replicates)
};

struct Slice {
    std::string manifest;      ///< identifies the run: slices of different runs never mix
    std::string command_line;  ///< the command that wrote the slice
    std::int32_t task_index = 0, task_count = 1;
    /// The whole run's task list: each scenario's name and number of replicates.
    std::vector<std::string> scenario_names;
    std::vector<std::int32_t> scenario_replicates;
    std::vector<SliceScenario> scenarios;  ///< of the scenarios with a task in this slice
    std::vector<SliceTask> tasks;          ///< the tasks this slice holds
};

/// Writes a slice file (crash safe like write_run). Throws OutputError.
void write_slice(const std::filesystem::path& path, const Slice& slice);

/// Reads a slice file. Throws OutputError when it is missing, not a slice file (a result file
/// is named as such) or incomplete.
Slice read_slice(const std::filesystem::path& path);

}  // namespace sortie::output
