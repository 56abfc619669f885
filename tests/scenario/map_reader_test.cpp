#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/map_reader.hpp"

using sortie::core::Date;
using sortie::core::Diagnostic;
using sortie::core::DiagnosticList;
using sortie::core::InputError;
using sortie::scenario::Bounds;
using sortie::scenario::Document;
using sortie::scenario::MapReader;

namespace {

using Lines = std::vector<std::string>;

// What the list holds, as "file:line:column: path: message" lines.
Lines messages(const DiagnosticList& diagnostics) {
    try {
        diagnostics.throw_if_any();
    } catch (const InputError& error) {
        Lines lines;
        for (const Diagnostic& diagnostic : error.diagnostics()) {
            lines.push_back(diagnostic.to_string());
        }
        return lines;
    }
    return {};
}

// A document named "s.yaml" and a reader of its top level.
struct Read {
    explicit Read(const std::string& text)
        : document(Document::load_string(text, "s.yaml")),
          reader(document, document.root(), "", diagnostics) {}

    Lines problems() const { return messages(diagnostics); }

    // The single problem found ("" if none).
    std::string problem() const {
        const Lines lines = problems();
        REQUIRE(lines.size() <= 1);
        return lines.empty() ? "" : lines.front();
    }

    Document document;
    DiagnosticList diagnostics;
    MapReader reader;
};

constexpr std::array<std::string_view, 3> kSettings = {"household", "school", "workplace"};

const char* const kEverything =
    "size: 1000\n"
    "scale: 0.5\n"
    "big: 1e6\n"
    "enabled: true\n"
    "name: \xC3\x8Ele-de-France\n"
    "setting: school\n"
    "start: 2020-05-11\n"
    "regions: [idf, ara]\n"
    "region: idf\n"
    "ages: [0, 18.5, 65]\n"
    "population:\n"
    "  households: 3\n"
    "interventions:\n"
    "  - kind: schools\n"
    "  - kind: shops\n";

}  // namespace

// ------------------------------------------------------------------------------------------------
// Reading values

TEST_CASE("every getter reads a well-formed value") {
    Read read(kEverything);
    MapReader& r = read.reader;
    CHECK(r.integer("size") == 1000);
    CHECK(r.number("scale") == 0.5);
    CHECK(r.integer("big") == 1000000);
    CHECK(r.boolean("enabled") == true);
    CHECK(r.string("name") == "\xC3\x8Ele-de-France");
    CHECK(r.one_of("setting", kSettings) == "school");
    CHECK(r.date("start") == Date::from_ymd(2020, 5, 11));
    CHECK(r.string_list("regions") == std::vector<std::string>{"idf", "ara"});
    CHECK(r.string_list("region") == std::vector<std::string>{"idf"});
    CHECK(r.number_list("ages") == std::vector<double>{0, 18.5, 65});
    auto population = r.map("population");
    REQUIRE(population);
    CHECK(population->integer("households") == 3);
    population->finish();
    auto interventions = r.map_list("interventions");
    REQUIRE(interventions);
    REQUIRE(interventions->size() == 2);
    CHECK((*interventions)[1].string("kind") == "shops");
    CHECK((*interventions)[1].key_path("kind") == "interventions[1].kind");
    for (MapReader& intervention : *interventions) intervention.allow({"kind"});
    for (MapReader& intervention : *interventions) intervention.finish();
    r.finish();
    CHECK(read.problems().empty());
}

TEST_CASE("an absent key gives nothing, and no diagnostic") {
    Read read("a: 1\n");
    MapReader& r = read.reader;
    CHECK_FALSE(r.has("x"));
    CHECK_FALSE(r.number("x"));
    CHECK_FALSE(r.integer("x"));
    CHECK_FALSE(r.boolean("x"));
    CHECK_FALSE(r.string("x"));
    CHECK_FALSE(r.one_of("x", kSettings));
    CHECK_FALSE(r.date("x"));
    CHECK_FALSE(r.string_list("x"));
    CHECK_FALSE(r.number_list("x"));
    CHECK_FALSE(r.map("x"));
    CHECK_FALSE(r.map_list("x"));
    CHECK(r.node("x") == nullptr);
    CHECK(read.problems().empty());
}

TEST_CASE("a number must be a plain scalar that reads as a number") {
    auto number_problem = [](const std::string& value) {
        Read read("v: " + value + "\n");
        CHECK_FALSE(read.reader.number("v"));
        return read.problem();
    };
    CHECK(number_problem("abc") == "s.yaml:1:4: v: expected a number, got 'abc'");
    CHECK(number_problem("{a: 1}") == "s.yaml:1:4: v: expected a number, got a mapping");
    CHECK(number_problem("[1, 2]") == "s.yaml:1:4: v: expected a number, got a sequence");
    // A null value is reported at its key: yaml-cpp marks an empty one where the next token starts.
    CHECK(number_problem("") == "s.yaml:1:1: v: expected a number, got nothing");
    CHECK(number_problem("~") == "s.yaml:1:1: v: expected a number, got nothing");
    CHECK(number_problem("\"3\"") == "s.yaml:1:4: v: expected a number, got quoted text '3'");
    CHECK(number_problem("!!str 3") ==
          "s.yaml:1:4: v: expected a number, got '3' tagged 'tag:yaml.org,2002:str'");
    CHECK(number_problem("0x10") == "s.yaml:1:4: v: expected a number, got '0x10'");
    CHECK(number_problem("1_000") == "s.yaml:1:4: v: expected a number, got '1_000'");
    CHECK(number_problem("1e999") == "s.yaml:1:4: v: number '1e999' is out of range");
}

TEST_CASE("a number must be finite") {
    for (const std::string value : {".nan", ".NaN", ".inf", "-.inf", "+.Inf", "nan", "inf"}) {
        Read read("v: " + value + "\n");
        CHECK_FALSE(read.reader.number("v"));
        CHECK(read.problem() == "s.yaml:1:4: v: expected a finite number, got '" + value + "'");
    }
}

TEST_CASE("numbers are read without the locale, in any YAML spelling") {
    Read read("a: 1e6\nb: -2.5e-3\nc: +1\nd: .5\ne: 7\nf: 1E+2\ng: -0\n");
    MapReader& r = read.reader;
    CHECK(r.number("a") == 1e6);
    CHECK(r.number("b") == -2.5e-3);
    CHECK(r.number("c") == 1.0);
    CHECK(r.number("d") == 0.5);
    CHECK(r.number("e") == 7.0);
    CHECK(r.number("f") == 100.0);
    CHECK(r.number("g") == 0.0);
    CHECK(read.problems().empty());
}

TEST_CASE("a whole number accepts whole decimals within int64 and nothing else") {
    Read read(
        "a: 1e6\nb: 3.0\nc: -7\nd: +4\ne: 9223372036854775807\nf: -9223372036854775808\n"
        "g: -9.2233720368547758e18\n");
    MapReader& r = read.reader;
    CHECK(r.integer("a") == 1000000);
    CHECK(r.integer("b") == 3);
    CHECK(r.integer("c") == -7);
    CHECK(r.integer("d") == 4);
    CHECK(r.integer("e") == std::numeric_limits<std::int64_t>::max());
    CHECK(r.integer("f") == std::numeric_limits<std::int64_t>::min());
    CHECK(r.integer("g") == std::numeric_limits<std::int64_t>::min());
    CHECK(read.problems().empty());

    auto integer_problem = [](const std::string& value) {
        Read bad("v: " + value + "\n");
        CHECK_FALSE(bad.reader.integer("v"));
        return bad.problem();
    };
    CHECK(integer_problem("2.5") == "s.yaml:1:4: v: expected a whole number, got '2.5'");
    CHECK(integer_problem("true") == "s.yaml:1:4: v: expected a whole number, got 'true'");
    CHECK(integer_problem("\"3\"") ==
          "s.yaml:1:4: v: expected a whole number, got quoted text '3'");
    CHECK(integer_problem(".nan") == "s.yaml:1:4: v: expected a whole number, got '.nan'");
    CHECK(integer_problem("{}") == "s.yaml:1:4: v: expected a whole number, got a mapping");
    CHECK(integer_problem("9223372036854775808") ==
          "s.yaml:1:4: v: number '9223372036854775808' is out of range for a whole number");
    CHECK(integer_problem("1e30") ==
          "s.yaml:1:4: v: number '1e30' is out of range for a whole number");
    CHECK(integer_problem("9.3e18") ==
          "s.yaml:1:4: v: number '9.3e18' is out of range for a whole number");
}

TEST_CASE("bounds are checked and explained") {
    auto bounds_problem = [](const std::string& value, const Bounds& bounds) {
        Read read("v: " + value + "\n");
        CHECK_FALSE(read.reader.number("v", bounds));
        return read.problem();
    };
    Bounds at_most_one;
    at_most_one.max = 1;
    Bounds below_one = at_most_one;
    below_one.max_exclusive = true;
    Bounds open_unit = Bounds::between(0, 1);
    open_unit.min_exclusive = true;
    CHECK(bounds_problem("-5", Bounds::at_least(0)) ==
          "s.yaml:1:4: v: must be at least 0 (got -5)");
    CHECK(bounds_problem("0", Bounds::greater_than(0)) ==
          "s.yaml:1:4: v: must be greater than 0 (got 0)");
    CHECK(bounds_problem("1.5", at_most_one) == "s.yaml:1:4: v: must be at most 1 (got 1.5)");
    CHECK(bounds_problem("1", below_one) == "s.yaml:1:4: v: must be less than 1 (got 1)");
    CHECK(bounds_problem("1.5", Bounds::probability()) ==
          "s.yaml:1:4: v: must be between 0 and 1 (got 1.5)");
    CHECK(bounds_problem("2", open_unit) == "s.yaml:1:4: v: must be at most 1 (got 2)");
    CHECK(bounds_problem("0", open_unit) == "s.yaml:1:4: v: must be greater than 0 (got 0)");
    CHECK(bounds_problem("999999.5", Bounds::at_least(1e6)) ==
          "s.yaml:1:4: v: must be at least 1000000 (got 999999.5)");
}

TEST_CASE("bounds include their ends unless told otherwise") {
    CHECK(Bounds::probability().problem(0, "0").empty());
    CHECK(Bounds::probability().problem(1, "1").empty());
    CHECK(Bounds::at_least(2).problem(2, "2").empty());
    CHECK(Bounds::greater_than(2).problem(2.000001, "").empty());
    CHECK(Bounds{}.problem(-1e300, "").empty());
    Read read("v: 0\nw: 5\n");
    CHECK_FALSE(read.reader.integer("v", Bounds::at_least(1)));
    CHECK(read.reader.integer("w", Bounds::between(1, 5)) == 5);
    CHECK(read.problem() == "s.yaml:1:4: v: must be at least 1 (got 0)");
}

TEST_CASE("a boolean is true or false, not yes, no, on or off") {
    Read read("a: true\nb: false\n");
    CHECK(read.reader.boolean("a") == true);
    CHECK(read.reader.boolean("b") == false);
    for (const std::string value : {"yes", "no", "on", "off", "True", "1", "\"true\""}) {
        Read bad("v: " + value + "\n");
        CHECK_FALSE(bad.reader.boolean("v"));
        const std::string shown = value == "\"true\"" ? "quoted text 'true'" : "'" + value + "'";
        CHECK(bad.problem() == "s.yaml:1:4: v: expected true or false, got " + shown);
    }
}

TEST_CASE("text is any scalar, never a mapping, a sequence or nothing") {
    Read read("a: 123\nb: \"quoted: text\"\nc: {x: 1}\nd: [x]\ne:\n");
    MapReader& r = read.reader;
    CHECK(r.string("a") == "123");
    CHECK(r.string("b") == "quoted: text");
    CHECK_FALSE(r.string("c"));
    CHECK_FALSE(r.string("d"));
    CHECK_FALSE(r.string("e"));
    CHECK(read.problems() == Lines{"s.yaml:3:4: c: expected text, got a mapping",
                                   "s.yaml:4:4: d: expected text, got a sequence",
                                   "s.yaml:5:1: e: expected text, got nothing"});
}

TEST_CASE("a choice must be one of the choices, with a hint") {
    Read read("a: houshold\nb: park\nc: School\nd: [school]\n");
    MapReader& r = read.reader;
    CHECK_FALSE(r.one_of("a", kSettings));
    CHECK_FALSE(r.one_of("b", kSettings));
    CHECK_FALSE(r.one_of("c", kSettings));
    CHECK_FALSE(r.one_of("d", kSettings));
    CHECK(read.problems() ==
          Lines{"s.yaml:1:4: a: unknown value 'houshold' for 'a'; did you mean 'household'? "
                "expected one of: household, school, workplace",
                "s.yaml:2:4: b: unknown value 'park' for 'b'; expected one of: household, "
                "school, workplace",
                "s.yaml:3:4: c: unknown value 'School' for 'c'; did you mean 'school'? expected "
                "one of: household, school, workplace",
                "s.yaml:4:4: d: expected text, got a sequence"});
}

TEST_CASE("a date must exist") {
    Read read("start: 2020-02-30\nend: May 11\nquoted: \"2020-05-11\"\n");
    CHECK_FALSE(read.reader.date("start"));
    CHECK_FALSE(read.reader.date("end"));
    CHECK(read.reader.date("quoted") == Date::from_ymd(2020, 5, 11));
    CHECK(read.problems() ==
          Lines{"s.yaml:1:8: start: invalid date '2020-02-30': February 2020 has 29 days",
                "s.yaml:2:6: end: invalid date 'May 11': expected an ISO date YYYY-MM-DD"});
}

TEST_CASE("a list of text takes a sequence of scalars or a single scalar") {
    Read read("a: []\nb: solo\nc: [idf, {x: 1}, [y], ~]\nd: {x: 1}\ne:\n");
    MapReader& r = read.reader;
    CHECK(r.string_list("a") == std::vector<std::string>{});
    CHECK(r.string_list("b") == std::vector<std::string>{"solo"});
    CHECK_FALSE(r.string_list("c"));
    CHECK_FALSE(r.string_list("d"));
    CHECK_FALSE(r.string_list("e"));
    CHECK(read.problems() == Lines{"s.yaml:3:10: c[1]: expected text, got a mapping",
                                   "s.yaml:3:18: c[2]: expected text, got a sequence",
                                   "s.yaml:3:23: c[3]: expected text, got nothing",
                                   "s.yaml:4:4: d: expected a list of text, got a mapping",
                                   "s.yaml:5:1: e: expected a list of text, got nothing"});
}

TEST_CASE("a list of numbers reports every bad element") {
    Read read("ages: [0, abc, -1, 7]\nsingle: 5\n");
    CHECK_FALSE(read.reader.number_list("ages", Bounds::at_least(0)));
    CHECK_FALSE(read.reader.number_list("single"));
    CHECK(read.problems() == Lines{"s.yaml:1:11: ages[1]: expected a number, got 'abc'",
                                   "s.yaml:1:16: ages[2]: must be at least 0 (got -1)",
                                   "s.yaml:2:9: single: expected a list of numbers, got '5'"});
}

// ------------------------------------------------------------------------------------------------
// Nested mappings

TEST_CASE("a nested reader extends the key path") {
    Read read("population:\n  size: abc\n  households:\n    mean: 2.2\nflat: 10\n");
    auto population = read.reader.map("population");
    REQUIRE(population);
    CHECK(population->key_path("size") == "population.size");
    CHECK_FALSE(population->integer("size"));
    auto households = population->map("households");
    REQUIRE(households);
    CHECK(households->key_path("mean") == "population.households.mean");
    CHECK(households->number("mean") == 2.2);
    CHECK_FALSE(read.reader.map("flat"));
    CHECK(read.problems() ==
          Lines{"s.yaml:2:9: population.size: expected a whole number, got 'abc'",
                "s.yaml:5:7: flat: expected a mapping, got '10'"});
}

TEST_CASE("a list of mappings gives one reader per element") {
    Read read("interventions:\n  - kind: schools\n  - oops\n  - [x]\nother: {a: 1}\n");
    CHECK_FALSE(read.reader.map_list("interventions"));
    CHECK_FALSE(read.reader.map_list("other"));
    CHECK(read.problems() ==
          Lines{"s.yaml:3:5: interventions[1]: expected a mapping, got 'oops'",
                "s.yaml:4:5: interventions[2]: expected a mapping, got a sequence",
                "s.yaml:5:8: other: expected a list of mappings, got a mapping"});
}

TEST_CASE("a reader of something that is not a mapping reports it and reads as empty") {
    const Document document = Document::load_string("regions: [idf]\n", "s.yaml");
    DiagnosticList diagnostics;
    MapReader regions(document, document.root()["regions"], "regions", diagnostics);
    CHECK_FALSE(regions.has("idf"));
    regions.finish();
    MapReader missing(document, document.root()["missing"], "missing", diagnostics);
    CHECK(messages(diagnostics) == Lines{"s.yaml:1:10: regions: expected a mapping, got a sequence",
                                         "s.yaml: missing: expected a mapping, got nothing"});
}

// ------------------------------------------------------------------------------------------------
// Required and unknown keys

TEST_CASE("a required key that is missing is reported at the map") {
    Read read("population:\n  scale: 2\nsize:\n");
    auto population = read.reader.map("population");
    REQUIRE(population);
    CHECK_FALSE(population->require("size"));
    CHECK(population->require("scale"));
    CHECK(read.reader.require("size"));  // present, if null: the getter will say so
    CHECK_FALSE(read.reader.require("seed"));
    CHECK(read.problems() == Lines{"s.yaml:2:3: population.size: missing required key 'size'",
                                   "s.yaml:1:1: seed: missing required key 'seed'"});
}

TEST_CASE("unknown keys are reported with the valid keys and a likely fix") {
    Read read("sise: 10\nregions: [a]\nscale: 1\ncolour: red\nSCALE: 2\nsz: 1\n");
    MapReader& r = read.reader;
    (void)r.integer("size");
    (void)r.string_list("regions");
    (void)r.number("scale");
    r.finish();
    const std::string valid = "valid keys: regions, scale, size";
    CHECK(read.problems() ==
          Lines{"s.yaml:1:1: sise: unknown key 'sise'; did you mean 'size'? " + valid,
                "s.yaml:4:1: colour: unknown key 'colour'; " + valid,
                "s.yaml:5:1: SCALE: unknown key 'SCALE'; did you mean 'scale'? " + valid,
                "s.yaml:6:1: sz: unknown key 'sz'; did you mean 'size'? " + valid});
}

TEST_CASE("a suggestion needs an edit distance within max(2, length / 3)") {
    Read read("population_sizes_total: 1\nabcdefghijklmnop: 2\n");
    (void)read.reader.node("population_size");
    (void)read.reader.node("abcdefghijklmnopqrstuvw");
    read.reader.finish();
    // 22 characters allow 7 edits: "population_size" is 7 away; the second key is 7 away from
    // a 23-character key, but 16 characters allow only 5.
    const std::string valid = "valid keys: abcdefghijklmnopqrstuvw, population_size";
    CHECK(read.problems() ==
          Lines{"s.yaml:1:1: population_sizes_total: unknown key 'population_sizes_total'; did "
                "you mean 'population_size'? " +
                    valid,
                "s.yaml:2:1: abcdefghijklmnop: unknown key 'abcdefghijklmnop'; " + valid});
}

TEST_CASE("keys asked for, allowed, or only looked at are not reported") {
    Read read("extends: base.yaml\nnotes: x\nseed: 1\nlabel: y\n");
    MapReader& r = read.reader;
    r.allow({"extends", "notes"});
    CHECK(r.has("seed"));
    CHECK(r.node("label") != nullptr);
    r.finish();
    CHECK(read.problems().empty());

    Read nothing_asked("a: 1\n");
    nothing_asked.reader.finish();
    CHECK(nothing_asked.problem() == "s.yaml:1:1: a: unknown key 'a'; no keys are expected here");
}

TEST_CASE("all problems of a file are reported at once") {
    Read read("size: -5\nscale: abc\nregoins: [idf]\n");
    MapReader& r = read.reader;
    CHECK_FALSE(r.integer("size", Bounds::at_least(1)));
    CHECK_FALSE(r.number("scale"));
    CHECK_FALSE(r.string_list("regions"));
    r.finish();
    const Lines found = read.problems();
    CHECK(found.size() == 3);
    for (const std::string expected :
         {"s.yaml:1:7: size: must be at least 1 (got -5)",
          "s.yaml:2:8: scale: expected a number, got 'abc'",
          "s.yaml:3:1: regoins: unknown key 'regoins'; did you mean 'regions'? valid keys: "
          "regions, scale, size"}) {
        CHECK(std::find(found.begin(), found.end(), expected) != found.end());
    }
    CHECK_THROWS_AS(read.diagnostics.throw_if_any(), InputError);
}

// ------------------------------------------------------------------------------------------------
// Locations and raw access

TEST_CASE("locations, key paths and raw nodes") {
    Read read("population:\n  size: 10\n");
    auto population = read.reader.map("population");
    REQUIRE(population);
    CHECK(population->location().to_string() == "s.yaml:2:3");
    CHECK(population->location("size").to_string() == "s.yaml:2:9");
    CHECK(population->location("absent").to_string() == "s.yaml:2:3");
    CHECK(read.reader.location().to_string() == "s.yaml:1:1");
    CHECK(read.reader.key_path("size") == "size");
    REQUIRE(population->node("size") != nullptr);
    CHECK(population->node("size")->Scalar() == "10");
    CHECK(population->node("absent") == nullptr);
}

TEST_CASE("values set on the command line are reported there") {
    Document document = Document::load_string("population:\n  size: 10\n", "exit.yaml");
    document.apply_override("population.size=abc");
    document.apply_override("population.sise=3");
    document.apply_override("seed=");
    DiagnosticList diagnostics;
    MapReader reader(document, document.root(), "", diagnostics);
    auto population = reader.map("population");
    REQUIRE(population);
    CHECK_FALSE(population->integer("size"));
    population->finish();
    CHECK_FALSE(reader.integer("seed"));
    CHECK(population->location().to_string() == "exit.yaml:2:3");
    CHECK(messages(diagnostics) ==
          Lines{"--set population.size=abc: population.size: expected a whole number, got 'abc'",
                "--set population.sise=3: population.sise: unknown key 'sise'; did you mean "
                "'size'? valid keys: size",
                "--set seed=: seed: expected a whole number, got nothing"});
}

TEST_CASE("long values are shortened in messages, at a character boundary") {
    Read read("a: " + std::string(100, 'x') + "\nb: " + std::string(39, 'y') + "\xC3\xA9zz\n");
    CHECK_FALSE(read.reader.number("a"));
    CHECK_FALSE(read.reader.number("b"));
    CHECK(read.problems() ==
          Lines{"s.yaml:1:4: a: expected a number, got '" + std::string(40, 'x') + "...'",
                "s.yaml:2:4: b: expected a number, got '" + std::string(39, 'y') + "...'"});
}
