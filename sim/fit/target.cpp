#include "sim/fit/target.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <span>
#include <stdexcept>

#include "sim/core/csv.hpp"

namespace sortie::fit {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

struct Reported {
    double value;
    std::size_t row;
};

// The column's reported values by date (rows with an empty cell are left out).
std::map<core::Date, Reported> reported_values(const core::CsvTable& table,
                                               const ObservedColumn& column) {
    const std::size_t date_column = table.column(column.date_column);
    const std::size_t value_column = table.column(column.column);
    std::vector<std::pair<std::size_t, std::string>> where;
    for (const auto& [name, text] : column.where) where.emplace_back(table.column(name), text);
    const auto selected = [&](std::size_t row) {
        return std::all_of(where.begin(), where.end(),
                           [&](const auto& w) { return table.text(row, w.first) == w.second; });
    };
    std::map<core::Date, Reported> values;
    std::optional<core::Date> previous;
    bool any = false;
    for (std::size_t row = 0; row < table.rows(); ++row) {
        if (!selected(row)) continue;
        any = true;
        const core::Date date = core::Date::parse_or_throw(table.text(row, date_column),
                                                           table.location(row), column.date_column);
        if (previous && date <= *previous)
            table.fail(row, date_column,
                       fmt::format("dates must increase from row to row ({} after {})",
                                   date.to_string(), previous->to_string()));
        previous = date;
        if (table.text(row, value_column).empty()) continue;
        values.emplace(date, Reported{double(table.count(row, value_column)), row});
    }
    if (!any && !where.empty()) {
        std::string wanted;
        for (const auto& [name, text] : column.where)
            wanted += fmt::format("{}{} = '{}'", wanted.empty() ? "" : " and ", name, text);
        table.fail(0, where.front().first, fmt::format("no row has {}", wanted));
    }
    return values;
}

}  // namespace

DailySeries read_observed(const ObservedColumn& column, core::Date from, core::Date to) {
    if (to < from)
        throw std::invalid_argument(fmt::format("the window ends ({}) before it starts ({})",
                                                to.to_string(), from.to_string()));
    const auto table = core::CsvTable::read(column.file);
    const auto values = reported_values(table, column);
    const auto find = [&](core::Date d) -> const Reported* {
        const auto it = values.find(d);
        return it == values.end() ? nullptr : &it->second;
    };
    DailySeries series{from, {}};
    for (core::Date d = from; d <= to; d = d.plus_days(1)) {
        const Reported* today = find(d);
        if (column.kind != SeriesKind::kCumulative) {
            series.values.push_back(today ? today->value : kMissing);
            continue;
        }
        const Reported* before = find(d.plus_days(-1));
        if (!today || !before) {
            series.values.push_back(kMissing);
            continue;
        }
        if (today->value < before->value)
            table.fail(today->row, table.column(column.column),
                       fmt::format("the running total decreases from {} on {} to {}: its daily "
                                   "differences are not counts (correct the table, or leave one "
                                   "of the two days empty)",
                                   before->value, d.plus_days(-1).to_string(), today->value));
        series.values.push_back(today->value - before->value);
    }
    return series;
}

namespace {

std::span<const std::string_view> label_names(Quantity::Record record) {
    switch (record) {
        case Quantity::Record::kCounts:
            return results::kStateNames;
        case Quantity::Record::kIncidence:
            return results::kEventNames;
        case Quantity::Record::kHospital:
            return results::kHospitalMeasureNames;
    }
    return {};
}

constexpr std::array<std::string_view, 3> kRecordNames = {"counts", "incidence", "hospital"};

}  // namespace

bool Quantity::is_stock() const {
    if (record == Record::kCounts) return true;
    if (record == Record::kIncidence) return false;
    using results::HospitalMeasure;
    for (const auto label : labels) {
        switch (static_cast<HospitalMeasure>(label)) {
            case HospitalMeasure::kWardOccupancy:
            case HospitalMeasure::kIcuOccupancy:
            case HospitalMeasure::kWardCapacity:
            case HospitalMeasure::kIcuCapacity:
            case HospitalMeasure::kWardEffectiveCapacity:
            case HospitalMeasure::kIcuEffectiveCapacity:
            case HospitalMeasure::kStaffPresent:
            case HospitalMeasure::kStaffAbsent:
            case HospitalMeasure::kIcuWaiting:
                return true;
            default:
                break;
        }
    }
    return false;
}

std::string Quantity::to_string() const {
    std::string text(kRecordNames[std::size_t(record)]);
    const auto names = label_names(record);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        text += i == 0 ? '.' : subtracted[i] ? '-' : '+';
        text += names[labels[i]];
    }
    return text;
}

std::optional<Quantity> parse_quantity(std::string_view text, std::string& problem) {
    const auto dot = text.find('.');
    const std::string_view record_name = text.substr(0, dot);
    Quantity quantity;
    std::size_t r = 0;
    while (r < kRecordNames.size() && kRecordNames[r] != record_name) ++r;
    if (dot == std::string_view::npos || r == kRecordNames.size()) {
        problem = fmt::format(
            "expected RECORD.LABEL[+LABEL...][-LABEL...] with a record among {} (counts.H+C, "
            "incidence.hospital_admissions, incidence.deaths-hospital_deaths), got '{}'",
            fmt::join(kRecordNames, ", "), text);
        return std::nullopt;
    }
    quantity.record = static_cast<Quantity::Record>(r);
    const auto names = label_names(quantity.record);
    std::string_view rest = text.substr(dot + 1);
    bool subtract = false;
    while (true) {
        const auto plus = rest.find_first_of("+-");
        const std::string_view label = rest.substr(0, plus);
        std::size_t i = 0;
        while (i < names.size() && names[i] != label) ++i;
        if (i == names.size()) {
            problem = fmt::format("unknown label '{}' of {}; expected one of: {}", label,
                                  record_name, fmt::join(names, ", "));
            return std::nullopt;
        }
        for (const auto seen : quantity.labels) {
            if (seen == i) {
                problem = fmt::format("'{}' appears twice in '{}'", label, text);
                return std::nullopt;
            }
        }
        quantity.labels.push_back(i);
        quantity.subtracted.push_back(subtract);
        if (plus == std::string_view::npos) break;
        subtract = rest[plus] == '-';
        rest = rest.substr(plus + 1);
    }
    return quantity;
}

std::vector<double> model_series(const results::ScenarioResult& scenario, std::size_t replicate,
                                 const Quantity& quantity, std::optional<std::size_t> region,
                                 core::Date from, core::Date to, double scale) {
    const auto start = core::Date::parse(scenario.start_date);
    if (!start) throw std::invalid_argument("the scenario's start date is not a date");
    const core::Date end = start->plus_days(static_cast<std::int32_t>(scenario.days) - 1);
    if (from < *start || to > end || to < from)
        throw std::invalid_argument(
            fmt::format("the days {} to {} are not all in the scenario's period, {} to {}",
                        from.to_string(), to.to_string(), start->to_string(), end.to_string()));
    const std::size_t regions = scenario.regions.size(), bands = scenario.age_bands.size();
    if (region && *region >= regions)
        throw std::invalid_argument(fmt::format("no region of index {}", *region));
    if (quantity.record == Quantity::Record::kHospital && !scenario.hospitals)
        throw std::invalid_argument(
            fmt::format("{} needs a scenario with hospitals:", quantity.to_string()));
    const auto& result = scenario.replicates.at(replicate);
    const std::vector<std::int32_t>& values =
        quantity.record == Quantity::Record::kCounts      ? result.counts
        : quantity.record == Quantity::Record::kIncidence ? result.incidence
                                                          : result.hospital;
    const std::size_t labels = label_names(quantity.record).size();
    // Values per region and day: age bands x labels, or labels alone for hospital measures.
    const std::size_t per_region =
        quantity.record == Quantity::Record::kHospital ? labels : bands * labels;
    const std::size_t first_region = region.value_or(0),
                      last_region = region ? *region + 1 : regions;
    if (values.size() != std::size_t(scenario.days) * regions * per_region)
        throw std::invalid_argument(fmt::format(
            "{} of replicate {} holds {} values, not {} days x {} regions x {}",
            quantity.to_string(), replicate, values.size(), scenario.days, regions, per_region));
    std::vector<double> series;
    for (core::Date d = from; d <= to; d = d.plus_days(1)) {
        const std::size_t day = static_cast<std::size_t>(d.days_since(*start));
        double sum = 0;
        for (std::size_t g = first_region; g < last_region; ++g) {
            const std::size_t base = (day * regions + g) * per_region;
            for (std::size_t i = 0; i < per_region; i += labels) {
                for (std::size_t l = 0; l < quantity.labels.size(); ++l) {
                    const double value = values[base + i + quantity.labels[l]];
                    sum += quantity.subtracted[l] ? -value : value;
                }
            }
        }
        series.push_back(sum * scale);
    }
    return series;
}

std::vector<double> binned(std::span<const double> values, std::uint32_t days) {
    if (days == 0) throw std::invalid_argument("a bin holds at least one day");
    std::vector<double> sums;
    for (std::size_t first = 0; first + days <= values.size(); first += days) {
        double sum = 0;
        for (std::size_t d = first; d < first + days; ++d) sum += values[d];  // NaN stays NaN
        sums.push_back(sum);
    }
    return sums;
}

}  // namespace sortie::fit
