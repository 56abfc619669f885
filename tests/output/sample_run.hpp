#pragma once

// A small hand-made run for the output tests: 2 scenarios, 3 replicates, 5 days, 2 regions,
// 18 age bands, every value distinct enough that a misplaced element shows.
#include "sim/results/result.hpp"

namespace sortie::test {

/// The sample run; its first scenario's YAML text is over 64 KiB and not ASCII.
results::RunResult sample_run();

}  // namespace sortie::test
