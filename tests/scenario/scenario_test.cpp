#include <doctest/doctest.h>

#include <unistd.h>

#include <fmt/format.h>

#include <fstream>

#include "sim/core/error.hpp"
#include "sim/scenario/scenario.hpp"

using namespace sortie::scenario;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = SORTIE_SOURCE_DIR;
const fs::path kPopulation = kSource / "scenarios" / "france-2020" / "population.yaml";

// The files and folders the scenarios below name (paths are checked when a scenario is read;
// their contents are read only when a model is built), created next to the scenario.
void write_stub_inputs(const fs::path& dir) {
    for (const char* folder : {"data", "d"}) fs::create_directories(dir / folder);
    for (const char* file : {"ages.csv", "a", "m.csv", "m", "n.csv", "n", "p.yaml"})
        std::ofstream(dir / file) << "";
}

// A scenario file in a temporary folder of its own, with stub inputs, removed at the end of
// the test.
class TempScenario {
  public:
    explicit TempScenario(const std::string& text)
        : dir_(fs::temp_directory_path() / ("sortie-scenario-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(counter_++))),
          path_(dir_ / "scenario.yaml") {
        fs::create_directories(dir_);
        write_stub_inputs(dir_);
        std::ofstream(path_) << text;
    }
    ~TempScenario() { fs::remove_all(dir_); }
    TempScenario(const TempScenario&) = delete;
    TempScenario& operator=(const TempScenario&) = delete;
    const fs::path& path() const { return path_; }
    std::string error(const std::vector<std::string>& overrides = {}) const {
        try {
            load(path_, overrides);
        } catch (const sortie::core::InputError& e) {
            return e.what();
        }
        return "no error";
    }

  private:
    static inline int counter_ = 0;
    fs::path dir_;
    fs::path path_;
};

const char* kMinimal = R"(population:
  size: 1000
  data: data
  age_distribution: ages.csv
contacts:
  community:
    matrix: m.csv
    matrix_population: n.csv
)";

}  // namespace

TEST_CASE("the shipped France population scenario loads with its documented values") {
    const auto s = load(kPopulation);
    CHECK(s.name == "france-2020-population");
    CHECK(s.seed == 2020);
    CHECK_FALSE(s.population.size.has_value());
    CHECK(s.population.scale == 1.0);
    CHECK(s.population.regions.empty());
    CHECK(s.population.data == (kSource / "scenarios" / "data" / "france").lexically_normal());
    CHECK(fs::exists(s.population.age_distribution));
    CHECK(fs::exists(s.contacts.community_matrix));
    CHECK(s.contacts.school_per_day == 11.41);
    CHECK(s.contacts.work_team_share == 0.6);
    CHECK(s.contacts.community_per_day == 2.79);
}

TEST_CASE("--set overrides a value, and size replaces the file's scale") {
    const auto s =
        load(kPopulation, {"population.size=5000", "population.regions=[idf, bre]", "seed=7"});
    CHECK(s.population.size == 5000u);
    CHECK_FALSE(s.population.scale.has_value());
    CHECK(s.population.regions == std::vector<std::string>{"idf", "bre"});
    CHECK(s.seed == 7);
    CHECK(s.resolved_yaml.find("size: 5000") != std::string::npos);
}

TEST_CASE("a minimal scenario gets the documented defaults") {
    const TempScenario t(kMinimal);
    const auto s = load(t.path());
    CHECK(s.seed == 1);
    CHECK(s.population.team_size == 10.0);
    CHECK(s.contacts.school_class_share == 0.75);
    CHECK(s.contacts.outside_region_share == 0.05);
    CHECK(s.population.data == t.path().parent_path() / "data");
}

TEST_CASE("an unknown key is reported at its place with the closest valid key") {
    const TempScenario t(std::string(kMinimal) + "  wrok:\n    per_day: 3\n");
    CHECK(t.error() == t.path().string() +
                           ":9:3: contacts.wrok: unknown key 'wrok'; did you mean 'work'? "
                           "valid keys: community, school, work");
}

TEST_CASE("wrong types and values out of range are all reported at once") {
    const TempScenario t(R"(seed: -1
population:
  size: many
  data: data
  age_distribution: ages.csv
  team_size: 0
contacts:
  school: {per_day: 11, class_share: 1.5}
  community:
    matrix: m.csv
    matrix_population: n.csv
    outside_region_share: -0.1
)");
    const std::string file = t.path().string();
    CHECK(
        t.error() ==
        file + ":1:7: seed: must be between 0 and 9007199254740992 (got -1)\n" + file +
            ":3:9: population.size: expected a whole number, got 'many'\n" + file +
            ":6:14: population.team_size: must be at least 1 (got 0)\n" + file +
            ":8:38: contacts.school.class_share: must be between 0 and 1 (got 1.5)\n" + file +
            ":12:27: contacts.community.outside_region_share: must be between 0 and 1 (got -0.1)");
}

TEST_CASE("size and scale: exactly one") {
    const TempScenario both(R"(population: {size: 10, scale: 0.5, data: d, age_distribution: a}
contacts: {community: {matrix: m, matrix_population: n}}
)");
    CHECK(both.error() ==
          both.path().string() + ":1:13: population.scale: give either size or scale, not both");
    const TempScenario neither(R"(population: {data: d, age_distribution: a}
contacts: {community: {matrix: m, matrix_population: n}}
)");
    CHECK(neither.error() ==
          neither.path().string() +
              ":1:13: population.size: missing required key: give size or scale");
    const TempScenario too_big(R"(population: {scale: 1.5, data: d, age_distribution: a}
contacts: {community: {matrix: m, matrix_population: n}}
)");
    CHECK(too_big.error() ==
          too_big.path().string() + ":1:21: population.scale: must be at most 1 (got 1.5)");
}

TEST_CASE("missing sections and required keys are named") {
    const TempScenario t("name: x\n");
    CHECK(t.error() == t.path().string() + ":1:1: population: missing required key 'population'\n" +
                           t.path().string() + ":1:1: contacts: missing required key 'contacts'");
}

TEST_CASE("a bad --set value is reported as coming from the command line") {
    const TempScenario t(kMinimal);
    CHECK(t.error({"population.size=-5"}) ==
          "--set population.size=-5: population.size: must be between 1 and 4294967294 (got -5)");
    CHECK(t.error({"population.sise=5"}) ==
          "--set population.sise=5: population.sise: unknown key 'sise'; did you mean 'size'? "
          "valid keys: "
          "age_distribution, data, regions, scale, size, structure, team_size");
}

TEST_CASE("a run needs dates, a disease and seeding, and checks them") {
    const TempScenario missing(kMinimal);
    CHECK_THROWS_WITH_AS(load(missing.path(), {}, Purpose::kRun),
                         doctest::Contains("start: missing required key 'start'"),
                         sortie::core::InputError);
    const TempScenario bad(std::string(kMinimal) + R"(start: 2020-03-01
end: 2020-02-30
disease: {parameters: p.yaml, R0: 0}
seeding:
  - {date: 2019-12-31, infections: 5}
)");
    const std::string file = bad.path().string();
    try {
        load(bad.path(), {}, Purpose::kRun);
        FAIL("expected an InputError");
    } catch (const sortie::core::InputError& e) {
        const std::string text = e.what();
        CHECK(
            text.find(file + ":10:6: end: invalid date '2020-02-30': February 2020 has 29 days") !=
            std::string::npos);
        CHECK(text.find(file + ":11:35: disease.R0: must be between 0.01 and 100 (got 0)") !=
              std::string::npos);
    }
    const TempScenario reversed(std::string(kMinimal) + R"(start: 2020-03-01
end: 2020-02-01
disease: {parameters: p.yaml, R0: 2}
seeding:
  - {date: 2020-03-01, infections: 5}
)");
    CHECK_THROWS_WITH_AS(load(reversed.path(), {}, Purpose::kRun),
                         doctest::Contains(":10:6: end: end 2020-02-01 is before start 2020-03-01"),
                         sortie::core::InputError);
}

TEST_CASE("a disease parameter file with a wrong table is reported in that file") {
    const fs::path dir =
        fs::temp_directory_path() / ("sortie-disease-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    write_stub_inputs(dir);
    const auto source = kSource / "scenarios" / "parameters" / "covid19-2020.yaml";
    std::ifstream in(source);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string original =
        "susceptibility: [0.455, 0.432, 0.898, 0.977, 0.909, 0.932, 1.0, 0.841, 0.841]";
    REQUIRE(text.find(original) != std::string::npos);
    text.replace(text.find(original), original.size(), "susceptibility: [0.5, 1.5]");
    std::ofstream(dir / "bad.yaml") << text;
    std::ofstream(dir / "run.yaml") << kMinimal << "start: 2020-03-01\nend: 2020-04-01\n"
                                    << "disease: {parameters: bad.yaml, R0: 2}\n"
                                    << "seeding: [{date: 2020-03-01, infections: 5}]\n";
    try {
        load(dir / "run.yaml", {}, Purpose::kRun);
        FAIL("expected an InputError");
    } catch (const sortie::core::InputError& e) {
        const std::string text_of_error = e.what();
        CAPTURE(text_of_error);
        CHECK(text_of_error.find((dir / "bad.yaml").string() + ":") == 0);
        CHECK(text_of_error.find("susceptibility[1]: must be between 0 and 1 (got 1.5)") !=
              std::string::npos);
        CHECK(text_of_error.find("susceptibility: expected 9 values, one per age band, got 2") ==
              std::string::npos);
    }
    fs::remove_all(dir);
}

TEST_CASE("a stray comma is an error, not a hang (yaml-cpp 0.7 LoadAll never returned on it)") {
    const TempScenario comma(",");
    CHECK(comma.error() ==
          comma.path().string() +
              ":1:1: a second YAML document starts here; a scenario file holds one document");
    const TempScenario later("# a comment\n , x\n");
    CHECK(later.error() != "no error");
}

TEST_CASE("a vaccination intervention is read with its groups, uptakes and efficacies") {
    const fs::path base = kSource / "tests" / "data" / "malformed" / "valid-base.yaml";
    const auto s = load(base,
                        {"interventions={vaccination: {type: vaccination, start: 2020-03-10, "
                         "per_100k: 300, priority: [[75, 120], [65, 74]], uptake: [0.9, 0.8], "
                         "efficacy_infection: 0.6, efficacy_severe: 0.9, delay_days: 14, "
                         "regions: [idf]}}"},
                        Purpose::kRun);
    REQUIRE(s.interventions.size() == 1);
    const auto& v = s.interventions[0];
    CHECK(v.type == "vaccination");
    CHECK(v.per_100k == 300);
    CHECK(v.priority == std::vector<std::array<int, 2>>{{75, 120}, {65, 74}});
    CHECK(v.uptake == std::vector<double>{0.9, 0.8});
    CHECK(v.efficacy_infection == 0.6);
    CHECK(v.efficacy_severe == 0.9);
    CHECK(v.delay_days == 14);
    CHECK(v.regions == std::vector<std::string>{"idf"});
    // One uptake for every group.
    const auto one = load(base,
                          {"interventions={v: {type: vaccination, per_100k: 300, priority: [[75, "
                           "120], [65, 74], [0, 64]], uptake: 0.7, efficacy_infection: 0.6, "
                           "efficacy_severe: 0.9, delay_days: 14}}"},
                          Purpose::kRun);
    CHECK(one.interventions[0].uptake == std::vector<double>{0.7, 0.7, 0.7});
}

TEST_CASE("more than 255 vaccination interventions are refused") {
    const fs::path base = kSource / "tests" / "data" / "malformed" / "valid-base.yaml";
    std::string interventions = "interventions={";
    for (int i = 0; i < 256; ++i) {
        interventions += fmt::format(
            "{}v{}: {{type: vaccination, per_100k: 1, priority: [[0, 120]], uptake: 1, "
            "efficacy_infection: 0.5, efficacy_severe: 0.5, delay_days: 0}}",
            i == 0 ? "" : ", ", i);
    }
    interventions += "}";
    std::string message = "no error";
    try {
        (void)load(base, {interventions}, Purpose::kRun);
    } catch (const sortie::core::InputError& e) {
        message = e.what();
    }
    CHECK(message.find("interventions.v255: at most 255 vaccination interventions are allowed") !=
          std::string::npos);
}

TEST_CASE("the test-trace-isolate scenario loads with its values and the default sensitivity") {
    const auto s = load(kSource / "scenarios" / "france-2020" / "exit-tti.yaml", {}, Purpose::kRun);
    const InterventionSection* testing = nullptr;
    const InterventionSection* app = nullptr;
    for (const auto& i : s.interventions) {
        if (i.name == "testing") testing = &i;
        if (i.name == "tracing-app") app = &i;
    }
    REQUIRE(testing != nullptr);
    REQUIRE(app != nullptr);
    CHECK(testing->type == "testing");
    CHECK(testing->test.seek_test == 0.5);
    CHECK(testing->test.delay_days == 2);
    CHECK(testing->test.per_100k == 30);
    CHECK(testing->test.isolation.household_quarantine);
    CHECK(testing->test.sensitivity.size() == 22);  // Kucirka et al. 2020, days 0 to 21
    CHECK(testing->test.sensitivity[8] == 0.8);
    CHECK(app->tracing.traceable[3] == 0.2);
    CHECK(app->tracing.index_cases_per_100k == 10);
    REQUIRE(app->tracing.app_uptake.size() == 1);
    CHECK(app->tracing.app_uptake[0].from == 15);
    CHECK(app->tracing.app_uptake[0].share == 0.04);
    CHECK(app->tracing.quarantine.days == 14);
    CHECK(app->tracing.quarantine.test);
}

TEST_CASE("a file with a start date is read for a run, one without for a population") {
    const fs::path france = fs::path(SORTIE_SOURCE_DIR) / "scenarios" / "france-2020";
    CHECK(sortie::scenario::purpose_of(france / "lockdown.yaml", {}) ==
          sortie::scenario::Purpose::kRun);
    CHECK(sortie::scenario::purpose_of(france / "population.yaml", {}) ==
          sortie::scenario::Purpose::kPopulation);
    CHECK(sortie::scenario::purpose_of(france / "population.yaml", {"start=2020-03-01"}) ==
          sortie::scenario::Purpose::kRun);
}

TEST_CASE("the scenarios of several files come in the files' order, sweeps expanded") {
    const fs::path france = fs::path(SORTIE_SOURCE_DIR) / "scenarios" / "france-2020";
    const auto sweep =
        sortie::scenario::load_all(france / "exit-sweep.yaml", {}, sortie::scenario::Purpose::kRun);
    const auto all = sortie::scenario::load_files(
        {(france / "lockdown.yaml").string(), (france / "exit-sweep.yaml").string()}, {},
        sortie::scenario::Purpose::kRun);
    REQUIRE(all.size() == 1 + sweep.size());
    CHECK(all.front().name == "france-2020-lockdown");
    CHECK(all.back().name == sweep.back().name);
}

TEST_CASE("a file's own size replaces the scale of the file it extends, and not the reverse") {
    const TempScenario derived("extends: " + kPopulation.string() +
                               "\npopulation:\n  size: 4000\n");
    const auto s = load(derived.path());
    CHECK(s.population.size == 4000u);
    CHECK_FALSE(s.population.scale.has_value());
    // Both in one file stay an error.
    const TempScenario both("extends: " + kPopulation.string() +
                            "\npopulation:\n  size: 4000\n  scale: 0.5\n");
    CHECK(both.error().find("give either size or scale, not both") != std::string::npos);
}

TEST_CASE("severity multipliers and stay means move the parameter file's values") {
    const fs::path lockdown = kSource / "scenarios" / "france-2020" / "lockdown.yaml";
    // The parameter file's values: lockdown.yaml carries the first wave's fitted multipliers.
    const auto base = load(lockdown,
                           {"disease.severity={hospitalisation: 1, icu: 1, death: 1}",
                            "disease.stays={ward_mean: 8.75, icu_mean: 18.8}"},
                           Purpose::kRun);
    const auto moved = load(lockdown,
                            {"disease.severity={hospitalisation: 0.5, icu: 1.5, death: 0.8}",
                             "disease.stays={ward_mean: 9, icu_mean: 20}"},
                            Purpose::kRun);
    const auto& b = base.disease.parameters;
    const auto& m = moved.disease.parameters;
    REQUIRE(m.hospitalisation_given_infection.size() == b.hospitalisation_given_infection.size());
    for (std::size_t i = 0; i < b.hospitalisation_given_infection.size(); ++i) {
        CHECK(m.hospitalisation_given_infection[i] == 0.5 * b.hospitalisation_given_infection[i]);
        CHECK(m.icu_given_hospital[i] == 1.5 * b.icu_given_hospital[i]);
        CHECK(m.death_given_hospital[i] == 0.8 * b.death_given_hospital[i]);
        CHECK(m.death_outside_hospital_given_infection[i] ==
              b.death_outside_hospital_given_infection[i]);
    }
    CHECK(m.ward_to_discharge.mean == 9);
    CHECK(m.icu_to_discharge.mean == 20);
    // The coefficient of variation is kept.
    CHECK(m.icu_to_discharge.sd / 20 ==
          doctest::Approx(b.icu_to_discharge.sd / b.icu_to_discharge.mean));
    CHECK(m.latent == b.latent);
    // Deaths outside hospital have their own multiplier.
    const auto outside = load(lockdown, {"disease.severity.death_outside=1.5"}, Purpose::kRun);
    for (std::size_t i = 0; i < b.death_outside_hospital_given_infection.size(); ++i)
        CHECK(outside.disease.parameters.death_outside_hospital_given_infection[i] ==
              1.5 * b.death_outside_hospital_given_infection[i]);
    CHECK_THROWS_AS((void)load(lockdown, {"disease.severity.death_outside=20"}, Purpose::kRun),
                    sortie::core::InputError);
    // 80+: 0.217 x 2.5 hospitalised + 0.0596 x 3 dying outside > 0.69 symptomatic.
    try {
        (void)load(lockdown,
                   {"disease.severity.hospitalisation=2.5", "disease.severity.death_outside=3"},
                   Purpose::kRun);
        FAIL("no error");
    } catch (const sortie::core::InputError& e) {
        CHECK(std::string(e.what()).find("above its symptomatic share") != std::string::npos);
    }
}

TEST_CASE("stays: step-down and follow-up keys move their laws, refused where the file has none") {
    const fs::path lockdown = kSource / "scenarios" / "france-2020" / "lockdown.yaml";
    const auto base = load(lockdown, {"disease.stays={}"}, Purpose::kRun);
    const auto moved = load(lockdown, {"disease.stays={step_down_mean: 12}"}, Purpose::kRun);
    const auto& b = *base.disease.parameters.step_down_to_discharge;
    const auto& m = *moved.disease.parameters.step_down_to_discharge;
    CHECK(b.mean == 8.75);  // the parameter file's
    CHECK(m.mean == 12);
    CHECK(m.sd / 12 == doctest::Approx(b.sd / b.mean));
    CHECK(moved.disease.parameters.ward_to_discharge == base.disease.parameters.ward_to_discharge);
    // Follow-up care: its mean stay (coefficient of variation kept) and its share.
    const auto follow =
        load(lockdown, {"disease.stays={follow_up_mean: 50, follow_up_share: 0.3}"}, Purpose::kRun);
    const auto& f = *follow.disease.parameters.follow_up;
    const auto& f0 = *base.disease.parameters.follow_up;
    CHECK(f0.share == 0.06);  // the parameter file's
    CHECK(f.share == 0.3);
    CHECK(f.stay.mean == 50);
    CHECK(f.stay.sd / 50 == doctest::Approx(f0.stay.sd / f0.stay.mean));
    CHECK_THROWS_AS((void)load(lockdown, {"disease.stays.follow_up_share=1.5"}, Purpose::kRun),
                    sortie::core::InputError);
    // validation-seir.yaml has no step-down: ICU survivors leave from ICU, nothing to move.
    const fs::path well_mixed = kSource / "scenarios" / "validation" / "well-mixed.yaml";
    CHECK_FALSE(load(well_mixed, {}, Purpose::kRun).disease.parameters.step_down_to_discharge);
    const auto refusal = [&](const std::string& set) {
        try {
            (void)load(well_mixed, {set}, Purpose::kRun);
        } catch (const sortie::core::InputError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const auto step_down = refusal("disease.stays.step_down_mean=10");
    CAPTURE(step_down);
    CHECK(step_down.find("disease.stays.step_down_mean") != std::string::npos);
    CHECK(step_down.find("no step_down_to_discharge") != std::string::npos);
    const auto follow_up = refusal("disease.stays.follow_up_share=0.2");
    CAPTURE(follow_up);
    CHECK(follow_up.find("disease.stays.follow_up_share") != std::string::npos);
    CHECK(follow_up.find("no follow_up section") != std::string::npos);
}

TEST_CASE("a contacts intervention's scale multiplies the factors its layers give, no others") {
    const fs::path lockdown = kSource / "scenarios" / "france-2020" / "lockdown.yaml";
    const auto factors = [&](const std::vector<std::string>& sets) {
        const auto s = load(lockdown, sets, Purpose::kRun);
        for (const auto& i : s.interventions)
            if (i.name == "lockdown") return i.layers;
        FAIL("no lockdown");
        return std::array<double, 5>{};
    };
    const auto base = factors({"interventions.lockdown.scale=1"});
    const auto half = factors({"interventions.lockdown.scale=0.5"});
    CHECK(base[2] == 0.21);  // work, as lockdown.yaml gives it
    CHECK(half[2] == 0.5 * base[2]);
    CHECK(half[3] == 0.5 * base[3]);  // community
    CHECK(half[0] == 1.0);            // household: not in `layers`, not scaled
    CHECK(half[1] == 1.0);            // school: closed by its own intervention
    CHECK_THROWS_AS((void)load(lockdown, {"interventions.lockdown.scale=-1"}, Purpose::kRun),
                    sortie::core::InputError);
}

TEST_CASE("a severity multiplier that makes a probability above 1 is refused at the multiplier") {
    const fs::path lockdown = kSource / "scenarios" / "france-2020" / "lockdown.yaml";
    try {
        (void)load(lockdown, {"disease.severity.icu=5"}, Purpose::kRun);
        FAIL("no error");
    } catch (const sortie::core::InputError& e) {
        const std::string message = e.what();
        CAPTURE(message);
        CHECK(message.find("--set disease.severity.icu=5: disease.severity.icu: 5 makes "
                           "icu_given_hospital of the band from age") != std::string::npos);
        CHECK(message.find("above 1") != std::string::npos);
    }
}

TEST_CASE("a scenario's name must be able to name a group of the result file") {
    CHECK(name_problem("france-2020-lockdown[R0=2.9,infections=20]").empty());
    CHECK(name_problem("Île-de-France 2020").empty());
    CHECK(name_problem("") == "is empty");
    CHECK(name_problem(".") == "is reserved");
    CHECK(name_problem("..") == "is reserved");
    CHECK(name_problem("...").empty());
    CHECK(name_problem("a/b") == "holds '/'");
    CHECK(name_problem("a\\b") == "holds '\\'");
    CHECK(name_problem(std::string("a\0b", 3)) == "holds the control character 0x00");
    CHECK(name_problem("a\nb") == "holds the control character 0x0a");
    // From --set, at the command line's value; from the file name, at the file.
    const TempScenario t(kMinimal);
    CHECK(t.error({"name=../x"}).find("--set name=../x: name: name '../x' holds '/'") == 0);
    const fs::path dotted = t.path().parent_path() / "..yaml";
    fs::copy_file(t.path(), dotted);
    try {
        (void)load(dotted);
        FAIL("expected an InputError");
    } catch (const sortie::core::InputError& e) {
        CHECK(std::string(e.what()).find(dotted.string() + ": name: name '.' is reserved") == 0);
    }
}

TEST_CASE("two scenarios of one run with the same name are refused at the second one's name") {
    const fs::path names = kSource / "tests" / "data" / "names";
    const fs::path base = kSource / "tests" / "data" / "malformed" / "valid-base.yaml";
    const std::vector<std::string> twins = {(names / "twin-a.yaml").string(),
                                            (names / "twin-b.yaml").string()};
    CHECK_THROWS_WITH_AS((void)load_files(twins, {}, Purpose::kRun),
                         (twins[1] + ":3:7: name: 'twin' is already the name of a scenario at " +
                          twins[0] + ":3:7; the scenarios of one run need different names")
                             .c_str(),
                         sortie::core::InputError);
    CHECK(load_files({base.string(), twins[0]}, {}, Purpose::kRun).size() == 2);
    // One --set name for every file makes them alike.
    CHECK_THROWS_AS((void)load_files({base.string(), twins[0]}, {"name=same"}, Purpose::kRun),
                    sortie::core::InputError);
    CHECK_THROWS_WITH_AS((void)load_files({twins[0], twins[0]}, {}, Purpose::kRun),
                         doctest::Contains("is given twice (scenario 'twin')"),
                         sortie::core::InputError);
}
