#pragma once

#include <filesystem>

#include "sim/disease/parameters.hpp"

namespace sortie::scenario {

/// Reads a disease parameter file (scenarios/parameters/covid19-2020.yaml is the reference
/// for its keys). Every value is checked; throws core::InputError with all problems, each at
/// its file:line:column.
disease::DiseaseParameters load_disease_parameters(const std::filesystem::path& file);

}  // namespace sortie::scenario
