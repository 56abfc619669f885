#include "sim/ensemble/output_claim.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <system_error>

#include "sim/core/atomic_file.hpp"
#include "sim/core/error.hpp"
#include "sim/output/seal.hpp"

namespace sortie::ensemble {
namespace {

namespace fs = std::filesystem;

std::string system_message(int error) {
    return std::system_category().message(error);
}

[[noreturn]] void refuse(const fs::path& output, const std::string& message) {
    throw core::InputError(core::SourceLocation(output.string()), "", message);
}

fs::path folder_of(const fs::path& output) {
    return output.has_parent_path() ? output.parent_path() : fs::path(".");
}

void check_folder(const fs::path& output) {
    const fs::path folder = folder_of(output);
    std::error_code error;
    if (!fs::is_directory(folder, error))
        throw core::FileError(output, fmt::format("its folder '{}' does not exist (sortie does not "
                                                  "create folders: make it first)",
                                                  folder.string()));
}

// What may stand at the output path: nothing or a regular file, never an input of the run.
// Checked before the lock, so that nothing (not even a lock file) is made beside a device.
void check_kind(const fs::path& output, const std::vector<fs::path>& inputs) {
    std::error_code error;
    const auto status = fs::status(output, error);
    if (status.type() == fs::file_type::not_found) return;
    if (status.type() != fs::file_type::regular)
        refuse(output,
               "given as the output, it exists and is not a regular file (a folder, "
               "device or FIFO): choose another path");
    for (const auto& input : inputs) {
        if (fs::equivalent(output, input, error))
            refuse(output, fmt::format("given as the output, it is also an input of this run "
                                       "({}): choose another path",
                                       input.string()));
    }
}

// Under the lock (another run may be writing the path): a file there must be sortie's, unless
// --force.
void check_owner(const fs::path& output, bool force) {
    std::error_code error;
    if (!force && fs::exists(output, error) && !output::has_seal(output))
        refuse(output,
               "given as the output, it exists and is not a file written by sortie (or was "
               "written before sortie sealed its files): choose another path, or add --force "
               "to replace it");
}

// Whether flock's error says that this file system has no locks (Lustre mounted `noflock`,
// NFS without a lock manager), rather than that another process holds one.
bool locks_unsupported(int error) {
    return error == ENOSYS || error == EOPNOTSUPP || error == ENOLCK;
}

// Opens and locks `lock`. A holder that finished may have removed the file after we opened
// it: then the lock is on a file nobody else will see, so open it again. Where the file system
// has no locks, `unlocked` says why and the file is kept open unlocked.
int take_lock(const fs::path& output, const fs::path& lock, std::string& unlocked) {
    for (;;) {
        const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            throw core::FileError(output, fmt::format("cannot create its lock file {}: {}",
                                                      lock.string(), system_message(errno)));
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            if (locks_unsupported(error)) {
                unlocked = fmt::format(
                    "the file system of {} has no file locks ({}): sortie "
                    "cannot tell whether another run writes this output",
                    lock.string(), system_message(error));
                return fd;
            }
            ::close(fd);
            if (error == EWOULDBLOCK)
                throw core::FileError(
                    output, fmt::format("another sortie is writing it (it holds {}): wait for "
                                        "that run to end, or choose another output",
                                        lock.string()));
            throw core::FileError(
                output, fmt::format("cannot lock {}: {}", lock.string(), system_message(error)));
        }
        struct stat held {
        }, named{};
        if (::fstat(fd, &held) == 0 && ::stat(lock.c_str(), &named) == 0 &&
            held.st_dev == named.st_dev && held.st_ino == named.st_ino)
            return fd;
        ::close(fd);
    }
}

void add_files_of_folder(const fs::path& folder, std::vector<fs::path>& files) {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(folder, error)) {
        if (entry.is_regular_file(error)) files.push_back(entry.path());
    }
}

}  // namespace

fs::path OutputClaim::lock_path(const fs::path& output) {
    return output.string() + ".lock";
}

OutputClaim::OutputClaim(const fs::path& output, const std::vector<fs::path>& inputs, bool force)
    : lock_(lock_path(output)) {
    check_folder(output);
    check_kind(output, inputs);
    fd_ = take_lock(output, lock_, unlocked_);
    try {
        check_owner(output, force);
    } catch (...) {
        ::unlink(lock_.c_str());
        ::close(fd_);
        throw;
    }
}

OutputClaim::~OutputClaim() {
    // Removed while still locked, so that no one locks a file that is about to vanish
    // unnoticed (take_lock checks that the file it locked is still the one named).
    ::unlink(lock_.c_str());
    ::close(fd_);
}

std::vector<fs::path> inputs_of(const std::vector<scenario::Scenario>& scenarios,
                                std::vector<fs::path> extra) {
    std::vector<fs::path> files = std::move(extra);
    for (const auto& s : scenarios) {
        files.insert(files.end(), s.sources.begin(), s.sources.end());
        for (const fs::path& named :
             {s.population.age_distribution, s.contacts.community_matrix,
              s.contacts.matrix_population, s.disease.parameters_file, s.hospitals.capacity}) {
            if (!named.empty()) files.push_back(named);
        }
        if (!s.population.data.empty()) add_files_of_folder(s.population.data, files);
    }
    return files;
}

}  // namespace sortie::ensemble
