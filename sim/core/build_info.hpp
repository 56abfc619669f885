#pragma once

#include <string_view>

namespace sortie::core {

/// The release version of sortie, e.g. "0.1.0".
std::string_view version();

/// The git commit the binary was built from ("unknown" outside a checkout; "-dirty" when
/// tracked files had uncommitted changes).
std::string_view git_commit();

/// The CMake build type (Debug, Release, RelWithDebInfo).
std::string_view build_type();

/// The libraries and compiler it was built with, e.g. "fmt 9.1.0, oneTBB 2021.8.0, ...".
std::string_view libraries();

}  // namespace sortie::core
