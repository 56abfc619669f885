#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <stop_token>

#include "sim/contacts/contact_model.hpp"
#include "sim/core/rng.hpp"
#include "sim/disease/natural_history.hpp"

namespace sortie::engine {

/// How R0 becomes a transmission rate (docs/model.md, "R0 and the transmission rate").
enum class R0Method : std::uint8_t {
    /// The next-generation matrix on the population's structure gives a first rate; pilot
    /// runs of the engine then correct it until the mean secondary infections of the early
    /// cases is R0.
    kSimulated,
    /// The next-generation matrix alone (exact on a well-mixed population).
    kNextGeneration,
};

/// The transmission rate beta for a basic reproduction number R0, and how it was found.
struct Calibration {
    double transmission_rate = 0.0;
    R0Method method = R0Method::kSimulated;
    /// The next-generation matrix by age band (its spectral radius at beta), with household,
    /// class and team contacts counted as repeated contacts with the same people and
    /// venue-wide and community contacts as fresh daily draws; asymptomatic and
    /// pre-symptomatic infectiousness and removal by hospitalisation enter through sampled
    /// natural histories.
    double next_generation_rate = 0.0;                       ///< beta where it equals R0
    contacts::BandMatrix next_generation{};                  ///< K[i][j] at transmission_rate
    std::array<double, contacts::kLayers> share_by_layer{};  ///< of infections in generation 1
    /// kSimulated: R0 as the pilot runs measured it at transmission_rate, its standard error,
    /// and the pilot runs made in all.
    double r0_measured = 0.0, r0_standard_error = 0.0;
    std::uint32_t pilot_runs = 0;
};

/// How to calibrate: the method; `stop`, looked at between pilot runs; and the most pilot
/// runs at once (0: as many as the threads and half the free memory allow). A model passes
/// its replicates, so that the pilots never hold more memory than its replicates will.
struct CalibrationOptions {
    R0Method method = R0Method::kSimulated;
    std::stop_token stop;
    std::uint32_t pilots_at_once = 0;
};

/// Throws std::invalid_argument if R0 <= 0 or cannot be reached (no contacts at all), and
/// CalibrationStopped when asked to stop. kSimulated on fewer than kMinimumPilotAgents agents
/// or for R0 below 1 falls back to kNextGeneration (the result's `method` says which was used).
Calibration calibrate_transmission_rate(const contacts::ContactModel& contacts,
                                        const disease::DiseaseModel& disease, double r0,
                                        const std::array<double, contacts::kLayers>& layer_weight,
                                        core::RngKey key, const CalibrationOptions& options = {});
inline constexpr std::size_t kMinimumPilotAgents = 5000;
/// The most pilot runs at one rate (enough for about 30,000 cases; docs/model.md).
inline constexpr std::uint32_t kMaxPilots = 32;

/// Thrown by the calibration when `stop` was requested (it looks between pilot runs).
class CalibrationStopped : public std::runtime_error {
  public:
    CalibrationStopped() : std::runtime_error("the calibration was stopped") {}
};

/// R0 as pilot runs measure it at a transmission rate (what kSimulated does at each rate it
/// tries, calibrating to `r0`, which sets the seeds): `pilots` runs (0: as the calibration
/// chooses) with keys derived from `key`.
struct R0Measurement {
    double r = 0, standard_error = 0;
    std::uint32_t runs = 0;  ///< pilot runs made, those that died out included
};
R0Measurement measure_r0_by_pilots(const contacts::ContactModel& contacts,
                                   const disease::DiseaseModel& disease,
                                   const std::array<double, contacts::kLayers>& layer_weight,
                                   double transmission_rate, double r0, core::RngKey key,
                                   std::uint32_t pilots = 0);

/// The memory of one pilot run on `agents` agents; pilots run as many at once as the threads
/// allow and half the free memory holds (model::estimate_memory counts them).
std::size_t pilot_run_bytes(std::uint64_t agents);

/// The spectral radius of a non-negative matrix (power iteration).
double spectral_radius(const contacts::BandMatrix& matrix);

}  // namespace sortie::engine
