#pragma once

// The first generations of an unmitigated epidemic, run by the engine itself: what sortie
// means by R0 (docs/model.md, "R0 and the transmission rate"), and what the calibration's
// pilot runs and the tests measure.
#include <array>
#include <cstdint>
#include <vector>

#include "sim/contacts/contact_model.hpp"
#include "sim/core/rng.hpp"
#include "sim/disease/natural_history.hpp"

namespace sortie::engine {

struct EarlyEpidemicSpec {
    double transmission_rate = 0;
    std::array<double, contacts::kLayers> layer_weight{1.0, 1.0, 1.0, 1.0, 1.0};
    std::uint32_t seeds = 0;   ///< infections on day 0, drawn uniformly among the people
    std::uint32_t cohort = 0;  ///< the first infections after the seeds that are followed
    std::uint32_t max_days = 365;
};

/// A pilot run: `seeds` infections on day 0, then no intervention, until no case of the cohort
/// can infect any more (or the epidemic died out, or max_days).
struct EarlyEpidemic {
    bool complete = false;  ///< the cohort filled and all of it was followed to the end
    /// Per case of the cohort, in order of infection:
    std::vector<std::uint32_t> secondaries;  ///< infections it caused
    /// The same, each weighted by N / S on its day (S: people still susceptible): what the
    /// case would have caused had the epidemic not yet depleted the population as a whole
    /// (local saturation, as in a household, stays in).
    std::vector<double> secondaries_undepleted;
    std::vector<double> multiplier;  ///< its individual infectiousness multiplier
    std::vector<std::uint8_t> age;
    std::vector<disease::Path> path;  ///< its natural history's path
    /// Days from a cohort case's infection to each of its secondary infections.
    std::vector<std::uint32_t> generation_intervals;
    /// Infections not seeded per day, from day 0 to the last day run.
    std::vector<std::uint32_t> daily_infections;
    std::uint64_t population = 0;
};

EarlyEpidemic run_early_epidemic(const contacts::ContactModel& contacts,
                                 const disease::DiseaseModel& disease,
                                 const EarlyEpidemicSpec& spec, core::RngKey key);

}  // namespace sortie::engine
