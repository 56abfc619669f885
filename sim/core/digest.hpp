#pragma once

// SHA-256 digests (OpenSSL's libcrypto), and byte images that carry their own digest: what
// every file sortie reads back is checked with before it is parsed (docs/reliability.md).
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace sortie::core {

/// A SHA-256 digest computed over pieces of data given in order.
class Sha256 {
  public:
    static constexpr std::size_t kBytes = 32;

    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::span<const char> bytes);
    /// The digest of everything given, in lowercase hexadecimal (64 characters).
    std::string hex();

  private:
    struct Context;
    std::unique_ptr<Context> context_;
};

/// The SHA-256 of `bytes`, in lowercase hexadecimal.
std::string sha256_hex(std::span<const char> bytes);

/// The header that with_digest puts before `payload`: its length and digest.
std::string digest_header(std::span<const char> payload);
/// `payload` with a header that holds its length and digest (a checkpoint file, a task's
/// result image).
std::vector<char> with_digest(std::span<const char> payload);
/// The payload of an image made by with_digest. Throws CorruptImage (byte_stream.hpp) when the
/// image is truncated, too long, or its payload does not match its digest.
std::span<const char> checked_payload(std::span<const char> image);

}  // namespace sortie::core
