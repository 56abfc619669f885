#pragma once

// Byte images of a task's result and of a scenario's description, as checkpoints, slice files
// and MPI messages carry them (core::ByteWriter: same build only, which their manifests check).
// A replicate's records are taken in for_each_field's order (fields.hpp).
#include <vector>

#include "sim/results/result.hpp"

namespace sortie::results {

std::vector<char> replicate_image(const ReplicateResult& result);
/// Throws core::CorruptImage when the image is damaged.
ReplicateResult replicate_from_image(const std::vector<char>& image);

/// Everything of a scenario's result but its replicates (their number included).
std::vector<char> description_image(const ScenarioResult& scenario);
/// A scenario result with `replicates` empty replicates. Throws core::CorruptImage.
ScenarioResult description_from_image(const std::vector<char>& image);

}  // namespace sortie::results
