#include <doctest/doctest.h>

#include <hdf5_hl.h>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sim/core/build_info.hpp"
#include "sim/output/hdf5_file.hpp"
#include "sim/output/reader.hpp"
#include "sim/output/seal.hpp"
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

std::vector<char> bytes_of(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::vector<char>& bytes) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<long>(bytes.size()));
}

void reseal(const fs::path& path) {
    std::vector<char> bytes = bytes_of(path);
    sortie::output::seal_image(bytes);
    write_bytes(path, bytes);
}

// A file damaged through HDF5 and sealed again, as if a sortie that is wrong had written it:
// what is tested is then the reader's own checks behind the seal.
class SealedDamage {
  public:
    explicit SealedDamage(const fs::path& path) : path_(path), file_(open_for_damage(path)) {}
    ~SealedDamage() {
        file_.close();
        reseal(path_);
    }
    SealedDamage(const SealedDamage&) = delete;
    SealedDamage& operator=(const SealedDamage&) = delete;
    hid_t id() const { return file_.id(); }

  private:
    fs::path path_;
    detail::Object file_;
};

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
    CHECK(error == (dir / "nowhere" / "run.h5.partial").string() +
                       ": cannot create: No such file or directory");
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
          (dir / "text.h5").string() + ": not a file written by sortie: 15 bytes");
    // Sealed, but not HDF5 behind the seal.
    std::vector<char> bytes(sortie::output::kSealBytes + 100, 'x');
    sortie::output::seal_image(bytes);
    write_bytes(dir / "sealed.h5", bytes);
    CHECK(error_of([&] { read_run(dir / "sealed.h5"); }) ==
          (dir / "sealed.h5").string() + ": not an HDF5 file");
}

TEST_CASE("the seal refuses a file changed anywhere, unsealed or unfinished") {
    const TempDir dir;
    write_run(dir / "run.h5", sample_run());
    const auto size = fs::file_size(dir / "run.h5");
    for (const std::uintmax_t at : {std::uintmax_t{8}, std::uintmax_t{30}, std::uintmax_t{512},
                                    size / 3, size / 2, size - 1}) {
        fs::copy_file(dir / "run.h5", dir / "flip.h5", fs::copy_options::overwrite_existing);
        std::fstream file(dir / "flip.h5", std::ios::in | std::ios::out | std::ios::binary);
        file.seekg(static_cast<long>(at));
        const char byte = static_cast<char>(file.get() ^ 0x20);
        file.seekp(static_cast<long>(at));
        file.put(byte);
        file.close();
        const std::string error = error_of([&] { read_run(dir / "flip.h5"); });
        CAPTURE(at);
        CHECK(error.starts_with((dir / "flip.h5").string() + ": "));
        CHECK((error.find("damaged") != std::string::npos ||
               error.find("no seal") != std::string::npos));
    }
    // The same file written by HDF5 alone: no seal.
    std::vector<char> bytes = bytes_of(dir / "run.h5");
    std::fill_n(bytes.begin(), sortie::output::kSealBytes, '\0');
    write_bytes(dir / "unsealed.h5", bytes);
    CHECK(error_of([&] { read_run(dir / "unsealed.h5"); })
              .ends_with("not a file written by sortie (no seal): damaged at its start, or "
                         "written by another program"));
    fs::copy_file(dir / "run.h5", dir / "run.h5.partial");
    CHECK(error_of([&] {
              read_run(dir / "run.h5.partial");
          }).starts_with((dir / "run.h5.partial").string() + ": an unfinished file (.partial)"));
    CHECK_NOTHROW(read_run(dir / "run.h5"));
}

TEST_CASE("a file without complete = 1 is refused as incomplete") {
    const TempDir dir;
    write_run(dir / "run.h5", sample_run());
    {
        const SealedDamage file(dir / "run.h5");
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
        const SealedDamage file(dir / "run.h5");
        REQUIRE(H5Ldelete(file.id(), "baseline/incidence", H5P_DEFAULT) >= 0);
    }
    CHECK(error_of([&] { read_run(dir / "run.h5"); }) ==
          (dir / "run.h5").string() + ": missing dataset '/baseline/incidence'");
}

TEST_CASE("a file cut short by a crash is refused") {
    const TempDir dir;
    write_run(dir / "run.h5", sample_run());
    const auto size = fs::file_size(dir / "run.h5");
    fs::resize_file(dir / "run.h5", size / 2);
    CHECK(error_of([&] { read_run(dir / "run.h5"); }) ==
          fmt::format("{}: truncated or damaged: {} bytes where its seal says {}",
                      (dir / "run.h5").string(), size / 2, size));
}
