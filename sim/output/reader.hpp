#pragma once

#include <filesystem>

#include "sim/results/result.hpp"

namespace sortie::output {

/// Reads back a file written by write_run: every field of the run, scenarios in the order they
/// were written.
///
/// Throws OutputError (sim/output/error.hpp) when the file is missing or not an HDF5 file,
/// lacks the root attribute `complete` = 1 (its run did not finish), or lacks or has
/// inconsistent groups, datasets, axes or attributes (including states or events other than
/// results::kStateNames and results::kEventNames).
/// Not thread-safe (Debian's HDF5 is the serial build): one write or read at a time.
results::RunResult read_run(const std::filesystem::path& path);

}  // namespace sortie::output
