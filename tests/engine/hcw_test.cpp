// The hospital contact layer (docs/model.md, Hospitals): patients in a bed infect the nurses
// and doctors on duty, PPE cuts it, infected staff are absent, and the layer keeps the
// engine's guarantees (threads, common random numbers, a run without it unchanged).
#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>

#include "tests/support/prepared.hpp"

using namespace sortie;
using results::HospitalMeasure;
using sortie::testing::kScenarios;
using sortie::testing::Prepared;

namespace {

// 20,000 agents, an epidemic stopped at the end of April while most people are still
// susceptible, so that the extra risk of the staff shows.
const Prepared& epidemic() {
    static const Prepared run(kScenarios / "france-2020" / "unmitigated.yaml",
                              {"population.size=20000", "end=2020-04-30",
                               "seeding=[{date: 2020-02-01, infections: 20}]"});
    return run;
}

// Unlimited beds; the layer on with these contacts and PPE (the same for ward and ICU).
engine::HospitalSpec hospitals(const Prepared& run, bool layer, double contacts, double ppe) {
    engine::HospitalSpec spec;
    spec.enabled = true;
    const std::size_t cells = std::size_t{run.spec.days} * run.population.regions.size();
    spec.ward_beds.assign(cells, 1000000);
    spec.icu_beds.assign(cells, 1000000);
    spec.contacts = {layer, contacts, contacts, ppe, ppe};
    return spec;
}

engine::Simulation simulation_of(const Prepared& run, const engine::HospitalSpec& spec,
                                 std::uint32_t replicate) {
    engine::EngineSpec engine_spec = run.spec;
    engine_spec.hospitals = spec;
    return engine::Simulation(run.population, *run.contacts, *run.disease, engine_spec,
                              core::RngKey::for_replicate(run.scenario.seed, replicate));
}

bool treats_patients(const Prepared& run, engine::AgentId a) {
    const auto o = run.population.occupation[a];
    return o == population::Occupation::kHospitalNurseOrCarer ||
           o == population::Occupation::kHospitalDoctor;
}

bool other_worker(const Prepared& run, engine::AgentId a) {
    return run.population.occupation[a] == population::Occupation::kOther &&
           run.population.work_group[a] != population::kNoGroup;
}

std::int64_t total_event(const results::ReplicateResult& result, results::Event event) {
    std::int64_t sum = 0;
    for (std::size_t i = std::size_t(event); i < result.incidence.size(); i += results::kEvents)
        sum += result.incidence[i];
    return sum;
}

std::int64_t staff_absent_on(const results::ReplicateResult& result, std::size_t regions,
                             std::size_t day) {
    std::int64_t absent = 0;
    for (std::size_t r = 0; r < regions; ++r)
        absent += result.hospital[(day * regions + r) * results::kHospitalMeasures +
                                  std::size_t(HospitalMeasure::kStaffAbsent)];
    return absent;
}

}  // namespace

TEST_CASE("with the hospital layer, nurses and doctors are infected more than other workers") {
    const auto& run = epidemic();
    // Infected and exposed people of each group, over four replicates.
    double staff = 0, staff_infected = 0, workers = 0, workers_infected = 0;
    for (std::uint32_t replicate = 0; replicate < 4; ++replicate) {
        auto simulation = simulation_of(run, hospitals(run, true, 20, 0.0), replicate);
        simulation.run();
        for (engine::AgentId a = 0; a < run.population.size(); ++a) {
            const double infected = simulation.state(a) != results::State::kSusceptible;
            if (treats_patients(run, a)) {
                staff += 1;
                staff_infected += infected;
            } else if (other_worker(run, a)) {
                workers += 1;
                workers_infected += infected;
            }
        }
    }
    const double p_staff = staff_infected / staff, p_workers = workers_infected / workers;
    const double se =
        std::sqrt(p_staff * (1 - p_staff) / staff + p_workers * (1 - p_workers) / workers);
    CAPTURE(staff);
    CAPTURE(p_staff);
    CAPTURE(p_workers);
    REQUIRE(staff > 200);
    CHECK(p_workers > 0.02);  // the epidemic reached the workers at all
    CHECK(p_staff - p_workers > 4 * se);
}

TEST_CASE("with PPE of efficacy 1 the layer infects no one and changes nothing") {
    const auto& run = epidemic();
    auto with = simulation_of(run, hospitals(run, true, 20, 1.0), 0);
    with.record_transmissions(true);
    const auto protected_run = with.run();
    const auto without = simulation_of(run, hospitals(run, false, 20, 1.0), 0).run();
    CHECK(total_event(protected_run, results::Event::kInfectionsHospital) == 0);
    CHECK(std::none_of(
        with.transmissions().begin(), with.transmissions().end(),
        [](const engine::Transmission& t) { return t.layer == contacts::Layer::kHospital; }));
    CHECK(protected_run.counts == without.counts);
    CHECK(protected_run.incidence == without.incidence);
    CHECK(protected_run.hospital == without.hospital);
    CHECK(total_event(without, results::Event::kInfections) > 1000);
}

TEST_CASE("the layer's infections are counted by layer and come from patients in a bed") {
    const auto& run = epidemic();
    auto simulation = simulation_of(run, hospitals(run, true, 20, 0.5), 1);
    simulation.record_transmissions(true);
    // Who is in H or C at the end of each day: for people infected before the day, the state
    // of step 3 (only today's infections move after it). Beds are unlimited: all in a bed.
    std::vector<std::vector<std::uint8_t>> inpatient_by_day;
    const auto result = simulation.run([&](std::uint32_t) {
        std::vector<std::uint8_t> today(run.population.size(), 0);
        for (engine::AgentId a = 0; a < run.population.size(); ++a) {
            const auto s = simulation.state(a);
            today[a] = s == results::State::kHospitalWard || s == results::State::kIcu;
        }
        inpatient_by_day.push_back(std::move(today));
    });
    std::int64_t logged = 0;
    for (const auto& t : simulation.transmissions()) {
        if (t.layer != contacts::Layer::kHospital) continue;
        ++logged;
        CAPTURE(t.day);
        REQUIRE(treats_patients(run, t.infectee));
        REQUIRE(inpatient_by_day[t.day][t.infector]);
        // No transfers with unlimited beds: the bed is in the patient's region.
        REQUIRE(run.population.region[t.infector] == run.population.region[t.infectee]);
    }
    CHECK(logged == total_event(result, results::Event::kInfectionsHospital));
    CHECK(logged > 10);
}

TEST_CASE("staff absences rise with the infections of healthcare workers") {
    const auto& run = epidemic();
    const std::size_t regions = run.population.regions.size();
    const auto is_staff = [&](engine::AgentId a) {
        const auto o = run.population.occupation[a];
        return treats_patients(run, a) || o == population::Occupation::kHospitalOther;
    };
    auto with = simulation_of(run, hospitals(run, true, 20, 0.0), 0);
    // Absences counted independently of the engine's own count, with the layer on.
    std::vector<std::int64_t> absent_by_day;
    const auto on = with.run([&](std::uint32_t day) {
        std::int64_t absent = 0;
        for (engine::AgentId a = 0; a < run.population.size(); ++a) {
            const auto s = with.state(a);
            if (is_staff(a) &&
                (s == results::State::kSymptomatic || s == results::State::kHospitalWard ||
                 s == results::State::kIcu || s == results::State::kFollowUp ||
                 s == results::State::kDead || with.stays_home(a, day)))
                ++absent;
        }
        absent_by_day.push_back(absent);
    });
    const auto off = simulation_of(run, hospitals(run, false, 20, 0.0), 0).run();
    CHECK(total_event(on, results::Event::kInfectionsHospital) > 0);
    CHECK(total_event(off, results::Event::kInfectionsHospital) == 0);
    std::int64_t peak_on = 0, peak_off = 0, absent_days_on = 0, absent_days_off = 0;
    for (std::size_t day = 0; day < run.spec.days; ++day) {
        CAPTURE(day);
        REQUIRE(staff_absent_on(on, regions, day) == absent_by_day[day]);
        peak_on = std::max(peak_on, staff_absent_on(on, regions, day));
        peak_off = std::max(peak_off, staff_absent_on(off, regions, day));
        absent_days_on += staff_absent_on(on, regions, day);
        absent_days_off += staff_absent_on(off, regions, day);
    }
    CAPTURE(peak_on);
    CAPTURE(peak_off);
    CHECK(peak_on > peak_off);
    CHECK(absent_days_on > absent_days_off);
}

TEST_CASE("with the hospital layer, 1 and 2 threads give bit-identical results") {
    const auto& run = epidemic();
    const auto spec = hospitals(run, true, 20, 0.5);
    auto with_threads = [&](int threads) {
        tbb::global_control control(tbb::global_control::max_allowed_parallelism,
                                    std::size_t(threads));
        return simulation_of(run, spec, 2).run();
    };
    const auto one = with_threads(1), two = with_threads(2);
    CHECK(one.counts == two.counts);
    CHECK(one.incidence == two.incidence);
    CHECK(one.hospital == two.hospital);
    CHECK(total_event(one, results::Event::kInfectionsHospital) > 0);
}

TEST_CASE("a contacts intervention on the hospital layer scales it by name") {
    const std::vector<std::string> small = {"population.size=20000", "end=2020-04-30",
                                            "seeding=[{date: 2020-02-01, infections: 20}]",
                                            "interventions={}"};
    auto closed = small;
    closed.push_back(
        "interventions.no_care={type: contacts, start: 2020-02-01, end: 2020-04-30, layers: "
        "{hospital: 0}}");
    const Prepared open_run(kScenarios / "france-2020" / "lockdown.yaml", small);
    const Prepared closed_run(kScenarios / "france-2020" / "lockdown.yaml", closed);
    REQUIRE(open_run.spec.hospitals.contacts.enabled);
    CHECK(open_run.spec.hospitals.contacts.ward_per_day == 12);
    CHECK(open_run.spec.hospitals.contacts.icu_ppe_efficacy == 0.85);
    std::int64_t open_infections = 0;
    for (std::uint32_t replicate = 0; replicate < 2; ++replicate) {
        open_infections +=
            total_event(open_run.simulation(replicate).run(), results::Event::kInfectionsHospital);
        CHECK(total_event(closed_run.simulation(replicate).run(),
                          results::Event::kInfectionsHospital) == 0);
    }
    CHECK(open_infections > 0);
}
