#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>

#include "sim/core/error.hpp"
#include "sim/population/tables.hpp"
#include "tests/support/france.hpp"

using namespace sortie::population;
namespace fs = std::filesystem;

namespace {

// A copy of the France tables in a temporary folder, where one file can be spoiled.
class SpoiledTables {
  public:
    SpoiledTables()
        : folder_(fs::temp_directory_path() / ("sortie-tables-" + std::to_string(::getpid()) + "-" +
                                               std::to_string(counter_++))) {
        fs::remove_all(folder_);
        fs::create_directories(folder_);
        const auto paths = sortie::testing::france_table_paths();
        for (const auto& entry : fs::directory_iterator(paths.folder)) {
            if (entry.path().extension() == ".csv")
                fs::copy_file(entry.path(), folder_ / entry.path().filename());
        }
        fs::copy_file(paths.age_distribution, folder_ / "ages.csv");
    }
    ~SpoiledTables() { fs::remove_all(folder_); }

    void write(const std::string& name, const std::string& text) {
        std::ofstream(folder_ / name) << text;
    }
    TablePaths paths() const { return {folder_, folder_ / "ages.csv"}; }
    std::string error() const {
        try {
            load_tables(paths());
        } catch (const sortie::core::InputError& e) {
            return e.what();
        }
        return "no error";
    }
    std::string file(const std::string& name) const { return (folder_ / name).string(); }

  private:
    static inline int counter_ = 0;
    fs::path folder_;
};

}  // namespace

TEST_CASE("the shipped France tables load and are consistent") {
    const auto& tables = sortie::testing::france_tables();
    CHECK(tables.regions.size() == 13);
    CHECK(tables.household_size_shares.size() == 6);
    CHECK(tables.school_levels.size() == 6);
    CHECK(tables.enrolment_by_age[8] > 0.99);
    CHECK(tables.employment_by_age[40] > 0.7);
    CHECK(tables.employment_by_age[90] == 0.0);
    double people = 0;
    for (double w : tables.age_weights) people += w;
    CHECK(people == doctest::Approx(64.7e6).epsilon(0.05));  // rescaled to France's population
    CHECK(tables.age_weights[99] > 0.0);
    CHECK(tables.age_weights[99] < tables.age_weights[84]);
}

TEST_CASE("the open oldest age class is spread over the remaining years, keeping its total") {
    const auto ages = extend_open_age_class({10, 20, 30}, 0.5);
    CHECK(ages[0] == 10);
    CHECK(ages[1] == 20);
    double tail = 0;
    for (std::size_t a = 2; a < kAges; ++a) tail += ages[a];
    CHECK(tail == doctest::Approx(30));
    CHECK(ages[3] == doctest::Approx(ages[2] * 0.5));
}

TEST_CASE("bad tables are reported with file and line") {
    SpoiledTables t;
    SUBCASE("shares that do not sum to 1") {
        t.write("household_sizes.csv", "size,share\n1,0.5\n2,0.4\n");
        CHECK(t.error() ==
              t.file("household_sizes.csv") + ":3: household size shares sum to 0.9, expected 1");
    }
    SUBCASE("a negative count") {
        t.write("regions.csv",
                "key,code,name,population,share_0_19,share_20_64,share_65_plus,latitude,longitude\n"
                "idf,11,Île-de-France,-5,0.25,0.6,0.15,48.8,2.3\n");
        CHECK(t.error() ==
              t.file("regions.csv") + ":2: population: expected a whole number >= 0, got '-5'");
    }
    SUBCASE("a malformed row") {
        t.write("employment_by_age.csv", "age_from,age_to,employment_rate\n15,19,0.1\n20,24\n");
        CHECK(t.error() ==
              t.file("employment_by_age.csv") + ":3: expected 3 comma-separated fields, found 2");
    }
    SUBCASE("a value that is not a number") {
        t.write("school_enrolment_by_age.csv", "age,enrolment\n0,0.1\n1,lots\n");
        CHECK(t.error() == t.file("school_enrolment_by_age.csv") +
                               ":3: enrolment: expected a number, got 'lots'");
    }
    SUBCASE("a share above 1") {
        t.write("school_enrolment_by_age.csv", "age,enrolment\n0,1.5\n");
        CHECK(t.error() == t.file("school_enrolment_by_age.csv") +
                               ":2: enrolment: expected a share between 0 and 1, got 1.5");
    }
    SUBCASE("a missing file") {
        fs::remove(t.file("workplace_sizes.csv"));
        CHECK(t.error() ==
              t.file("workplace_sizes.csv") + ": cannot read file: No such file or directory");
    }
    SUBCASE("a missing column") {
        t.write("healthcare_workers.csv", "occupation,share\nhospital_doctor,0.01\n");
        CHECK(t.error() ==
              t.file("healthcare_workers.csv") + ":1: missing column 'share_of_workers'");
    }
    SUBCASE("ages out of order in the age distribution") {
        t.write("ages.csv", "0,100\n2,100\n");
        CHECK(t.error() ==
              t.file("ages.csv") + ":2: column 1: expected age 1 (ages in order from 0)");
    }
    SUBCASE("a duplicate region") {
        t.write("regions.csv",
                "key,code,name,population,share_0_19,share_20_64,share_65_plus,latitude,longitude\n"
                "idf,11,A,5,0.25,0.6,0.15,48.8,2.3\nidf,12,B,5,0.25,0.6,0.15,48.8,2.3\n");
        CHECK(t.error() == t.file("regions.csv") + ":3: key: duplicate region key");
    }
}
