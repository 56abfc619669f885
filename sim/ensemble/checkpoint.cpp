#include "sim/ensemble/checkpoint.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <span>

#include "sim/core/atomic_file.hpp"
#include "sim/core/build_info.hpp"
#include "sim/core/byte_stream.hpp"
#include "sim/core/digest.hpp"
#include "sim/core/error.hpp"
#include "sim/results/images.hpp"

namespace sortie::ensemble {
namespace fs = std::filesystem;
namespace {

constexpr const char* kManifest = "manifest";
// Raised whenever Simulation::save's image or this folder's layout changes.
constexpr int kFormatVersion = 8;  // 8: every file carries its digest

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
    throw core::InputError(core::SourceLocation(path.string()), "", what);
}

// Every file of the folder carries its digest (core::digest_header), checked before anything
// parses it: a damaged state image could otherwise crash or hang the resumed run. A state is
// about 15 bytes an agent: read once, checked in place, never copied.
std::optional<std::vector<char>> read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(path, "cannot read the checkpoint");
    try {
        const std::size_t header = bytes.size() - core::checked_payload(bytes).size();
        bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));
        return bytes;
    } catch (const core::CorruptImage& e) {
        fail(path, fmt::format("damaged checkpoint file ({}): remove {} to start the run again",
                               e.what(), path.parent_path().string()));
    }
}

void write_bytes(const fs::path& path, std::span<const char> bytes) {
    const std::string header = core::digest_header(bytes);
    core::write_atomically(path, {std::span<const char>(header), bytes});
}

// The files this store writes; anything else in the folder (an NFS `.nfs*` leftover, a
// user's note, a `.partial` a crash left) is not read.
bool is_store_file(const fs::path& path) {
    const std::string name = path.filename().string();
    return path.extension() != ".partial" && (name == kManifest || name.starts_with("scenario-"));
}

}  // namespace

fs::path checkpoint_folder(const fs::path& output) {
    return output.string() + ".checkpoint";
}

std::string checkpoint_manifest(const std::vector<scenario::Scenario>& scenarios,
                                bool transmissions,
                                const std::vector<ReplicateVariants>* variants) {
    std::string text =
        fmt::format("sortie checkpoint {}\nsortie {} {} {}\ntransmissions {}\n", kFormatVersion,
                    core::version(), core::git_commit(), core::build_type(), transmissions ? 1 : 0);
    for (const auto& s : scenarios) {
        text += fmt::format("scenario {}\nseed {}\nreplicates {}\n---\n{}\n---\n", s.name, s.seed,
                            s.replicates, s.resolved_yaml);
    }
    if (!variants) return text;
    for (std::size_t s = 0; s < variants->size(); ++s) {
        const auto& v = (*variants)[s];
        // The values, not the file they came from: FIT.h5 and its table give the same run.
        text += fmt::format("scenario {} draws {}\n", s, fmt::join(v.keys, " "));
        for (const std::uint32_t variant : v.variant_of_replicate)
            text += fmt::format("{}\n", fmt::join(v.values[variant], " "));
    }
    return text;
}

CheckpointStore::CheckpointStore(const fs::path& output, const std::string& manifest, bool resume)
    : folder_(checkpoint_folder(output)) {
    if (fs::exists(folder_)) {
        if (!resume) {
            fail(folder_,
                 "an interrupted run left this checkpoint: add --resume to continue it, "
                 "or remove the folder to start again");
        }
        const auto found = read_bytes(folder_ / kManifest);
        if (!found || std::string(found->begin(), found->end()) != manifest) {
            fail(folder_,
                 "this checkpoint belongs to another run (other scenarios, overrides, "
                 "seed, replicates or sortie build): run the same command as before, "
                 "or remove the folder to start again");
        }
        verify_files();
        return;
    }
    std::error_code error;
    fs::create_directories(folder_, error);
    if (error)
        throw core::FileError(folder_, "cannot create the checkpoint folder: " + error.message());
    write_bytes(folder_ / kManifest, manifest);
}

void CheckpointStore::verify_files() const {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(folder_, error)) {
        if (is_store_file(entry.path())) read_bytes(entry.path());
    }
    if (error) fail(folder_, "cannot list the checkpoint: " + error.message());
}

fs::path CheckpointStore::file(std::size_t scenario, std::uint32_t replicate,
                               const char* kind) const {
    return folder_ / fmt::format("scenario-{}-replicate-{}.{}", scenario, replicate, kind);
}

std::optional<results::ReplicateResult> CheckpointStore::finished(std::size_t scenario,
                                                                  std::uint32_t replicate) const {
    const fs::path path = file(scenario, replicate, "done");
    const auto bytes = read_bytes(path);
    if (!bytes) return std::nullopt;
    try {
        return results::replicate_from_image(*bytes);
    } catch (const core::CorruptImage& e) {
        fail(path, std::string("damaged checkpoint: ") + e.what());
    }
}

std::optional<std::vector<char>> CheckpointStore::state(std::size_t scenario,
                                                        std::uint32_t replicate) const {
    return read_bytes(file(scenario, replicate, "state"));
}

void CheckpointStore::save_state(std::size_t scenario, std::uint32_t replicate,
                                 const std::vector<char>& image) const {
    write_bytes(file(scenario, replicate, "state"), image);
}

void CheckpointStore::save_finished(std::size_t scenario, std::uint32_t replicate,
                                    const results::ReplicateResult& result) const {
    const auto image = results::replicate_image(result);
    write_bytes(file(scenario, replicate, "done"), image);
    fs::remove(file(scenario, replicate, "state"));
}

void CheckpointStore::save_description(std::size_t scenario, const std::vector<char>& image) const {
    write_bytes(folder_ / fmt::format("scenario-{}.description", scenario), image);
}

std::optional<std::vector<char>> CheckpointStore::description(std::size_t scenario) const {
    return read_bytes(folder_ / fmt::format("scenario-{}.description", scenario));
}

void CheckpointStore::remove() const {
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
}

}  // namespace sortie::ensemble
