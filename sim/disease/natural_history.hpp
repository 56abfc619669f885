#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/disease/parameters.hpp"

namespace sortie::disease {

/// The course an infection takes, decided at infection.
enum class Path : std::uint8_t {
    kAsymptomatic,  ///< E -> Ia -> R
    kMild,          ///< E -> Ip -> Is -> R
    kDiesOutside,   ///< E -> Ip -> Is -> D (at home or in a care home)
    /// E -> Ip -> Is -> H -> R, or H -> F -> R through follow-up care; an ICU survivor's path
    /// becomes this one when they step down to a ward (engine/hospitals.cpp)
    kWardRecovers,
    kWardDies,     ///< E -> Ip -> Is -> H -> D
    kIcuRecovers,  ///< E -> Ip -> Is -> H -> C -> R, or H -> C -> H -> R with a step-down stay
    kIcuDies,      ///< E -> Ip -> Is -> H -> C -> D
};
inline constexpr std::size_t kPaths = 7;

/// Paths that take the agent to hospital or to death.
inline bool severe(Path path) {
    return path != Path::kAsymptomatic && path != Path::kMild;
}

/// A sampled natural history: the path and the whole days spent in each stage. Stage 0 is E,
/// 1 Ip (0 days for asymptomatic cases), 2 Ia or Is, 3 the ward (before ICU for ICU paths),
/// 4 ICU, 5 the ward after ICU (ICU survivors, when the disease has a step-down stay), 6
/// follow-up care (0: the survivor goes home). Days are stochastically rounded (floor(x + U)),
/// which keeps the configured means.
struct History {
    Path path = Path::kAsymptomatic;
    std::array<std::uint8_t, 7> stage_days{};
};

/// Probabilities of each path for one single year of age.
struct PathProbabilities {
    std::array<double, kPaths> probability{};
};

/// The disease model: per-age path probabilities and duration samplers, the infectiousness
/// profile. Built once from the parameters; const and thread-safe afterwards.
class DiseaseModel {
  public:
    /// Throws std::invalid_argument if the parameters are inconsistent (tables of the wrong
    /// length, probabilities outside [0, 1] after conversion); the scenario loader checks
    /// ranges first, with file locations.
    explicit DiseaseModel(const DiseaseParameters& parameters);

    /// Samples a history for an agent of this age from its own draws; the stages after an
    /// acute stay (step-down, follow-up care) from `after_acute`, so that a disease file with or
    /// without them draws the same course up to there, and the caller's next draws alike.
    History sample(std::uint8_t age, core::Draws& draws, core::Draws& after_acute) const;
    /// The same, every stage from `draws`.
    History sample(std::uint8_t age, core::Draws& draws) const { return sample(age, draws, draws); }
    /// The same infection on the mild path (severe disease averted, e.g. by a vaccine): the
    /// latent and pre-symptomatic stages are kept, the symptomatic stage is redrawn from
    /// `symptomatic_to_recovery` with `draws`.
    History mild_instead(const History& history, core::Draws& draws) const;

    const PathProbabilities& paths(std::uint8_t age) const { return paths_[age]; }
    double susceptibility(std::uint8_t age) const { return susceptibility_[age]; }
    /// Infectiousness weight on day `days_since_infection` (the generation-interval mass of
    /// that day), 0 beyond the profile.
    double profile(std::uint32_t days_since_infection) const {
        return days_since_infection < profile_.size() ? profile_[days_since_infection] : 0.0;
    }
    const DiseaseParameters& parameters() const { return parameters_; }

    /// The distribution of a stage's length in whole days as sample() draws it (the law's
    /// value x, then floor(x + U) with U uniform, at most 255): [d] = P(d days), from Simpson's
    /// rule on the law's distribution function: errors below 1e-7 for the parameter files'
    /// laws (gamma shapes above 1), up to 1e-4 on day 0 for a gamma of shape near 0.4, whose
    /// distribution function is steep at 0. What the calibration takes expectations over
    /// instead of sampling histories.
    static std::vector<double> whole_day_probabilities(const DurationLaw& law);

    static constexpr std::size_t kAges = 100;
    static constexpr std::size_t kProfileDays = 40;

  private:
    void sample_after_acute(History& history, core::Draws& draws) const;
    double sample_days(const DurationLaw& law, core::Draws& draws) const;

    DiseaseParameters parameters_;
    std::array<PathProbabilities, kAges> paths_{};
    std::array<double, kAges> susceptibility_{};
    std::array<double, kProfileDays> profile_{};
};

}  // namespace sortie::disease
