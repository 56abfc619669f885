#include "sim/core/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace sortie::core {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void system_failure(const fs::path& path, const std::string& what, int error) {
    throw FileError(path, what + ": " + std::system_category().message(error));
}

void fsync_path(const fs::path& path, bool directory) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
    if (fd < 0) system_failure(path, "cannot open for fsync", errno);
    const int status = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    // Some file systems cannot sync a directory (EINVAL): nothing more can be done there.
    if (status != 0 && !(directory && error == EINVAL)) system_failure(path, "cannot fsync", error);
}

fs::path directory_of(const fs::path& path) {
    return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

void remove_stale(const fs::path& partial) {
    std::error_code error;
    fs::remove(partial, error);
    if (error) throw FileError(partial, "cannot remove stale file: " + error.message());
}

void move_into_place(const fs::path& partial, const fs::path& path) {
    std::error_code error;
    fs::rename(partial, path, error);
    if (error) throw FileError(path, "cannot rename " + partial.string() + ": " + error.message());
}

void write_all(const fs::path& path, std::initializer_list<std::span<const char>> pieces) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) system_failure(path, "cannot create", errno);
    for (const auto bytes : pieces) {
        std::size_t written = 0;
        while (written < bytes.size()) {
            const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                const int error = n < 0 ? errno : ENOSPC;
                ::close(fd);
                system_failure(path, "cannot write", error);
            }
            written += static_cast<std::size_t>(n);
        }
    }
    if (::close(fd) != 0) system_failure(path, "cannot write", errno);
}

}  // namespace

FileError::FileError(const fs::path& file, const std::string& problem)
    : std::runtime_error(file.string() + ": " + problem), file_(file), problem_(problem) {}

void write_atomically(const fs::path& path, const std::function<void(const fs::path&)>& write) {
    fs::path partial = path;
    partial += ".partial";
    remove_stale(partial);
    try {
        write(partial);
        fsync_path(partial, false);
        move_into_place(partial, path);
    } catch (...) {
        std::error_code ignored;
        fs::remove(partial, ignored);
        throw;
    }
    fsync_path(directory_of(path), true);
}

void write_atomically(const fs::path& path, std::span<const char> bytes) {
    write_atomically(path, [&](const fs::path& partial) { write_all(partial, {bytes}); });
}

void write_atomically(const fs::path& path, std::initializer_list<std::span<const char>> pieces) {
    write_atomically(path, [&](const fs::path& partial) { write_all(partial, pieces); });
}

}  // namespace sortie::core
