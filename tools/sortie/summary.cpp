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

// An event summed over days, regions and age bands.
std::int64_t event_total(const ReplicateResult& replicate, engine::Event event) {
    std::int64_t total = 0;
    for (std::size_t i = static_cast<std::size_t>(event); i < replicate.incidence.size();
         i += engine::kEvents)
        total += replicate.incidence[i];
    return total;
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

std::string text_row(std::string_view metric, const Spread& s, int decimals,
                     std::string_view note = {}) {
    const std::string range = fmt::format("[{:.{}f}, {:.{}f}]", s.p05, decimals, s.p95, decimals);
    const std::string row =
        fmt::format("  {:<20} {:>12.{}f}  {:<24}", metric, s.median, decimals, range);
    if (note.empty()) return row.substr(0, row.find_last_not_of(' ') + 1) + "\n";
    return row + "  " + std::string(note) + "\n";
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

std::string scenario_csv(const ScenarioSummary& s) {
    return csv_row(s, "attack_rate", s.attack_rate) +
           csv_row(s, "peak_icu", s.peak_icu, s.peak_icu_date) +
           csv_row(s, "peak_hospital", s.peak_hospital, s.peak_hospital_date) +
           csv_row(s, "hospital_admissions", s.hospital_admissions) +
           csv_row(s, "deaths", s.deaths) + csv_row(s, "r0_realised", s.r0_realised);
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
                             {"metrics", metrics_json(s)}});
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
