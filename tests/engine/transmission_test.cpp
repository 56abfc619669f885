// What the documents promise of seeding, contact factors and masks (docs/scenarios.md,
// docs/model.md): seeds land in proportion to people, and a factor f or a mask cuts the
// transmission of its layer to exactly f (paired runs on the same random numbers).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "tests/support/prepared.hpp"

using namespace sortie;
using results::Event;
using sortie::testing::kScenarios;
using sortie::testing::Prepared;

namespace {

const std::filesystem::path kUnmitigated = kScenarios / "france-2020" / "unmitigated.yaml";

// Seeded infections by region over the run.
std::vector<double> seeds_by_region(const results::ReplicateResult& r, std::size_t regions) {
    std::vector<double> seeds(regions, 0.0);
    const std::size_t per_region = contacts::kAgeBands * results::kEvents;
    for (std::size_t i = 0; i < r.incidence.size(); i += results::kEvents) {
        const std::size_t region = (i / per_region) % regions;
        seeds[region] += r.incidence[i + std::size_t(Event::kInfectionsSeeded)];
    }
    return seeds;
}

// The chi-square statistic of observed counts against expected shares.
double chi_square(const std::vector<double>& observed, const std::vector<double>& shares) {
    double total = 0, statistic = 0;
    for (const double o : observed) total += o;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        if (shares[i] == 0) {
            REQUIRE(observed[i] == 0);
            continue;
        }
        const double expected = total * shares[i];
        statistic += (observed[i] - expected) * (observed[i] - expected) / expected;
    }
    return statistic;
}

// The chi-square quantile at 1 - 0.001 for `df` degrees of freedom: exact for 2 (an
// exponential law: -2 ln 0.001), else Wilson and Hilferty (1931), within 1% for df >= 3
// (z = 3.0902, the standard normal's 0.999 quantile).
double chi_square_critical(double df) {
    if (df == 2) return -2.0 * std::log(0.001);
    REQUIRE(df >= 3);
    const double a = 2.0 / (9.0 * df);
    return df * std::pow(1.0 - a + 3.0902 * std::sqrt(a), 3.0);
}

double people_share(const population::Population& p, std::size_t r, double of) {
    return double(p.region_offsets[r + 1] - p.region_offsets[r]) / of;
}

// Seeds only: R0 tiny, so that nobody else is infected and the seeds are all there is.
void check_seeding_follows_people(const std::string& regions) {
    const std::string where = regions.empty() ? "" : fmt::format(", regions: [{}]", regions);
    const Prepared run(kUnmitigated,
                       {"population.size=200000", "end=2020-03-31", "disease.R0=0.01",
                        "disease.R0_method=next_generation",
                        fmt::format("seeding=[{{date: 2020-02-01, per_million: 1000, days: "
                                    "40{}}}]",
                                    where)});
    const auto& population = run.population;
    const std::size_t n = population.regions.size();
    std::vector<bool> chosen(n, regions.empty());
    for (const auto& seeding : run.spec.seeding)
        for (const auto r : seeding.regions) chosen[r] = true;
    double people = 0;
    for (std::size_t r = 0; r < n; ++r)
        if (chosen[r]) people += population.region_offsets[r + 1] - population.region_offsets[r];
    std::vector<double> shares(n, 0.0);
    for (std::size_t r = 0; r < n; ++r)
        if (chosen[r]) shares[r] = people_share(population, r, people);
    // Several replicates pooled: about 200 seeds a day for 40 days each.
    std::vector<double> observed(n, 0.0);
    for (std::uint32_t replicate = 0; replicate < 3; ++replicate) {
        const auto seeds = seeds_by_region(run.simulation(replicate).run(), n);
        for (std::size_t r = 0; r < n; ++r) observed[r] += seeds[r];
    }
    double df = -1;
    for (const bool c : chosen) df += c ? 1 : 0;
    CAPTURE(regions);
    CAPTURE(chi_square(observed, shares));
    CHECK(chi_square(observed, shares) < chi_square_critical(df));
}

// A policy from day `day` on, paired with the run without it (common random numbers): on
// that day the contacts of `layer` that infect are a subset of those without, each kept with
// probability `factor` (the binomial's standard error: sampling alone). Both runs are
// stopped after that day, the one day where they start from the same state; the counts are
// the kernel's decisions before the earliest contact to reach a person wins, since a person
// reached by several contacts is infected if any one is kept (more often than f).
void check_paired_factor(const std::string& intervention, contacts::Layer layer, double factor) {
    const std::vector<std::string> base = {"population.size=200000", "end=2020-03-02",
                                           "seeding=[{date: 2020-02-01, infections: 100}]"};
    auto with_policy = base;
    with_policy.push_back(intervention);
    const Prepared without(kUnmitigated, base), with(kUnmitigated, with_policy);
    REQUIRE(with.spec.transmission_rate == without.spec.transmission_rate);
    double kept = 0, offered = 0;
    for (std::uint32_t replicate = 0; replicate < 4; ++replicate) {
        auto a = without.simulation(replicate), b = with.simulation(replicate);
        const std::uint32_t last = without.spec.days - 1;  // 2020-03-02: the policy's first day
        a.run_until([&] { return a.next_day() == last; });
        b.run_until([&] { return b.next_day() == last; });
        const auto before = a.successful_contacts()[std::size_t(layer)];
        REQUIRE(b.successful_contacts()[std::size_t(layer)] == before);
        a.run_until([] { return true; });
        b.run_until([] { return true; });
        const double all = double(a.successful_contacts()[std::size_t(layer)] - before);
        const double left = double(b.successful_contacts()[std::size_t(layer)] - before);
        CHECK(left <= all);
        offered += all;
        kept += left;
    }
    REQUIRE(offered > 1000);
    const double ratio = kept / offered;
    const double error = std::sqrt(factor * (1 - factor) / offered);
    CAPTURE(intervention);
    CAPTURE(offered);
    CAPTURE(ratio);
    CHECK(std::fabs(ratio - factor) < 4 * error);
}

}  // namespace

TEST_CASE("seeds land in each region in proportion to its people (chi-square, p = 0.001)") {
    check_seeding_follows_people("");
    check_seeding_follows_people("idf, cor, bre");
}

// One entry per region, each with its own rate and period (as the France 2020 scenarios seed
// and their fit moves): seeds only in the named regions, only on their days, as many as the
// rate says within Poisson noise.
TEST_CASE("per-region seeding: seeds in the named regions during the named period, nowhere else") {
    const Prepared run(kUnmitigated,
                       {"population.size=200000", "end=2020-03-10", "disease.R0=0.01",
                        "disease.R0_method=next_generation",
                        "seeding=[{date: 2020-02-01, days: 10, per_million: 2000, regions: [idf]}, "
                        "{date: 2020-02-15, days: 10, per_million: 500, regions: [ges]}]"});
    const auto& population = run.population;
    const std::size_t n = population.regions.size(), per_day = n * contacts::kAgeBands;
    std::size_t idf = n, ges = n;
    for (std::size_t r = 0; r < n; ++r) {
        if (population.regions[r].key == "idf") idf = r;
        if (population.regions[r].key == "ges") ges = r;
    }
    REQUIRE(idf < n);
    REQUIRE(ges < n);
    const auto result = run.simulation(0).run();
    std::vector<double> seeds(n, 0.0);
    for (std::size_t i = 0; i < result.incidence.size(); i += results::kEvents) {
        const double seeded = result.incidence[i + std::size_t(Event::kInfectionsSeeded)];
        if (seeded == 0) continue;
        const std::size_t cell = i / results::kEvents, day = cell / per_day;
        const std::size_t region = (cell % per_day) / contacts::kAgeBands;
        CAPTURE(day);
        CAPTURE(region);
        CHECK((region == idf || region == ges));
        if (region == idf) CHECK(day < 10);                 // 1-10 February
        if (region == ges) CHECK((day >= 14 && day < 24));  // 15-24 February
        seeds[region] += seeded;
    }
    const auto people = [&](std::size_t r) {
        return double(population.region_offsets[r + 1] - population.region_offsets[r]);
    };
    // Expected seeds: rate per million x people x days (a person drawn twice is drawn again).
    const double idf_expected = 2000e-6 * people(idf) * 10,
                 ges_expected = 500e-6 * people(ges) * 10;
    CAPTURE(seeds[idf]);
    CAPTURE(seeds[ges]);
    CHECK(std::fabs(seeds[idf] - idf_expected) < 4 * std::sqrt(idf_expected));
    CHECK(std::fabs(seeds[ges] - ges_expected) < 4 * std::sqrt(ges_expected));
}

TEST_CASE("a contact factor f keeps exactly f of its layer's transmission (paired runs)") {
    check_paired_factor(
        "interventions={work: {type: contacts, start: 2020-03-02, layers: {work: 0.3}}}",
        contacts::Layer::kWork, 0.3);
    check_paired_factor(
        "interventions={community: {type: contacts, start: 2020-03-02, "
        "layers: {community: 0.2}}}",
        contacts::Layer::kCommunity, 0.2);
}

TEST_CASE("masks keep (1 - w e_others)(1 - w e_wearer) of their layer's transmission") {
    // w = 0.7, e_others = 0.5, e_wearer = 0.3: (1 - 0.35)(1 - 0.21) = 0.5135.
    check_paired_factor(
        "interventions={masks: {type: masks, start: 2020-03-02, wearing: "
        "{community: 0.7}, efficacy_wearer: 0.3, efficacy_others: 0.5}}",
        contacts::Layer::kCommunity, 0.65 * 0.79);
}
