#pragma once

#include <array>
#include <cstdint>

#include "sim/contacts/contact_model.hpp"

namespace sortie::contacts {

/// Contacts counted by enumerating the layers for a sample of agents on one day: the
/// measured counterpart of the parameters (what `sortie population` reports).
struct ContactSurvey {
    std::uint64_t agents_sampled = 0;
    ByBand people_by_band{};                         ///< sampled agents by age band
    std::array<ByBand, kLayers> contacts_by_band{};  ///< contacts made, by layer and own band
    std::array<BandMatrix, kLayers> mixing{};        ///< contacts by layer, own band x other band
    /// Sampled agents who belong to the layer (a class or a team), and their contacts.
    std::array<double, kLayers> members{}, member_contacts{};

    double mean(Layer layer) const;             ///< contacts per sampled agent per day
    double mean_per_member(Layer layer) const;  ///< per agent in the layer (school, work)
    double mean_in_band(Layer layer, std::size_t band) const;
};

/// Surveys `max_agents` agents spread evenly over the ids (all of them if fewer), in parallel;
/// the result does not depend on the thread count.
ContactSurvey survey_contacts(const population::Population& population, const ContactModel& model,
                              core::RngKey key, std::uint32_t day, std::uint64_t max_agents);

}  // namespace sortie::contacts
