#include "tools/sortie/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>

#include "sim/core/date.hpp"

namespace sortie::cli {
namespace {

using engine::ReplicateResult;
using engine::ScenarioResult;
using engine::State;
using json = nlohmann::ordered_json;

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
            total += counts[cell * engine::kStates + static_cast<std::size_t>(state)];
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
std::int64_t event_total(const ReplicateResult& replicate, engine::Event event) {
    return column_total(replicate.incidence, static_cast<std::size_t>(event), engine::kEvents);
}

// A hospital measure summed over regions on `day`.
std::int64_t hospital_on(const ScenarioResult& scenario, const ReplicateResult& replicate,
                         std::size_t day, engine::HospitalMeasure measure) {
    const std::size_t regions = scenario.regions.size();
    std::int64_t total = 0;
    for (std::size_t r = 0; r < regions; ++r)
        total += replicate.hospital[(day * regions + r) * engine::kHospitalMeasures +
                                    static_cast<std::size_t>(measure)];
    return total;
}

// A hospital measure summed over days and regions.
std::int64_t hospital_total(const ReplicateResult& replicate, engine::HospitalMeasure measure) {
    return column_total(replicate.hospital, static_cast<std::size_t>(measure),
                        engine::kHospitalMeasures);
}

double demand_ratio(std::int64_t demand, std::int64_t capacity) {
    if (capacity > 0) return static_cast<double>(demand) / static_cast<double>(capacity);
    return demand > 0 ? std::numeric_limits<double>::infinity() : 0.0;
}

struct Saturation {
    double peak_ratio = 0;
    std::int64_t days_over = 0;
};

// Demand (people in `state`) against the recorded `capacity`, nationally.
Saturation saturation(const ScenarioResult& scenario, const ReplicateResult& replicate, State state,
                      engine::HospitalMeasure capacity) {
    Saturation result;
    const Peak top = peak(scenario, replicate, {state});
    result.peak_ratio =
        demand_ratio(top.value, hospital_on(scenario, replicate, top.day, capacity));
    for (std::size_t day = 0; day < scenario.days; ++day) {
        if (daily_total(scenario, replicate.counts, day, {state}) >
            hospital_on(scenario, replicate, day, capacity))
            ++result.days_over;
    }
    return result;
}

SupplyMetrics supply_metrics(const ScenarioResult& scenario, const ReplicateResult& replicate,
                             std::size_t supply) {
    SupplyMetrics metrics{kNaN, std::numeric_limits<double>::infinity()};
    const std::size_t rows = scenario.regions.size();
    const auto value = [&](std::size_t day, std::size_t r, engine::SupplyMeasure m) {
        return replicate.supplies[((day * rows + r) * scenario.supplies.size() + supply) *
                                      engine::kSupplyMeasures +
                                  static_cast<std::size_t>(m)];
    };
    for (std::size_t day = 0; day < scenario.days; ++day) {
        for (std::size_t r = 0; r < rows; ++r) {
            if (std::isnan(metrics.first_shortage_day) &&
                value(day, r, engine::SupplyMeasure::kShortage) > 0)
                metrics.first_shortage_day = static_cast<double>(day);
            if (value(day, r, engine::SupplyMeasure::kUsed) > 0)
                metrics.min_days_left = std::min(metrics.min_days_left,
                                                 value(day, r, engine::SupplyMeasure::kDaysLeft));
        }
    }
    return metrics;
}

// A measure of `measures` summed over regions on `day`.
std::int64_t measure_on(const ScenarioResult& scenario, const ReplicateResult& replicate,
                        std::size_t day, engine::Measure measure, bool any = false) {
    const std::size_t regions = scenario.regions.size();
    std::int64_t total = 0;
    for (std::size_t r = 0; r < regions; ++r) {
        const std::int32_t v = replicate.measures[(day * regions + r) * engine::kMeasures +
                                                  static_cast<std::size_t>(measure)];
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
    return summary;
}

json spread_json(const Spread& s) {
    return {{"median", s.median}, {"p05", s.p05}, {"p95", s.p95}};
}

json metrics_json(const ScenarioSummary& s) {
    return {{"attack_rate", spread_json(s.attack_rate)},
            {"peak_icu", spread_json(s.peak_icu)},
            {"peak_icu_date", s.peak_icu_date},
            {"peak_hospital", spread_json(s.peak_hospital)},
            {"peak_hospital_date", s.peak_hospital_date},
            {"hospital_admissions", spread_json(s.hospital_admissions)},
            {"deaths", spread_json(s.deaths)},
            {"r0_realised", spread_json(s.r0_realised)}};
}

json supply_json(const ScenarioSummary::Supply& supply) {
    return {{"name", supply.name},
            {"unit", supply.unit},
            {"replicates_with_shortage", supply.replicates_with_shortage},
            {"first_shortage_day", spread_json(supply.first_shortage_day)},
            {"first_shortage_date",
             supply.first_shortage_date.empty() ? json(nullptr) : json(supply.first_shortage_date)},
            {"min_days_left", spread_json(supply.min_days_left)}};
}

// Testing and hospital metrics, present only when the file has them.
void add_optional_json(const ScenarioSummary& s, json& metrics) {
    if (s.testing) {
        metrics["tests"] = spread_json(s.tests);
        metrics["test_peak_share"] = spread_json(s.test_peak_share);
        metrics["test_days_at_capacity"] = spread_json(s.test_days_at_capacity);
    }
    if (!s.hospitals) return;
    metrics["icu_demand_over_capacity"] = spread_json(s.icu_demand_over_capacity);
    metrics["icu_days_over_capacity"] = spread_json(s.icu_days_over_capacity);
    metrics["ward_demand_over_capacity"] = spread_json(s.ward_demand_over_capacity);
    metrics["ward_days_over_capacity"] = spread_json(s.ward_days_over_capacity);
    metrics["icu_refused"] = spread_json(s.icu_refused);
    metrics["ward_refused"] = spread_json(s.ward_refused);
    metrics["transfers"] = spread_json(s.transfers);
    metrics["excess_deaths"] = spread_json(s.excess_deaths);
    if (s.supplies.empty()) return;
    json supplies = json::array();
    for (const auto& supply : s.supplies) supplies.push_back(supply_json(supply));
    metrics["supplies"] = supplies;
}

std::string text_row(std::string_view metric, const Spread& s, int decimals,
                     std::string_view note = {}) {
    const std::string range = fmt::format("[{:.{}f}, {:.{}f}]", s.p05, decimals, s.p95, decimals);
    const std::string row =
        fmt::format("  {:<20} {:>12.{}f}  {:<24}", metric, s.median, decimals, range);
    if (note.empty()) return row.substr(0, row.find_last_not_of(' ') + 1) + "\n";
    return row + "  " + std::string(note) + "\n";
}

std::string supply_text(const ScenarioSummary::Supply& supply, std::size_t replicates) {
    std::string text = fmt::format("  supply {} ({}): shortage in {} of {} replicates", supply.name,
                                   supply.unit, supply.replicates_with_shortage, replicates);
    if (!supply.first_shortage_date.empty())
        text += ", median first day " + supply.first_shortage_date;
    text += "\n";
    // Equipment, or a resource never used: no days of stock to report.
    if (std::isnan(supply.min_days_left.median)) return text;
    return text + text_row("  min days left", supply.min_days_left, 1);
}

std::string hospital_text(const ScenarioSummary& s) {
    std::string text;
    text += text_row("ICU demand/capacity", s.icu_demand_over_capacity, 2, "on the peak day");
    text += text_row("ICU days over cap.", s.icu_days_over_capacity, 1);
    text += text_row("ward demand/capacity", s.ward_demand_over_capacity, 2, "on the peak day");
    text += text_row("ward days over cap.", s.ward_days_over_capacity, 1);
    text += text_row("icu_refused", s.icu_refused, 1);
    text += text_row("ward_refused", s.ward_refused, 1);
    text += text_row("transfers", s.transfers, 1);
    text += text_row("excess_deaths", s.excess_deaths, 1, "refused care, would have recovered");
    for (const auto& supply : s.supplies) text += supply_text(supply, s.replicates);
    return text;
}

std::string scenario_text(const ScenarioSummary& s) {
    std::string text =
        fmt::format("scenario {}: {} replicates, {} agents\n", s.name, s.replicates, s.agents);
    text += fmt::format("  {:<20} {:>12}  {}\n", "metric", "median", "[p05, p95]");
    text += text_row("attack_rate", s.attack_rate, 4);
    text += text_row("peak_hospital (H+C)", s.peak_hospital, 1,
                     "median peak day " + s.peak_hospital_date);
    text += text_row("peak_icu (C)", s.peak_icu, 1, "median peak day " + s.peak_icu_date);
    text += text_row("hospital_admissions", s.hospital_admissions, 1);
    text += text_row("deaths", s.deaths, 1);
    text += text_row("r0_realised", s.r0_realised, 3);
    if (s.testing) {
        text += text_row("tests", s.tests, 1);
        text += text_row("test_peak_share", s.test_peak_share, 3, "of the testing capacity");
        text += text_row("test_days_at_cap.", s.test_days_at_capacity, 1, "days with unmet tests");
    }
    if (s.hospitals) text += hospital_text(s);
    return text;
}

// A number in the shortest form that reads back to the same double; NaN as an empty field,
// which pandas and R both read as missing.
std::string csv_number(double value) {
    return std::isnan(value) ? std::string() : fmt::format("{}", value);
}

std::string csv_row(const ScenarioSummary& s, std::string_view metric, const Spread& spread,
                    std::string_view peak_date = {}) {
    return fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(s.name), s.replicates, s.agents,
                       metric, csv_number(spread.median), csv_number(spread.p05),
                       csv_number(spread.p95), peak_date);
}

// Supplies: metric `supplies.<name>.<field>`; the first shortage date in the date column.
std::string supply_csv(const ScenarioSummary& s, const ScenarioSummary::Supply& supply) {
    const std::string prefix = "supplies." + supply.name + ".";
    const auto count = static_cast<double>(supply.replicates_with_shortage);
    return csv_row(s, csv_field(prefix + "replicates_with_shortage"), {count, count, count}) +
           csv_row(s, csv_field(prefix + "first_shortage_day"), supply.first_shortage_day,
                   supply.first_shortage_date) +
           csv_row(s, csv_field(prefix + "min_days_left"), supply.min_days_left);
}

// The rows of add_optional_json, in its order.
std::string optional_csv(const ScenarioSummary& s) {
    std::string csv;
    if (s.testing) {
        csv += csv_row(s, "tests", s.tests) + csv_row(s, "test_peak_share", s.test_peak_share) +
               csv_row(s, "test_days_at_capacity", s.test_days_at_capacity);
    }
    if (!s.hospitals) return csv;
    csv += csv_row(s, "icu_demand_over_capacity", s.icu_demand_over_capacity) +
           csv_row(s, "icu_days_over_capacity", s.icu_days_over_capacity) +
           csv_row(s, "ward_demand_over_capacity", s.ward_demand_over_capacity) +
           csv_row(s, "ward_days_over_capacity", s.ward_days_over_capacity) +
           csv_row(s, "icu_refused", s.icu_refused) + csv_row(s, "ward_refused", s.ward_refused) +
           csv_row(s, "transfers", s.transfers) + csv_row(s, "excess_deaths", s.excess_deaths);
    for (const auto& supply : s.supplies) csv += supply_csv(s, supply);
    return csv;
}

std::string scenario_csv(const ScenarioSummary& s) {
    return csv_row(s, "attack_rate", s.attack_rate) +
           csv_row(s, "peak_icu", s.peak_icu, s.peak_icu_date) +
           csv_row(s, "peak_hospital", s.peak_hospital, s.peak_hospital_date) +
           csv_row(s, "hospital_admissions", s.hospital_admissions) +
           csv_row(s, "deaths", s.deaths) + csv_row(s, "r0_realised", s.r0_realised) +
           optional_csv(s);
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
    const std::int64_t infections = event_total(replicate, engine::Event::kInfections);
    metrics.attack_rate = scenario.agents == 0 ? kNaN
                                               : static_cast<double>(infections) /
                                                     static_cast<double>(scenario.agents);
    const Peak hospital = peak(scenario, replicate, {State::kHospitalWard, State::kIcu});
    metrics.peak_hospital = hospital.value;
    metrics.peak_hospital_day = hospital.day;
    const Peak icu = peak(scenario, replicate, {State::kIcu});
    metrics.peak_icu = icu.value;
    metrics.peak_icu_day = icu.day;
    metrics.hospital_admissions = event_total(replicate, engine::Event::kHospitalAdmissions);
    metrics.deaths = event_total(replicate, engine::Event::kDeaths);
    metrics.r0_realised = replicate.r0_realised;
    return metrics;
}

HospitalMetrics hospital_metrics(const ScenarioResult& scenario, const ReplicateResult& replicate) {
    using engine::HospitalMeasure;
    HospitalMetrics metrics;
    const Saturation icu =
        saturation(scenario, replicate, State::kIcu, HospitalMeasure::kIcuCapacity);
    const Saturation ward =
        saturation(scenario, replicate, State::kHospitalWard, HospitalMeasure::kWardCapacity);
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
    using engine::Measure;
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

std::vector<ScenarioSummary> summarise(const engine::RunResult& run) {
    std::vector<ScenarioSummary> summaries;
    for (const auto& scenario : run.scenarios) summaries.push_back(summarise_scenario(scenario));
    return summaries;
}

nlohmann::ordered_json to_json(const std::vector<ScenarioSummary>& summaries) {
    json scenarios = json::array();
    for (const auto& s : summaries) {
        scenarios.push_back({{"name", s.name},
                             {"replicates", s.replicates},
                             {"agents", s.agents},
                             {"metrics", [&] {
                                  json metrics = metrics_json(s);
                                  add_optional_json(s, metrics);
                                  return metrics;
                              }()}});
    }
    return {{"scenarios", scenarios}};
}

std::string to_text(const std::vector<ScenarioSummary>& summaries) {
    std::string text;
    for (const auto& s : summaries) {
        if (!text.empty()) text += "\n";
        text += scenario_text(s);
    }
    return text;
}

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

std::string to_csv(const std::vector<ScenarioSummary>& summaries) {
    std::string csv = "scenario,replicates,agents,metric,median,p05,p95,peak_date\n";
    for (const auto& s : summaries) csv += scenario_csv(s);
    return csv;
}

}  // namespace sortie::cli
