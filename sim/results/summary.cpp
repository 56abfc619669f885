#include "sim/results/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>

#include "sim/core/date.hpp"

namespace sortie::results {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// numpy's _lerp: the same operations in the same order, so results agree to the last bit.
double numpy_lerp(double a, double b, double t) {
    const double difference = b - a;
    return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}

// People in `states`, summed over regions and age bands, at the end of `day`.
std::int64_t daily_total(const ScenarioResult& scenario, const std::vector<std::int32_t>& counts,
                         std::size_t day, std::initializer_list<State> states) {
    const std::size_t cells = scenario.regions.size() * scenario.age_bands.size();
    std::int64_t total = 0;
    for (std::size_t cell = day * cells; cell < (day + 1) * cells; ++cell)
        for (const State state : states)
            total += counts[cell * kStates + static_cast<std::size_t>(state)];
    return total;
}

struct Peak {
    std::int64_t value = 0;
    std::uint32_t day = 0;  ///< the first day reaching the peak
};

Peak peak(const ScenarioResult& scenario, const ReplicateResult& replicate,
          std::initializer_list<State> states) {
    Peak result;
    for (std::uint32_t day = 0; day < scenario.days; ++day) {
        const std::int64_t total = daily_total(scenario, replicate.counts, day, states);
        if (total > result.value) result = {total, day};
    }
    return result;
}

// values[first] + values[first + stride] + ...: one column of a record laid out row by row.
template <typename Values>
std::int64_t column_total(const Values& values, std::size_t first, std::size_t stride) {
    std::int64_t total = 0;
    for (std::size_t i = first; i < values.size(); i += stride) total += values[i];
    return total;
}

// An event summed over days, regions and age bands.
std::int64_t event_total(const ReplicateResult& replicate, Event event) {
    return column_total(replicate.incidence, static_cast<std::size_t>(event), kEvents);
}

// A hospital measure summed over regions on `day`.
std::int64_t hospital_on(const ScenarioResult& scenario, const ReplicateResult& replicate,
                         std::size_t day, HospitalMeasure measure) {
    const std::size_t regions = scenario.regions.size();
    std::int64_t total = 0;
    for (std::size_t r = 0; r < regions; ++r)
        total += replicate.hospital[(day * regions + r) * kHospitalMeasures +
                                    static_cast<std::size_t>(measure)];
    return total;
}

// A hospital measure summed over days and regions.
std::int64_t hospital_total(const ReplicateResult& replicate, HospitalMeasure measure) {
    return column_total(replicate.hospital, static_cast<std::size_t>(measure), kHospitalMeasures);
}

double demand_ratio(std::int64_t demand, std::int64_t capacity) {
    if (capacity > 0) return static_cast<double>(demand) / static_cast<double>(capacity);
    return demand > 0 ? std::numeric_limits<double>::infinity() : 0.0;
}

struct Saturation {
    double peak_ratio = 0;
    std::int64_t days_over = 0;
};

// Demand against the recorded `capacity`, nationally: the people in `state`, plus
// (`waiting` = 1) the patients waiting for ICU (ICU demand: C + icu_waiting; ward demand: H,
// which holds them too, in a ward bed or at home).
Saturation saturation(const ScenarioResult& scenario, const ReplicateResult& replicate, State state,
                      HospitalMeasure capacity, int waiting) {
    const auto demand_on = [&](std::size_t day) {
        return daily_total(scenario, replicate.counts, day, {state}) +
               waiting * hospital_on(scenario, replicate, day, HospitalMeasure::kIcuWaiting);
    };
    Saturation result;
    std::int64_t top = -1;
    for (std::size_t day = 0; day < scenario.days; ++day) {
        const std::int64_t demand = demand_on(day);
        const std::int64_t beds = hospital_on(scenario, replicate, day, capacity);
        if (demand > top) {
            top = demand;
            result.peak_ratio = demand_ratio(demand, beds);
        }
        if (demand > beds) ++result.days_over;
    }
    return result;
}

SupplyMetrics supply_metrics(const ScenarioResult& scenario, const ReplicateResult& replicate,
                             std::size_t supply) {
    SupplyMetrics metrics{kNaN, std::numeric_limits<double>::infinity()};
    const std::size_t rows = scenario.regions.size();
    const auto value = [&](std::size_t day, std::size_t r, SupplyMeasure m) {
        return replicate
            .supplies[((day * rows + r) * scenario.supplies.size() + supply) * kSupplyMeasures +
                      static_cast<std::size_t>(m)];
    };
    for (std::size_t day = 0; day < scenario.days; ++day) {
        for (std::size_t r = 0; r < rows; ++r) {
            if (std::isnan(metrics.first_shortage_day) &&
                value(day, r, SupplyMeasure::kShortage) > 0)
                metrics.first_shortage_day = static_cast<double>(day);
            if (value(day, r, SupplyMeasure::kUsed) > 0)
                metrics.min_days_left =
                    std::min(metrics.min_days_left, value(day, r, SupplyMeasure::kDaysLeft));
        }
    }
    return metrics;
}

// A measure of `measures` summed over regions on `day`.
std::int64_t measure_on(const ScenarioResult& scenario, const ReplicateResult& replicate,
                        std::size_t day, Measure measure, bool any = false) {
    const std::size_t regions = scenario.regions.size();
    std::int64_t total = 0;
    for (std::size_t r = 0; r < regions; ++r) {
        const std::int32_t v =
            replicate.measures[(day * regions + r) * kMeasures + static_cast<std::size_t>(measure)];
        total += any ? (v > 0 ? 1 : 0) : v;
    }
    return total;
}

// The spread of the finite values only (NaN when there are none).
Spread finite_spread(const std::vector<double>& values) {
    std::vector<double> finite;
    for (const double v : values)
        if (std::isfinite(v)) finite.push_back(v);
    return spread(finite);
}

// The date of the median (rounded down) of the replicates' peak days.
std::string median_date(const ScenarioResult& scenario, const std::vector<double>& days) {
    const core::Date start = core::Date::parse_or_throw(
        scenario.start_date, core::SourceLocation("scenario " + scenario.name), "start_date");
    const auto day = static_cast<std::int32_t>(std::floor(quantile(days, 0.5)));
    return start.plus_days(day).to_string();
}

// One metric over the replicates.
template <class Field>
std::vector<double> column(const std::vector<ReplicateMetrics>& metrics, Field field) {
    std::vector<double> values;
    for (const auto& replicate : metrics) values.push_back(static_cast<double>(replicate.*field));
    return values;
}

template <class Field>
std::vector<double> hospital_column(const std::vector<HospitalMetrics>& metrics, Field field) {
    std::vector<double> values;
    for (const auto& replicate : metrics) values.push_back(static_cast<double>(replicate.*field));
    return values;
}

ScenarioSummary::Supply summarise_supply(const ScenarioResult& scenario,
                                         const std::vector<HospitalMetrics>& metrics,
                                         std::size_t supply) {
    ScenarioSummary::Supply summary;
    summary.name = scenario.supplies[supply].name;
    summary.unit = scenario.supplies[supply].unit;
    std::vector<double> first_days, days_left;
    for (const auto& replicate : metrics) {
        const SupplyMetrics& m = replicate.supplies[supply];
        if (!std::isnan(m.first_shortage_day)) first_days.push_back(m.first_shortage_day);
        days_left.push_back(m.min_days_left);
    }
    summary.replicates_with_shortage = first_days.size();
    summary.first_shortage_day = spread(first_days);
    if (!first_days.empty()) summary.first_shortage_date = median_date(scenario, first_days);
    summary.min_days_left = finite_spread(days_left);
    return summary;
}

void summarise_hospitals(const ScenarioResult& scenario, ScenarioSummary& summary) {
    if (!scenario.hospitals) return;
    summary.hospitals = true;
    std::vector<HospitalMetrics> metrics;
    for (const auto& replicate : scenario.replicates)
        metrics.push_back(hospital_metrics(scenario, replicate));
    summary.icu_demand_over_capacity =
        finite_spread(hospital_column(metrics, &HospitalMetrics::icu_demand_over_capacity));
    summary.icu_days_over_capacity =
        spread(hospital_column(metrics, &HospitalMetrics::icu_days_over_capacity));
    summary.ward_demand_over_capacity =
        finite_spread(hospital_column(metrics, &HospitalMetrics::ward_demand_over_capacity));
    summary.ward_days_over_capacity =
        spread(hospital_column(metrics, &HospitalMetrics::ward_days_over_capacity));
    summary.icu_refused = spread(hospital_column(metrics, &HospitalMetrics::icu_refused));
    summary.ward_refused = spread(hospital_column(metrics, &HospitalMetrics::ward_refused));
    summary.transfers = spread(hospital_column(metrics, &HospitalMetrics::transfers));
    summary.excess_deaths = spread(hospital_column(metrics, &HospitalMetrics::excess_deaths));
    for (std::size_t s = 0; s < scenario.supplies.size(); ++s)
        summary.supplies.push_back(summarise_supply(scenario, metrics, s));
}

void summarise_testing(const ScenarioResult& scenario, ScenarioSummary& summary) {
    std::vector<TestMetrics> metrics;
    for (const auto& replicate : scenario.replicates)
        metrics.push_back(test_metrics(scenario, replicate));
    std::vector<double> tests, shares, days;
    for (const auto& m : metrics) {
        summary.testing = summary.testing || m.capacity > 0;
        tests.push_back(static_cast<double>(m.tests));
        shares.push_back(m.peak_share);
        days.push_back(static_cast<double>(m.days_at_capacity));
    }
    if (!summary.testing) return;
    summary.tests = spread(tests);
    summary.test_peak_share = finite_spread(shares);
    summary.test_days_at_capacity = spread(days);
}

void summarise_parameters(const ScenarioResult& scenario, ScenarioSummary& summary) {
    summary.parameters_source = scenario.parameters_source;
    for (std::size_t k = 0; k < scenario.parameters.size(); ++k) {
        std::vector<double> values;
        for (const auto& replicate : scenario.replicates) values.push_back(replicate.parameters[k]);
        summary.parameters.push_back({scenario.parameters[k], spread(values)});
    }
}

ScenarioSummary summarise_scenario(const ScenarioResult& scenario) {
    std::vector<ReplicateMetrics> metrics;
    for (const auto& replicate : scenario.replicates)
        metrics.push_back(replicate_metrics(scenario, replicate));
    ScenarioSummary summary;
    summary.name = scenario.name;
    summary.replicates = scenario.replicates.size();
    summary.agents = scenario.agents;
    summary.attack_rate = spread(column(metrics, &ReplicateMetrics::attack_rate));
    summary.peak_hospital = spread(column(metrics, &ReplicateMetrics::peak_hospital));
    summary.peak_icu = spread(column(metrics, &ReplicateMetrics::peak_icu));
    summary.hospital_admissions = spread(column(metrics, &ReplicateMetrics::hospital_admissions));
    summary.deaths = spread(column(metrics, &ReplicateMetrics::deaths));
    summary.r0_realised = spread(column(metrics, &ReplicateMetrics::r0_realised));
    if (!metrics.empty()) {
        summary.peak_hospital_date =
            median_date(scenario, column(metrics, &ReplicateMetrics::peak_hospital_day));
        summary.peak_icu_date =
            median_date(scenario, column(metrics, &ReplicateMetrics::peak_icu_day));
    }
    summarise_testing(scenario, summary);
    summarise_hospitals(scenario, summary);
    summarise_parameters(scenario, summary);
    return summary;
}

}  // namespace

double quantile(std::span<const double> values, double q) {
    if (values.empty()) return kNaN;
    std::vector<double> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    const double position = static_cast<double>(sorted.size() - 1) * q;
    const double below = std::floor(position);
    const auto lower = static_cast<std::size_t>(below);
    const std::size_t upper = std::min(lower + 1, sorted.size() - 1);
    return numpy_lerp(sorted[lower], sorted[upper], position - below);
}

Spread spread(std::span<const double> values) {
    return {quantile(values, 0.5), quantile(values, 0.05), quantile(values, 0.95)};
}

ReplicateMetrics replicate_metrics(const ScenarioResult& scenario,
                                   const ReplicateResult& replicate) {
    ReplicateMetrics metrics;
    const std::int64_t infections = event_total(replicate, Event::kInfections);
    metrics.attack_rate = scenario.agents == 0 ? kNaN
                                               : static_cast<double>(infections) /
                                                     static_cast<double>(scenario.agents);
    const Peak hospital = peak(scenario, replicate, {State::kHospitalWard, State::kIcu});
    metrics.peak_hospital = hospital.value;
    metrics.peak_hospital_day = hospital.day;
    // Patients needing ICU: in state C, and with hospitals those refused a bed (icu_waiting).
    Peak icu;
    for (std::uint32_t day = 0; day < scenario.days; ++day) {
        std::int64_t total = daily_total(scenario, replicate.counts, day, {State::kIcu});
        if (scenario.hospitals)
            total += hospital_on(scenario, replicate, day, HospitalMeasure::kIcuWaiting);
        if (total > icu.value) icu = {total, day};
    }
    metrics.peak_icu = icu.value;
    metrics.peak_icu_day = icu.day;
    metrics.hospital_admissions = event_total(replicate, Event::kHospitalAdmissions);
    metrics.deaths = event_total(replicate, Event::kDeaths);
    metrics.r0_realised = replicate.r0_realised;
    return metrics;
}

HospitalMetrics hospital_metrics(const ScenarioResult& scenario, const ReplicateResult& replicate) {
    HospitalMetrics metrics;
    const Saturation icu =
        saturation(scenario, replicate, State::kIcu, HospitalMeasure::kIcuCapacity, +1);
    const Saturation ward =
        saturation(scenario, replicate, State::kHospitalWard, HospitalMeasure::kWardCapacity, 0);
    metrics.icu_demand_over_capacity = icu.peak_ratio;
    metrics.icu_days_over_capacity = icu.days_over;
    metrics.ward_demand_over_capacity = ward.peak_ratio;
    metrics.ward_days_over_capacity = ward.days_over;
    metrics.icu_refused = hospital_total(replicate, HospitalMeasure::kIcuRefused);
    metrics.ward_refused = hospital_total(replicate, HospitalMeasure::kWardRefused);
    metrics.transfers = hospital_total(replicate, HospitalMeasure::kTransfersOut);
    metrics.excess_deaths = hospital_total(replicate, HospitalMeasure::kExcessDeaths);
    for (std::size_t s = 0; s < scenario.supplies.size(); ++s)
        metrics.supplies.push_back(supply_metrics(scenario, replicate, s));
    return metrics;
}

TestMetrics test_metrics(const ScenarioResult& scenario, const ReplicateResult& replicate) {
    TestMetrics metrics;
    metrics.peak_share = kNaN;
    for (std::size_t day = 0; day < scenario.days; ++day) {
        const std::int64_t tests = measure_on(scenario, replicate, day, Measure::kTests);
        const std::int64_t capacity = measure_on(scenario, replicate, day, Measure::kTestCapacity);
        metrics.tests += tests;
        metrics.capacity += capacity;
        if (capacity > 0) {
            const double share = static_cast<double>(tests) / static_cast<double>(capacity);
            if (std::isnan(metrics.peak_share) || share > metrics.peak_share)
                metrics.peak_share = share;
        }
        if (measure_on(scenario, replicate, day, Measure::kTestsUnmet, true) > 0)
            ++metrics.days_at_capacity;
    }
    return metrics;
}

std::vector<ScenarioSummary> summarise(const RunResult& run) {
    std::vector<ScenarioSummary> summaries;
    for (const auto& scenario : run.scenarios) summaries.push_back(summarise_scenario(scenario));
    return summaries;
}

}  // namespace sortie::results
