#pragma once

// Byte images of a task's result and of a scenario's description, as checkpoints, slice files
// and MPI messages carry them (core::ByteWriter: same build only, which their manifests check).
#include <vector>

#include "sim/engine/result.hpp"

namespace sortie::cli {

std::vector<char> replicate_image(const engine::ReplicateResult& result);
/// Throws core::CorruptImage when the image is damaged.
engine::ReplicateResult replicate_from_image(const std::vector<char>& image);

/// Everything of a scenario's result but its replicates (their number included).
std::vector<char> description_image(const engine::ScenarioResult& scenario);
/// A scenario result with `replicates` empty replicates. Throws core::CorruptImage.
engine::ScenarioResult description_from_image(const std::vector<char>& image);

}  // namespace sortie::cli
