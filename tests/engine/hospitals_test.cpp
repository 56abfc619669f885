// Hospital capacity and patient flow (docs/model.md, Hospitals): beds are conserved, never
// overfilled, transfers respect the national limit, and capacity changes only who dies.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/model/inputs.hpp"
#include "sim/population/build.hpp"
#include "tests/support/prepared.hpp"

using namespace sortie;
using results::HospitalMeasure;
using sortie::testing::kScenarios;
using sortie::testing::Prepared;

namespace {

const Prepared& epidemic() {
    return sortie::testing::hospital_epidemic();
}

engine::HospitalSpec beds(const Prepared& run, std::int32_t ward, std::int32_t icu,
                          double transfers) {
    engine::HospitalSpec spec;
    spec.enabled = true;
    const std::size_t cells = std::size_t{run.spec.days} * run.population.regions.size();
    spec.ward_beds.assign(cells, ward);
    spec.icu_beds.assign(cells, icu);
    spec.transfers_per_day = transfers;
    spec.death_without_icu = 0.9;
    spec.death_without_ward = 0.3;
    spec.days_to_death_without_icu = 3;
    return spec;
}

results::ReplicateResult run_with(const Prepared& run, const engine::HospitalSpec& hospitals,
                                  std::uint32_t replicate = 0) {
    engine::EngineSpec spec = run.spec;
    spec.hospitals = hospitals;
    engine::Simulation simulation(run.population, *run.contacts, *run.disease, spec,
                                  core::RngKey::for_replicate(run.scenario.seed, replicate));
    return simulation.run();
}

// hospital[day][region][measure]
struct Records {
    const results::ReplicateResult& result;
    std::size_t regions;
    std::int64_t at(std::size_t day, std::size_t region, HospitalMeasure m) const {
        return result
            .hospital[(day * regions + region) * results::kHospitalMeasures + std::size_t(m)];
    }
    std::int64_t national(std::size_t day, HospitalMeasure m) const {
        std::int64_t sum = 0;
        for (std::size_t r = 0; r < regions; ++r) sum += at(day, r, m);
        return sum;
    }
    std::int64_t total(HospitalMeasure m) const {
        std::int64_t sum = 0;
        for (std::size_t i = std::size_t(m); i < result.hospital.size();
             i += results::kHospitalMeasures)
            sum += result.hospital[i];
        return sum;
    }
};

std::int64_t total_event(const results::ReplicateResult& result, results::Event event) {
    std::int64_t sum = 0;
    for (std::size_t i = std::size_t(event); i < result.incidence.size(); i += results::kEvents)
        sum += result.incidence[i];
    return sum;
}

}  // namespace

TEST_CASE("hospital beds are conserved per region and day and never overfilled") {
    const auto& run = epidemic();
    const std::uint32_t limit = 2;
    const auto result = run_with(run, beds(run, 3, 1, limit));
    const std::size_t regions = run.population.regions.size();
    const Records records{result, regions};
    REQUIRE(result.hospital.size() ==
            std::size_t{run.spec.days} * regions * results::kHospitalMeasures);
    std::vector<std::int64_t> in(regions, 0), out(regions, 0);
    for (std::size_t day = 0; day < run.spec.days; ++day) {
        std::int64_t moved_out = 0, moved_in = 0;
        for (std::size_t r = 0; r < regions; ++r) {
            CAPTURE(day);
            CAPTURE(r);
            in[r] += records.at(day, r, HospitalMeasure::kAdmissions) +
                     records.at(day, r, HospitalMeasure::kTransfersIn);
            out[r] += records.at(day, r, HospitalMeasure::kDischarges) +
                      records.at(day, r, HospitalMeasure::kDeaths) +
                      records.at(day, r, HospitalMeasure::kTransfersOut);
            const auto ward = records.at(day, r, HospitalMeasure::kWardOccupancy);
            const auto icu = records.at(day, r, HospitalMeasure::kIcuOccupancy);
            REQUIRE(in[r] == out[r] + ward + icu);
            REQUIRE(ward >= 0);
            REQUIRE(icu >= 0);
            REQUIRE(ward <= records.at(day, r, HospitalMeasure::kWardCapacity));
            REQUIRE(icu <= records.at(day, r, HospitalMeasure::kIcuCapacity));
            moved_out += records.at(day, r, HospitalMeasure::kTransfersOut);
            moved_in += records.at(day, r, HospitalMeasure::kTransfersIn);
        }
        REQUIRE(moved_out == moved_in);
        REQUIRE(moved_out <= limit);
        // State C is an ICU bed: patients refused one wait in state H (icu_waiting).
        std::int64_t in_c = 0, occupied = 0;
        for (std::size_t r = 0; r < regions; ++r) {
            occupied += records.at(day, r, HospitalMeasure::kIcuOccupancy);
            for (std::size_t band = 0; band < contacts::kAgeBands; ++band)
                in_c += result.counts[((day * regions + r) * contacts::kAgeBands + band) *
                                          results::kStates +
                                      std::size_t(results::State::kIcu)];
        }
        REQUIRE(in_c == occupied);
    }
    // The run must exercise what is checked: full wards, full ICUs and transfers.
    CHECK(records.total(HospitalMeasure::kWardRefused) > 0);
    CHECK(records.total(HospitalMeasure::kIcuRefused) > 0);
    CHECK(records.total(HospitalMeasure::kTransfersOut) > 0);
    CHECK(records.total(HospitalMeasure::kExcessDeaths) > 0);
    CHECK(records.total(HospitalMeasure::kStaffPresent) > 0);
}

TEST_CASE("without ICU beds every ICU admission is refused and nobody is transferred") {
    const auto& run = epidemic();
    const auto result = run_with(run, beds(run, 1000, 0, 25));
    const Records records{result, run.population.regions.size()};
    const auto needing_icu = total_event(result, results::Event::kIcuAdmissions);
    REQUIRE(needing_icu > 0);
    CHECK(records.total(HospitalMeasure::kIcuAdmissions) == 0);
    CHECK(records.total(HospitalMeasure::kIcuRefused) == needing_icu);
    CHECK(records.total(HospitalMeasure::kTransfersOut) == 0);
    CHECK(records.total(HospitalMeasure::kWardRefused) == 0);
}

TEST_CASE(
    "a patient refused ICU waits in state H and, when untreated death is certain, dies "
    "days_to_death_without_icu later") {
    const auto& run = epidemic();
    auto spec = beds(run, 1000, 0, 25);
    spec.death_without_icu = 1.0;
    const auto result = run_with(run, spec);
    const std::size_t regions = run.population.regions.size();
    const Records records{result, regions};
    REQUIRE(records.total(HospitalMeasure::kIcuRefused) > 0);
    const auto national = [&](std::size_t day, HospitalMeasure m) {
        std::int64_t sum = 0;
        for (std::size_t r = 0; r < regions; ++r) sum += records.at(day, r, m);
        return sum;
    };
    for (std::size_t day = 0; day < run.spec.days; ++day) {
        CAPTURE(day);
        // Waiting: refused on this day or the 2 before (3 days to death), none in state C.
        std::int64_t refused_lately = 0;
        for (std::size_t d = day >= 2 ? day - 2 : 0; d <= day; ++d)
            refused_lately += national(d, HospitalMeasure::kIcuRefused);
        REQUIRE(national(day, HospitalMeasure::kIcuWaiting) == refused_lately);
        for (std::size_t c = 0; c < regions * contacts::kAgeBands; ++c)
            REQUIRE(result.counts[(day * regions * contacts::kAgeBands + c) * results::kStates +
                                  std::size_t(results::State::kIcu)] == 0);
    }
    // Every one of them died: those whose course would have ended in recovery are excess.
    CHECK(records.total(HospitalMeasure::kExcessDeaths) > 0);
}

TEST_CASE("a fraction of a transfer a day spreads over the days: floor((d + 1) x) by day d") {
    const auto& run = epidemic();
    const double per_day = 0.3;
    const auto result = run_with(run, beds(run, 3, 1, per_day));
    const Records records{result, run.population.regions.size()};
    std::int64_t moved = 0;
    for (std::size_t day = 0; day < run.spec.days; ++day) {
        for (std::size_t r = 0; r < run.population.regions.size(); ++r)
            moved += records.at(day, r, HospitalMeasure::kTransfersOut);
        REQUIRE(moved <= std::int64_t(std::floor(double(day + 1) * per_day)));
    }
    CHECK(moved > 0);
}

TEST_CASE("transfers a day are scaled like the beds: the same real patients at two scales") {
    for (const char* scale : {"population.scale=0.002", "population.scale=0.004"}) {
        CAPTURE(scale);
        const auto scenario =
            scenario::load(kScenarios / "france-2020" / "lockdown.yaml",
                           {scale, "disease.R0_method=next_generation"}, scenario::Purpose::kRun);
        const auto inputs = model::prepare(scenario);
        const auto population = population::build(inputs.population, inputs.tables,
                                                  core::RngKey::from_seed(scenario.seed));
        const auto spec = model::hospital_spec(scenario, inputs.tables, population);
        double people = 0;
        for (const auto& region : inputs.tables.regions) people += region.population;
        CHECK(spec.transfers_per_day * people / double(population.size()) ==
              doctest::Approx(double(scenario.hospitals.transfers_per_day)).epsilon(1e-9));
    }
}

TEST_CASE("unlimited beds give no excess deaths and the run without hospitals") {
    const auto& run = epidemic();
    const auto without = run.simulation(0).run();
    CHECK(without.hospital.empty());
    const auto result = run_with(run, beds(run, 1000000, 1000000, 25));
    const Records records{result, run.population.regions.size()};
    CHECK(records.total(HospitalMeasure::kExcessDeaths) == 0);
    CHECK(records.total(HospitalMeasure::kWardRefused) == 0);
    CHECK(records.total(HospitalMeasure::kIcuRefused) == 0);
    CHECK(records.total(HospitalMeasure::kWardAdmissions) ==
          total_event(result, results::Event::kHospitalAdmissions));
    CHECK(result.counts == without.counts);
    CHECK(result.incidence == without.incidence);
    CHECK(result.measures == without.measures);
}

TEST_CASE("ICU survivors step down to a ward bed: state H is the ward, state C the ICU") {
    const auto& run = epidemic();
    REQUIRE(run.disease->parameters().step_down_to_discharge.has_value());
    const std::size_t regions = run.population.regions.size();
    // Beds for everyone: every patient in H lies in a ward bed, the stepped-down included.
    const auto result = run_with(run, beds(run, 1000000, 1000000, 25));
    const Records records{result, regions};
    const auto people_in = [&](const results::ReplicateResult& r, std::size_t day,
                               results::State state) {
        std::int64_t n = 0;
        for (std::size_t cell = day * regions * contacts::kAgeBands;
             cell < (day + 1) * regions * contacts::kAgeBands; ++cell)
            n += r.counts[cell * results::kStates + std::size_t(state)];
        return n;
    };
    std::int64_t ward_days = 0;
    for (std::size_t day = 0; day < run.spec.days; ++day) {
        const auto ward = records.national(day, HospitalMeasure::kWardOccupancy);
        const auto icu = records.national(day, HospitalMeasure::kIcuOccupancy);
        CAPTURE(day);
        REQUIRE(people_in(result, day, results::State::kHospitalWard) == ward);
        REQUIRE(people_in(result, day, results::State::kIcu) == icu);
        ward_days += ward;
    }
    // The same run with a disease whose ICU survivors leave from ICU has fewer ward days:
    // each ICU survivor adds a step-down stay (8.75 days on average).
    auto parameters = run.disease->parameters();
    parameters.step_down_to_discharge.reset();
    const disease::DiseaseModel without(parameters);
    engine::EngineSpec spec = run.spec;
    spec.hospitals = beds(run, 1000000, 1000000, 25);
    engine::Simulation plain(run.population, *run.contacts, without, spec,
                             core::RngKey::for_replicate(run.scenario.seed, 0));
    const auto no_step_down = plain.run();
    std::int64_t plain_ward_days = 0, icu_admissions = 0;
    for (std::size_t day = 0; day < run.spec.days; ++day)
        plain_ward_days += people_in(no_step_down, day, results::State::kHospitalWard);
    icu_admissions = total_event(result, results::Event::kIcuAdmissions);
    REQUIRE(icu_admissions > 50);
    CHECK(ward_days - plain_ward_days > 2 * icu_admissions);
}

TEST_CASE("every hospital admission is in H, C or F, discharged, or dead in hospital, each day") {
    const auto& run = epidemic();
    REQUIRE(run.disease->parameters().follow_up.has_value());
    for (const bool with_beds : {false, true}) {
        CAPTURE(with_beds);
        const auto result = with_beds ? run_with(run, beds(run, 3, 1, 2)) : run.simulation(0).run();
        const std::size_t regions = run.population.regions.size();
        const std::size_t cells = regions * contacts::kAgeBands;
        std::int64_t admitted = 0, left = 0, follow_up_days = 0;
        for (std::size_t day = 0; day < run.spec.days; ++day) {
            std::int64_t in_hospital = 0;
            for (std::size_t cell = day * cells; cell < (day + 1) * cells; ++cell) {
                const auto* counts = &result.counts[cell * results::kStates];
                const auto* events = &result.incidence[cell * results::kEvents];
                in_hospital += counts[std::size_t(results::State::kHospitalWard)] +
                               counts[std::size_t(results::State::kIcu)] +
                               counts[std::size_t(results::State::kFollowUp)];
                follow_up_days += counts[std::size_t(results::State::kFollowUp)];
                admitted += events[std::size_t(results::Event::kHospitalAdmissions)];
                left += events[std::size_t(results::Event::kHospitalDischarges)] +
                        events[std::size_t(results::Event::kHospitalDeaths)];
            }
            CAPTURE(day);
            REQUIRE(admitted == left + in_hospital);
        }
        CHECK(follow_up_days > 0);
    }
}

TEST_CASE("with the same seed, fewer ICU beds never give fewer deaths") {
    const auto& run = epidemic();
    std::int64_t more = 0;
    for (std::uint32_t replicate = 0; replicate < 4; ++replicate) {
        CAPTURE(replicate);
        const auto high = run_with(run, beds(run, 1000, 3, 0), replicate);
        const auto low = run_with(run, beds(run, 1000, 0, 0), replicate);
        const auto deaths_high = total_event(high, results::Event::kDeaths);
        const auto deaths_low = total_event(low, results::Event::kDeaths);
        CHECK(deaths_low >= deaths_high);
        more += deaths_low > deaths_high ? 1 : 0;
    }
    CHECK(more > 0);  // the capacity matters at all in this epidemic
}

TEST_CASE(
    "staff absent are the hospital staff who are ill, in hospital or follow-up care, dead or at "
    "home") {
    const auto& run = epidemic();
    engine::EngineSpec spec = run.spec;
    spec.hospitals = beds(run, 1000, 1000, 25);
    engine::Simulation simulation(run.population, *run.contacts, *run.disease, spec,
                                  core::RngKey::for_replicate(run.scenario.seed, 0));
    const auto is_staff = [&](engine::AgentId a) {
        const auto o = run.population.occupation[a];
        return o == population::Occupation::kHospitalNurseOrCarer ||
               o == population::Occupation::kHospitalDoctor ||
               o == population::Occupation::kHospitalOther;
    };
    std::vector<std::int64_t> absent_by_day;
    std::int64_t staff = 0;
    for (engine::AgentId a = 0; a < run.population.size(); ++a) staff += is_staff(a) ? 1 : 0;
    const auto result = simulation.run([&](std::uint32_t day) {
        std::int64_t absent = 0;
        for (engine::AgentId a = 0; a < run.population.size(); ++a) {
            const auto s = simulation.state(a);
            if (is_staff(a) &&
                (s == results::State::kSymptomatic || s == results::State::kHospitalWard ||
                 s == results::State::kIcu || s == results::State::kFollowUp ||
                 s == results::State::kDead || simulation.stays_home(a, day)))
                ++absent;
        }
        absent_by_day.push_back(absent);
    });
    const std::size_t regions = run.population.regions.size();
    const Records records{result, regions};
    REQUIRE(staff > 0);
    std::int64_t most = 0;
    for (std::size_t day = 0; day < run.spec.days; ++day) {
        const auto absent = records.national(day, HospitalMeasure::kStaffAbsent);
        const auto present = records.national(day, HospitalMeasure::kStaffPresent);
        CAPTURE(day);
        REQUIRE(absent == absent_by_day[day]);
        REQUIRE(absent + present == staff);
        most = std::max(most, absent);
    }
    CHECK(absent_by_day[0] == 0);
    CHECK(most > 0);  // absences rise as the epidemic reaches the staff
}

TEST_CASE("with staff limits, admissions stay within the beds the present staff can run") {
    const auto& run = epidemic();
    auto hospitals = beds(run, 1000, 1000, 0);
    const auto unlimited = run_with(run, hospitals);
    hospitals.staff_limits = true;
    hospitals.covid_staff_share = 0.05;
    hospitals.icu_staff = {3.6, 1.05};
    hospitals.ward_staff = {0.81, 0.10};
    const auto result = run_with(run, hospitals);
    const std::size_t regions = run.population.regions.size();
    const Records records{result, regions};
    for (std::size_t day = 1; day < run.spec.days; ++day) {
        for (std::size_t r = 0; r < regions; ++r) {
            CAPTURE(day);
            CAPTURE(r);
            const auto ward_limit = records.at(day - 1, r, HospitalMeasure::kWardEffectiveCapacity);
            REQUIRE(ward_limit <= records.at(day - 1, r, HospitalMeasure::kWardCapacity));
            REQUIRE(records.at(day - 1, r, HospitalMeasure::kIcuEffectiveCapacity) <=
                    records.at(day - 1, r, HospitalMeasure::kIcuCapacity));
            // The last admission of a day found a free staffed bed; beds only empty after it.
            if (records.at(day, r, HospitalMeasure::kWardAdmissions) > 0)
                REQUIRE(records.at(day, r, HospitalMeasure::kWardOccupancy) <= ward_limit);
        }
    }
    CHECK(Records{unlimited, regions}.total(HospitalMeasure::kWardRefused) == 0);
    CHECK(records.total(HospitalMeasure::kWardRefused) > 0);  // the staff limit bites
}

TEST_CASE("COVID-19 ICU beds are the beds less the share other patients keep, rounded") {
    const Prepared run(
        kScenarios / "france-2020" / "lockdown.yaml",
        {"population.size=20000", "end=2020-05-31", "hospitals.non_covid_icu_occupancy=0.27",
         "hospitals.changes=[{date: 2020-02-05, region: idf, icu_beds: 3000}]"});
    const auto inputs = model::prepare(run.scenario);
    const auto& regions = run.population.regions;
    std::size_t idf = 0;
    while (regions[idf].key != "idf") ++idf;
    double people = 0;
    for (const auto& row : inputs.tables.regions)
        if (row.key == "idf") people = row.population;
    const double agents =
        run.population.region_offsets[idf + 1] - run.population.region_offsets[idf];
    // Real beds x (1 - share), scaled to the agents, rounded to the nearest bed.
    const auto expected =
        static_cast<std::int32_t>(std::llround(3000 * (1 - 0.27) * agents / people));
    REQUIRE(expected > 0);
    auto simulation = run.simulation(0);
    const auto result = simulation.run();
    const Records records{result, regions.size()};
    for (std::size_t day = 4; day < run.spec.days; ++day) {
        CAPTURE(day);
        CHECK(run.spec.hospitals.icu_beds[day * regions.size() + idf] == expected);
        CHECK(records.at(day, idf, HospitalMeasure::kIcuCapacity) == expected);
    }
}

TEST_CASE("a region's own share of ICU beds kept by other patients replaces the scenario's") {
    // hospital_capacity.csv: Île-de-France keeps 0.17 of its 3,000 surge beds for other
    // patients (ARS IdF); Grand Est has no figure of its own and keeps the scenario's 0.27.
    const Prepared run(
        kScenarios / "france-2020" / "lockdown.yaml",
        {"population.size=20000", "end=2020-05-10", "hospitals.non_covid_icu_occupancy=0.27"});
    const auto inputs = model::prepare(run.scenario);
    const auto& regions = run.population.regions;
    const auto beds_after_surge = [&](const std::string& key, double surge, double share) {
        std::size_t r = 0;
        while (regions[r].key != key) ++r;
        double people = 0;
        for (const auto& row : inputs.tables.regions)
            if (row.key == key) people = row.population;
        const double agents =
            run.population.region_offsets[r + 1] - run.population.region_offsets[r];
        const auto expected =
            static_cast<std::int32_t>(std::llround(surge * (1 - share) * agents / people));
        // 10 May: every region's surge reached.
        const std::size_t day = run.spec.days - 1;
        CAPTURE(key);
        CHECK(run.spec.hospitals.icu_beds[day * regions.size() + r] == expected);
    };
    beds_after_surge("idf", 3000, 0.17);
    beds_after_surge("ges", 1200, 0.27);
}

TEST_CASE(
    "a region's share of ICU beds kept by other patients outside 0-0.99 is refused at its cell") {
    const auto table =
        kScenarios.parent_path() / "tests" / "data" / "hospital-capacity-bad-non-covid-share.csv";
    const std::vector<std::string> sets = {"population.size=20000",
                                           "hospitals.capacity=" + table.string()};
    CHECK_THROWS_WITH_AS(Prepared(kScenarios / "france-2020" / "lockdown.yaml", sets),
                         doctest::Contains("icu_non_covid_share: expected a share between 0 and "
                                           "0.99"),
                         core::InputError);
}
