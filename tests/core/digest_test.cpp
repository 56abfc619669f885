#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sim/core/byte_stream.hpp"
#include "sim/core/digest.hpp"

using sortie::core::CorruptImage;

namespace {

std::span<const char> bytes_of(std::string_view text) {
    return {text.data(), text.size()};
}

}  // namespace

TEST_CASE("SHA-256 gives the digests of FIPS 180-2's examples") {
    CHECK(sortie::core::sha256_hex(bytes_of("abc")) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sortie::core::sha256_hex(bytes_of("")) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // In pieces, as a file is read: the same digest as at once.
    sortie::core::Sha256 pieces;
    pieces.update(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkl"));
    pieces.update(bytes_of("jklmklmnlmnomnopnopq"));
    CHECK(pieces.hex() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("an image with its digest gives its payload back, and refuses any damage") {
    const std::string payload = "the trajectories of replicate 3";
    const std::vector<char> image = sortie::core::with_digest(bytes_of(payload));
    const auto back = sortie::core::checked_payload(image);
    CHECK(std::string(back.begin(), back.end()) == payload);

    for (std::size_t at = 0; at < image.size(); ++at) {
        std::vector<char> damaged = image;
        damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
        CHECK_THROWS_AS(sortie::core::checked_payload(damaged), CorruptImage);
    }
    for (std::size_t keep = 0; keep < image.size(); keep += 7) {
        const std::vector<char> cut(image.begin(), image.begin() + static_cast<long>(keep));
        CHECK_THROWS_AS(sortie::core::checked_payload(cut), CorruptImage);
    }
    std::vector<char> longer = image;
    longer.push_back('x');
    CHECK_THROWS_AS(sortie::core::checked_payload(longer), CorruptImage);
}

TEST_CASE("an empty payload has a digest too") {
    const auto image = sortie::core::with_digest({});
    CHECK(sortie::core::checked_payload(image).empty());
}
