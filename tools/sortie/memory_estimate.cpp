#include "tools/sortie/memory_estimate.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/contacts/layers.hpp"
#include "sim/disease/natural_history.hpp"
#include "sim/engine/result.hpp"
#include "tools/sortie/setup.hpp"

namespace sortie::cli {
namespace {

// Everything a replicate holds per agent (sim/engine/simulation.hpp): state, age while
// susceptible, next event day, infection day, infectiousness multiplier, natural history, and
// at worst every agent in the list of the infected and in its copy in id order.
constexpr std::size_t kReplicateBytesPerAgent = sizeof(engine::State) + 1 + 2 + 2 + sizeof(float) +
                                                sizeof(disease::History) +
                                                2 * sizeof(std::uint32_t);
// A transmission kept in the engine (16 bytes) and in the log (5 int32), at worst one per agent.
constexpr std::size_t kTransmissionBytes = 16 + 5 * 4;
// Buffers, TBB's threads and the libraries, whatever the population.
constexpr std::size_t kFixedBytes = std::size_t{32} << 20;

std::size_t region_count(const ModelInputs& inputs) {
    return inputs.population.regions.empty() ? inputs.tables.regions.size()
                                             : inputs.population.regions.size();
}

ScenarioMemory scenario_memory(const scenario::Scenario& s, std::size_t threads, bool transmissions,
                               std::size_t available) {
    const ModelInputs inputs = prepare(s);
    ScenarioMemory m;
    m.name = s.name;
    m.agents = inputs.population.size;
    m.days = s.days();
    m.replicates = s.replicates;
    m.population = static_cast<std::size_t>(kPopulationBytesPerAgent * double(m.agents));
    m.per_replicate = replicate_bytes(m.agents, transmissions, intervention_bytes_per_agent(s));
    m.in_flight = replicates_in_flight(s.replicates, threads, m.per_replicate, available);
    const std::size_t per_day =
        region_count(inputs) *
            (contacts::kAgeBands * (engine::kStates + engine::kEvents) + engine::kMeasures +
             (s.hospitals.present ? engine::kHospitalMeasures : 0)) +
        s.interventions.size();
    m.trajectories = std::size_t{s.replicates} * m.days * per_day * sizeof(std::int32_t);
    // Supply records are doubles: regions x resources x measures a day.
    m.trajectories += std::size_t{s.replicates} * m.days * region_count(inputs) *
                      s.hospitals.supplies.size() * engine::kSupplyMeasures * sizeof(double);
    if (transmissions) m.trajectories += std::size_t{s.replicates} * m.agents * 5 * 4;
    return m;
}

}  // namespace

std::size_t intervention_bytes_per_agent(const scenario::Scenario& scenario) {
    std::size_t campaigns = 0;
    bool tti = false;
    for (const auto& i : scenario.interventions) {
        if (i.type == "vaccination") ++campaigns;
        tti = tti || i.type == "testing" || i.type == "tracing" || i.type == "mass_testing";
    }
    // TTI: isolation, quarantine and stay-home ends (3 x uint16) and flags (engine/tti.hpp).
    // Vaccination: day and campaign of the dose, and each campaign's queue of agent ids.
    // Hospitals: where the patient is cared for (uint8) and the region of the bed (uint16).
    const std::size_t hospitals = scenario.hospitals.present ? 3 : 0;
    return (tti ? 7 : 0) + (campaigns > 0 ? 3 + 4 * campaigns : 0) + hospitals;
}

std::size_t replicate_bytes(std::uint64_t agents, bool transmissions, std::size_t extra_per_agent) {
    const std::size_t per_agent =
        kReplicateBytesPerAgent + extra_per_agent + (transmissions ? kTransmissionBytes : 0);
    return per_agent * agents + (std::size_t{1} << 20);
}

std::size_t replicates_in_flight(std::size_t waiting, std::size_t threads,
                                 std::size_t replicate_bytes, std::size_t available) {
    std::size_t in_flight = std::max<std::size_t>(1, std::min(waiting, threads));
    if (available > 0)
        in_flight = std::clamp<std::size_t>(available / 2 / replicate_bytes, 1, in_flight);
    return in_flight;
}

MemoryEstimate estimate_memory(const std::vector<scenario::Scenario>& scenarios,
                               std::size_t threads, bool transmissions, std::size_t available) {
    MemoryEstimate estimate;
    std::size_t largest = 0, trajectories = 0;
    for (const auto& s : scenarios) {
        estimate.scenarios.push_back(scenario_memory(s, threads, transmissions, available));
        const auto& m = estimate.scenarios.back();
        largest = std::max(largest, m.population + m.in_flight * m.per_replicate);
        trajectories += m.trajectories;
    }
    estimate.peak = largest + trajectories + kFixedBytes;
    return estimate;
}

std::string bytes_text(double bytes) {
    if (bytes >= double(1ull << 30)) return fmt::format("{:.1f} GiB", bytes / double(1ull << 30));
    if (bytes >= double(1ull << 20)) return fmt::format("{:.0f} MiB", bytes / double(1ull << 20));
    return fmt::format("{:.0f} KiB", bytes / 1024.0);
}

}  // namespace sortie::cli
