#pragma once

// The progress of a run on stderr: what the ensemble reports, for a person watching.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "sim/ensemble/run.hpp"

namespace sortie::cli {

/// Progress on stderr. On a terminal, a line redrawn at most five times a second (scenario,
/// replicates done, day of the replicate that reported, elapsed, ETA); in a batch log, one
/// plain line per replicate with the ETA; nothing when quiet. Thread-safe.
class Progress final : public ensemble::RunObserver {
  public:
    explicit Progress(bool quiet);

    void expect(std::uint64_t replicate_days) override;
    void skip(std::uint64_t replicate_days) override;
    void day_done(const std::string& scenario, std::uint32_t replicate, std::uint32_t day,
                  std::uint32_t days) override;
    void replicate_done(const std::string& scenario, std::uint32_t replicate,
                        std::uint32_t replicates, double seconds, double r0,
                        std::uint64_t contact_evaluations, double kernel_seconds) override;
    void note(const std::string& text) override;
    void remote_done(const std::string& scenario, std::uint32_t replicate, std::uint32_t replicates,
                     std::uint32_t days, int rank) override;

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

}  // namespace sortie::cli
