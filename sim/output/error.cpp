#include "sim/output/error.hpp"

namespace sortie::output {

OutputError::OutputError(const std::filesystem::path& file, const std::string& problem)
    : std::runtime_error(file.string() + ": " + problem), file_(file), problem_(problem) {}

}  // namespace sortie::output
