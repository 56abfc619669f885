#pragma once

#include <array>
#include <optional>
#include <vector>

namespace sortie::disease {

/// A duration in days: a gamma or log-normal law given by its mean and standard deviation.
struct DurationLaw {
    enum class Kind { kGamma, kLogNormal };
    Kind kind = Kind::kGamma;
    double mean = 1.0;
    double sd = 1.0;

    friend bool operator==(const DurationLaw&, const DurationLaw&) = default;
};

/// Hospital survivors who go on to follow-up care (soins de suite) rather than home: their
/// share and their stay there (docs/model.md).
struct FollowUpCare {
    double share = 0.0;
    DurationLaw stay;

    friend bool operator==(const FollowUpCare&, const FollowUpCare&) = default;
};

/// The natural history of the disease as data (scenarios/parameters/covid19-2020.yaml gives
/// every value with its source). Age tables hold one value per band; bands start at
/// `age_band_starts` (years) and the last one is open.
struct DiseaseParameters {
    std::vector<int> age_band_starts;
    std::vector<double> asymptomatic_fraction;
    std::vector<double> susceptibility;
    std::vector<double> hospitalisation_given_infection;
    std::vector<double> icu_given_hospital;
    std::vector<double> death_given_hospital;
    std::vector<double> death_outside_hospital_given_infection;

    double generation_interval_shape = 2.826;  ///< Weibull (Ferretti et al. 2020)
    double generation_interval_scale = 5.665;
    double relative_asymptomatic = 0.5;
    double relative_presymptomatic = 1.0;
    double dispersion_k = 0.1;  ///< gamma shape of the individual infectiousness multiplier
    /// What a symptomatic case keeps of its contacts outside the household (1: all of them;
    /// optional in the disease file, docs/model.md).
    double symptomatic_contacts_outside_home = 1.0;

    DurationLaw latent, presymptomatic, asymptomatic, symptomatic_to_recovery, onset_to_hospital,
        ward_to_icu, ward_to_discharge, icu_to_discharge, ward_to_death, icu_to_death,
        to_death_outside_hospital;
    /// Hospital survivors who go on to follow-up care rather than home (optional in the file).
    std::optional<FollowUpCare> follow_up;
    /// ICU survivors' stay on a ward after ICU, until discharge (C -> H -> R); without it
    /// they leave hospital from ICU (optional in the disease file, docs/model.md).
    std::optional<DurationLaw> step_down_to_discharge;

    friend bool operator==(const DiseaseParameters&, const DiseaseParameters&) = default;
};

}  // namespace sortie::disease
