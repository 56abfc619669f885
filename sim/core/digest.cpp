#include "sim/core/digest.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <charconv>
#include <stdexcept>
#include <string_view>

#include "sim/core/byte_stream.hpp"

namespace sortie::core {
namespace {

// "sortie-digest 1 <payload bytes, 16 hex> <sha256, 64 hex>\n": fixed width, so the payload
// always starts at the same offset.
constexpr std::string_view kMagic = "sortie-digest 1 ";
constexpr std::size_t kHeaderBytes = kMagic.size() + 16 + 1 + 64 + 1;

}  // namespace

struct Sha256::Context {
    EVP_MD_CTX* md = nullptr;
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
    context_->md = EVP_MD_CTX_new();
    if (context_->md == nullptr || EVP_DigestInit_ex(context_->md, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL cannot start a SHA-256 digest");
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(context_->md);
}

void Sha256::update(std::span<const char> bytes) {
    if (EVP_DigestUpdate(context_->md, bytes.data(), bytes.size()) != 1)
        throw std::runtime_error("OpenSSL cannot update a SHA-256 digest");
}

std::string Sha256::hex() {
    std::array<unsigned char, kBytes> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_->md, digest.data(), &length) != 1 || length != kBytes)
        throw std::runtime_error("OpenSSL cannot finish a SHA-256 digest");
    std::string text;
    text.reserve(2 * kBytes);
    for (const unsigned char byte : digest) text += fmt::format("{:02x}", byte);
    return text;
}

std::string sha256_hex(std::span<const char> bytes) {
    Sha256 digest;
    digest.update(bytes);
    return digest.hex();
}

std::string digest_header(std::span<const char> payload) {
    return fmt::format("{}{:016x} {}\n", kMagic, payload.size(), sha256_hex(payload));
}

std::vector<char> with_digest(std::span<const char> payload) {
    const std::string header = digest_header(payload);
    std::vector<char> image;
    image.reserve(header.size() + payload.size());
    image.insert(image.end(), header.begin(), header.end());
    image.insert(image.end(), payload.begin(), payload.end());
    return image;
}

std::span<const char> checked_payload(std::span<const char> image) {
    if (image.size() < kHeaderBytes || std::string_view(image.data(), kMagic.size()) != kMagic)
        throw CorruptImage("no digest header (truncated, or not written by this sortie)");
    const std::string_view header(image.data(), kHeaderBytes);
    std::uint64_t length = 0;
    const char* first = header.data() + kMagic.size();
    const auto [end, error] = std::from_chars(first, first + 16, length, 16);
    if (error != std::errc() || end != first + 16 || *end != ' ' || header.back() != '\n')
        throw CorruptImage("damaged digest header");
    const auto payload = image.subspan(kHeaderBytes);
    if (payload.size() != length)
        throw CorruptImage(
            fmt::format("{} bytes where its header says {}", payload.size(), length));
    if (sha256_hex(payload) != header.substr(kMagic.size() + 17, 64))
        throw CorruptImage("its content does not match its SHA-256 digest (damaged)");
    return payload;
}

}  // namespace sortie::core
