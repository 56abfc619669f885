// Replicates drawn from a posterior (sortie run --posterior): each replicate's set is a weighted
// draw that depends on the seed and the replicate only; a replicate that drew a set is the
// replicate of the scenario with that set's values written in; sets that would change what
// the replicates share are refused.
#include "sim/ensemble/posterior.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>

#include "sim/core/error.hpp"
#include "sim/ensemble/run.hpp"
#include "sim/model/model.hpp"
#include "sim/results/checksum.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sortie;

namespace {

const std::string kLockdown =
    (std::filesystem::path(SORTIE_SOURCE_DIR) / "scenarios/france-2020/lockdown.yaml").string();
const std::vector<std::string> kSmall = {"population.size=10000", "end=2020-05-10",
                                         "seeding=[{date: 2020-02-01, infections: 20}]",
                                         "replicates=6", "seed=31"};

ensemble::ParameterSets sets_from(const test::TempDir& dir, const std::string& table) {
    const auto path = dir / "posterior.csv";
    std::ofstream(path) << table;
    return ensemble::read_parameter_sets(path.string());
}

std::string problem(const test::TempDir& dir, const std::string& table) {
    try {
        (void)sets_from(dir, table);
    } catch (const core::InputError& e) {
        return e.what();
    }
    return "accepted";
}

}  // namespace

TEST_CASE("a table of sets is read, its weights normalised; a bad table is refused") {
    const test::TempDir dir;
    const auto sets = sets_from(dir, "weight,disease.R0,seeding.0.per_million\n1,2.5,10\n3,3,20\n");
    CHECK(sets.keys == std::vector<std::string>{"disease.R0", "seeding.0.per_million"});
    CHECK(sets.size() == 2);
    CHECK(sets.weights[0] == doctest::Approx(0.25));
    CHECK(sets.values == std::vector<double>{2.5, 10, 3, 20});
    CHECK(ensemble::set_overrides(sets, 1) ==
          std::vector<std::string>{"disease.R0=3", "seeding.0.per_million=20"});
    // A fit's fitted dispersions are the observation model's, not the scenario's: left out.
    const auto scenario_only =
        sets_from(dir, "weight,targets.deaths.dispersion,disease.R0\n1,12,2.5\n1,30,3\n");
    CHECK(scenario_only.keys == std::vector<std::string>{"disease.R0"});
    CHECK(scenario_only.values == std::vector<double>{2.5, 3});
    CHECK(problem(dir, "R0,weight\n2,1\n").find("a 'weight' column, then one column per key") !=
          std::string::npos);
    CHECK(problem(dir, "weight,disease.R0\n").find("no data rows") != std::string::npos);
    CHECK(problem(dir, "weight,disease.R0\n0,2.5\n").find("posterior.csv:2") != std::string::npos);
    CHECK(problem(dir, "weight,disease.R0\n1,abc\n").find("posterior.csv:2") != std::string::npos);
}

TEST_CASE("a set's values reach the scenario exactly, as the shortest decimal that reads back") {
    const test::TempDir dir;
    const double awkward = 0.1 + 0.2;  // 0.30000000000000004
    auto sets = sets_from(dir, "weight,interventions.lockdown.layers.community\n1,0.3\n");
    sets.values[0] = awkward;
    const auto overrides = ensemble::set_overrides(sets, 0);
    auto all = kSmall;
    all.push_back("interventions.lockdown.scale=1");  // the layer's factor as written
    all.push_back(overrides[0]);
    const auto scenario = scenario::load(kLockdown, all, scenario::Purpose::kRun);
    bool found = false;
    for (const auto& i : scenario.interventions)
        if (i.name == "lockdown") found = i.layers[3] == awkward;
    CHECK(found);
}

TEST_CASE("draws follow the weights and depend on the seed and the replicate only") {
    const test::TempDir dir;
    const auto sets = sets_from(dir, "weight,disease.R0\n1,2.5\n3,3\n");
    // 40,000 draws: the share of the first set has standard deviation sqrt(0.25 0.75 / 40,000)
    // = 0.0022; five of them allowed.
    constexpr std::uint32_t kDraws = 40000;
    std::uint32_t first = 0;
    for (std::uint32_t r = 0; r < kDraws; ++r) first += ensemble::draw_set(sets, 5, r) == 0;
    CHECK(std::fabs(first / double(kDraws) - 0.25) < 5 * std::sqrt(0.25 * 0.75 / kDraws));
    int differ = 0;
    for (std::uint32_t r = 0; r < 64; ++r) {
        CHECK(ensemble::draw_set(sets, 5, r) == ensemble::draw_set(sets, 5, r));
        differ += ensemble::draw_set(sets, 5, r) != ensemble::draw_set(sets, 6, r);
    }
    CHECK(differ > 0);  // another seed, other draws
}

TEST_CASE("a replicate that drew a set is the scenario's replicate with the set's values") {
    const test::TempDir dir;
    const auto sets = sets_from(
        dir, "weight,disease.R0,interventions.lockdown.layers.community\n1,2.4,0.3\n1,3.2,0.1\n");
    const auto scenarios = scenario::load_files({kLockdown}, kSmall, scenario::Purpose::kRun);
    const auto variants = ensemble::draw_variants(scenarios, {kLockdown}, kSmall, sets);
    REQUIRE(variants.size() == 1);
    REQUIRE(variants[0].scenarios.size() == 2);  // six replicates drew both sets
    ensemble::RunObserver silent;
    ensemble::RunSettings settings;
    settings.variants = &variants;
    const auto run = ensemble::run_scenarios(scenarios, silent, settings);
    const auto& result = run.scenarios[0];
    CHECK(result.parameters == sets.keys);
    for (std::uint32_t r = 0; r < 6; ++r) {
        const std::uint32_t set = ensemble::draw_set(sets, 31, r);
        CAPTURE(r);
        CHECK(
            result.replicates[r].parameters ==
            std::vector<double>(sets.values.begin() + 2 * set, sets.values.begin() + 2 * set + 2));
        // The same replicate of the scenario with the set's values as --set values.
        auto overrides = kSmall;
        for (const auto& o : ensemble::set_overrides(sets, set)) overrides.push_back(o);
        const auto alone =
            model::build_model(scenario::load(kLockdown, overrides, scenario::Purpose::kRun))
                ->simulation(r)
                .run();
        CHECK(result.replicates[r].counts == alone.counts);
        CHECK(result.replicates[r].incidence == alone.incidence);
    }
    // Without draws the run is the scenario's own, and its checksum ignores the empty record.
    const auto plain = ensemble::run_scenarios(scenarios, silent);
    CHECK(plain.scenarios[0].parameters.empty());
    CHECK(plain.scenarios[0].replicates[0].parameters.empty());
    CHECK(results::result_checksum(plain) != results::result_checksum(run));
}

TEST_CASE("sets that change the population or are not valid values are refused, naming the set") {
    const test::TempDir dir;
    const auto scenarios = scenario::load_files({kLockdown}, kSmall, scenario::Purpose::kRun);
    const auto refused = [&](const std::string& table) -> std::string {
        try {
            (void)ensemble::draw_variants(scenarios, {kLockdown}, kSmall, sets_from(dir, table));
        } catch (const core::InputError& e) {
            return e.what();
        }
        return "accepted";
    };
    CHECK(refused("weight,population.size\n1,20000\n").find("changes what the replicates") !=
          std::string::npos);
    CHECK(refused("weight,disease.R0\n1,-1\n").find("parameter set 0 (disease.R0=-1)") !=
          std::string::npos);
    CHECK(refused("weight,disease.R00\n1,2\n").find("does not make a valid scenario") !=
          std::string::npos);
}

TEST_CASE("over a sweep: each point draws its sets; a value both swept and drawn is refused") {
    const test::TempDir dir;
    const std::string sweep =
        (std::filesystem::path(SORTIE_SOURCE_DIR) / "scenarios/france-2020/exit-sweep.yaml")
            .string();
    auto longer = kSmall;
    longer.push_back("end=2020-06-15");  // the exits start on 11 May
    const auto scenarios =
        scenario::load_files({kLockdown, sweep}, longer, scenario::Purpose::kRun);
    REQUIRE(scenarios.size() == 10);  // the lockdown, then 3 x 3 points
    const auto sets = sets_from(dir, "weight,disease.R0\n1,2.4\n1,3.2\n");
    const auto variants = ensemble::draw_variants(scenarios, {kLockdown, sweep}, longer, sets);
    REQUIRE(variants.size() == 10);
    for (std::size_t s = 0; s < 10; ++s) {
        CAPTURE(s);
        REQUIRE(variants[s].variant_of_replicate.size() == 6);
        for (std::uint32_t r = 0; r < 6; ++r) {
            const auto& v = variants[s];
            const auto& drawn = v.scenarios[v.variant_of_replicate[r]];
            // Each point keeps its own name and values, with the set's R0 written in.
            CHECK(drawn.name == scenarios[s].name);
            CHECK(drawn.disease.r0 == (ensemble::draw_set(sets, 31, r) == 0 ? 2.4 : 3.2));
        }
    }
    const auto refused = [&](const std::string& table) -> std::string {
        try {
            (void)ensemble::draw_variants(scenarios, {kLockdown, sweep}, longer,
                                          sets_from(dir, table));
        } catch (const core::InputError& e) {
            return e.what();
        }
        return "accepted";
    };
    CHECK(refused("weight,interventions.telework.fraction\n1,0.4\n")
              .find("cannot be both drawn and swept") != std::string::npos);
    CHECK(refused("weight,interventions.telework\n1,0.4\n").find("both drawn and swept") !=
          std::string::npos);
}
