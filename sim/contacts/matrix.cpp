#include "sim/contacts/matrix.hpp"

#include <fmt/format.h>

#include "sim/core/csv.hpp"
#include "sim/core/error.hpp"

namespace sortie::contacts {

ContactMatrix load_contact_matrix(const std::filesystem::path& matrix,
                                  const std::filesystem::path& reference_population) {
    ContactMatrix result;
    const auto f = core::CsvTable::read(matrix, false);
    if (f.rows() != kAgeBands || f.columns() != kAgeBands) {
        throw core::InputError({f.file(), 0, 0}, "",
                               fmt::format("expected a {0}x{0} matrix, found {1}x{2}", kAgeBands,
                                           f.rows(), f.columns()));
    }
    for (std::size_t i = 0; i < kAgeBands; ++i) {
        for (std::size_t j = 0; j < kAgeBands; ++j) {
            const double value = f.number(i, j);
            if (value < 0.0) f.fail(i, j, "must be >= 0");
            result.per_capita[i][j] = value;
        }
    }
    const auto n = core::CsvTable::read(reference_population, false);
    if (n.rows() != kAgeBands) {
        throw core::InputError({n.file(), 0, 0}, "",
                               fmt::format("expected {} age bands, found {}", kAgeBands, n.rows()));
    }
    for (std::size_t j = 0; j < kAgeBands; ++j) {
        const double count = n.number(j, 1);
        if (count <= 0.0) n.fail(j, 1, "must be > 0");
        result.reference_population[j] = count;
    }
    return result;
}

}  // namespace sortie::contacts
