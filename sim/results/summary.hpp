#pragma once

// The headline numbers of a run, per scenario, over replicates: plain functions of a
// RunResult (what `sortie summary` prints).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/results/result.hpp"

namespace sortie::results {

/// The `q`-quantile (0 <= q <= 1) of `values`, by linear interpolation between order
/// statistics: with the values sorted as x[0..n-1], h = (n-1)q, the result lies at h between
/// x[floor(h)] and x[floor(h)+1]. This is numpy's default (method="linear", Hyndman & Fan
/// type 7) and R's default (type 7), computed the way numpy computes it, so Python users get
/// the same digits. NaN for no values. Precondition: no NaN among `values`.
double quantile(std::span<const double> values, double q);

/// The median and the 5% and 95% quantiles of some values (see quantile).
struct Spread {
    double median = 0;
    double p05 = 0;
    double p95 = 0;
};
Spread spread(std::span<const double> values);

/// The headline numbers of one replicate.
struct ReplicateMetrics {
    double attack_rate = 0;               ///< infections over the run / agents (NaN if no agents)
    std::int64_t peak_hospital = 0;       ///< max over days of people in H + C (ward and ICU)
    std::uint32_t peak_hospital_day = 0;  ///< first day index with that peak
    std::int64_t peak_icu = 0;            ///< max over days of people needing ICU (C + icu_waiting)
    std::uint32_t peak_icu_day = 0;       ///< first day index with that peak
    std::int64_t hospital_admissions = 0;  ///< sum of the event hospital_admissions
    std::int64_t deaths = 0;               ///< sum of the event deaths
    double r0_realised = 0;
};

/// A hospital supply in one replicate (docs/output.md, summary).
struct SupplyMetrics {
    double first_shortage_day = 0;  ///< first day index with a shortage in any region; NaN: none
    /// lowest days of stock left over days and regions with use; +inf: never used or equipment
    double min_days_left = 0;
};

/// Hospital saturation in one replicate, nationally (sums over regions). Demand is the people
/// in state C (ICU) or H (ward) by region of residence; capacity the recorded beds.
struct HospitalMetrics {
    double icu_demand_over_capacity = 0;  ///< on the first day of peak ICU demand; +inf: no beds
    std::int64_t icu_days_over_capacity = 0;  ///< days with ICU demand above the ICU beds
    double ward_demand_over_capacity = 0;
    std::int64_t ward_days_over_capacity = 0;
    std::int64_t icu_refused = 0, ward_refused = 0;
    std::int64_t transfers = 0;           ///< ICU patients moved to another region
    std::int64_t excess_deaths = 0;       ///< deaths of refused patients who would have recovered
    std::vector<SupplyMetrics> supplies;  ///< in the order of ScenarioResult::supplies
};

/// Computes a replicate's hospital metrics. Precondition: scenario.hospitals.
HospitalMetrics hospital_metrics(const ScenarioResult& scenario, const ReplicateResult& replicate);

/// Tests performed against the testing capacity in one replicate, nationally.
struct TestMetrics {
    std::int64_t tests = 0;
    std::int64_t capacity = 0;  ///< sum of test_capacity over the run
    double peak_share = 0;      ///< max over days with capacity of tests / capacity; NaN: none
    std::int64_t days_at_capacity = 0;  ///< days with unmet test requests in some region
};
TestMetrics test_metrics(const ScenarioResult& scenario, const ReplicateResult& replicate);

/// Computes a replicate's metrics. Precondition: its arrays are sized for `scenario`.
ReplicateMetrics replicate_metrics(const ScenarioResult& scenario,
                                   const ReplicateResult& replicate);

/// The headline numbers of a scenario over its replicates.
struct ScenarioSummary {
    std::string name;
    std::size_t replicates = 0;
    std::uint64_t agents = 0;
    Spread attack_rate;
    Spread peak_hospital;
    std::string peak_hospital_date;  ///< start date + median of the peak days, rounded down
    Spread peak_icu;
    std::string peak_icu_date;  ///< start date + median of the peak days, rounded down
    Spread hospital_admissions;
    Spread deaths;
    Spread r0_realised;
    /// Testing (only when some testing intervention had capacity): tests performed, the peak
    /// daily share of the capacity used, days with unmet requests.
    bool testing = false;
    Spread tests, test_peak_share, test_days_at_capacity;
    /// Hospitals (only when the file has hospital records); see HospitalMetrics.
    bool hospitals = false;
    Spread icu_demand_over_capacity, icu_days_over_capacity, ward_demand_over_capacity,
        ward_days_over_capacity, icu_refused, ward_refused, transfers, excess_deaths;
    struct Supply {
        std::string name, unit;
        std::size_t replicates_with_shortage = 0;
        Spread first_shortage_day;        ///< over the replicates with a shortage (NaN if none)
        std::string first_shortage_date;  ///< start date + its median, rounded down; or empty
        Spread min_days_left;             ///< over the replicates where it was used (NaN if none)
    };
    std::vector<Supply> supplies;
    /// The values the replicates drew from a posterior (`sortie run --posterior`), by key;
    /// empty otherwise.
    struct Parameter {
        std::string key;
        Spread values;
    };
    std::vector<Parameter> parameters;
    std::string parameters_source;
};

/// Summarises every scenario of a run. Throws core::InputError if a start date is not
/// YYYY-MM-DD. Precondition: arrays sized as in ScenarioResult (read_run checks it).
std::vector<ScenarioSummary> summarise(const RunResult& run);

}  // namespace sortie::results
