#pragma once

// The output of a run, claimed before anything is simulated (docs/reliability.md): its folder
// exists and is writable, the path is absent or an earlier file of sortie (or --force), it is
// none of the run's inputs, and no other sortie writes it. The claim holds an exclusive lock
// (flock) on `<output>.lock` until it is destroyed, which covers the output, its `.partial`,
// its checkpoint folder and its `.finished-tasks.h5`: a second run on the same path is refused
// at once, so the exit code of each run always says whose data is in the file.
#include <filesystem>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace sortie::ensemble {

class OutputClaim {
  public:
    /// Throws core::InputError (nothing written) when `output` is not a regular file, is one
    /// of `inputs`, or exists without sortie's seal (unless `force`); core::FileError when its
    /// folder is missing or not writable, or another process holds the lock.
    OutputClaim(const std::filesystem::path& output,
                const std::vector<std::filesystem::path>& inputs, bool force);
    /// Releases the lock and removes the lock file.
    ~OutputClaim();
    OutputClaim(const OutputClaim&) = delete;
    OutputClaim& operator=(const OutputClaim&) = delete;

    /// Empty when the lock is held; else why it could not be (a file system without locks:
    /// the run goes on, and says so).
    const std::string& unlocked() const { return unlocked_; }

    /// `<output>.lock`.
    static std::filesystem::path lock_path(const std::filesystem::path& output);

  private:
    std::filesystem::path lock_;
    int fd_ = -1;
    std::string unlocked_;
};

/// The files a run reads: its scenario files, the tables and parameter files they name (every
/// file of `population.data`), and `extra` (a posterior, --only-missing slices).
std::vector<std::filesystem::path> inputs_of(const std::vector<scenario::Scenario>& scenarios,
                                             std::vector<std::filesystem::path> extra = {});

}  // namespace sortie::ensemble
