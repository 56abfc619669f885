#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sortie::population {

/// Ages are single years 0..kMaxAge; the last one holds everyone at least that old.
inline constexpr int kMaxAge = 99;
inline constexpr std::size_t kAges = kMaxAge + 1;
using ByAge = std::array<double, kAges>;

struct RegionRow {
    std::string key;   ///< short name used in scenarios ("idf")
    std::string name;  ///< "Île-de-France"
    int code = 0;      ///< INSEE region code
    double population = 0;
    double share_0_19 = 0, share_20_64 = 0, share_65_plus = 0;
    double latitude = 0, longitude = 0;  ///< degrees, of the regional capital
};

struct SchoolLevel {
    std::string name;  ///< creche, maternelle, primaire, college, lycee, universite
    int age_from = 0, age_to = 0;
    double class_size = 0;          ///< mean pupils per class
    double classes_per_school = 0;  ///< mean classes per establishment
};

struct WorkplaceSizeClass {
    int size_from = 0, size_to = 0;
    double share_of_workers = 0;
};

/// Shares of all employed persons working in health care, by occupation.
struct HealthcareShares {
    double hospital_nurse_or_carer = 0, hospital_doctor = 0, hospital_other = 0, care_home = 0;
};

/// The demographic tables a population is built from (scenarios/data/france/README.md gives
/// the sources). Plain values, validated on load.
struct PopulationTables {
    ByAge age_weights{};                        ///< relative numbers of people by single year
    std::vector<double> household_size_shares;  ///< [0] = 1 person ... [last] = that size or more
    std::vector<SchoolLevel> school_levels;     ///< ordered by age
    ByAge enrolment_by_age{};                   ///< share attending crèche, school or university
    ByAge employment_by_age{};                  ///< share employed
    std::vector<WorkplaceSizeClass> workplace_sizes;
    HealthcareShares healthcare;
    std::vector<RegionRow> regions;
};

/// The tables load_tables reads from the data folder (a scenario's `population.data`).
inline constexpr std::array<const char*, 7> kFolderTables = {"household_sizes.csv",
                                                             "school_levels.csv",
                                                             "school_enrolment_by_age.csv",
                                                             "employment_by_age.csv",
                                                             "workplace_sizes.csv",
                                                             "healthcare_workers.csv",
                                                             "regions.csv"};

/// Where the tables are: `folder` holds the kFolderTables; `age_distribution` is an "age,count"
/// CSV without header (Mistry et al. 2021 format, the last age meaning "that age or older").
struct TablePaths {
    std::filesystem::path folder;
    std::filesystem::path age_distribution;
};

/// Reads and validates every table. Throws core::InputError naming the file and line of the
/// first problem of each table (missing file, malformed row, negative count, shares that do
/// not sum to 1, ages out of range).
PopulationTables load_tables(const TablePaths& paths);

/// Spreads the count of an open last age class ("84 or older") over single years up to
/// kMaxAge with a geometric decline of `yearly_ratio` per year (see docs/model.md).
ByAge extend_open_age_class(const std::vector<double>& counts, double yearly_ratio);

}  // namespace sortie::population
