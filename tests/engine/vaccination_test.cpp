// Vaccination: the campaign's queues and daily doses, protection against infection and severe
// disease, and its effect in the engine with paired random numbers (same seed, with and
// without the campaign).
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "sim/core/rng_streams.hpp"
#include "sim/engine/calibration.hpp"
#include "sim/interventions/vaccination.hpp"
#include "tests/support/fingerprint.hpp"
#include "tests/support/prepared.hpp"

using namespace sortie;
using interventions::Offer;
using interventions::VaccinationCampaign;
using population::AgentId;
using results::Event;
using results::Measure;
using results::State;
using sortie::testing::kScenarios;
using sortie::testing::Prepared;

namespace {

const std::filesystem::path kUnmitigated = kScenarios / "france-2020" / "unmitigated.yaml";
const std::filesystem::path kWellMixed = kScenarios / "validation" / "well-mixed.yaml";

// France structure, `size` agents, February to June 2020, plus `extra` overrides.
std::vector<std::string> small_france(std::vector<std::string> extra, int size = 20000) {
    std::vector<std::string> overrides = {"population.size=" + std::to_string(size),
                                          "end=2020-06-30",
                                          "seeding=[{date: 2020-02-01, infections: 20}]"};
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    return overrides;
}

std::string vaccination(const std::string& fields) {
    return "interventions={vaccination: {type: vaccination, " + fields + "}}";
}

// The French order of 2021 (75+, 65-74, 50-64, 18-49) with different uptakes per group.
interventions::VaccinationSpec four_groups(double per_100k) {
    interventions::VaccinationSpec spec;
    spec.doses_per_100k = per_100k;
    spec.priority = {{75, 120}, {65, 74}, {50, 64}, {18, 49}};
    spec.uptake = {0.9, 0.8, 0.7, 0.5};
    spec.efficacy_infection = 0.6;
    spec.efficacy_severe = 0.9;
    return spec;
}

double event_total(const results::ReplicateResult& r, Event event) {
    double total = 0;
    for (std::size_t i = std::size_t(event); i < r.incidence.size(); i += results::kEvents)
        total += r.incidence[i];
    return total;
}

// measures summed over regions, per day.
std::vector<double> measure_by_day(const results::ReplicateResult& r, Measure m,
                                   std::size_t regions) {
    std::vector<double> days(r.measures.size() / (regions * results::kMeasures), 0.0);
    for (std::size_t i = 0; i < r.measures.size(); ++i) {
        if (i % results::kMeasures == std::size_t(m))
            days[i / (regions * results::kMeasures)] += r.measures[i];
    }
    return days;
}

// Inside 4 binomial standard errors (+ 1 for p near 0 or 1).
void check_binomial(double k, double n, double p) {
    CAPTURE(k);
    CAPTURE(n * p);
    CHECK(std::fabs(k - n * p) <= 4 * std::sqrt(n * p * (1 - p)) + 1.0);
}

}  // namespace

TEST_CASE("a campaign's queues hold each group's accepting people: uptake within 4 SE") {
    const Prepared run(kUnmitigated, small_france({}, 100000));
    const auto& people = run.population;
    const auto spec = four_groups(100);
    const VaccinationCampaign campaign(spec, {}, people, core::RngKey::from_seed(7), 0);
    std::vector<double> members(4, 0), queued(4, 0);
    for (AgentId a = 0; a < people.size(); ++a) {
        const int g = campaign.group_of(people.age[a]);
        if (g >= 0) members[std::size_t(g)] += 1;
    }
    std::set<AgentId> seen;
    for (std::uint16_t r = 0; r < people.regions.size(); ++r) {
        for (std::size_t g = 0; g < 4; ++g) {
            for (const AgentId a : campaign.queue(r, g)) {
                REQUIRE(campaign.group_of(people.age[a]) == int(g));
                REQUIRE(people.region[a] == r);
                REQUIRE(seen.insert(a).second);
                queued[g] += 1;
            }
        }
    }
    CHECK(campaign.group_of(80) == 0);
    CHECK(campaign.group_of(17) == -1);
    for (std::size_t g = 0; g < 4; ++g) {
        CAPTURE(g);
        CHECK(members[g] > 1000);
        check_binomial(queued[g], members[g], spec.uptake[g]);
    }
    // Another replicate key draws other people.
    const VaccinationCampaign other(spec, {}, people, core::RngKey::from_seed(8), 0);
    CHECK(std::vector<AgentId>(other.queue(0, 3).begin(), other.queue(0, 3).end()) !=
          std::vector<AgentId>(campaign.queue(0, 3).begin(), campaign.queue(0, 3).end()));
}

TEST_CASE("daily doses never exceed the allowance and follow the priority order") {
    const Prepared run(kUnmitigated, small_france({}));
    const auto& people = run.population;
    VaccinationCampaign campaign(four_groups(2000), {}, people, core::RngKey::from_seed(7), 0);
    // Every 11th person is dead; every 7th is in hospital until day 10.
    std::vector<std::uint8_t> vaccinated(people.size(), 0);
    std::uint32_t today = 0;
    auto offer = [&](AgentId a) {
        if (a % 11 == 0 || vaccinated[a]) return Offer::kSkip;
        if (a % 7 == 0 && today < 10) return Offer::kLater;
        return Offer::kGive;
    };
    const std::size_t regions = people.regions.size();
    for (today = 0; today < 60; ++today) {
        std::vector<std::uint64_t> given(regions, 0);
        std::vector<int> last_group(regions, -1);
        const auto total = campaign.give_doses(today, offer, [&](AgentId a) {
            vaccinated[a] = 1;
            ++given[people.region[a]];
            const int g = campaign.group_of(people.age[a]);
            last_group[people.region[a]] = std::max(last_group[people.region[a]], g);
        });
        CHECK(total == std::accumulate(given.begin(), given.end(), std::uint64_t{0}));
        for (std::uint16_t r = 0; r < regions; ++r) {
            const double allowance =
                2000.0 * (people.region_offsets[r + 1u] - people.region_offsets[r]) / 1e5;
            REQUIRE(double(given[r]) <= std::ceil(allowance));
            // No one of a later group while someone of an earlier group could have had a dose.
            for (int g = 0; g < last_group[r]; ++g) {
                for (const AgentId a : campaign.queue(r, std::size_t(g)))
                    REQUIRE((vaccinated[a] || offer(a) != Offer::kGive));
            }
        }
    }
    // 60 days are enough for everyone: those in hospital had their dose after leaving it.
    for (std::uint16_t r = 0; r < regions; ++r) {
        for (std::size_t g = 0; g < 4; ++g) {
            for (const AgentId a : campaign.queue(r, g))
                REQUIRE(bool(vaccinated[a]) == (a % 11 != 0));
        }
    }
}

TEST_CASE("protection against severe disease: P(severe) x (1 - efficacy) (10^6 infections)") {
    const Prepared run(kUnmitigated, small_france({}, 2000));
    const auto& disease = *run.disease;
    const auto key = core::RngKey::from_seed(3);
    const std::size_t n = 1000000;
    const std::uint8_t age = 80;
    double p_severe = 0;
    for (std::size_t path = 0; path < disease::kPaths; ++path) {
        if (disease::severe(disease::Path(path))) p_severe += disease.paths(age).probability[path];
    }
    REQUIRE(p_severe > 0.05);
    double severe = 0, severe_vaccinated = 0, mild_days = 0, averted = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        core::Draws natural(key, core::streams::kTests, 0, i);
        const auto history = disease.sample(age, natural);
        core::Draws vaccine(key, core::streams::kTests, 1, i);
        const auto protected_history =
            interventions::severe_averted(history, 0.9, disease, vaccine);
        severe += disease::severe(history.path);
        severe_vaccinated += disease::severe(protected_history.path);
        if (disease::severe(history.path) && !disease::severe(protected_history.path)) {
            averted += 1;
            CHECK(protected_history.path == disease::Path::kMild);
            mild_days += protected_history.stage_days[2];
        }
    }
    check_binomial(severe, double(n), p_severe);
    check_binomial(severe_vaccinated, double(n), p_severe * 0.1);
    // Averted cases recover after the mild symptomatic stage (its mean, within 5%).
    CHECK(mild_days / averted ==
          doctest::Approx(run.disease->parameters().symptomatic_to_recovery.mean).epsilon(0.05));
}

TEST_CASE("vaccine doses and the vaccinated stock are recorded per region and day") {
    const Prepared run(kUnmitigated,
                       small_france({vaccination(
                           "start: 2020-03-01, end: 2020-05-31, per_100k: 500, priority: [[75, "
                           "120], [65, 74], [18, 64]], uptake: 0.8, efficacy_infection: 0.6, "
                           "efficacy_severe: 0.9, delay_days: 14")}));
    auto simulation = run.simulation(0);
    const auto result = simulation.run();
    const std::size_t regions = run.population.regions.size();
    const auto doses = measure_by_day(result, Measure::kVaccineDoses, regions);
    const auto stock = measure_by_day(result, Measure::kVaccinated, regions);
    const std::size_t start = 29, end = 120;  // 2020-03-01, 2020-05-31
    double cumulative = 0, allowance = 0;
    for (std::uint16_t r = 0; r < regions; ++r)
        allowance += std::ceil(
            500.0 * (run.population.region_offsets[r + 1u] - run.population.region_offsets[r]) /
            1e5);
    std::vector<double> by_dose_day(doses.size(), 0);
    for (AgentId a = 0; a < run.population.size(); ++a) {
        if (simulation.vaccinated_day(a) != engine::Simulation::kNeverVaccinated)
            by_dose_day[simulation.vaccinated_day(a)] += 1;
    }
    for (std::size_t d = 0; d < doses.size(); ++d) {
        CAPTURE(d);
        cumulative += doses[d];
        REQUIRE(stock[d] == cumulative);
        REQUIRE(doses[d] <= allowance);
        REQUIRE(by_dose_day[d] == doses[d]);
        if (d < start || d > end) REQUIRE(doses[d] == 0);
    }
    // 500 a day per 100,000 for 92 days: 9,200 doses for 20,000 people, fewer than the
    // accepting adults (0.8 of some 15,000), so nearly every dose is given.
    CHECK(cumulative > 0.9 * 92 * 500 * 0.2);
    // The other measures belong to testing and tracing: untouched.
    for (auto m : {Measure::kTests, Measure::kTraced, Measure::kIsolated, Measure::kQuarantined}) {
        const auto series = measure_by_day(result, m, regions);
        CHECK(std::accumulate(series.begin(), series.end(), 0.0) == 0);
    }
}

TEST_CASE("protection starts delay_days after the dose; efficacy 1 then stops every infection") {
    // Everyone vaccinated on day 0, protected from day 5: infections on days 1-4 only (the
    // seeds are infected on day 0). The campaign lasts one day: protection outlives it, also
    // on the days when no intervention is in force (the engine's fast path).
    const Prepared run(kWellMixed,
                       {"population.size=20000", "end=2020-02-29",
                        vaccination("start: 2020-01-01, end: 2020-01-01, per_100k: 100000, "
                                    "priority: [[0, 120]], uptake: 1, efficacy_infection: 1, "
                                    "efficacy_severe: 1, delay_days: 5")});
    const auto result = run.simulation(0).run();
    CHECK(result.active[0] == 1);
    CHECK(result.active[1] == 0);
    const std::size_t per_day = run.population.regions.size() * contacts::kAgeBands;
    std::vector<double> infections(result.incidence.size() / (per_day * results::kEvents), 0);
    for (std::size_t i = 0; i < result.incidence.size(); i += results::kEvents)
        infections[i / (per_day * results::kEvents)] += result.incidence[i];
    CHECK(infections[0] == 50);
    CHECK(std::accumulate(infections.begin() + 1, infections.begin() + 5, 0.0) > 0);
    CHECK(std::accumulate(infections.begin() + 5, infections.end(), 0.0) == 0);
}

TEST_CASE("a campaign limited to regions gives doses there only, at the rate of their people") {
    const Prepared run(kUnmitigated,
                       small_france({"end=2020-03-31",
                                     vaccination("per_100k: 1000, priority: [[18, 120]], uptake: "
                                                 "1, efficacy_infection: 0.5, efficacy_severe: "
                                                 "0.5, delay_days: 14, regions: [idf]")}));
    const auto result = run.simulation(0).run();
    const auto& regions = run.population.regions;
    std::size_t idf = 0;
    while (regions[idf].key != "idf") ++idf;
    const double people =
        run.population.region_offsets[idf + 1] - run.population.region_offsets[idf];
    std::vector<double> doses(regions.size(), 0);
    for (std::size_t i = 0; i < result.measures.size(); i += results::kMeasures) {
        doses[(i / results::kMeasures) % regions.size()] +=
            result.measures[i + std::size_t(Measure::kVaccineDoses)];
    }
    for (std::size_t r = 0; r < regions.size(); ++r) {
        CAPTURE(regions[r].key);
        if (r != idf) CHECK(doses[r] == 0);
    }
    // 60 days at 1,000 a day per 100,000: the mean number of doses, within 4 SE of the
    // stochastic rounding (each day's count is floor(x + U), variance at most 1/4).
    CHECK(std::fabs(doses[idf] - 60 * people / 100) <= 4 * std::sqrt(60 * 0.25) + 1);
}

TEST_CASE("vaccination lowers the attack rate in every paired replicate; earlier days identical") {
    const Prepared none(kUnmitigated, small_france({}));
    const Prepared vaccinated(
        kUnmitigated,
        small_france({vaccination("start: 2020-02-20, per_100k: 1000, priority: [[65, 120], "
                                  "[18, 64]], uptake: 0.8, efficacy_infection: 0.6, "
                                  "efficacy_severe: 0.9, delay_days: 14")}));
    const std::size_t day = 19;  // 2020-02-20
    const std::size_t cells = 13 * contacts::kAgeBands;
    for (std::uint32_t r = 0; r < 4; ++r) {
        CAPTURE(r);
        const auto with = vaccinated.simulation(r).run(), without = none.simulation(r).run();
        CHECK(event_total(with, Event::kInfections) < event_total(without, Event::kInfections));
        CHECK(std::equal(with.counts.begin(),
                         with.counts.begin() + long(day * cells * results::kStates),
                         without.counts.begin()));
        CHECK(std::equal(with.incidence.begin(),
                         with.incidence.begin() + long(day * cells * results::kEvents),
                         without.incidence.begin()));
        CHECK(with.counts != without.counts);
        CHECK(with.active[day - 1] == 0);
        CHECK(with.active[day] == 1);
    }
}

TEST_CASE("deaths and severe courses among the vaccinated drop by efficacy_severe") {
    // Half of the over-60s vaccinated on day 0, protected at once, against severe disease only:
    // infection does not depend on vaccination, so vaccinated and unvaccinated cases of the
    // same ages compare directly.
    const Prepared run(kUnmitigated,
                       small_france({vaccination("per_100k: 100000, priority: [[60, 120]], "
                                                 "uptake: 0.5, efficacy_infection: 0, "
                                                 "efficacy_severe: 0.9, delay_days: 0")},
                                    60000));
    auto simulation = run.simulation(0);
    (void)simulation.run();
    std::array<double, 2> infected{0, 0}, severe{0, 0}, dead{0, 0};
    for (AgentId a = 0; a < run.population.size(); ++a) {
        if (run.population.age[a] < 60 || simulation.state(a) == State::kSusceptible) continue;
        const std::size_t v =
            simulation.vaccinated_day(a) == engine::Simulation::kNeverVaccinated ? 0 : 1;
        REQUIRE((v == 0 || simulation.vaccinated_day(a) == 0));
        infected[v] += 1;
        severe[v] += disease::severe(simulation.history(a).path);
        dead[v] += simulation.state(a) == State::kDead;
    }
    CAPTURE(infected[0]);
    CAPTURE(infected[1]);
    REQUIRE(infected[0] > 3000);
    REQUIRE(infected[1] > 3000);
    // Log of the ratio of proportions, standard error sqrt(1/a + 1/b) (counts small compared
    // with the cases), within 4 SE of log(1 - 0.9).
    for (const auto& [name, count] : {std::pair{"severe", severe}, std::pair{"dead", dead}}) {
        CAPTURE(name);
        CAPTURE(count[0]);
        CAPTURE(count[1]);
        REQUIRE(count[1] > 5);
        const double ratio = (count[1] / infected[1]) / (count[0] / infected[0]);
        const double se = std::sqrt(1 / count[0] + 1 / count[1]);
        CHECK(std::fabs(std::log(ratio) - std::log(0.1)) < 4 * se);
    }
}

TEST_CASE("everyone protected: final size with R0 (1 - efficacy), z = 1 - exp(-R z)") {
    // Efficacy 0.4 multiplies the probability of every contact by 0.6 (docs/model.md), so each
    // case causes 0.6 times the infections it would have: R = 0.6 R0, for the model's own R0,
    // measured here by 64 fresh pilot runs at the calibrated rate (keys the calibration does
    // not use). The tolerance is their standard error carried through z(R), and the spread of
    // the replicates' final sizes, 3 times.
    const Prepared run(kWellMixed,
                       {"disease.R0=2.5", "population.size=200000",
                        vaccination("per_100k: 100000, priority: [[0, 120]], uptake: 1, "
                                    "efficacy_infection: 0.4, efficacy_severe: 0, delay_days: 0")});
    const auto measured = engine::measure_r0_by_pilots(
        *run.contacts, *run.disease, run.spec.layer_weight, run.spec.transmission_rate, 2.5,
        core::RngKey::from_seed(777), 64);
    const auto final_size = [](double r) {
        double z = 0.5;
        for (int i = 0; i < 500; ++i) z = 1 - std::exp(-r * z);
        return z;
    };
    const double r = 0.6 * measured.r;
    const double slope = (final_size(r * 1.01) - final_size(r * 0.99)) / (0.02 * r);
    constexpr int kReplicates = 8;
    std::vector<double> sizes;
    for (std::uint32_t rep = 0; rep < kReplicates; ++rep)
        sizes.push_back(event_total(run.simulation(rep).run(), Event::kInfections) / 200000);
    const double mean = std::accumulate(sizes.begin(), sizes.end(), 0.0) / kReplicates;
    double squares = 0;
    for (const double z : sizes) squares += (z - mean) * (z - mean);
    const double spread = std::sqrt(squares / (kReplicates - 1) / kReplicates);
    const double error = std::hypot(slope * 0.6 * measured.standard_error, spread);
    CAPTURE(r);
    CAPTURE(final_size(r));
    CAPTURE(mean);
    CAPTURE(error);
    CHECK(r == doctest::Approx(1.5).epsilon(0.03));
    CHECK(std::fabs(mean - final_size(r)) < 3 * error);
}

TEST_CASE("a vaccine of zero efficacy changes no infection; threads do not change results") {
    const Prepared none(kWellMixed, {"population.size=20000", "end=2020-04-30"});
    const Prepared useless(
        kWellMixed,
        {"population.size=20000", "end=2020-04-30",
         vaccination("per_100k: 5000, priority: [[0, 120]], uptake: 1, efficacy_infection: 0, "
                     "efficacy_severe: 0, delay_days: 0")});
    const auto one = useless.run_on_threads(1), two = useless.run_on_threads(2);
    CHECK(one.counts == two.counts);
    CHECK(one.incidence == two.incidence);
    CHECK(one.measures == two.measures);
    const auto baseline = none.simulation(0).run();
    CHECK(one.counts == baseline.counts);
    CHECK(one.incidence == baseline.incidence);
    CHECK(one.measures != baseline.measures);
}

TEST_CASE("a scenario without vaccination gives the results of the engine before vaccination") {
    // FNV-1a of replicate 0's counts and incidence (int32 as uint32, in order), computed from
    // the result file of `sortie run` on this scenario built at the commit before vaccination
    // (9b6db42), taken again when seeding by people, the calibration by pilot runs, contact
    // factors on the probability of a contact and the calibration's exact expectation changed
    // every result, and when the states gained F (follow-up care; infections unchanged). A
    // change of it
    // means results of existing scenarios changed: refresh it only for a deliberate change of
    // the model.
    const Prepared run(kScenarios / "france-2020" / "lockdown.yaml",
                       {"population.size=20000", "end=2020-05-15",
                        "seeding=[{date: 2020-02-01, infections: 20}]", "hospitals=null",
                        // lockdown.yaml's work factor (now from a survey), R0, severities
                        // and stays at the time (now fitted to the first wave)
                        "interventions.lockdown.layers.work=0.3", "interventions.lockdown.scale=1",
                        "disease.R0=2.9", "disease.severity={}", "disease.stays={}"});
    const auto result = run.simulation(0).run();
    CHECK(event_total(result, Event::kInfections) == 13946);
    CHECK(sortie::testing::fingerprint(result) == 0xea1522ec68f48548u);
}
