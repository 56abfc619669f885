#pragma once

#include <filesystem>

#include "sim/results/fit_result.hpp"

namespace sortie::output {

/// Writes a fit's result to an HDF5 file at `path`, laid out as docs/fitting.md describes,
/// crash safe as write_run is (a `.partial` file renamed at the end; `complete` = 1 last).
/// Throws OutputError for an inconsistent result (arrays whose sizes do not match the
/// parameters, targets and evaluations; a target name that is empty, repeated or has '/'),
/// checked before anything is written, or a file that cannot be written.
void write_fit(const std::filesystem::path& path, const results::FitResult& fit);

/// Reads back a file written by write_fit. Throws OutputError when it is missing, not an HDF5
/// file, incomplete, or not a fit's result.
results::FitResult read_fit(const std::filesystem::path& path);

/// Whether the HDF5 file at `path` holds a fit's result (root attribute `kind` = "fit") rather
/// than a run's. Throws OutputError when it is missing or not an HDF5 file.
bool is_fit_file(const std::filesystem::path& path);

}  // namespace sortie::output
