#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace sortie::output {

/// A result file could not be written or read. `what()` is "<file>: <problem>".
/// `sortie run` maps it to the "output error" exit code when writing; `sortie summary` to the
/// "bad input" exit code when reading.
class OutputError : public std::runtime_error {
  public:
    OutputError(const std::filesystem::path& file, const std::string& problem);

    /// The file concerned (while writing, possibly the `.partial` file beside the target).
    const std::filesystem::path& file() const { return file_; }
    /// What failed, without the file name.
    const std::string& problem() const { return problem_; }

  private:
    std::filesystem::path file_;
    std::string problem_;
};

}  // namespace sortie::output
