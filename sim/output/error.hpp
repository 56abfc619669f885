#pragma once

#include <filesystem>
#include <string>

#include "sim/core/atomic_file.hpp"

namespace sortie::output {

/// A result or slice file could not be written or read. `what()` is "<file>: <problem>".
/// `sortie run` maps it to the "output error" exit code when writing; `sortie summary` to the
/// "bad input" exit code when reading. Writing the file in place (core::write_atomically) fails
/// with its base class, core::FileError.
class OutputError : public core::FileError {
  public:
    using core::FileError::FileError;
};

}  // namespace sortie::output
