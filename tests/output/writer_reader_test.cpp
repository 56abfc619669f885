#include <doctest/doctest.h>

#include <hdf5_hl.h>

#include <string>

#include "sim/core/build_info.hpp"
#include "sim/output/hdf5_file.hpp"
#include "sim/output/reader.hpp"
#include "sim/output/writer.hpp"
#include "tests/output/sample_run.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
namespace detail = sortie::output::detail;
using sortie::output::OutputError;
using sortie::output::read_run;
using sortie::output::write_run;
using sortie::results::RunResult;
using sortie::results::ScenarioResult;
using sortie::test::sample_run;
using sortie::test::TempDir;

void check_same_scenario(const ScenarioResult& read, const ScenarioResult& written) {
    CHECK(read.name == written.name);
    CHECK(read.seed == written.seed);
    CHECK(read.agents == written.agents);
    CHECK(read.start_date == written.start_date);
    CHECK(read.days == written.days);
    CHECK(read.regions == written.regions);
    CHECK(read.age_bands == written.age_bands);
    CHECK(read.scenario_yaml == written.scenario_yaml);
    REQUIRE(read.replicates.size() == written.replicates.size());
    for (std::size_t r = 0; r < read.replicates.size(); ++r) {
        CHECK(read.replicates[r].counts == written.replicates[r].counts);
        CHECK(read.replicates[r].incidence == written.replicates[r].incidence);
        CHECK(read.replicates[r].measures == written.replicates[r].measures);
        CHECK(read.replicates[r].hospital == written.replicates[r].hospital);
        CHECK(read.replicates[r].supplies == written.replicates[r].supplies);
        CHECK(read.replicates[r].r0_realised == written.replicates[r].r0_realised);
        const auto &a = read.replicates[r].transmissions, &b = written.replicates[r].transmissions;
        CHECK(a.day == b.day);
        CHECK(a.infector == b.infector);
        CHECK(a.infectee == b.infectee);
        CHECK(a.layer == b.layer);
        CHECK(a.place == b.place);
    }
    CHECK(read.transmission_log == written.transmission_log);
    CHECK(read.hospitals == written.hospitals);
    REQUIRE(read.supplies.size() == written.supplies.size());
    for (std::size_t i = 0; i < read.supplies.size(); ++i) {
        CHECK(read.supplies[i].name == written.supplies[i].name);
        CHECK(read.supplies[i].unit == written.supplies[i].unit);
        CHECK(read.supplies[i].equipment == written.supplies[i].equipment);
    }
}

void check_same_run(const RunResult& read, const RunResult& written) {
    CHECK(read.command_line == written.command_line);
    REQUIRE(read.scenarios.size() == written.scenarios.size());
    for (std::size_t s = 0; s < read.scenarios.size(); ++s)
        check_same_scenario(read.scenarios[s], written.scenarios[s]);
}

std::string error_of(const auto& action) {
    try {
        action();
    } catch (const sortie::core::FileError& e) {  // OutputError, or the file system's
        return e.what();
    }
    return "no error";
}

// Opens a written file for writing, to damage it the way a crash or a user might.
detail::Object open_for_damage(const fs::path& path) {
    const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(id >= 0);
    return detail::Object(detail::Handle(id, H5Fclose), path, "/");
}

}  // namespace

TEST_CASE("a written run reads back field for field, in the order written") {
    const TempDir dir;
    const RunResult run = sample_run();
    write_run(dir / "run.h5", run);
    CHECK(fs::exists(dir / "run.h5"));
    CHECK_FALSE(fs::exists(dir / "run.h5.partial"));
    const RunResult back = read_run(dir / "run.h5");
    check_same_run(back, run);
    CHECK(back.scenarios[0].name == "lockdown_exit");
}

TEST_CASE("the root attributes describe the build and mark the file complete") {
    const TempDir dir;
    write_run(dir / "run.h5", sample_run());
    const auto file = detail::open_file(dir / "run.h5");
    CHECK(detail::read_int32_attribute(file, "complete") == 1);
    CHECK(detail::read_string_attribute(file, "sortie_version") == sortie::core::version());
    CHECK(detail::read_string_attribute(file, "git_commit") == sortie::core::git_commit());
    CHECK(detail::read_string_attribute(file, "build_type") == sortie::core::build_type());
    CHECK(detail::read_string_attribute(file, "volatile_attributes") == "created command_line");
    const std::string created = detail::read_string_attribute(file, "created");
    CHECK(created.size() == 20);
    CHECK(created[10] == 'T');
    CHECK(created.back() == 'Z');
    CHECK(detail::read_string_attribute(file, "hdf5_version").starts_with("1."));
}

TEST_CASE("counts are chunked by replicate, compressed, and labelled by dimension scales") {
    const TempDir dir;
    write_run(dir / "run.h5", sample_run());
    const auto file = detail::open_file(dir / "run.h5");
    const auto group = detail::open_group(file, "baseline");
    const auto counts = detail::open_dataset(group, "counts");
    CHECK(detail::shape(counts) == std::vector<hsize_t>{3, 5, 2, 18, 10});
    const detail::Handle dcpl(H5Dget_create_plist(counts.id()), H5Pclose);
    hsize_t chunk[5] = {};
    REQUIRE(H5Pget_chunk(dcpl.get(), 5, chunk) == 5);
    CHECK(std::vector<hsize_t>(chunk, chunk + 5) == std::vector<hsize_t>{1, 5, 2, 18, 10});
    CHECK(H5Pget_nfilters(dcpl.get()) == 2);
    const char* axes[] = {"replicate", "time", "region", "age_band", "state"};
    for (unsigned d = 0; d < 5; ++d) {
        const auto scale = detail::open_dataset(group, axes[d]);
        CHECK(H5DSis_scale(scale.id()) > 0);
        CHECK(H5DSis_attached(counts.id(), scale.id(), d) > 0);
    }
    CHECK(detail::read_string_attribute(counts, "dimensions") ==
          "replicate,time,region,age_band,state");
}

TEST_CASE("the time axis carries CF units and the date coordinate real dates") {
    const TempDir dir;
    write_run(dir / "run.h5", sample_run());
    const auto file = detail::open_file(dir / "run.h5");
    const auto group = detail::open_group(file, "baseline");
    const auto time = detail::open_dataset(group, "time");
    CHECK(detail::read_string_attribute(time, "units") == "days since 2020-12-30");
    CHECK(detail::read_string_attribute(time, "calendar") == "proleptic_gregorian");
    std::vector<std::int32_t> days(5);
    detail::read_values(time, days);
    CHECK(days == std::vector<std::int32_t>{0, 1, 2, 3, 4});
    CHECK(detail::read_strings(detail::open_dataset(group, "date")) ==
          std::vector<std::string>{"2020-12-30", "2020-12-31", "2021-01-01", "2021-01-02",
                                   "2021-01-03"});
    CHECK(detail::read_strings(detail::open_dataset(group, "event")).at(7) ==
          "hospital_admissions");
}

TEST_CASE("writing replaces an existing file and removes a stale partial file") {
    const TempDir dir;
    sortie::test::write_text(dir / "run.h5", "an older result");
    sortie::test::write_text(dir / "run.h5.partial", "left by a crash");
    write_run(dir / "run.h5", sample_run());
    CHECK_FALSE(fs::exists(dir / "run.h5.partial"));
    CHECK(read_run(dir / "run.h5").scenarios.size() == 2);
}

TEST_CASE("an inconsistent run is refused before an existing file is touched") {
    const TempDir dir;
    sortie::test::write_text(dir / "run.h5", "an older result");
    RunResult run = sample_run();
    run.scenarios[1].replicates[2].counts.pop_back();
    CHECK(error_of([&] { write_run(dir / "run.h5", run); }) ==
          (dir / "run.h5").string() +
              ": scenario 'baseline', replicate 2: counts holds 1799 values, expected 1800 "
              "(5 days x 2 regions x 18 age bands x 10 states)");
    CHECK(sortie::test::file_text(dir / "run.h5") == "an older result");
    CHECK_FALSE(fs::exists(dir / "run.h5.partial"));
}

TEST_CASE("a failed rename leaves no partial file and the target as it was") {
    const TempDir dir;
    fs::create_directories(dir / "run.h5" / "inside");  // a directory cannot be replaced by a file
    const std::string error = error_of([&] { write_run(dir / "run.h5", sample_run()); });
    CHECK(error.starts_with((dir / "run.h5").string() + ": cannot rename "));
    CHECK_FALSE(fs::exists(dir / "run.h5.partial"));
    CHECK(fs::is_directory(dir / "run.h5" / "inside"));
}

TEST_CASE("a file in a missing directory is an output error") {
    const TempDir dir;
    const std::string error =
        error_of([&] { write_run(dir / "nowhere" / "run.h5", sample_run()); });
    CHECK(error.starts_with((dir / "nowhere" / "run.h5.partial").string() +
                            ": cannot create file (HDF5: "));
    CHECK_FALSE(fs::exists(dir / "nowhere"));
}

TEST_CASE("scenarios that cannot be stored are refused with the reason") {
    const TempDir dir;
    const std::string prefix = (dir / "run.h5").string() + ": ";
    RunResult run = sample_run();
    run.scenarios[1].name = "lockdown_exit";
    CHECK(error_of([&] { write_run(dir / "run.h5", run); }) ==
          prefix + "two scenarios are named 'lockdown_exit'");
    run = sample_run();
    run.scenarios[0].name = "a/b";
    CHECK(error_of([&] { write_run(dir / "run.h5", run); }) ==
          prefix + "scenario name 'a/b' cannot name a group (empty, '.' or containing '/')");
    run = sample_run();
    run.scenarios[0].start_date = "2020-02-30";
    CHECK(error_of([&] { write_run(dir / "run.h5", run); }) ==
          prefix + "scenario 'lockdown_exit': start date '2020-02-30' is not a YYYY-MM-DD date");
    run = sample_run();
    run.scenarios[0].replicates.clear();
    CHECK(error_of([&] { write_run(dir / "run.h5", run); }) ==
          prefix + "scenario 'lockdown_exit': no replicates");
    CHECK_FALSE(fs::exists(dir / "run.h5"));
}

TEST_CASE("reading a missing file or one that is not HDF5 names the problem") {
    const TempDir dir;
    CHECK(error_of([&] { read_run(dir / "none.h5"); }) ==
          (dir / "none.h5").string() + ": no such file");
    sortie::test::write_text(dir / "text.h5", "not hdf5 at all");
    CHECK(error_of([&] { read_run(dir / "text.h5"); }) ==
          (dir / "text.h5").string() + ": not an HDF5 file");
}

TEST_CASE("a file without complete = 1 is refused as incomplete") {
    const TempDir dir;
    write_run(dir / "run.h5", sample_run());
    {
        const auto file = open_for_damage(dir / "run.h5");
        REQUIRE(H5Adelete(file.id(), "complete") >= 0);
    }
    CHECK(error_of([&] { read_run(dir / "run.h5"); }) ==
          (dir / "run.h5").string() +
              ": incomplete file: the root attribute 'complete' is not 1 (the run that wrote it "
              "did not finish)");
}

TEST_CASE("a file without a dataset is refused naming the dataset") {
    const TempDir dir;
    write_run(dir / "run.h5", sample_run());
    {
        const auto file = open_for_damage(dir / "run.h5");
        REQUIRE(H5Ldelete(file.id(), "baseline/incidence", H5P_DEFAULT) >= 0);
    }
    CHECK(error_of([&] { read_run(dir / "run.h5"); }) ==
          (dir / "run.h5").string() + ": missing dataset '/baseline/incidence'");
}

TEST_CASE("a file cut short by a crash is refused") {
    const TempDir dir;
    write_run(dir / "run.h5", sample_run());
    fs::resize_file(dir / "run.h5", fs::file_size(dir / "run.h5") / 2);
    CHECK(error_of([&] {
              read_run(dir / "run.h5");
          }).starts_with((dir / "run.h5").string() + ": cannot open file (HDF5: "));
}
