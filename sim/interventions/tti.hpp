#pragma once

// Test-trace-isolate: the plain parameters of testing, contact tracing and mass testing, and
// the small pure rules the engine applies with them (docs/model.md, "Test, trace, isolate").
#include <array>
#include <cstdint>
#include <vector>

#include "sim/contacts/layers.hpp"

namespace sortie::interventions {

/// What a positive case does from the day after its result.
struct IsolationSpec {
    double compliance = 0.0;  ///< probability the case stays home (draw per episode)
    std::uint32_t days = 0;
    bool household_quarantine = false;  ///< household members are quarantined too
};

/// What a traced contact (or a household member of a case) does.
struct QuarantineSpec {
    double compliance = 0.0;
    std::uint32_t days = 0;
    bool test = false;  ///< traced contacts ask for a test on their first quarantine day
};

/// A test: how good it is, how fast, how many a day, and what positives do. Used by the
/// `testing` (symptomatic) and `mass_testing` kinds.
struct TestSpec {
    double seek_test = 0.0;               ///< testing: probability a symptomatic case asks for one
    std::uint32_t delay_days = 0;         ///< testing: symptom onset -> test
    std::uint32_t result_delay_days = 0;  ///< test -> result
    /// Probability an infected person tests positive, by whole days since infection; the last
    /// value holds afterwards.
    std::vector<double> sensitivity;
    double specificity = 1.0;  ///< probability a person not infected tests negative
    double per_100k = 0.0;     ///< tests a day per 100,000 people of each region
    IsolationSpec isolation;
};

/// App uptake among ages [from, to].
struct AppUptake {
    int from = 0, to = 255;
    double share = 0.0;
};

/// Manual and digital contact tracing of positive cases.
struct TracingSpec {
    std::array<double, contacts::kLayers> traceable{0, 0, 0, 0, 0};  ///< manual, per layer
    std::uint32_t lookback_days = 0;    ///< contacts from test day - lookback to the result day
    std::uint32_t delay_days = 0;       ///< result -> quarantine of manually traced contacts
    double index_cases_per_100k = 0;    ///< tracer capacity: index cases a day per 100,000
    std::vector<AppUptake> app_uptake;  ///< empty: no app
    std::uint32_t app_delay_days = 0;   ///< result -> quarantine of contacts found by the app
    QuarantineSpec quarantine;
};

/// The capacity of day `day` for `per_100k` a day among `people`: floor(r (d + 1)) - floor(r d)
/// with r = per_100k * people / 100,000, so that every run of days gets the exact mean, whole
/// numbers, and no random draw.
std::uint32_t daily_capacity(double per_100k, double people, std::uint32_t day);

/// Sensitivity of a test `days_since_infection` after infection (the last value beyond the
/// table; 0 for an empty table).
double sensitivity_at(const std::vector<double>& sensitivity, std::uint32_t days_since_infection);

/// App uptake of a person of `age` (0 outside every range; the first matching range counts).
double app_share(const std::vector<AppUptake>& uptake, int age);

}  // namespace sortie::interventions
