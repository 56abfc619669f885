#include "sim/output/seal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "sim/core/digest.hpp"
#include "sim/output/error.hpp"

namespace sortie::output {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSignature = "sortie sealed file ";
constexpr int kSealVersion = 1;

// An open file descriptor, closed on every path.
class Descriptor {
  public:
    explicit Descriptor(int fd) : fd_(fd) {}
    ~Descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

[[noreturn]] void refuse(const fs::path& path, const std::string& problem) {
    throw OutputError(path, problem);
}

// Opens without blocking (a FIFO swapped in after the check must not hang the reader).
int open_regular(const fs::path& path) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0)
        refuse(path, errno == ENOENT ? "no such file" : std::system_category().message(errno));
    if (!S_ISREG(status.st_mode)) refuse(path, "not a regular file");
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) refuse(path, "cannot open: " + std::system_category().message(errno));
    return fd;
}

// Reads up to `buffer.size()` bytes; returns how many (fewer only at the end of the file).
std::size_t read_some(const Descriptor& fd, const fs::path& path, std::span<char> buffer) {
    std::size_t done = 0;
    while (done < buffer.size()) {
        const ssize_t n = ::read(fd.get(), buffer.data() + done, buffer.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) refuse(path, "cannot read: " + std::system_category().message(errno));
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    return done;
}

struct Seal {
    int version = 0;
    std::string sha256;
    std::uint64_t bytes = 0;
};

// The value after `key ` on line `line` of the seal, or "" when that line is not there.
std::string_view field(std::string_view text, std::size_t line, std::string_view key) {
    for (std::size_t i = 0; i < line; ++i) {
        const auto end = text.find('\n');
        if (end == std::string_view::npos) return {};
        text.remove_prefix(end + 1);
    }
    const auto end = text.find('\n');
    if (end == std::string_view::npos || !text.starts_with(key)) return {};
    return text.substr(key.size(), end - key.size());
}

template <class T>
bool parse_number(std::string_view text, T& value) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::string seal_text(std::string_view sha256, std::uint64_t bytes) {
    return fmt::format("{}{}\nsha256 {}\nbytes {}\n", kSignature, kSealVersion, sha256, bytes);
}

// Exactly what seal_image writes, or the reason it is not. Strict (the version "1" and not
// "01", lowercase hex, NUL padding), as tools/sortie_seal.py is: one file, one verdict.
Seal parse_seal(const fs::path& path, std::string_view block) {
    Seal seal;
    const std::string_view version = field(block, 0, kSignature);
    if (!block.starts_with(kSignature) || !parse_number(version, seal.version))
        refuse(path,
               "not a file written by sortie (no seal): damaged at its start, or written "
               "by another program");
    if (seal.version > kSealVersion && !version.starts_with('0'))
        refuse(path, fmt::format("sealed by a newer sortie (seal version {}; this sortie reads "
                                 "version {})",
                                 seal.version, kSealVersion));
    seal.sha256 = std::string(field(block, 1, "sha256 "));
    const bool hex = seal.sha256.size() == 64 &&
                     seal.sha256.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (version != std::to_string(kSealVersion) || !hex ||
        !parse_number(field(block, 2, "bytes "), seal.bytes) ||
        block.substr(0, seal_text(seal.sha256, seal.bytes).size()) !=
            seal_text(seal.sha256, seal.bytes) ||
        block.find_first_not_of('\0', seal_text(seal.sha256, seal.bytes).size()) !=
            std::string_view::npos)
        refuse(path, "damaged seal (its first 512 bytes)");
    return seal;
}

}  // namespace

void seal_image(std::span<char> image) {
    const std::string text = seal_text(core::sha256_hex(image.subspan(kSealBytes)), image.size());
    std::fill_n(image.begin(), kSealBytes, '\0');
    std::copy(text.begin(), text.end(), image.begin());
}

bool has_seal(const fs::path& path) {
    std::error_code error;
    if (!fs::is_regular_file(path, error)) return false;
    const Descriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0) return false;
    std::string start(kSignature.size(), '\0');
    const ssize_t n = ::read(fd.get(), start.data(), start.size());
    return n == static_cast<ssize_t>(start.size()) && start == kSignature;
}

void verify_seal(const fs::path& path) {
    if (path.extension() == ".partial")
        refuse(path,
               "an unfinished file (.partial): the run writing it has not finished, or "
               "was stopped before it could");
    const Descriptor fd(open_regular(path));
    std::vector<char> buffer(std::size_t{4} << 20);
    std::size_t got = read_some(fd, path, std::span(buffer).first(kSealBytes));
    if (got < kSealBytes) refuse(path, fmt::format("not a file written by sortie: {} bytes", got));
    const Seal seal = parse_seal(path, std::string_view(buffer.data(), kSealBytes));
    struct stat status {};
    if (::fstat(fd.get(), &status) == 0 && std::uint64_t(status.st_size) != seal.bytes)
        refuse(path, fmt::format("truncated or damaged: {} bytes where its seal says {}",
                                 status.st_size, seal.bytes));
    core::Sha256 digest;
    std::uint64_t size = kSealBytes;
    while ((got = read_some(fd, path, buffer)) > 0) {
        digest.update(std::span(buffer).first(got));
        size += got;
    }
    if (size != seal.bytes)
        refuse(path, fmt::format("truncated or damaged: {} bytes where its seal says {}", size,
                                 seal.bytes));
    if (digest.hex() != seal.sha256)
        refuse(path, "damaged: its content does not match the SHA-256 digest of its seal");
}

}  // namespace sortie::output
