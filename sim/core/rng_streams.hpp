#pragma once

#include "sim/core/rng.hpp"

/// The registry of random streams. One decision, one stream, never reused for another purpose:
/// renumbering a stream changes results, so new streams are appended with new numbers.
namespace sortie::core::streams {

inline constexpr StreamId kReplicateKeys{0};
inline constexpr StreamId kTests{1};  ///< reserved for the test suite's own draws

}  // namespace sortie::core::streams
