#include "sim/population/tables.hpp"

#include <cmath>

#include <fmt/format.h>

#include "sim/core/csv.hpp"
#include "sim/core/error.hpp"

namespace sortie::population {
namespace {

using core::CsvTable;

// Shares must add up to 1; a rounding slack of 1e-6 covers tables published to 6 decimals.
constexpr double kShareSumTolerance = 1e-6;

// Above the open age class of the input, people thin out by this factor per year of age
// (estimate from the shape of INSEE's 2020 age pyramid between 84 and 99).
constexpr double kOldAgeYearlyRatio = 0.85;

void check_share(const CsvTable& table, std::size_t row, std::size_t column, double value) {
    if (value < 0.0 || value > 1.0) {
        table.fail(row, column, fmt::format("expected a share between 0 and 1, got {}", value));
    }
}

void check_sum(const CsvTable& table, double sum, std::string_view what) {
    if (std::fabs(sum - 1.0) > kShareSumTolerance) {
        throw core::InputError(table.location(table.rows() - 1), "",
                               fmt::format("{} sum to {:.6g}, expected 1", what, sum));
    }
}

int age_in_range(const CsvTable& table, std::size_t row, std::size_t column) {
    const auto age = table.count(row, column);
    if (age > kMaxAge) table.fail(row, column, fmt::format("age must be at most {}", kMaxAge));
    return static_cast<int>(age);
}

ByAge read_age_distribution(const std::filesystem::path& path) {
    const auto table = CsvTable::read(path, false);
    std::vector<double> counts;
    for (std::size_t row = 0; row < table.rows(); ++row) {
        if (table.count(row, 0) != static_cast<std::int64_t>(row)) {
            table.fail(row, 0, fmt::format("expected age {} (ages in order from 0)", row));
        }
        counts.push_back(static_cast<double>(table.count(row, 1)));
    }
    if (counts.size() > kAges) {
        throw core::InputError(table.location(kAges), "",
                               fmt::format("ages above {} are not supported", kMaxAge));
    }
    return extend_open_age_class(counts, kOldAgeYearlyRatio);
}

std::vector<double> read_household_sizes(const std::filesystem::path& path) {
    const auto table = CsvTable::read(path);
    const auto size_column = table.column("size"), share_column = table.column("share");
    std::vector<double> shares;
    double sum = 0.0;
    for (std::size_t row = 0; row < table.rows(); ++row) {
        if (table.count(row, size_column) != static_cast<std::int64_t>(row + 1)) {
            table.fail(row, size_column,
                       fmt::format("expected size {} (sizes in order from 1)", row + 1));
        }
        const double share = table.number(row, share_column);
        check_share(table, row, share_column, share);
        shares.push_back(share);
        sum += share;
    }
    check_sum(table, sum, "household size shares");
    return shares;
}

std::vector<SchoolLevel> read_school_levels(const std::filesystem::path& path) {
    const auto table = CsvTable::read(path);
    const auto name = table.column("level"), from = table.column("age_from"),
               to = table.column("age_to"), class_size = table.column("class_size"),
               classes = table.column("classes_per_school");
    std::vector<SchoolLevel> levels;
    for (std::size_t row = 0; row < table.rows(); ++row) {
        SchoolLevel level{table.text(row, name), age_in_range(table, row, from),
                          age_in_range(table, row, to), table.number(row, class_size),
                          table.number(row, classes)};
        if (level.age_to < level.age_from) table.fail(row, to, "age_to is below age_from");
        if (!levels.empty() && level.age_from != levels.back().age_to + 1) {
            table.fail(row, from, "levels must follow each other in age without gaps");
        }
        if (level.class_size < 1.0) table.fail(row, class_size, "must be at least 1");
        if (level.classes_per_school < 1.0) table.fail(row, classes, "must be at least 1");
        levels.push_back(level);
    }
    return levels;
}

ByAge read_share_by_single_age(const std::filesystem::path& path, std::string_view column) {
    const auto table = CsvTable::read(path);
    const auto age = table.column("age"), share = table.column(column);
    ByAge result{};
    for (std::size_t row = 0; row < table.rows(); ++row) {
        const double value = table.number(row, share);
        check_share(table, row, share, value);
        result[static_cast<std::size_t>(age_in_range(table, row, age))] = value;
    }
    return result;
}

ByAge read_share_by_age_band(const std::filesystem::path& path, std::string_view column) {
    const auto table = CsvTable::read(path);
    const auto from = table.column("age_from"), to = table.column("age_to"),
               share = table.column(column);
    ByAge result{};
    for (std::size_t row = 0; row < table.rows(); ++row) {
        const double value = table.number(row, share);
        check_share(table, row, share, value);
        const int first = age_in_range(table, row, from), last = age_in_range(table, row, to);
        if (last < first) table.fail(row, to, "age_to is below age_from");
        for (int a = first; a <= last; ++a) result[static_cast<std::size_t>(a)] = value;
    }
    return result;
}

std::vector<WorkplaceSizeClass> read_workplace_sizes(const std::filesystem::path& path) {
    const auto table = CsvTable::read(path);
    const auto from = table.column("size_from"), to = table.column("size_to"),
               share = table.column("share_of_workers");
    std::vector<WorkplaceSizeClass> classes;
    double sum = 0.0;
    for (std::size_t row = 0; row < table.rows(); ++row) {
        WorkplaceSizeClass size_class{static_cast<int>(table.count(row, from)),
                                      static_cast<int>(table.count(row, to)),
                                      table.number(row, share)};
        if (size_class.size_from < 1) table.fail(row, from, "must be at least 1");
        if (size_class.size_to < size_class.size_from) table.fail(row, to, "is below size_from");
        check_share(table, row, share, size_class.share_of_workers);
        sum += size_class.share_of_workers;
        classes.push_back(size_class);
    }
    check_sum(table, sum, "workplace size shares");
    return classes;
}

HealthcareShares read_healthcare(const std::filesystem::path& path) {
    const auto table = CsvTable::read(path);
    const auto occupation = table.column("occupation"), share = table.column("share_of_workers");
    HealthcareShares shares;
    for (std::size_t row = 0; row < table.rows(); ++row) {
        const std::string& name = table.text(row, occupation);
        const double value = table.number(row, share);
        check_share(table, row, share, value);
        if (name == "hospital_nurse_or_carer")
            shares.hospital_nurse_or_carer = value;
        else if (name == "hospital_doctor")
            shares.hospital_doctor = value;
        else if (name == "hospital_other")
            shares.hospital_other = value;
        else if (name == "care_home_staff")
            shares.care_home = value;
        else
            table.fail(row, occupation, fmt::format("unknown occupation '{}'", name));
    }
    return shares;
}

std::vector<RegionRow> read_regions(const std::filesystem::path& path) {
    const auto table = CsvTable::read(path);
    const auto key = table.column("key"), code = table.column("code"), name = table.column("name"),
               population = table.column("population"), young = table.column("share_0_19"),
               adult = table.column("share_20_64"), old = table.column("share_65_plus"),
               latitude = table.column("latitude"), longitude = table.column("longitude");
    std::vector<RegionRow> regions;
    for (std::size_t row = 0; row < table.rows(); ++row) {
        RegionRow region{table.text(row, key),
                         table.text(row, name),
                         static_cast<int>(table.count(row, code)),
                         static_cast<double>(table.count(row, population)),
                         table.number(row, young),
                         table.number(row, adult),
                         table.number(row, old),
                         table.number(row, latitude),
                         table.number(row, longitude)};
        if (region.population <= 0) table.fail(row, population, "must be greater than 0");
        check_share(table, row, young, region.share_0_19);
        check_share(table, row, adult, region.share_20_64);
        check_share(table, row, old, region.share_65_plus);
        const double sum = region.share_0_19 + region.share_20_64 + region.share_65_plus;
        if (std::fabs(sum - 1.0) > 1e-3) {
            table.fail(row, old, fmt::format("age shares sum to {:.6g}, expected 1", sum));
        }
        for (const auto& earlier : regions) {
            if (earlier.key == region.key) table.fail(row, key, "duplicate region key");
        }
        regions.push_back(region);
    }
    return regions;
}

}  // namespace

ByAge extend_open_age_class(const std::vector<double>& counts, double yearly_ratio) {
    ByAge result{};
    const std::size_t open = counts.size() - 1;
    for (std::size_t a = 0; a < open; ++a) result[a] = counts[a];
    double total_weight = 0.0;
    for (std::size_t a = open; a < kAges; ++a)
        total_weight += std::pow(yearly_ratio, double(a - open));
    for (std::size_t a = open; a < kAges; ++a) {
        result[a] = counts[open] * std::pow(yearly_ratio, double(a - open)) / total_weight;
    }
    return result;
}

PopulationTables load_tables(const TablePaths& paths) {
    // The order of kFolderTables.
    const auto table = [&](std::size_t i) { return paths.folder / kFolderTables[i]; };
    PopulationTables tables;
    tables.age_weights = read_age_distribution(paths.age_distribution);
    tables.household_size_shares = read_household_sizes(table(0));
    tables.school_levels = read_school_levels(table(1));
    tables.enrolment_by_age = read_share_by_single_age(table(2), "enrolment");
    tables.employment_by_age = read_share_by_age_band(table(3), "employment_rate");
    tables.workplace_sizes = read_workplace_sizes(table(4));
    tables.healthcare = read_healthcare(table(5));
    tables.regions = read_regions(table(6));
    return tables;
}

}  // namespace sortie::population
