#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/contacts/layers.hpp"

namespace sortie::interventions {

/// School levels, in the order of the population's VenueKind (crèche ... université).
inline constexpr std::size_t kSchoolLevels = 6;

/// What the transmission kernel reads on a day: multipliers and masks, never rebuilt graphs
/// (docs/architecture.md). Built by the Plan from the interventions active that day.
struct DailyPolicy {
    /// Contact factor by [region][age band][layer], 1 = unchanged, 0 = no contact. A contact
    /// between a and b counts min(factor(a), factor(b)): a measure on either side is enough.
    std::vector<float> contact_factor;
    /// Transmission factor per layer from masks (1 = no masks).
    std::array<double, contacts::kLayers> mask_factor{1, 1, 1, 1, 1};
    /// Share of each school level's pupils who attend (1 = open, 0 = closed); the same pupils
    /// stay home every day while it lasts (half classes).
    std::array<double, kSchoolLevels> school_attendance{1, 1, 1, 1, 1, 1};
    /// Share of workers (outside health care) who work from home.
    double telework = 0.0;

    std::size_t regions = 0;
    void reset(std::size_t region_count) {
        regions = region_count;
        contact_factor.assign(region_count * contacts::kAgeBands * contacts::kLayers, 1.0f);
        mask_factor = {1, 1, 1, 1, 1};
        school_attendance = {1, 1, 1, 1, 1, 1};
        telework = 0.0;
    }
    float factor(std::uint16_t region, std::size_t band, contacts::Layer layer) const {
        return contact_factor[(region * contacts::kAgeBands + band) * contacts::kLayers +
                              static_cast<std::size_t>(layer)];
    }
    float& factor(std::uint16_t region, std::size_t band, contacts::Layer layer) {
        return contact_factor[(region * contacts::kAgeBands + band) * contacts::kLayers +
                              static_cast<std::size_t>(layer)];
    }
};

}  // namespace sortie::interventions
