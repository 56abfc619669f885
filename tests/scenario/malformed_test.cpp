// The malformed corpus: tests/data/malformed/ holds one deliberately broken scenario per file,
// most of them valid-base.yaml (which extend) with one thing wrong. Each must be refused with
// exactly the message below, naming the file, line, column and key path.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/scenario/scenario.hpp"

namespace fs = std::filesystem;
namespace scenario = sortie::scenario;

namespace {

const fs::path kFolder = fs::path(SORTIE_SOURCE_DIR) / "tests" / "data" / "malformed";

/// A file of the corpus and its error, "$/" standing for the corpus folder.
struct Case {
    const char* file;
    std::string expected;
};

std::string repeated(std::string_view text, int times) {
    std::string result;
    for (int i = 0; i < times; ++i) result += text;
    return result;
}

const std::vector<Case> kCases = {
    {"empty.yaml", "$/empty.yaml:1:1: file is empty; expected a mapping of scenario keys"},
    {"only-comments.yaml",
     "$/only-comments.yaml:1:1: file is empty; expected a mapping of scenario keys"},
    {"binary-junk.yaml",
     "$/binary-junk.yaml:1:1: invalid UTF-8 byte 0x89; scenario files must be UTF-8"},
    {"latin1.yaml", "$/latin1.yaml:2:10: invalid UTF-8 byte 0xE9; scenario files must be UTF-8"},
    {"tab-indentation.yaml",
     "$/tab-indentation.yaml:3:1: tab character in indentation; YAML indents with spaces"},
    // The 64th '[' after column 8 opens the 65th level (the top-level mapping is the first).
    {"deep-nesting.yaml",
     "$/deep-nesting.yaml:2:71: notes" + repeated("[0]", 63) + ": nesting deeper than 64 levels"},
    {"alias-bomb.yaml",
     "$/alias-bomb.yaml: document expands to more than 200000 nodes (alias bomb?)"},
    {"duplicate-top-key.yaml",
     "$/duplicate-top-key.yaml:4:1: duplicate key 'seed' (first at line 2)"},
    {"duplicate-nested-key.yaml",
     "$/duplicate-nested-key.yaml:6:5: contacts.community: duplicate key 'per_day' (first at "
     "line 4)"},
    {"unknown-top-key.yaml",
     "$/unknown-top-key.yaml:2:1: replicate: unknown key 'replicate'; did you mean "
     "'replicates'? valid keys: contacts, disease, end, hospitals, interventions, name, "
     "population, replicates, seed, seeding, start, triggers"},
    {"unknown-nested-key.yaml",
     "$/unknown-nested-key.yaml:3:3: population.sise: unknown key 'sise'; did you mean 'size'? "
     "valid keys: age_distribution, data, regions, scale, size, structure, team_size"},
    {"wrong-type.yaml", "$/wrong-type.yaml:3:7: disease.R0: expected a number, got 'high'"},
    {"negative-size.yaml",
     "$/negative-size.yaml:3:9: population.size: must be between 1 and 4294967294 (got -1000)"},
    {"share-above-one.yaml",
     "$/share-above-one.yaml:4:27: contacts.community.outside_region_share: must be between 0 "
     "and 1 (got 1.5)"},
    {"r0-zero.yaml", "$/r0-zero.yaml:3:7: disease.R0: must be between 0.01 and 100 (got 0)"},
    {"invalid-date.yaml",
     "$/invalid-date.yaml:3:12: seeding[0].date: invalid date '2020-02-30': February 2020 has "
     "29 days"},
    {"end-before-start.yaml",
     "$/end-before-start.yaml:3:6: end: end 2020-03-15 is before start 2020-04-01"},
    {"seeding-outside-run.yaml",
     "$/seeding-outside-run.yaml:4:12: seeding[1].date: 2020-06-01 is outside the run "
     "(2020-03-01 to 2020-04-30)"},
    {"missing-population.yaml",
     "$/missing-population.yaml:2:1: population: missing required key 'population'"},
    {"list-instead-of-mapping.yaml",
     "$/list-instead-of-mapping.yaml:3:3: contacts: expected a mapping, got a sequence"},
    {"syntax-unclosed-bracket.yaml",
     "$/syntax-unclosed-bracket.yaml:4:7: YAML syntax error: end of sequence flow not found"},
    {"second-document.yaml",
     "$/second-document.yaml:4:1: a second YAML document starts here; a scenario file holds one "
     "document"},
    {"extends-missing-base.yaml",
     "$/extends-missing-base.yaml:1:10: extends: cannot read file 'no-such-base.yaml': No such "
     "file or directory"},
    // The cycle closes in the second file.
    {"extends-cycle-a.yaml",
     "$/extends-cycle-b.yaml:1:10: extends: cyclic extends: $/extends-cycle-a.yaml -> "
     "$/extends-cycle-b.yaml -> $/extends-cycle-a.yaml"},
    {"extends-cycle-b.yaml",
     "$/extends-cycle-a.yaml:1:10: extends: cyclic extends: $/extends-cycle-b.yaml -> "
     "$/extends-cycle-a.yaml -> $/extends-cycle-b.yaml"},
    {"extends-self.yaml",
     "$/extends-self.yaml:1:10: extends: cyclic extends: $/extends-self.yaml -> "
     "$/extends-self.yaml"},
    {"extends-not-text.yaml",
     "$/extends-not-text.yaml:1:10: extends: expected the path of a scenario file, got a "
     "mapping"},
    {"sweep-unknown-mode.yaml",
     "$/sweep-unknown-mode.yaml:3:9: sweep.mode: unknown value 'gird' for 'mode'; did you mean "
     "'grid'? expected one of: grid, zip"},
    {"sweep-zip-lengths.yaml",
     "$/sweep-zip-lengths.yaml:6:11: sweep.parameters.seed: zip needs lists of the same length: "
     "'disease.R0' has 3 values, this one 2"},
    {"sweep-unknown-key.yaml",
     "$/sweep-unknown-key.yaml:5:5: sweep.parameters.population.sise: key path not found in the "
     "scenario"},
    {"sweep-empty-list.yaml",
     "$/sweep-empty-list.yaml:5:17: sweep.parameters.disease.R0: empty list; give at least one "
     "value"},
    {"sweep-of-sweep.yaml",
     "$/sweep-of-sweep.yaml:5:5: sweep.parameters.sweep.mode: a sweep cannot change the sweep "
     "itself"},
    {"sweep-parameters-list.yaml",
     "$/sweep-parameters-list.yaml:5:5: sweep.parameters: expected a mapping of key paths to "
     "lists of values, got a sequence"},
    {"sweep-too-many-points.yaml",
     "$/sweep-too-many-points.yaml:5:5: sweep.parameters: the sweep has more than 10000 points"},
    {"vaccination-priority-age-out-of-range.yaml",
     "$/vaccination-priority-age-out-of-range.yaml:6:21: "
     "interventions.vaccination.priority[0][1]: must be between 0 and 120 (got 130)"},
    {"vaccination-priority-reversed.yaml",
     "$/vaccination-priority-reversed.yaml:8:9: interventions.vaccination.priority[1]: from 74 "
     "is above to 65"},
    {"vaccination-efficacy-above-one.yaml",
     "$/vaccination-efficacy-above-one.yaml:9:22: interventions.vaccination.efficacy_severe: "
     "must be between 0 and 1 (got 1.2)"},
    {"vaccination-negative-doses.yaml",
     "$/vaccination-negative-doses.yaml:5:15: interventions.vaccination.per_100k: must be "
     "between 0 and 100000 (got -300)"},
    {"vaccination-uptake-per-group.yaml",
     "$/vaccination-uptake-per-group.yaml:7:13: interventions.vaccination.uptake: expected one "
     "share per priority group (3), got 2"},
    {"vaccination-missing-efficacy.yaml",
     "$/vaccination-missing-efficacy.yaml:4:5: interventions.vaccination.efficacy_infection: "
     "missing required key 'efficacy_infection'"},
    {"testing-missing-key.yaml",
     "$/testing-missing-key.yaml:4:5: interventions.testing.seek_test: missing required key "
     "'seek_test'"},
    {"testing-empty-sensitivity.yaml",
     "$/testing-empty-sensitivity.yaml:8:18: interventions.testing.sensitivity: must list at "
     "least one value (by day since infection)"},
    {"tracing-traceable-above-one.yaml",
     "$/tracing-traceable-above-one.yaml:6:42: interventions.tracing.traceable.community: must "
     "be between 0 and 1 (got 1.5)"},
    {"tracing-quarantine-unknown-key.yaml",
     "$/tracing-quarantine-unknown-key.yaml:10:45: interventions.tracing.quarantine.tset: "
     "unknown key 'tset'; did you mean 'test'? valid keys: compliance, days, test"},
    {"hospitals-missing-capacity.yaml",
     "$/hospitals-missing-capacity.yaml:3:3: hospitals.capacity: missing required key "
     "'capacity'"},
    {"disease-unknown-r0-method.yaml",
     "$/disease-unknown-r0-method.yaml:3:14: disease.R0_method: unknown value 'simulation' for "
     "'R0_method'; did you mean 'simulated'? expected one of: simulated, next_generation"},
    {"hospitals-days-to-death-negative.yaml",
     "$/hospitals-days-to-death-negative.yaml:4:41: hospitals.overflow.days_to_death_without_icu: "
     "must be between 0 and 60 (got -1)"},
    {"hospitals-death-above-one.yaml",
     "$/hospitals-death-above-one.yaml:4:33: hospitals.overflow.death_without_icu: must be "
     "between 0 and 1 (got 1.5)"},
    {"hospitals-change-without-beds.yaml",
     "$/hospitals-change-without-beds.yaml:5:7: hospitals.changes[0].icu_beds: give icu_beds, "
     "ward_beds or both"},
    {"hospitals-unknown-key.yaml",
     "$/hospitals-unknown-key.yaml:4:3: hospitals.transfer: unknown key 'transfer'; did you "
     "mean 'transfers'? valid keys: capacity, changes, contacts, non_covid_icu_occupancy, "
     "overflow, ramp_days, staff, supplies, transfers"},
    {"hospitals-staff-share-above-one.yaml",
     "$/hospitals-staff-share-above-one.yaml:5:18: hospitals.staff.covid_share: must be between "
     "0 and 1 (got 1.5)"},
    {"hospitals-non-covid-share-above-one.yaml",
     "$/hospitals-non-covid-share-above-one.yaml:4:28: hospitals.non_covid_icu_occupancy: must be "
     "between 0 and 0.99 (got 1.2)"},
    {"hospitals-supply-missing-stock.yaml",
     "$/hospitals-supply-missing-stock.yaml:5:7: hospitals.supplies[0].stock_per_100k: missing "
     "required key 'stock_per_100k'"},
    {"hospitals-supply-unknown-kind.yaml",
     "$/hospitals-supply-unknown-kind.yaml:5:41: hospitals.supplies[0].kind: unknown value 'tank' "
     "for 'kind'; expected one of: consumable, equipment"},
    {"hospitals-supply-equipment-delivery.yaml",
     "$/hospitals-supply-equipment-delivery.yaml:10:7: "
     "hospitals.supplies[0].delivery_per_100k_per_day: unknown key 'delivery_per_100k_per_day'; "
     "valid keys: available_per_100k, kind, name, per_icu_patient, per_ward_patient, unit"},
    {"hospitals-supply-duplicate-name.yaml",
     "$/hospitals-supply-duplicate-name.yaml:6:14: hospitals.supplies[1].name: 'gowns' is already "
     "a supply"},
    {"hospitals-supply-negative-use.yaml",
     "$/hospitals-supply-negative-use.yaml:5:58: hospitals.supplies[0].per_ward_patient_day: must "
     "be at least 0 (got -30)"},
    {"hospitals-ppe-above-one.yaml",
     "$/hospitals-ppe-above-one.yaml:5:37: hospitals.contacts.ppe_efficacy.icu: must be between 0 "
     "and 1 (got 1.5)"},
    {"hospitals-contacts-unknown-key.yaml",
     "$/hospitals-contacts-unknown-key.yaml:5:5: hospitals.contacts.patient_contact: unknown key "
     "'patient_contact'; did you mean 'patient_contacts'? valid keys: patient_contacts, "
     "ppe_efficacy"},
    {"hospitals-negative-patient-contacts.yaml",
     "$/hospitals-negative-patient-contacts.yaml:5:30: hospitals.contacts.patient_contacts.ward: "
     "must be between 0 and 1000 (got -2)"},
    // A scenario's name is a group of the result file.
    {"name-empty.yaml",
     "$/name-empty.yaml:2:7: name: name '' is empty; a scenario's name becomes a group of the "
     "result file: any text but an empty one, '.' and '..', without '/', '\\' or control "
     "characters"},
    {"name-dot.yaml",
     "$/name-dot.yaml:2:7: name: name '.' is reserved; a scenario's name becomes a group of the "
     "result file: any text but an empty one, '.' and '..', without '/', '\\' or control "
     "characters"},
    {"name-slash.yaml",
     "$/name-slash.yaml:2:7: name: name 'lockdown/exit' holds '/'; a scenario's name becomes a "
     "group of the result file: any text but an empty one, '.' and '..', without '/', '\\' or "
     "control characters"},
    {"sweep-path-value.yaml",
     "$/sweep-path-value.yaml:6:26: name: the sweep point's name "
     "'valid-base[parameters=../../../scenarios/parameters/validation-seir.yaml]' holds '/'; a "
     "scenario's name becomes a group of the result file: any text but an empty one, '.' and "
     "'..', without '/', '\\' or control characters"},
    {"sweep-duplicate-value.yaml",
     "$/sweep-duplicate-value.yaml:6:26: sweep: two points of the sweep are named "
     "'valid-base[R0=2]' (this value and the one at $/sweep-duplicate-value.yaml:6:18); give "
     "each value once"},
    // A region listed twice would count twice.
    {"regions-duplicate.yaml",
     "$/regions-duplicate.yaml:3:12: population.regions: 'idf' is listed twice"},
    {"seeding-regions-duplicate.yaml",
     "$/seeding-regions-duplicate.yaml:3:49: seeding[0].regions: 'idf' is listed twice"},
    {"contacts-regions-duplicate.yaml",
     "$/contacts-regions-duplicate.yaml:6:14: interventions.lockdown.regions: 'idf' is listed "
     "twice"},
    // Every file or folder a scenario names is checked at its key.
    {"missing-data-folder.yaml",
     "$/missing-data-folder.yaml:3:9: population.data: no such folder 'no-such-folder' (resolved "
     "to $/no-such-folder)"},
    {"data-folder-is-a-file.yaml",
     "$/data-folder-is-a-file.yaml:3:9: population.data: 'valid-base.yaml' is not a folder "
     "(resolved to $/valid-base.yaml)"},
    {"missing-age-distribution.yaml",
     "$/missing-age-distribution.yaml:3:21: population.age_distribution: no such file "
     "'no-such-ages.csv' (resolved to $/no-such-ages.csv)"},
    {"missing-contact-matrix.yaml",
     "$/missing-contact-matrix.yaml:4:13: contacts.community.matrix: no such file "
     "'no-such-matrix.csv' (resolved to $/no-such-matrix.csv)\n"
     "$/missing-contact-matrix.yaml:5:24: contacts.community.matrix_population: no such file "
     "'no-such-population.csv' (resolved to $/no-such-population.csv)"},
    {"missing-disease-parameters.yaml",
     "$/missing-disease-parameters.yaml:3:15: disease.parameters: no such file "
     "'no-such-parameters.yaml' (resolved to $/no-such-parameters.yaml)"},
    {"missing-hospital-capacity.yaml",
     "$/missing-hospital-capacity.yaml:3:13: hospitals.capacity: no such file "
     "'no-such-capacity.csv' (resolved to $/no-such-capacity.csv)"},
};

std::string with_folder(std::string text) {
    const std::string folder = kFolder.string() + "/";
    for (std::size_t at = text.find("$/"); at != std::string::npos; at = text.find("$/", at)) {
        text.replace(at, 2, folder);
        at += folder.size();
    }
    return text;
}

// Loads `file` for a run as `sortie run` and `sortie validate` do, every point of its sweep.
// Returns the error's text, or "no error".
std::string error_of(const fs::path& file) {
    try {
        (void)scenario::load_all(file, {}, scenario::Purpose::kRun);
    } catch (const sortie::core::InputError& error) {
        return error.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("the base of the malformed corpus is a valid run scenario") {
    const scenario::Scenario s =
        scenario::load(kFolder / "valid-base.yaml", {}, scenario::Purpose::kRun);
    CHECK(s.name == "valid-base");
    CHECK(s.population.size == 1000u);
    CHECK(s.seeding.size() == 1);
}

TEST_CASE("every malformed scenario is refused with its exact message") {
    for (const Case& c : kCases) {
        const std::string file = c.file;
        CAPTURE(file);
        CHECK(error_of(kFolder / file) == with_folder(c.expected));
    }
}

TEST_CASE("every file of the malformed corpus has its expected message") {
    std::set<std::string> listed{"valid-base.yaml"};
    for (const Case& c : kCases) CHECK(listed.insert(c.file).second);
    std::set<std::string> present;
    for (const auto& entry : fs::directory_iterator(kFolder)) {
        // bench/: the benchmark's files, in bench_problem_test.cpp.
        if (!entry.is_directory()) present.insert(entry.path().filename().string());
    }
    CHECK(present == listed);
    CHECK(kCases.size() >= 25);
}
