#include "sim/engine/early_epidemic.hpp"

#include <algorithm>
#include <unordered_map>

#include "sim/engine/simulation.hpp"

namespace sortie::engine {
namespace {

bool still_infected(State s) {
    return s == State::kExposed || s == State::kPresymptomatic || s == State::kAsymptomatic ||
           s == State::kSymptomatic;
}

// The cohort (the first `size` infections not seeded, in the log's order) and where each is.
std::unordered_map<AgentId, std::size_t> cohort_of(const std::vector<Transmission>& log,
                                                   std::uint32_t size,
                                                   std::vector<AgentId>& members) {
    std::unordered_map<AgentId, std::size_t> position;
    for (const auto& t : log) {
        if (members.size() == size) break;
        if (t.infector == kNoInfector) continue;
        position.emplace(t.infectee, members.size());
        members.push_back(t.infectee);
    }
    return position;
}

// The profile's mass left after this many days since infection is what a case may still
// cause; a cohort is followed until it is below this share for every case.
constexpr double kProfileLeft = 1e-3;

std::uint32_t profile_horizon(const disease::DiseaseModel& disease) {
    double total = 0;
    for (std::uint32_t t = 0; t < disease::DiseaseModel::kProfileDays; ++t)
        total += disease.profile(t);
    double so_far = 0;
    for (std::uint32_t t = 0; t < disease::DiseaseModel::kProfileDays; ++t) {
        if (so_far >= (1.0 - kProfileLeft) * total) return t;
        so_far += disease.profile(t);
    }
    return disease::DiseaseModel::kProfileDays;
}

}  // namespace

EarlyEpidemic run_early_epidemic(const contacts::ContactModel& contacts,
                                 const disease::DiseaseModel& disease,
                                 const EarlyEpidemicSpec& spec, core::RngKey key) {
    const auto& population = contacts.population();
    EngineSpec engine;
    engine.days = spec.max_days;
    engine.transmission_rate = spec.transmission_rate;
    engine.layer_weight = spec.layer_weight;
    engine.seeding.push_back({0, 1, double(spec.seeds), {}});
    engine.early_infections = spec.cohort;
    Simulation simulation(population, contacts, disease, engine, key);
    simulation.record_transmissions(true);

    // The cohort is complete once `cohort` infections were not seeded; it is followed to the
    // end once none of it can infect any more: each is either no longer infected or infected
    // so long ago that what remains of its infectiousness profile is under kProfileLeft (the
    // tail of a few cases' long stages, which would otherwise let the epidemic grow for
    // weeks more, adds nothing measurable).
    const std::uint32_t horizon = profile_horizon(disease);
    std::vector<AgentId> members;
    std::size_t counted = 0, not_seeded = 0;
    bool died_out = false;
    const auto finished = [&](AgentId a) {
        return !still_infected(simulation.state(a)) ||
               simulation.next_day() >= simulation.infection_day(a) + horizon;
    };
    const auto done = [&] {
        const auto& log = simulation.transmissions();
        for (; counted < log.size(); ++counted) not_seeded += log[counted].infector != kNoInfector;
        if (not_seeded < spec.cohort) {
            died_out = std::none_of(log.begin(), log.end(), [&](const Transmission& t) {
                return still_infected(simulation.state(t.infectee));
            });
            return died_out;
        }
        if (members.empty()) cohort_of(log, spec.cohort, members);
        return std::all_of(members.begin(), members.end(), finished);
    };
    simulation.run_until(done);

    EarlyEpidemic result;
    result.population = population.size();
    const auto& log = simulation.transmissions();
    std::uint32_t last_day = 0;
    for (const auto& t : log) last_day = std::max(last_day, t.day);
    result.daily_infections.assign(std::size_t{last_day} + 1, 0);
    // Infected by the time of each day's transmission: all infections of the days before and
    // the day's seeds (step 2 comes before step 3).
    std::vector<double> all(std::size_t{last_day} + 1, 0.0), seeded(all.size(), 0.0);
    for (const auto& t : log) {
        all[t.day] += 1;
        if (t.infector == kNoInfector)
            seeded[t.day] += 1;
        else
            ++result.daily_infections[t.day];
    }
    std::vector<double> infected_before(all.size(), 0.0);
    double so_far = 0;
    for (std::size_t d = 0; d < all.size(); ++d) {
        infected_before[d] = so_far + seeded[d];
        so_far += all[d];
    }
    if (died_out || members.size() < spec.cohort) return result;
    result.complete = std::all_of(members.begin(), members.end(), finished);
    std::vector<AgentId> ordered;
    const auto position = cohort_of(log, spec.cohort, ordered);
    result.secondaries.assign(ordered.size(), 0);
    result.secondaries_undepleted.assign(ordered.size(), 0.0);
    std::vector<std::uint32_t> infected_on(ordered.size(), 0);
    for (const auto& t : log) {
        if (const auto it = position.find(t.infectee); it != position.end())
            infected_on[it->second] = t.day;
    }
    const double people = double(population.size());
    for (const auto& t : log) {
        if (t.infector == kNoInfector) continue;
        const auto it = position.find(t.infector);
        if (it == position.end()) continue;
        ++result.secondaries[it->second];
        result.secondaries_undepleted[it->second] += people / (people - infected_before[t.day]);
        result.generation_intervals.push_back(t.day - infected_on[it->second]);
    }
    for (const AgentId a : ordered) {
        result.multiplier.push_back(simulation.multiplier(a));
        result.age.push_back(population.age[a]);
        result.path.push_back(simulation.history(a).path);
    }
    return result;
}

}  // namespace sortie::engine
