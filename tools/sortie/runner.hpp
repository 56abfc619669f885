#pragma once

// Runs a validated scenario end to end (population, contacts, calibration, replicates): the
// path `sortie run` takes, also used by the tests.
#include <cstdint>
#include <string>

#include "sim/engine/result.hpp"
#include "sim/scenario/scenario.hpp"

namespace sortie::cli {

/// A progress line on stderr: redrawn on a terminal, one plain line per replicate in a batch
/// log, nothing when quiet.
class Progress {
  public:
    explicit Progress(bool quiet);
    void day(const std::string& scenario, std::uint32_t replicate, std::uint32_t replicates,
             std::uint32_t day, std::uint32_t days) const;
    void replicate_done(const std::string& scenario, std::uint32_t replicate,
                        std::uint32_t replicates, double seconds, double r0,
                        std::uint64_t contact_evaluations) const;
    void note(const std::string& text) const;

  private:
    bool quiet_, terminal_;
};

/// Runs every replicate of `scenario`. Throws core::InputError for inputs that only turn out
/// wrong once the tables are read (unknown regions, bad tables).
engine::ScenarioResult run_scenario(const scenario::Scenario& scenario, const Progress& progress);

}  // namespace sortie::cli
