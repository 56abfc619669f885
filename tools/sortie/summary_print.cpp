#include "tools/sortie/summary_print.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace sortie::cli {
namespace {

using json = nlohmann::ordered_json;
using results::ScenarioSummary;
using results::Spread;

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
    text += text_row("peak_icu (C+waiting)", s.peak_icu, 1, "median peak day " + s.peak_icu_date);
    text += text_row("hospital_admissions", s.hospital_admissions, 1);
    text += text_row("deaths", s.deaths, 1);
    text += text_row("r0_realised", s.r0_realised, 3);
    if (s.testing) {
        text += text_row("tests", s.tests, 1);
        text += text_row("test_peak_share", s.test_peak_share, 3, "of the testing capacity");
        text += text_row("test_days_at_cap.", s.test_days_at_capacity, 1, "days with unmet tests");
    }
    if (s.hospitals) text += hospital_text(s);
    if (!s.parameters.empty())
        text += fmt::format("  parameters drawn from {} (median and range over replicates):\n",
                            s.parameters_source);
    for (const auto& p : s.parameters) text += text_row(p.key, p.values, 4);
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
        if (s.parameters.empty()) continue;
        json drawn = json::object();
        for (const auto& p : s.parameters) drawn[p.key] = spread_json(p.values);
        scenarios.back()["parameters"] = {{"source", s.parameters_source}, {"values", drawn}};
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
