#pragma once

// Runs validated scenarios end to end (population, contacts, calibration, replicates): the
// path `sortie run` takes, also used by the tests.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "sim/engine/result.hpp"
#include "sim/scenario/scenario.hpp"
#include "tools/sortie/checkpoint.hpp"

namespace sortie::cli {

/// Progress on stderr. On a terminal, a line redrawn at most five times a second (scenario,
/// replicates done, day of the replicate that reported, elapsed, ETA); in a batch log, one
/// plain line per replicate with the ETA; nothing when quiet. Thread-safe.
class Progress {
  public:
    explicit Progress(bool quiet);

    /// The work of the whole run, in replicate-days (for the ETA).
    void expect(std::uint64_t replicate_days);
    /// Replicate-days already done before this run (resumed from a checkpoint).
    void skip(std::uint64_t replicate_days);
    void day_done(const std::string& scenario, std::uint32_t replicate, std::uint32_t day,
                  std::uint32_t days);
    void replicate_done(const std::string& scenario, std::uint32_t replicate,
                        std::uint32_t replicates, double seconds, double r0,
                        std::uint64_t contact_evaluations);
    void note(const std::string& text);

  private:
    std::string eta() const;

    bool quiet_, terminal_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::uint64_t expected_ = 0, skipped_ = 0;
    std::atomic<std::uint64_t> done_{0};
    std::atomic<std::uint32_t> replicates_done_{0};
    std::mutex mutex_;  ///< one writer of stderr at a time
    std::chrono::steady_clock::time_point last_draw_{};
};

/// Where a run spent its time (wall seconds, summed over its scenarios) and the contacts it
/// evaluated: the figures of `sortie bench`.
struct RunTimings {
    double population_seconds = 0;  ///< building the synthetic populations
    double model_seconds = 0;       ///< contact layers, disease model, calibration
    double simulation_seconds = 0;  ///< the day loops of all replicates (run concurrently)
    std::atomic<std::uint64_t> contact_evaluations{0};  ///< summed over replicates
};

/// Options of `sortie run` beyond the scenarios.
struct RunSettings {
    bool transmissions = false;              ///< keep each replicate's transmission log
    std::uint32_t checkpoint_every = 0;      ///< save each unfinished replicate's state this often
    const CheckpointStore* store = nullptr;  ///< checkpoints, if any
    RunTimings* timings = nullptr;           ///< filled in when given
};

/// Runs every replicate of every scenario, in order. Within a scenario, replicates run
/// concurrently (as many as threads, fewer when memory is short), each parallel inside; the
/// result does not depend on that. Throws core::InputError for inputs that only turn out wrong
/// once the tables are read (unknown regions, bad tables), Interrupted after SIGINT/SIGTERM
/// (with the checkpoint saved, if any).
engine::RunResult run_scenarios(const std::vector<scenario::Scenario>& scenarios,
                                Progress& progress, const RunSettings& settings = {});

}  // namespace sortie::cli
