#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/scenario/document.hpp"

using sortie::core::Diagnostic;
using sortie::core::InputError;
using sortie::core::SourceLocation;
using sortie::scenario::Document;
using sortie::scenario::Limits;

namespace {

// The diagnostics of the InputError that `action` throws, as "file:line:column: path: message".
template <typename Action>
std::vector<std::string> errors_of(Action action) {
    try {
        action();
    } catch (const InputError& error) {
        std::vector<std::string> lines;
        for (const Diagnostic& diagnostic : error.diagnostics()) {
            lines.push_back(diagnostic.to_string());
        }
        return lines;
    }
    FAIL("expected an InputError");
    return {};
}

std::vector<std::string> load_errors(const std::string& text, const Limits& limits = {}) {
    return errors_of([&] { (void)Document::load_string(text, "s.yaml", limits); });
}

std::vector<std::string> override_errors(Document& document, std::string_view assignment) {
    return errors_of([&] { document.apply_override(assignment); });
}

std::string where(const SourceLocation& location) {
    return location.to_string();
}

std::string text_at(const YAML::Node& node) {
    return node.Scalar();
}

// A file under the temporary directory, removed at the end of the test.
class TempFile {
  public:
    explicit TempFile(std::string_view contents) : path_(unique_path()) {
        std::ofstream(path_, std::ios::binary) << contents;
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

  private:
    static std::filesystem::path unique_path() {
        static std::atomic<int> counter{0};
        return std::filesystem::temp_directory_path() /
               fmt::format("sortie-document-test-{}-{}.yaml", ::getpid(), counter++);
    }
    std::filesystem::path path_;
};

// "Billion laughs": each level is a list of ten aliases of the level before, so the last level
// expands to 10^levels scalars while the text stays a few hundred bytes.
std::string billion_laughs(int levels) {
    std::string text = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (int level = 1; level < levels; ++level) {
        std::string aliases;
        for (int i = 0; i < 10; ++i)
            aliases += fmt::format("{}*l{}", i == 0 ? "" : ", ", level - 1);
        text += fmt::format("l{}: &l{} [{}]\n", level, level, aliases);
    }
    return text;
}

std::string nested_sequences(int depth) {
    return "a: " + std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']') + "\n";
}

const char* const kScenario =
    "population:\n"
    "  size: 1000\n"
    "  regions: [idf, ara]\n"
    "interventions:\n"
    "  - start: 2020-05-11\n"
    "    kind: schools\n"
    "  - start: 2020-06-02\n"
    "    kind: shops\n";

}  // namespace

// ------------------------------------------------------------------------------------------------
// Loading

TEST_CASE("a document gives 1-based locations of its nodes") {
    const Document document = Document::load_string(kScenario, "exit.yaml");
    const YAML::Node& root = document.root();
    CHECK(document.file() == "exit.yaml");
    CHECK(text_at(root["population"]["size"]) == "1000");
    CHECK(where(document.location_of(root)) == "exit.yaml:1:1");
    CHECK(where(document.location_of(root["population"])) == "exit.yaml:2:3");
    CHECK(where(document.location_of(root["population"]["size"])) == "exit.yaml:2:9");
    CHECK(where(document.location_of(root["population"]["regions"][1])) == "exit.yaml:3:18");
    CHECK(where(document.location_of(root["interventions"][1]["kind"])) == "exit.yaml:8:11");
}

TEST_CASE("a node without a position is located at the file alone") {
    const Document document = Document::load_string("a: 1\n", "s.yaml");
    CHECK(where(document.location_of(document.root()["missing"])) == "s.yaml");
    CHECK(where(document.location_of(YAML::Node(YAML::NodeType::Map))) == "s.yaml");
}

TEST_CASE("a file is read, and messages name its path as given") {
    const TempFile file("size: 10\nsize: 20\n");
    CHECK(Document::load_file(TempFile("a: 1\n").path()).root()["a"].Scalar() == "1");
    const auto errors = errors_of([&] { (void)Document::load_file(file.path()); });
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == file.path().string() + ":2:1: duplicate key 'size' (first at line 1)");
}

TEST_CASE("a file that cannot be read is reported with the reason") {
    const std::filesystem::path missing =
        std::filesystem::temp_directory_path() / "sortie-no-such-dir" / "missing.yaml";
    CHECK(errors_of([&] { (void)Document::load_file(missing); }) ==
          std::vector<std::string>{missing.string() +
                                   ": cannot read file: No such file or directory"});
    const std::filesystem::path directory = std::filesystem::temp_directory_path();
    CHECK(errors_of([&] { (void)Document::load_file(directory); }) ==
          std::vector<std::string>{directory.string() + ": cannot read file: Is a directory"});
}

TEST_CASE("a file over the size limit is refused before it is parsed") {
    const std::string big = "a: " + std::string(1 << 20, 'x') + "\n";
    CHECK(load_errors(big) ==
          std::vector<std::string>{"s.yaml: file is larger than 1048576 bytes"});
    Limits small;
    small.max_file_bytes = 100;
    const TempFile file(std::string(70000, '#'));
    CHECK(errors_of([&] { (void)Document::load_file(file.path(), small); }) ==
          std::vector<std::string>{file.path().string() + ": file is larger than 100 bytes"});
    CHECK_NOTHROW((void)Document::load_string("a: " + std::string(97, 'x'), "s.yaml", small));
}

TEST_CASE("a Latin-1 byte is reported at its line and column") {
    CHECK(load_errors("name: exit\nlabel: caf\xE9 du coin\n") ==
          std::vector<std::string>{
              "s.yaml:2:11: invalid UTF-8 byte 0xE9; scenario files must be UTF-8"});
}

TEST_CASE("malformed UTF-8 is refused, well-formed UTF-8 accepted") {
    CHECK_NOTHROW((void)Document::load_string(
        "\xEF\xBB\xBFname: caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\xA6\xA0\n", "s.yaml"));
    const std::string suffix = "; scenario files must be UTF-8";
    // Overlong '/', a UTF-16 surrogate, above U+10FFFF, a lone continuation byte, cut at the end.
    CHECK(load_errors("a: \xC0\xAF\n")[0] == "s.yaml:1:4: invalid UTF-8 byte 0xC0" + suffix);
    CHECK(load_errors("a: \xED\xA0\x80\n")[0] == "s.yaml:1:4: invalid UTF-8 byte 0xED" + suffix);
    CHECK(load_errors("a: \xF4\x90\x80\x80\n")[0] ==
          "s.yaml:1:4: invalid UTF-8 byte 0xF4" + suffix);
    CHECK(load_errors("a: x\x80\n")[0] == "s.yaml:1:5: invalid UTF-8 byte 0x80" + suffix);
    CHECK(load_errors("a: \xE2\x82")[0] == "s.yaml:1:4: invalid UTF-8 byte 0xE2" + suffix);
}

TEST_CASE("binary junk is refused without reaching the parser") {
    // The start of a PNG file, then of an ELF file.
    CHECK(load_errors(std::string("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16)) ==
          std::vector<std::string>{
              "s.yaml:1:1: invalid UTF-8 byte 0x89; scenario files must be UTF-8"});
    CHECK(load_errors(std::string("\x7F"
                                  "ELF\x02\x01\x01\0",
                                  8)) ==
          std::vector<std::string>{
              "s.yaml:1:1: control character 0x7F; scenario files must be text"});
    CHECK(load_errors(std::string("a: 1\nb: \0\n", 10)) ==
          std::vector<std::string>{
              "s.yaml:2:4: control character 0x00; scenario files must be text"});
}

TEST_CASE("a tab in indentation is reported, a tab elsewhere is not") {
    const std::string message = "tab character in indentation; YAML indents with spaces";
    CHECK(load_errors("a:\n\tb: 1\n") == std::vector<std::string>{"s.yaml:2:1: " + message});
    CHECK(load_errors("a:\n  \tb: 1\n") == std::vector<std::string>{"s.yaml:2:3: " + message});
    CHECK(load_errors("a: 1\n\t# note\n") == std::vector<std::string>{"s.yaml:2:1: " + message});
    CHECK(Document::load_string("a: x\ty # and\there\n", "s.yaml").root()["a"].Scalar() == "x\ty");
}

TEST_CASE("bad bytes and tabs are reported together") {
    CHECK(load_errors("a: caf\xE9\nb:\n\tc: 1\n") ==
          std::vector<std::string>{
              "s.yaml:1:7: invalid UTF-8 byte 0xE9; scenario files must be UTF-8",
              "s.yaml:3:1: tab character in indentation; YAML indents with spaces"});
}

TEST_CASE("a syntax error is reported at yaml-cpp's mark, made 1-based") {
    CHECK(
        load_errors("a: 1\nb: [x, y\nc: 3\n") ==
        std::vector<std::string>{"s.yaml:3:2: YAML syntax error: end of sequence flow not found"});
    CHECK(load_errors("a: b\n  c: d\n") ==
          std::vector<std::string>{"s.yaml:2:4: YAML syntax error: illegal map value"});
}

TEST_CASE("nesting deeper than the limit is reported at the node that crosses it") {
    // The top-level mapping is level 1, so 63 nested sequences below it are allowed.
    CHECK_NOTHROW((void)Document::load_string(nested_sequences(63), "s.yaml"));
    const auto errors = load_errors(nested_sequences(200));
    REQUIRE(errors.size() == 1);
    // The 64th '[' opens level 65; it is at column 3 + 64.
    CHECK(errors[0].starts_with("s.yaml:1:67: a[0][0]"));
    CHECK(errors[0].ends_with("[0]: nesting deeper than 64 levels"));
    CHECK(load_errors(nested_sequences(64))[0].starts_with("s.yaml:1:67: "));
}

TEST_CASE("nesting far beyond what yaml-cpp accepts is reported, not a crash") {
    CHECK(load_errors(nested_sequences(100000)) ==
          std::vector<std::string>{"s.yaml: nesting deeper than 64 levels"});
    CHECK(load_errors("a: " + std::string(100000, '{')) ==
          std::vector<std::string>{"s.yaml: nesting deeper than 64 levels"});
}

TEST_CASE("an alias inside its own anchor is an endless nesting, reported as such") {
    // yaml-cpp registers an anchor before its content, so `&a [*a]` is a list holding itself.
    const auto errors = load_errors("a: &a [*a]\nb: &b {x: *b}\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].starts_with("s.yaml:1:4: a[0][0][0]"));
    CHECK(errors[0].ends_with(": nesting deeper than 64 levels"));
    Document document = Document::load_string("a: 1\n", "s.yaml");
    CHECK(override_errors(document, "a=&x {b: *x}") ==
          std::vector<std::string>{"--set: a: nesting deeper than 64 levels"});
}

TEST_CASE("a billion-laughs document is stopped by the node budget, quickly") {
    const auto start = std::chrono::steady_clock::now();
    CHECK(load_errors(billion_laughs(10)) ==
          std::vector<std::string>{
              "s.yaml: document expands to more than 200000 nodes (alias bomb?)"});
    // Expanding 10^10 nodes would take hours; the budget stops the walk after 200000.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
}

TEST_CASE("aliases count each time they are reached, within the budget") {
    const Document small = Document::load_string(billion_laughs(3), "s.yaml");
    CHECK(small.root()["l2"][9][9][9].Scalar() == "lol");
    Limits limits;
    limits.max_nodes = 1000;
    // The root, 3 keys, then 11, 111 and 1111 nodes for the three levels: 1237 in all.
    CHECK(
        load_errors(billion_laughs(3), limits) ==
        std::vector<std::string>{"s.yaml: document expands to more than 1000 nodes (alias bomb?)"});
}

TEST_CASE("duplicate keys are reported at the second occurrence, with the map's key path") {
    CHECK(load_errors("size: 1\nregions: [a]\nsize: 2\n") ==
          std::vector<std::string>{"s.yaml:3:1: duplicate key 'size' (first at line 1)"});
    CHECK(
        load_errors("population:\n  size: 1\n  \"size\": 2\n") ==
        std::vector<std::string>{"s.yaml:3:3: population: duplicate key 'size' (first at line 2)"});
    CHECK(load_errors("interventions:\n  - kind: a\n  - {kind: b, kind: c}\n") ==
          std::vector<std::string>{
              "s.yaml:3:15: interventions[1]: duplicate key 'kind' (first at line 3)"});
}

TEST_CASE("a duplicate in a map reached through several aliases is reported once") {
    CHECK(load_errors("base: &b {x: 1, x: 2}\none: *b\ntwo: *b\n") ==
          std::vector<std::string>{"s.yaml:1:17: base: duplicate key 'x' (first at line 1)"});
}

TEST_CASE("keys must be text") {
    CHECK(load_errors("? [a, b]\n: 1\n~: 2\n") ==
          std::vector<std::string>{"s.yaml:1:3: a key must be text, got a sequence",
                                   "s.yaml:3:1: a key must be text, got nothing"});
}

TEST_CASE("an empty or comment-only file is refused") {
    const std::vector<std::string> empty{
        "s.yaml:1:1: file is empty; expected a mapping of scenario keys"};
    CHECK(load_errors("") == empty);
    CHECK(load_errors("\n  \n") == empty);
    CHECK(load_errors("# a scenario\n\n# to be written\n") == empty);
    CHECK(load_errors("---\n") == empty);
}

TEST_CASE("a list or a single value at the top level is refused") {
    CHECK(load_errors("# regions\n- idf\n- ara\n") ==
          std::vector<std::string>{
              "s.yaml:2:1: expected a mapping of scenario keys at the top level"});
    CHECK(load_errors("hello\n") ==
          std::vector<std::string>{
              "s.yaml:1:1: expected a mapping of scenario keys at the top level"});
}

TEST_CASE("a second document is refused rather than ignored") {
    CHECK(
        load_errors("a: 1\n---\nb: 2\n") ==
        std::vector<std::string>{
            "s.yaml:3:1: a second YAML document starts here; a scenario file holds one document"});
}

TEST_CASE("all problems of the tree are reported together") {
    CHECK(load_errors("a: {x: 1, x: 2}\nb: [{y: 1, y: 2}]\n- oops\n").size() == 1);  // syntax
    CHECK(load_errors("- {x: 1, x: 2}\n- {y: 1, y: 2}\n") ==
          std::vector<std::string>{
              "s.yaml:1:10: [0]: duplicate key 'x' (first at line 1)",
              "s.yaml:2:10: [1]: duplicate key 'y' (first at line 2)",
              "s.yaml:1:1: expected a mapping of scenario keys at the top level"});
}

// ------------------------------------------------------------------------------------------------
// Overrides

TEST_CASE("an override replaces a scalar, which then comes from the command line") {
    Document document = Document::load_string(kScenario, "exit.yaml");
    document.apply_override("population.size=5000");
    const YAML::Node& root = document.root();
    CHECK(text_at(root["population"]["size"]) == "5000");
    CHECK(where(document.location_of(root["population"]["size"])) == "--set population.size=5000");
    // What the override did not replace keeps its place in the file.
    CHECK(where(document.location_of(root["population"])) == "exit.yaml:2:3");
    CHECK(where(document.location_of(root["population"]["regions"])) == "exit.yaml:3:12");
    CHECK(where(document.location_of(root)) == "exit.yaml:1:1");
    // Keys keep their order.
    CHECK(root["population"].begin()->first.Scalar() == "size");
}

TEST_CASE("an override creates missing mappings") {
    Document document = Document::load_string("population:\nseed: 4\n", "exit.yaml");
    document.apply_override("output.daily.enabled=true");
    document.apply_override("population.size=10");
    const YAML::Node& root = document.root();
    CHECK(text_at(root["output"]["daily"]["enabled"]) == "true");
    CHECK(where(document.location_of(root["output"])) == "--set output.daily.enabled=true");
    CHECK(where(document.location_of(root["output"]["daily"])) ==
          "--set output.daily.enabled=true");
    // `population:` held null; it became a mapping.
    CHECK(text_at(root["population"]["size"]) == "10");
    CHECK(text_at(root["seed"]) == "4");
    CHECK(where(document.location_of(root["seed"])) == "exit.yaml:2:7");
}

TEST_CASE("an override indexes into a sequence") {
    Document document = Document::load_string(kScenario, "exit.yaml");
    document.apply_override("interventions.1.start=2020-07-01");
    document.apply_override("population.regions.0=bre");
    const YAML::Node& root = document.root();
    CHECK(text_at(root["interventions"][1]["start"]) == "2020-07-01");
    CHECK(text_at(root["interventions"][1]["kind"]) == "shops");
    CHECK(text_at(root["interventions"][0]["start"]) == "2020-05-11");
    CHECK(text_at(root["population"]["regions"][0]) == "bre");
    CHECK(text_at(root["population"]["regions"][1]) == "ara");
    CHECK(where(document.location_of(root["interventions"][1]["start"])) ==
          "--set interventions.1.start=2020-07-01");
    CHECK(where(document.location_of(root["interventions"][1])) == "exit.yaml:7:5");
    CHECK(where(document.location_of(root["interventions"])) == "exit.yaml:5:3");
}

TEST_CASE("override values are parsed as YAML") {
    Document document = Document::load_string(kScenario, "exit.yaml");
    document.apply_override("population.regions=[idf, ara, bre]");
    document.apply_override("extra={a: 1, b: [x]}");
    document.apply_override("name=\"quoted: text\"");
    document.apply_override("ratio=0.5");
    document.apply_override("empty=");
    const YAML::Node& root = document.root();
    CHECK(root["population"]["regions"].size() == 3);
    CHECK(text_at(root["extra"]["b"][0]) == "x");
    CHECK(text_at(root["name"]) == "quoted: text");
    CHECK(root["name"].Tag() == "!");
    CHECK(text_at(root["ratio"]) == "0.5");
    CHECK(root["empty"].IsNull());
    CHECK(where(document.location_of(root["extra"]["b"][0])) == "--set extra={a: 1, b: [x]}");
    CHECK(where(document.location_of(root["empty"])) == "--set empty=");
}

TEST_CASE("malformed overrides are refused with the key path and a clear message") {
    Document document = Document::load_string(kScenario, "exit.yaml");
    CHECK(override_errors(document, "population.size") ==
          std::vector<std::string>{
              "--set: population.size: expected key.path=value, got 'population.size'"});
    CHECK(override_errors(document, "=3") ==
          std::vector<std::string>{"--set: expected key.path=value; the key path is empty"});
    CHECK(override_errors(document, "a..b=1") ==
          std::vector<std::string>{"--set: a..b: empty segment in key path 'a..b'"});
    CHECK(override_errors(document, "a.=1") ==
          std::vector<std::string>{"--set: a.: empty segment in key path 'a.'"});
    CHECK(override_errors(document, "population.size.unit=people") ==
          std::vector<std::string>{"--set: population.size.unit: 'population.size' is a single "
                                   "value, not a mapping or a list"});
    CHECK(override_errors(document, "interventions.2.start=2020-07-01") ==
          std::vector<std::string>{"--set: interventions.2.start: index 2 is out of range; "
                                   "'interventions' has 2 elements"});
    CHECK(override_errors(document, "interventions.first.start=2020-07-01") ==
          std::vector<std::string>{"--set: interventions.first.start: 'interventions' is a "
                                   "list; expected an index, got 'first'"});
    CHECK(override_errors(document, "population.regions.-1=x") ==
          std::vector<std::string>{"--set: population.regions.-1: 'population.regions' is a "
                                   "list; expected an index, got '-1'"});
    CHECK(override_errors(document, "population.size=[1, 2") ==
          std::vector<std::string>{
              "--set: population.size: YAML syntax error: end of sequence flow not found"});
}

TEST_CASE("an override value is checked like a file") {
    Limits limits;
    limits.max_nodes = 100;
    Document document = Document::load_string("a: 1\n", "s.yaml", limits);
    CHECK(override_errors(document, "a={x: 1, x: 2}") ==
          std::vector<std::string>{"--set: a: duplicate key 'x' (first at line 1)"});
    CHECK(override_errors(document,
                          "a=[&x [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], "
                          "[*x, *x, *x, *x, *x, *x, *x, *x, *x, *x]]") ==
          std::vector<std::string>{
              "--set: a: document expands to more than 100 nodes (alias bomb?)"});
    CHECK(override_errors(document, "a=caf\xE9") ==
          std::vector<std::string>{
              "--set: a: invalid UTF-8 byte 0xE9; scenario files must be UTF-8"});
    CHECK(override_errors(document, "a=" + std::string(70, '[') + std::string(70, ']')) ==
          std::vector<std::string>{"--set: a: nesting deeper than 64 levels"});
}

TEST_CASE("a failed override leaves the document unchanged") {
    Document document = Document::load_string(kScenario, "exit.yaml");
    CHECK_THROWS_AS(document.apply_override("interventions.9.start=2020-07-01"), InputError);
    CHECK_THROWS_AS(document.apply_override("new.key=[unclosed"), InputError);
    CHECK_FALSE(document.root()["new"].IsDefined());
    CHECK(document.root()["interventions"].size() == 2);
}

TEST_CASE("an override writes neither through aliases nor into copies") {
    Document document =
        Document::load_string("base: &b {beta: 0.3}\nregion: *b\nx: &x 1\ny: *x\n", "s.yaml");
    const Document copy = document;
    document.apply_override("region.beta=0.5");
    document.apply_override("y=2");
    CHECK(text_at(document.root()["region"]["beta"]) == "0.5");
    CHECK(text_at(document.root()["base"]["beta"]) == "0.3");
    CHECK(text_at(document.root()["y"]) == "2");
    CHECK(text_at(document.root()["x"]) == "1");
    CHECK(text_at(copy.root()["region"]["beta"]) == "0.3");
    CHECK(text_at(copy.root()["y"]) == "1");
}

TEST_CASE("a later override wins, and is the one reported") {
    Document document = Document::load_string(kScenario, "exit.yaml");
    document.apply_override("population.size=1");
    document.apply_override("population.size=2");
    CHECK(text_at(document.root()["population"]["size"]) == "2");
    CHECK(where(document.location_of(document.root()["population"]["size"])) ==
          "--set population.size=2");
    CHECK(where(document.location_of(document.root()["population"])) == "exit.yaml:2:3");
}

// ------------------------------------------------------------------------------------------------
// Files and keys

TEST_CASE("a document read from one file or a string names that file alone") {
    const TempFile file("a: 1\n");
    const Document from_file = Document::load_file(file.path());
    CHECK(from_file.files() == std::vector<std::string>{file.path().string()});
    CHECK(from_file.base_directory_of(from_file.root()["a"]) == file.path().parent_path());
    const Document from_string = Document::load_string("a: 1\n", "dir/s.yaml");
    CHECK(from_string.files() == std::vector<std::string>{"dir/s.yaml"});
    CHECK(from_string.base_directory_of(from_string.root()["a"]) == "dir");
}

TEST_CASE(
    "without() drops one top-level key, leaving the original and the locations as they were") {
    Document document = Document::load_string(kScenario, "exit.yaml");
    document.apply_override("population.size=5");
    const Document plain = document.without("interventions");
    CHECK_FALSE(plain.root()["interventions"].IsDefined());
    CHECK(document.root()["interventions"].size() == 2);
    CHECK(text_at(plain.root()["population"]["size"]) == "5");
    CHECK(where(plain.location_of(plain.root())) == "exit.yaml:1:1");
    CHECK(where(plain.location_of(plain.root()["population"]["size"])) ==
          "--set population.size=5");
    CHECK(where(plain.location_of(plain.root()["population"]["regions"])) == "exit.yaml:3:12");
}
