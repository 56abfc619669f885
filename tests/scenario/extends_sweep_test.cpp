#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/scenario/document.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/sweep.hpp"

using sortie::core::Diagnostic;
using sortie::core::InputError;
using sortie::core::SourceLocation;
using sortie::scenario::Document;
using sortie::scenario::Limits;
using sortie::scenario::SweepPoint;
namespace fs = std::filesystem;
namespace scenario = sortie::scenario;

namespace {

// Lines of text, printed one a line when a check fails.
struct Lines : std::vector<std::string> {
    using std::vector<std::string>::vector;
};

std::ostream& operator<<(std::ostream& out, const Lines& lines) {
    for (const std::string& line : lines) out << "\n  " << line;
    return out;
}

const fs::path kData = fs::path(SORTIE_SOURCE_DIR) / "tests" / "data" / "extends";

std::string in_data(const std::string& name) {
    return (kData / name).string();
}

// The diagnostics of the InputError that `action` throws, as "file:line:column: path: message".
template <typename Action>
Lines errors_of(Action action) {
    try {
        action();
    } catch (const InputError& error) {
        Lines lines;
        for (const Diagnostic& diagnostic : error.diagnostics()) {
            lines.push_back(diagnostic.to_string());
        }
        return lines;
    }
    FAIL("expected an InputError");
    return {};
}

std::string where(const SourceLocation& location) {
    return location.to_string();
}

Lines keys_of(const YAML::Node& map) {
    Lines keys;
    for (const auto& entry : map) keys.push_back(entry.first.Scalar());
    return keys;
}

// A folder under the temporary directory, removed at the end of the test.
class TempDir {
  public:
    TempDir() : path_(unique_path()) { fs::create_directories(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name, std::ios::binary) << text;
        return (path_ / name).string();
    }
    std::string operator/(const std::string& name) const { return (path_ / name).string(); }

  private:
    static fs::path unique_path() {
        static std::atomic<int> counter{0};
        return fs::temp_directory_path() /
               fmt::format("sortie-extends-test-{}-{}", ::getpid(), counter++);
    }
    fs::path path_;
};

Document sweep_document(const std::string& sweep) {
    return Document::load_string(
        "population: {size: 10, regions: [idf], data: d}\n"
        "disease: {R0: 2}\n"
        "seeding: [{date: 2020-03-01, infections: 5}]\n"
        "name: x\n"
        "seed: 1\n" +
            sweep,
        "s.yaml");
}

Lines sweep_errors(const std::string& sweep) {
    const Document document = sweep_document(sweep);
    return errors_of([&] { (void)scenario::sweep_points(document); });
}

Lines names_of(const std::vector<SweepPoint>& points) {
    Lines names;
    for (const SweepPoint& point : points) names.push_back(point.name_suffix);
    return names;
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// extends

TEST_CASE("a file that extends another gets the base's keys, its own winning") {
    const Document document = Document::load_file(kData / "child.yaml");
    const YAML::Node& root = document.root();
    CHECK(root["name"].Scalar() == "extends-child");
    CHECK(root["seed"].Scalar() == "5");
    CHECK(root["population"]["size"].Scalar() == "3000");
    CHECK(root["population"]["structure"].Scalar() == "none");
    CHECK(root["disease"]["R0"].Scalar() == "1.8");
    CHECK(root["disease"]["parameters"].IsScalar());
    // Sequences are replaced whole.
    REQUIRE(root["seeding"].size() == 1);
    CHECK(root["seeding"][0]["infections"].Scalar() == "20");
    CHECK_FALSE(root["extends"].IsDefined());
    CHECK(document.files() == Lines{in_data("child.yaml"), in_data("base.yaml")});
}

TEST_CASE("a merged mapping lists the file's own keys, then those only the base has") {
    const Document document = Document::load_file(kData / "child.yaml");
    CHECK(keys_of(document.root()) ==
          Lines{"name", "population", "disease", "seeding", "seed", "start", "end", "contacts"});
    CHECK(keys_of(document.root()["population"]) ==
          Lines{"size", "regions", "structure", "data", "age_distribution"});
}

TEST_CASE("every value is located in the file that wrote it, through a chain of files") {
    const Document document = Document::load_file(kData / "sub" / "grandchild.yaml");
    const YAML::Node& root = document.root();
    const std::string grandchild = in_data("sub/grandchild.yaml");
    CHECK(document.file() == grandchild);
    CHECK(document.files() == Lines{grandchild, in_data("child.yaml"), in_data("base.yaml")});
    CHECK(where(document.location_of(root)) == grandchild + ":2:1");
    CHECK(where(document.location_of(root["contacts"]["community"]["per_day"])) ==
          grandchild + ":8:14");
    CHECK(where(document.location_of(root["disease"]["R0"])) == in_data("child.yaml") + ":7:7");
    CHECK(where(document.location_of(root["contacts"]["community"]["outside_region_share"])) ==
          in_data("base.yaml") + ":15:27");
    CHECK(where(document.location_of(root["seeding"][0])) == in_data("child.yaml") + ":9:5");
    // Merged mappings are the extending file's own.
    CHECK(where(document.location_of(root["population"])) == grandchild + ":5:3");
    CHECK(where(document.location_of(root["disease"])) == in_data("child.yaml") + ":7:3");
    CHECK(where(document.location_of(root["start"])) == in_data("base.yaml") + ":4:8");
    CHECK(where(document.location_of(root["missing"])) == grandchild);
}

TEST_CASE("paths are relative to the folder of the file that wrote them") {
    Document document = Document::load_file(kData / "sub" / "grandchild.yaml");
    document.apply_override("population.data=elsewhere");
    const YAML::Node& root = document.root();
    CHECK(document.base_directory_of(root["population"]["age_distribution"]) == kData / "sub");
    CHECK(document.base_directory_of(root["disease"]["parameters"]) == kData);
    CHECK(document.base_directory_of(root["disease"]["R0"]) == kData);
    // Overrides, and nodes without a position, belong to the top file.
    CHECK(document.base_directory_of(root["population"]["data"]) == kData / "sub");
    CHECK(document.base_directory_of(root["missing"]) == kData / "sub");
    CHECK(document.base_directory_of(root["population"]) == kData / "sub");
    CHECK(Document::load_string("a: 1\n", "s.yaml").base_directory_of(YAML::Node()) == "");
}

TEST_CASE("--set applies after merging, wins, and keeps the other locations") {
    Document document = Document::load_file(kData / "child.yaml");
    document.apply_override("disease.R0=3");
    document.apply_override("contacts.community.per_day=7");
    const YAML::Node& root = document.root();
    CHECK(root["disease"]["R0"].Scalar() == "3");
    CHECK(where(document.location_of(root["disease"]["R0"])) == "--set disease.R0=3");
    CHECK(root["contacts"]["community"]["per_day"].Scalar() == "7");
    // The copied base mappings keep their places in the base.
    CHECK(where(document.location_of(root["contacts"]["community"])) ==
          in_data("base.yaml") + ":14:5");
    CHECK(document.base_directory_of(root["contacts"]["community"]) == kData);
    CHECK(where(document.location_of(root["contacts"]["community"]["matrix"])) ==
          in_data("base.yaml") + ":16:13");
}

TEST_CASE("extends cannot be set from the command line") {
    Document document = Document::load_file(kData / "child.yaml");
    CHECK(errors_of([&] { document.apply_override("extends=base.yaml"); }) ==
          Lines{"--set: extends: 'extends' can only be written in a scenario file"});
}

TEST_CASE("load_string reads extends as an ordinary key") {
    const Document document = Document::load_string("extends: base.yaml\n", "s.yaml");
    CHECK(document.root()["extends"].Scalar() == "base.yaml");
    CHECK(document.files() == Lines{"s.yaml"});
}

TEST_CASE("an error in a base file names the base file") {
    CHECK(errors_of([] { (void)Document::load_file(kData / "extends-broken-base.yaml"); }) ==
          Lines{in_data("broken-base.yaml") +
                ":3:1: YAML syntax error: end of sequence flow not found"});
    CHECK(errors_of([] {
              (void)scenario::load(kData / "extends-bad-value-base.yaml", {},
                                   scenario::Purpose::kRun);
          }) == Lines{in_data("bad-value-base.yaml") +
                      ":4:7: disease.R0: must be between 0.01 and 100 (got 0)"});
}

TEST_CASE("a mapping the file also uses through an alias is not merged into") {
    CHECK(errors_of([] { (void)Document::load_file(kData / "alias-merge.yaml"); }) ==
          Lines{in_data("alias-merge.yaml") +
                ":2:10: disease: cannot merge the base into a mapping that the file also uses "
                "through an alias; write it out in full"});
    // An alias of a mapping that the base does not have is fine.
    const TempDir dir;
    dir.write("base.yaml", "a: {x: 1}\n");
    const std::string file = dir.write("top.yaml", "extends: base.yaml\nb: &b {y: 2}\nc: *b\n");
    CHECK(Document::load_file(file).root()["c"]["y"].Scalar() == "2");
}

TEST_CASE("a file extending itself, under any spelling, is a cycle") {
    const TempDir dir;
    const std::string self = dir.write("self.yaml", "name: x\nextends: ./self.yaml\n");
    CHECK(errors_of([&] { (void)Document::load_file(self); }) ==
          Lines{self + ":2:10: extends: cyclic extends: " + self + " -> " + self});
    dir.write("a.yaml", "extends: b.yaml\n");
    dir.write("b.yaml", "extends: c.yaml\n");
    dir.write("c.yaml", "extends: b.yaml\n");
    CHECK(errors_of([&] { (void)Document::load_file(dir / "a.yaml"); }) ==
          Lines{dir / "c.yaml" + ":1:10: extends: cyclic extends: " + dir / "b.yaml" + " -> " +
                dir / "c.yaml" + " -> " + dir / "b.yaml"});
}

TEST_CASE("a chain of 16 files is read, a 17th is refused") {
    const TempDir dir;
    for (int i = 0; i < 16; ++i) {
        dir.write(fmt::format("f{}.yaml", i),
                  fmt::format("extends: f{}.yaml\nkey{}: {}\n", i + 1, i, i));
    }
    dir.write("f16.yaml", "last: true\n");
    const Document sixteen = Document::load_file(dir / "f1.yaml");
    CHECK(sixteen.files().size() == 16);
    CHECK(sixteen.root()["last"].Scalar() == "true");
    CHECK(where(sixteen.location_of(sixteen.root()["key9"])) == dir / "f9.yaml" + ":2:7");
    CHECK(errors_of([&] { (void)Document::load_file(dir / "f0.yaml"); }) ==
          Lines{dir / "f15.yaml" +
                ":1:10: extends: too many levels of extends; a chain holds at most 16 files"});
}

TEST_CASE("extends must name a file that can be read") {
    const TempDir dir;
    const std::string list = dir.write("list.yaml", "extends: [a.yaml, b.yaml]\n");
    CHECK(errors_of([&] { (void)Document::load_file(list); }) ==
          Lines{list + ":1:10: extends: expected the path of a scenario file, got a sequence"});
    const std::string empty = dir.write("empty.yaml", "extends:\nname: x\n");
    CHECK(errors_of([&] { (void)Document::load_file(empty); }) ==
          Lines{empty + ":2:1: extends: expected the path of a scenario file, got nothing"});
    const std::string folder = dir.write("folder.yaml", "extends: .\n");
    CHECK(errors_of([&] { (void)Document::load_file(folder); }) ==
          Lines{folder + ":1:10: extends: cannot read file '.': Is a directory"});
}

TEST_CASE("the merged document is held to the node budget") {
    const TempDir dir;
    Limits limits;
    limits.max_nodes = 20;
    dir.write("base.yaml", "a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n");
    const std::string top =
        dir.write("top.yaml", "extends: base.yaml\nb: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n");
    CHECK_NOTHROW((void)Document::load_file(dir / "base.yaml", limits));
    CHECK(errors_of([&] { (void)Document::load_file(top, limits); }) ==
          Lines{top + ": document expands to more than 20 nodes (alias bomb?)"});
}

TEST_CASE("without() drops a top-level key and keeps the locations") {
    const Document document = Document::load_file(kData / "sweep.yaml");
    const Document plain = document.without("sweep");
    CHECK(document.root()["sweep"].IsDefined());
    CHECK_FALSE(plain.root()["sweep"].IsDefined());
    CHECK(keys_of(plain.root()).size() + 1 == keys_of(document.root()).size());
    CHECK(where(plain.location_of(plain.root())) == where(document.location_of(document.root())));
    CHECK(where(plain.location_of(plain.root()["disease"]["R0"])) ==
          in_data("child.yaml") + ":7:7");
    CHECK(plain.without("no-such-key").root().size() == plain.root().size());
}

TEST_CASE("a scenario that extends another reads like the merged file") {
    const scenario::Scenario s =
        scenario::load(kData / "child.yaml", {"population.size=2500"}, scenario::Purpose::kRun);
    CHECK(s.name == "extends-child");
    CHECK(s.seed == 5);
    CHECK(s.population.size == 2500u);
    CHECK(s.disease.r0 == 1.8);
    REQUIRE(s.seeding.size() == 1);
    CHECK(s.seeding[0].infections == 20);
    CHECK(s.resolved_yaml.find("extends:") == std::string::npos);
}

// ------------------------------------------------------------------------------------------------
// sweep

TEST_CASE("a document without a sweep has no sweep points") {
    CHECK(scenario::sweep_points(sweep_document("")).empty());
}

TEST_CASE("a grid sweep gives every combination, the last parameter varying fastest") {
    const auto points = scenario::sweep_points(
        sweep_document("sweep:\n  mode: grid\n  parameters:\n    disease.R0: [1.5, 2.5]\n"
                       "    population.size: [100, 200, 300]\n"));
    CHECK(names_of(points) == Lines{"R0=1.5,size=100", "R0=1.5,size=200", "R0=1.5,size=300",
                                    "R0=2.5,size=100", "R0=2.5,size=200", "R0=2.5,size=300"});
    REQUIRE(points.size() == 6);
    CHECK(points[4].overrides == Lines{"disease.R0=2.5", "population.size=200"});
    CHECK(where(points[4].value_locations[0]) == "s.yaml:9:23");
    CHECK(where(points[4].value_locations[1]) == "s.yaml:10:28");
}

TEST_CASE("a zip sweep takes the values of each list together") {
    const auto points = scenario::sweep_points(
        sweep_document("sweep:\n  mode: zip\n  parameters:\n    disease.R0: [1.5, 2.5, 3.5]\n"
                       "    seeding.0.infections: [1, 2, 3]\n"));
    CHECK(names_of(points) ==
          Lines{"R0=1.5,infections=1", "R0=2.5,infections=2", "R0=3.5,infections=3"});
    CHECK(points[2].overrides == Lines{"disease.R0=3.5", "seeding.0.infections=3"});
}

TEST_CASE("parameters that share a last segment are named by their full key path") {
    const auto points = scenario::sweep_points(
        sweep_document("contacts: {school: {per_day: 1}, work: {per_day: 2}}\n"
                       "sweep: {mode: zip, parameters: {contacts.school.per_day: [0], "
                       "contacts.work.per_day: [1], seed: [3]}}\n"));
    CHECK(names_of(points) == Lines{"contacts.school.per_day=0,contacts.work.per_day=1,seed=3"});
}

TEST_CASE("sweep values keep their YAML form when applied") {
    const Document document = sweep_document(
        "sweep:\n  mode: grid\n  parameters:\n"
        "    name: [\"3\", 3, 'x y', [idf, ara], {a: \"1\"}, ~, \"a: b\"]\n");
    const auto points = scenario::sweep_points(document);
    CHECK(names_of(points) == Lines{"name=3", "name=3", "name=x y", "name=[idf, ara]",
                                    "name={a: \"1\"}", "name=~", "name=a: b"});
    REQUIRE(points.size() == 7);
    const auto applied = [&](std::size_t i) {
        Document copy(document);
        copy.apply_override(points[i].overrides[0]);
        return YAML::Node(copy.root()["name"]);
    };
    CHECK(applied(0).Scalar() == "3");
    CHECK(applied(0).Tag() == "!");
    CHECK(applied(1).Tag() == "?");
    CHECK(applied(2).Scalar() == "x y");
    CHECK(applied(3)[1].Scalar() == "ara");
    CHECK(applied(4)["a"].Tag() == "!");
    CHECK(applied(5).IsNull());
    CHECK(applied(6).Scalar() == "a: b");
    // The original is unchanged.
    CHECK(document.root()["name"].Scalar() == "x");
}

TEST_CASE("a sweep over a file that extends another sees the merged keys") {
    const Document document = Document::load_file(kData / "sweep.yaml");
    const auto points = scenario::sweep_points(document);
    REQUIRE(points.size() == 6);
    CHECK(points[5].name_suffix == "R0=2.5,size=4000");
    CHECK(where(points[5].value_locations[1]) == in_data("sweep.yaml") + ":8:35");
}

TEST_CASE("bad sweep sections are reported at their place") {
    CHECK(sweep_errors("sweep: [a]\n") ==
          Lines{"s.yaml:6:8: sweep: expected a mapping, got a sequence"});
    CHECK(sweep_errors("sweep:\n") == Lines{"s.yaml:6:1: sweep: expected a mapping, got nothing"});
    CHECK(sweep_errors("sweep: {mode: gird, parameters: {seed: [1]}}\n") ==
          Lines{"s.yaml:6:15: sweep.mode: unknown value 'gird' for 'mode'; did you mean 'grid'? "
                "expected one of: grid, zip"});
    CHECK(sweep_errors("sweep: {parameters: {seed: [1]}, modes: zip}\n") ==
          Lines{"s.yaml:6:8: sweep.mode: missing required key 'mode'",
                "s.yaml:6:34: sweep.modes: unknown key 'modes'; did you mean 'mode'? valid "
                "keys: mode, parameters"});
    CHECK(sweep_errors("sweep: {mode: grid, parameters: [seed, 1]}\n") ==
          Lines{"s.yaml:6:33: sweep.parameters: expected a mapping of key paths to lists of "
                "values, got a sequence"});
    CHECK(sweep_errors("sweep: {mode: grid, parameters: {}}\n") ==
          Lines{"s.yaml:6:33: sweep.parameters: no parameters; give at least one key path with "
                "a list of values"});
}

TEST_CASE("bad sweep parameters are all reported, each at its place") {
    CHECK(sweep_errors("sweep:\n  mode: grid\n  parameters:\n"
                       "    population.sise: [1, 2]\n"
                       "    disease.R0: []\n"
                       "    seed: 4\n"
                       "    sweep.mode: [zip]\n"
                       "    population..size: [1]\n"
                       "    seeding.3.infections: [1]\n"
                       "    seeding.0.infections:\n") ==
          Lines{"s.yaml:9:5: sweep.parameters.population.sise: key path not found in the "
                "scenario",
                "s.yaml:10:17: sweep.parameters.disease.R0: empty list; give at least one value",
                "s.yaml:11:11: sweep.parameters.seed: expected a list of values, got '4'",
                "s.yaml:12:5: sweep.parameters.sweep.mode: a sweep cannot change the sweep itself",
                "s.yaml:13:5: sweep.parameters.population..size: empty segment in key path "
                "'population..size'",
                "s.yaml:14:5: sweep.parameters.seeding.3.infections: key path not found in the "
                "scenario",
                "s.yaml:15:5: sweep.parameters.seeding.0.infections: expected a list of values, "
                "got nothing"});
}

TEST_CASE("zip lists of different lengths are reported at the list that differs") {
    CHECK(sweep_errors("sweep:\n  mode: zip\n  parameters:\n    disease.R0: [1, 2, 3]\n"
                       "    seed: [1, 2]\n    population.size: [1, 2, 3]\n") ==
          Lines{"s.yaml:10:11: sweep.parameters.seed: zip needs lists of the same length: "
                "'disease.R0' has 3 values, this one 2"});
}

TEST_CASE("a sweep of more than 10000 points is refused") {
    std::string hundred = "[";
    for (int i = 0; i < 100; ++i) hundred += fmt::format("{}{}", i == 0 ? "" : ", ", i + 1);
    hundred += "]";
    const std::string grid =
        fmt::format("sweep:\n  mode: grid\n  parameters:\n    seed: {}\n    population.size: {}\n",
                    hundred, hundred);
    CHECK(scenario::sweep_points(sweep_document(grid)).size() == 10000);
    CHECK(sweep_errors(grid + "    disease.R0: [1, 2]\n") ==
          Lines{"s.yaml:9:5: sweep.parameters: the sweep has more than 10000 points"});
    std::string long_list = "[0";
    for (int i = 1; i <= 10000; ++i) long_list += fmt::format(", {}", i);
    long_list += "]";
    CHECK(sweep_errors("sweep: {mode: zip, parameters: {seed: " + long_list + "}}\n") ==
          Lines{"s.yaml:6:32: sweep.parameters: the sweep has more than 10000 points"});
}

TEST_CASE("a sweep whose overrides would take too much memory is refused, quickly") {
    std::string numbers = "[0";
    for (int i = 1; i < 10000; ++i) numbers += fmt::format(", {}", i);
    numbers += "]";
    const auto start = std::chrono::steady_clock::now();
    CHECK(sweep_errors("sweep: {mode: grid, parameters: {seed: " + numbers + ", name: [" +
                       std::string(8000, 'x') + "]}}\n") ==
          Lines{"s.yaml:6:33: sweep.parameters: the sweep's overrides add up to more than 64 "
                "MiB; sweep fewer or smaller values"});
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
}

TEST_CASE("a sweep point is named after the scenario") {
    SweepPoint point;
    CHECK(scenario::sweep_point_name("exit", point) == "exit");
    point.name_suffix = "R0=2,seed=1";
    CHECK(scenario::sweep_point_name("exit", point) == "exit[R0=2,seed=1]");
}

TEST_CASE("an error in a sweep value is moved to where the value is written") {
    const Document document = Document::load_file(kData / "sweep-bad-value.yaml");
    const auto points = scenario::sweep_points(document);
    REQUIRE(points.size() == 2);
    CHECK(points[1].overrides == Lines{"disease.R0=-1", "seed=2"});
    const InputError error(
        {Diagnostic{SourceLocation{"--set disease.R0=-1"}, "disease.R0", "must be positive"},
         Diagnostic{SourceLocation{"--set population.size=3"}, "population.size", "too small"},
         Diagnostic{SourceLocation{"other.yaml", 3, 4}, "seed", "bad"}});
    CHECK(errors_of([&] { throw scenario::located_at_sweep_values(error, points[1]); }) ==
          Lines{in_data("sweep-bad-value.yaml") + ":6:21: disease.R0: must be positive",
                "--set population.size=3: population.size: too small",
                "other.yaml:3:4: seed: bad"});
}
