#pragma once
// A fit's targets: an observed daily series, read from a column of a CSV table, and the model
// quantity it observes, taken from a replicate's records over the same days and scaled from the
// simulated agents to the people the series counts.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/date.hpp"
#include "sim/results/result.hpp"

namespace sortie::fit {

/// One value per day from `first`; NaN on a day with nothing reported.
struct DailySeries {
    core::Date first;
    std::vector<double> values;

    core::Date last() const {
        return first.plus_days(static_cast<std::int32_t>(values.size()) - 1);
    }
};

/// What a column of observations holds.
enum class SeriesKind : std::uint8_t {
    kDaily,       ///< events during each day (admissions, deaths)
    kCumulative,  ///< a running total of events: its daily differences are what is fitted
    kStock,       ///< people present at the end of each day (hospital or ICU occupancy)
    /// A running total compared as it stands with the model's events summed from the run's
    /// first day: for a total reported from a date after the events began (care-home deaths,
    /// counted from April 2020), scored on one day.
    kTotal,
};

struct ObservedColumn {
    std::filesystem::path file;
    std::string column;
    std::string date_column = "date";
    SeriesKind kind = SeriesKind::kDaily;
    /// Only the rows whose cells equal these (column, text): one series out of a long table
    /// holding several (`region_code: "44"`); all rows when empty.
    std::vector<std::pair<std::string, std::string>> where = {};
};

/// The column on the days `from`..`to` (inclusive), NaN on the days without a row or with an
/// empty cell. A cumulative column gives, for each day, its difference with the day before
/// (NaN unless both are reported, so the day before `from` is read too); a running total that
/// decreases is refused at the line where it does, since a count likelihood needs counts.
/// Throws core::InputError naming the file and line: a missing file or column, a date that is
/// not YYYY-MM-DD, dates out of order or repeated, a value that is not a count >= 0.
DailySeries read_observed(const ObservedColumn& column, core::Date from, core::Date to);

/// A model quantity: the sum of some labels of one record of a replicate, each added or
/// subtracted (`incidence.deaths-hospital_deaths`: the deaths outside hospital).
struct Quantity {
    enum class Record : std::uint8_t {
        kCounts,     ///< people in each state at the end of each day (a stock)
        kIncidence,  ///< events during each day (a flow)
        kHospital,   ///< hospital measures (occupancy and capacity are stocks, the rest flows)
    };
    Record record = Record::kIncidence;
    std::vector<std::size_t> labels;  ///< indices into the record's label names
    std::vector<bool> subtracted;     ///< per label: subtracted rather than added

    /// Whether the quantity is people present at the end of a day, not events during it.
    bool is_stock() const;
    /// "counts.H+C", as parse_quantity reads it.
    std::string to_string() const;
};

/// Parses `RECORD.LABEL[+LABEL...|-LABEL...]`: `counts.H+C` (people in hospital, ICU
/// included), `incidence.hospital_admissions`, `hospital.icu_occupancy`,
/// `incidence.deaths-hospital_deaths`. Returns nullopt and sets `problem`
/// ("unknown label 'X' of counts; expected one of: S, E, ...") on anything else.
std::optional<Quantity> parse_quantity(std::string_view text, std::string& problem);

/// The quantity in `replicate` on the days `from`..`to`, in the region of index `region` or
/// summed over all regions (nullopt), times `scale` (people observed per simulated agent).
/// Throws std::invalid_argument for days outside the scenario's period, a region index out of
/// range, or a hospital quantity of a scenario without `hospitals:`.
std::vector<double> model_series(const results::ScenarioResult& scenario, std::size_t replicate,
                                 const Quantity& quantity, std::optional<std::size_t> region,
                                 core::Date from, core::Date to, double scale);

/// Sums of `values` over consecutive bins of `days` days from the first: NaN for a bin with a
/// day not reported; a last bin shorter than `days` is left out. `days` = 1 returns `values`.
/// Throws std::invalid_argument for `days` = 0.
std::vector<double> binned(std::span<const double> values, std::uint32_t days);

}  // namespace sortie::fit
