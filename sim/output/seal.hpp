#pragma once

// The seal of every HDF5 file sortie writes (result, slice and fit files): its first 512 bytes,
// an HDF5 user block that HDF5 itself skips, hold
//
//     sortie sealed file 1
//     sha256 <SHA-256 of the bytes after the first 512, 64 lowercase hex digits>
//     bytes <the file's size>
//
// padded with NUL bytes. Every reader (summary, collect, --resume, --only-missing,
// --posterior, tools/plot.py) checks it before HDF5 parses anything, because HDF5 can crash or
// hang on damaged metadata before any check of its own runs (docs/output.md, "The seal").
#include <cstddef>
#include <filesystem>
#include <span>

namespace sortie::output {

inline constexpr std::size_t kSealBytes = 512;

/// Fills the first kSealBytes of a whole file's image with its seal.
void seal_image(std::span<char> image);

/// Whether `path` is a regular file that begins with a seal line: written by sortie, intact or
/// not (what `sortie run -o` may replace without --force).
bool has_seal(const std::filesystem::path& path);

/// Throws OutputError naming the file unless it is a regular file, not an unfinished
/// `.partial` one, whose seal is present and matches its size and content.
void verify_seal(const std::filesystem::path& path);

}  // namespace sortie::output
