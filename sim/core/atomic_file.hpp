#pragma once

// Files written whole or not at all: result files, slices and checkpoints all go through
// write_atomically, so they share one set of rules for durability and for errors.
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>

namespace sortie::core {

/// A file that could not be written or read (disk full, permissions, a damaged file). `what()`
/// is "<file>: <problem>". `sortie` maps it to the output-error exit code when writing.
class FileError : public std::runtime_error {
  public:
    FileError(const std::filesystem::path& file, const std::string& problem);

    /// The file concerned (while writing, possibly the `.partial` file beside the target).
    const std::filesystem::path& file() const { return file_; }
    /// What failed, without the file name.
    const std::string& problem() const { return problem_; }

  private:
    std::filesystem::path file_;
    std::string problem_;
};

/// Writes `path` so that a reader (or a crash, or a power cut) sees the old file or the new
/// one, whole: `write` fills `<path>.partial` (a stale one left by a crash is removed first),
/// which is then fsynced, renamed over `path`, and its folder fsynced. On any failure the
/// partial file is removed, `path` is left as it was, and FileError (or `write`'s own
/// exception) propagates.
void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path& partial)>& write);

/// The same for bytes in memory.
void write_atomically(const std::filesystem::path& path, std::span<const char> bytes);
/// The same for pieces written one after the other (a header and a large payload, uncopied).
void write_atomically(const std::filesystem::path& path,
                      std::initializer_list<std::span<const char>> pieces);

}  // namespace sortie::core
