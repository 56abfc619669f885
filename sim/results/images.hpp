#pragma once

// Byte images of a task's result and of a scenario's description, as checkpoints, slice files
// and MPI messages carry them (core::ByteWriter: same build only, which their manifests check).
// A replicate's records are taken in for_each_field's order (fields.hpp).
#include <vector>

#include "sim/core/byte_stream.hpp"
#include "sim/results/result.hpp"

namespace sortie::results {

/// The records of a replicate, its transmission log aside, in for_each_field's order (a
/// checkpoint holds the records of the days run so far).
void write_records(core::ByteWriter& out, const ReplicateResult& replicate);
/// Reads them back. With `shape`, every record must hold the values of `shape`'s axes (its
/// days, regions ...): a checkpoint of another population, or damaged, throws
/// core::CorruptImage, as a truncated one does.
void read_records(core::ByteReader& in, ReplicateResult& replicate,
                  const ScenarioResult* shape = nullptr);

std::vector<char> replicate_image(const ReplicateResult& result);
/// Throws core::CorruptImage when the image is damaged.
ReplicateResult replicate_from_image(const std::vector<char>& image);

/// Everything of a scenario's result but its replicates (their number included).
std::vector<char> description_image(const ScenarioResult& scenario);
/// A scenario result with `replicates` empty replicates. Throws core::CorruptImage.
ScenarioResult description_from_image(const std::vector<char>& image);

}  // namespace sortie::results
