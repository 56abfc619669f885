#pragma once

#include <filesystem>

#include "sim/results/result.hpp"

namespace sortie::output {

/// Writes a run to an HDF5 file at `path`, laid out as docs/output.md describes.
///
/// Crash safe: the data go to `<path>.partial` (a stale one is removed first), which is
/// flushed, closed, fsynced and then renamed to `path`; the directory is fsynced after the
/// rename. A file already at `path` is untouched until that rename, and an interrupted or
/// failed write never leaves a file at `path`. The root attribute `complete` = 1 is written
/// last.
///
/// Throws OutputError (see sim/output/error.hpp) when `run` is inconsistent (a trajectory whose
/// size does not match days x regions x age bands x states or events, a scenario without
/// replicates, days, regions or age bands, a start date that is not YYYY-MM-DD, a scenario name
/// that is empty, repeated or contains '/'), checked before anything is written, or when the
/// file cannot be written; the `.partial` file is then removed.
/// Not thread-safe (Debian's HDF5 is the serial build): one write or read at a time.
void write_run(const std::filesystem::path& path, const results::RunResult& run);

}  // namespace sortie::output
