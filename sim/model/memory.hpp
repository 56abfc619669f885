#pragma once

// What a run will need in memory, computed before anything large is allocated, so that a run
// that cannot fit stops with a message instead of being killed (`sortie run --dry-run`,
// `--max-memory`).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/engine/simulation.hpp"
#include "sim/scenario/scenario.hpp"

namespace sortie::model {

/// Bytes per agent of the population and its contact index: measured on France's structure
/// (benchmarks/RESULTS.md: 26.1 in structures, 27.7 at the peak of the build), and checked by
/// a test against a built population; one more for the 2 MiB pages of the columns read at
/// random (core::assign_on_huge_pages) and allocator slack, so that the estimate stays above
/// the measured peak (W4: 2,975 MiB measured, 2,970 estimated with 28).
inline constexpr double kPopulationBytesPerAgent = 29.0;

/// The per-agent columns a replicate of `scenario` allocates beyond the fixed ones.
engine::ReplicateFeatures replicate_features(const scenario::Scenario& scenario,
                                             bool transmissions);

/// A replicate in flight: the engine's per-agent columns (engine::Simulation::bytes_per_agent)
/// and a MiB of buffers.
std::size_t replicate_bytes(std::uint64_t agents, const engine::ReplicateFeatures& features);

/// Replicates of a scenario run at once: one per thread, fewer when their columns would not
/// fit in half of `available` bytes (0 = unknown: no limit).
std::size_t replicates_in_flight(std::size_t waiting, std::size_t threads,
                                 std::size_t replicate_bytes, std::size_t available);

struct ScenarioMemory {
    std::string name;
    std::uint64_t agents = 0;
    std::uint32_t days = 0, replicates = 0;
    std::size_t population = 0;     ///< population and contact index
    std::size_t in_flight = 0;      ///< replicates at once
    std::size_t per_replicate = 0;  ///< columns of one replicate in flight
    std::size_t calibration = 0;    ///< the calibration's pilot runs at once, before them
    std::size_t trajectories = 0;   ///< kept until the file is written
};

struct MemoryEstimate {
    std::vector<ScenarioMemory> scenarios;
    /// The peak: the trajectories of every scenario (all kept until the file is written), plus
    /// the larger of the largest scenario's population and replicates in flight, and the file
    /// while it is written (HDF5's file in memory and its sealed image, each counted as a
    /// quarter of the trajectories: compressed, the files measured 1/10 of them, 1/7 with the
    /// transmission log; benchmarks/RESULTS.md).
    std::size_t peak = 0;
};

/// Throws core::InputError for tables that cannot be read (as the run would).
MemoryEstimate estimate_memory(const std::vector<scenario::Scenario>& scenarios,
                               std::size_t threads, bool transmissions, std::size_t available);

/// A run that would not fit: `main` maps it to the out-of-memory exit code.
class NotEnoughMemory : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// "1.2 GiB", "350 MiB", ...
std::string bytes_text(double bytes);

}  // namespace sortie::model
