#pragma once

#include <array>

#include "sim/contacts/contact_model.hpp"
#include "sim/core/rng.hpp"
#include "sim/disease/natural_history.hpp"

namespace sortie::engine {

/// The transmission rate beta that gives a basic reproduction number R0 on this population's
/// own contact structure: the spectral radius of the next-generation matrix by age band,
/// with household, class and team contacts counted as repeated contacts with the same people
/// (each can be infected once) and venue-wide and community contacts as fresh daily draws;
/// asymptomatic and pre-symptomatic infectiousness and removal by hospitalisation enter
/// through sampled natural histories (derivation in docs/model.md).
struct Calibration {
    double transmission_rate = 0.0;
    contacts::BandMatrix next_generation{};                  ///< K[i][j] at that rate
    std::array<double, contacts::kLayers> share_by_layer{};  ///< of infections in generation 1
};

/// Throws std::invalid_argument if R0 <= 0 or cannot be reached (no contacts at all).
Calibration calibrate_transmission_rate(const contacts::ContactModel& contacts,
                                        const disease::DiseaseModel& disease, double r0,
                                        const std::array<double, contacts::kLayers>& layer_weight,
                                        core::RngKey key);

/// The spectral radius of a non-negative matrix (power iteration).
double spectral_radius(const contacts::BandMatrix& matrix);

}  // namespace sortie::engine
