#pragma once

// Checkpoints of an ensemble, so that `sortie run --resume` continues an interrupted run
// (docs/output.md, "Checkpoints"). They live in `<output>.checkpoint/`: a manifest naming the
// run (sortie build, scenarios, seeds, replicates), the result of each finished replicate and
// the last saved state of each unfinished one. Every file is written with
// core::write_atomically, so a crash leaves the previous version whole; a file that cannot be
// written throws core::FileError.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/ensemble/posterior.hpp"
#include "sim/results/result.hpp"
#include "sim/scenario/scenario.hpp"

namespace sortie::ensemble {

class CheckpointStore {
  public:
    /// Opens the checkpoint folder of `output`. Without `resume`, a folder left by an
    /// interrupted run is an error (so that it is never discarded by mistake) and a new one is
    /// made; with `resume`, its manifest must match this run's, every file's digest its content
    /// (checked before anything runs), and a missing folder starts the run from the
    /// beginning. Throws core::InputError on a mismatch or a damaged file. `manifest`: the
    /// run's checkpoint_manifest.
    CheckpointStore(const std::filesystem::path& output, const std::string& manifest, bool resume);

    /// The result of a replicate finished before, if any. Throws core::InputError when the
    /// file is damaged.
    std::optional<results::ReplicateResult> finished(std::size_t scenario,
                                                     std::uint32_t replicate) const;
    /// The last saved state of an unfinished replicate, if any (Simulation::save's image).
    std::optional<std::vector<char>> state(std::size_t scenario, std::uint32_t replicate) const;

    /// Thread-safe for different replicates.
    void save_state(std::size_t scenario, std::uint32_t replicate,
                    const std::vector<char>& image) const;
    void save_finished(std::size_t scenario, std::uint32_t replicate,
                       const results::ReplicateResult& result) const;
    /// A scenario's description image (sim/results/images.hpp), kept by an MPI run's rank 0 so that
    /// a resumed run can write scenarios whose every task finished before.
    void save_description(std::size_t scenario, const std::vector<char>& image) const;
    std::optional<std::vector<char>> description(std::size_t scenario) const;
    /// Removes the folder, once the result file is complete.
    void remove() const;

    const std::filesystem::path& folder() const { return folder_; }

  private:
    /// Reads every file of the folder once: InputError naming the first damaged one.
    void verify_files() const;
    std::filesystem::path file(std::size_t scenario, std::uint32_t replicate,
                               const char* kind) const;

    std::filesystem::path folder_;
};

/// Where the checkpoints of a run writing `output` live: `<output>.checkpoint`.
std::filesystem::path checkpoint_folder(const std::filesystem::path& output);

/// What identifies a run for its checkpoints: format, sortie build, whether transmissions are
/// logged, each scenario's name, seed, replicates and resolved text, and the parameter values
/// each replicate drew (`variants`, per scenario; null: none).
std::string checkpoint_manifest(const std::vector<scenario::Scenario>& scenarios,
                                bool transmissions,
                                const std::vector<ReplicateVariants>* variants = nullptr);

}  // namespace sortie::ensemble
