#include "tools/sortie/checkpoint.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

#include "sim/core/build_info.hpp"
#include "sim/core/byte_stream.hpp"
#include "sim/core/error.hpp"
#include "tools/sortie/task_io.hpp"

namespace sortie::cli {
namespace fs = std::filesystem;
namespace {

constexpr const char* kManifest = "manifest";
// Raised whenever Simulation::save's image or this folder's layout changes.
constexpr int kFormatVersion = 2;  // 2: supplies records

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
    throw core::InputError(core::SourceLocation(path.string()), "", what);
}

std::optional<std::vector<char>> read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(path, "cannot read the checkpoint");
    return bytes;
}

void sync_folder(const fs::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);  // some file systems cannot: the rename is then as durable as it gets
    ::close(fd);
}

[[noreturn]] void cannot_write(const fs::path& path, int error) {
    throw CheckpointError(fmt::format("cannot write the checkpoint {}: {}", path.string(),
                                      std::system_category().message(error)));
}

// Temporary name, write, fsync, rename: a reader sees the old file or the new one, whole.
void write_bytes(const fs::path& path, const char* data, std::size_t size) {
    const fs::path temporary = path.string() + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) cannot_write(temporary, errno);
    std::size_t written = 0;
    while (written < size) {
        const ssize_t n = ::write(fd, data + written, size - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = errno;
            ::close(fd);
            cannot_write(temporary, error);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) cannot_write(temporary, errno);
    std::error_code error;
    fs::rename(temporary, path, error);
    if (error) cannot_write(path, error.value());
    sync_folder(path.parent_path());
}

}  // namespace

fs::path checkpoint_folder(const fs::path& output) {
    return output.string() + ".checkpoint";
}

std::string checkpoint_manifest(const std::vector<scenario::Scenario>& scenarios,
                                bool transmissions) {
    std::string text =
        fmt::format("sortie checkpoint {}\nsortie {} {} {}\ntransmissions {}\n", kFormatVersion,
                    core::version(), core::git_commit(), core::build_type(), transmissions ? 1 : 0);
    for (const auto& s : scenarios) {
        text += fmt::format("scenario {}\nseed {}\nreplicates {}\n---\n{}\n---\n", s.name, s.seed,
                            s.replicates, s.resolved_yaml);
    }
    return text;
}

CheckpointStore::CheckpointStore(const fs::path& output,
                                 const std::vector<scenario::Scenario>& scenarios,
                                 bool transmissions, bool resume)
    : folder_(checkpoint_folder(output)) {
    const std::string manifest = checkpoint_manifest(scenarios, transmissions);
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
        return;
    }
    std::error_code error;
    fs::create_directories(folder_, error);
    if (error) cannot_write(folder_, error.value());
    write_bytes(folder_ / kManifest, manifest.data(), manifest.size());
}

fs::path CheckpointStore::file(std::size_t scenario, std::uint32_t replicate,
                               const char* kind) const {
    return folder_ / fmt::format("scenario-{}-replicate-{}.{}", scenario, replicate, kind);
}

std::optional<engine::ReplicateResult> CheckpointStore::finished(std::size_t scenario,
                                                                 std::uint32_t replicate) const {
    const fs::path path = file(scenario, replicate, "done");
    const auto bytes = read_bytes(path);
    if (!bytes) return std::nullopt;
    try {
        return replicate_from_image(*bytes);
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
    write_bytes(file(scenario, replicate, "state"), image.data(), image.size());
}

void CheckpointStore::save_finished(std::size_t scenario, std::uint32_t replicate,
                                    const engine::ReplicateResult& result) const {
    const auto image = replicate_image(result);
    write_bytes(file(scenario, replicate, "done"), image.data(), image.size());
    fs::remove(file(scenario, replicate, "state"));
}

void CheckpointStore::save_description(std::size_t scenario, const std::vector<char>& image) const {
    write_bytes(folder_ / fmt::format("scenario-{}.description", scenario), image.data(),
                image.size());
}

std::optional<std::vector<char>> CheckpointStore::description(std::size_t scenario) const {
    return read_bytes(folder_ / fmt::format("scenario-{}.description", scenario));
}

void CheckpointStore::remove() const {
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
}

}  // namespace sortie::cli
