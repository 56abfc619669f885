#pragma once

#include <array>
#include <filesystem>

#include "sim/contacts/layers.hpp"

namespace sortie::contacts {

using BandMatrix = std::array<std::array<double, kAgeBands>, kAgeBands>;
using ByBand = std::array<double, kAgeBands>;

/// A setting's contact matrix in the form of Mistry et al. (2021): F[i][j], the per-capita
/// probability of contact between a person of band i and people of band j, together with the
/// age distribution of the population it was estimated on (needed to turn F into rates that
/// fit another population; docs/model.md).
struct ContactMatrix {
    BandMatrix per_capita{};
    ByBand reference_population{};
};

/// Reads an 18x18 matrix CSV (no header) and an "age,count" CSV of 18 bands (no header).
/// Throws core::InputError naming the file and line of a malformed or negative entry.
ContactMatrix load_contact_matrix(const std::filesystem::path& matrix,
                                  const std::filesystem::path& reference_population);

}  // namespace sortie::contacts
