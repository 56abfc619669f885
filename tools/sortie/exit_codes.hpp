#pragma once

/// The exit codes of the `sortie` command, documented in README.md.
/// CLI11 itself uses 100-114 for command-line parse errors.
namespace sortie::cli {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitInternalError = 1;  ///< a bug or an unexpected runtime failure
inline constexpr int kExitBadInput = 2;       ///< a scenario, data table or value is wrong
inline constexpr int kExitOutputError = 3;    ///< a result file could not be written
inline constexpr int kExitOutOfMemory = 4;    ///< the run would not fit in memory
inline constexpr int kExitIncomplete = 5;     ///< tasks failed or are missing; the rest is kept
inline constexpr int kExitVerificationFailed =
    6;  ///< `sortie bench`: the result is not the recorded one
inline constexpr int kExitInterrupted = 130;  ///< stopped by SIGINT/SIGTERM

}  // namespace sortie::cli
