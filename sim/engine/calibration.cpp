#include "sim/engine/calibration.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "sim/core/rng_streams.hpp"
#include "sim/core/samplers.hpp"

namespace sortie::engine {
namespace {

using contacts::BandMatrix;
using contacts::kAgeBands;
using population::AgentId;

// Natural histories sampled per age band for the expectation over cases.
constexpr std::uint32_t kCasesPerBand = 300;

struct InfectiousDay {
    double weight;  ///< profile x relative infectiousness x individual multiplier
};

using Case = std::vector<double>;  // infectiousness weights of the infectious days

// Mean number of people of band j sharing a group with a person of band i.
BandMatrix co_members(const population::GroupLayer& layer, const population::Population& population,
                      const contacts::ByBand& people) {
    BandMatrix m{};
    std::array<double, kAgeBands> count{};
    std::vector<std::size_t> present;
    for (std::uint32_t g = 0; g < layer.groups(); ++g) {
        present.clear();
        for (auto i = layer.group_offsets[g]; i < layer.group_offsets[g + 1]; ++i) {
            const auto b = contacts::age_band(population.age[layer.members[i]]);
            if (count[b]++ == 0) present.push_back(b);
        }
        for (auto i : present) {
            for (auto j : present) m[i][j] += count[i] * (count[j] - (i == j ? 1.0 : 0.0));
        }
        for (auto b : present) count[b] = 0;
    }
    for (std::size_t i = 0; i < kAgeBands; ++i) {
        for (auto& v : m[i]) v = people[i] > 0 ? v / people[i] : 0.0;
    }
    return m;
}

// Households as groups: members are consecutive agents.
BandMatrix household_members(const population::Population& population,
                             const contacts::ByBand& people) {
    BandMatrix m{};
    for (std::uint32_t h = 0; h < population.households(); ++h) {
        for (AgentId a = population.household_offsets[h]; a < population.household_offsets[h + 1];
             ++a) {
            for (AgentId b = population.household_offsets[h];
                 b < population.household_offsets[h + 1]; ++b) {
                if (a != b)
                    m[contacts::age_band(population.age[a])]
                     [contacts::age_band(population.age[b])] += 1.0;
            }
        }
    }
    for (std::size_t i = 0; i < kAgeBands; ++i) {
        for (auto& v : m[i]) v = people[i] > 0 ? v / people[i] : 0.0;
    }
    return m;
}

// Daily venue-wide contacts by band: each member draws Poisson(mean) others uniformly.
BandMatrix venue_contacts(const population::GroupLayer& layer,
                          const population::Population& population, const contacts::ByBand& people,
                          double mean) {
    BandMatrix m{};
    for (std::uint32_t v = 0; v < layer.venues(); ++v) {
        const double n = layer.venue_size(v);
        if (n < 2) continue;
        std::array<double, kAgeBands> count{};
        const auto first = layer.venue_first_member(v);
        for (auto i = first; i < first + layer.venue_size(v); ++i)
            ++count[contacts::age_band(population.age[layer.members[i]])];
        for (std::size_t i = 0; i < kAgeBands; ++i) {
            if (count[i] == 0) continue;
            for (std::size_t j = 0; j < kAgeBands; ++j)
                m[i][j] += mean * count[i] * (count[j] - (i == j ? 1.0 : 0.0)) / (n - 1);
        }
    }
    for (std::size_t i = 0; i < kAgeBands; ++i) {
        for (auto& v : m[i]) v = people[i] > 0 ? v / people[i] : 0.0;
    }
    return m;
}

// The infectious days of a case infected on day 0, as the engine runs them: infectious from
// the day its stage begins (never on the day of infection) until the stage after Ia/Is.
Case sample_case(const disease::DiseaseModel& disease, std::uint8_t age, core::Draws& draws) {
    const auto h = disease.sample(age, draws);
    const double k = disease.parameters().dispersion_k;
    const double multiplier = core::gamma(draws, k, 1.0 / k);
    const std::uint32_t start = h.stage_days[0], onset = start + h.stage_days[1],
                        end = onset + h.stage_days[2];
    Case weights;
    for (std::uint32_t t = std::max(1u, start); t < end; ++t) {
        const double relative = h.path == disease::Path::kAsymptomatic
                                    ? disease.parameters().relative_asymptomatic
                                : t < onset ? disease.parameters().relative_presymptomatic
                                            : 1.0;
        const double w = disease.profile(t) * relative * multiplier;
        if (w > 0) weights.push_back(w);
    }
    return weights;
}

struct Structure {
    BandMatrix household{}, classmates{}, teammates{};
    std::array<BandMatrix, 3> daily{};  ///< school venue, work venue, community
    double class_pair = 0, team_pair = 0;
    std::array<double, kAgeBands> susceptibility{};
    std::array<std::vector<Case>, kAgeBands> cases;
};

struct Layers {
    BandMatrix total{};
    std::array<double, contacts::kLayers> by_layer{};
};

// What one case gives a person of a given susceptibility: infection probabilities per contact
// (household), per shared group (class, team) and summed over venue and community contacts.
struct CaseTerms {
    double household = 0, class_groups = 0, team_groups = 0;
    std::array<double, 3> daily{};  ///< school venue, work venue, community
};

CaseTerms case_terms(const Case& c, const Structure& s, double beta, double susceptibility,
                     const std::array<double, contacts::kLayers>& weight) {
    CaseTerms t;
    double total = 0, escape_class = 1, escape_team = 1;
    // Layers of equal weight (all of them by default) share one expm1.
    const bool work_as_school = weight[2] == weight[1];
    const bool community_as_school = weight[3] == weight[1];
    const bool community_as_work = weight[3] == weight[2];
    for (double a : c) {
        const double x = beta * susceptibility * a;
        total += a;
        const double school = -std::expm1(-x * weight[1]);
        const double work = work_as_school ? school : -std::expm1(-x * weight[2]);
        const double community = community_as_school ? school
                                 : community_as_work ? work
                                                     : -std::expm1(-x * weight[3]);
        escape_class *= 1 - s.class_pair * school;
        escape_team *= 1 - s.team_pair * work;
        t.daily[0] += school;
        t.daily[1] += work;
        t.daily[2] += community;
    }
    t.household = -std::expm1(-beta * susceptibility * total * weight[0]);
    t.class_groups = 1 - escape_class;
    t.team_groups = 1 - escape_team;
    return t;
}

Layers next_generation(const Structure& s, double beta,
                       const std::array<double, contacts::kLayers>& weight) {
    // Each band of infectors in parallel; the sums are then taken in the sequential order,
    // so the result (and the calibrated rate) does not depend on the threads.
    std::array<std::array<std::array<double, contacts::kLayers>, kAgeBands>, kAgeBands> sums{};
    tbb::parallel_for(std::size_t{0}, kAgeBands, [&](std::size_t i) {
        std::vector<CaseTerms> terms;
        for (std::size_t j = 0; j < kAgeBands; ++j) {
            // Neighbouring bands often share a susceptibility (it is given by 10 years): the
            // terms, which depend on j through it alone, are then reused (half the expm1s).
            if (j == 0 || s.susceptibility[j] != s.susceptibility[j - 1]) {
                terms.clear();
                for (const auto& c : s.cases[i])
                    terms.push_back(case_terms(c, s, beta, s.susceptibility[j], weight));
            }
            auto& sum = sums[i][j];
            for (const auto& t : terms) {
                sum[0] += s.household[i][j] * t.household;
                sum[1] += s.classmates[i][j] * t.class_groups + s.daily[0][i][j] * t.daily[0];
                sum[2] += s.teammates[i][j] * t.team_groups + s.daily[1][i][j] * t.daily[1];
                sum[3] += s.daily[2][i][j] * t.daily[2];
            }
        }
    });
    Layers k;
    for (std::size_t i = 0; i < kAgeBands; ++i) {
        const auto cases = double(s.cases[i].size());
        if (cases == 0) continue;
        for (std::size_t j = 0; j < kAgeBands; ++j) {
            for (std::size_t l = 0; l < contacts::kLayers; ++l) {
                k.total[i][j] += sums[i][j][l] / cases;
                k.by_layer[l] += sums[i][j][l] / cases;
            }
        }
    }
    return k;
}

Structure measure(const contacts::ContactModel& model, const disease::DiseaseModel& disease,
                  core::RngKey key) {
    const auto& population = model.population();
    contacts::ByBand people{};
    for (auto age : population.age) people[contacts::age_band(age)] += 1.0;
    Structure s;
    s.household = household_members(population, people);
    s.classmates = co_members(population.schools, population, people);
    s.teammates = co_members(population.workplaces, population, people);
    s.daily[0] =
        venue_contacts(population.schools, population, people, model.rates().school_venue_mean);
    s.daily[1] =
        venue_contacts(population.workplaces, population, people, model.rates().work_venue_mean);
    s.daily[2] = model.community_rates();
    s.class_pair = model.rates().class_pair_probability;
    s.team_pair = model.rates().team_pair_probability;
    for (std::size_t b = 0; b < kAgeBands; ++b) {
        // A representative age for the band: its middle (90 for 85+).
        const auto age = static_cast<std::uint8_t>(b + 1 < kAgeBands ? 5 * b + 2 : 90);
        s.susceptibility[b] = disease.susceptibility(age);
        if (people[b] == 0) continue;
        for (std::uint32_t n = 0; n < kCasesPerBand; ++n) {
            core::Draws draws(key, core::streams::kCalibration, static_cast<std::uint32_t>(b), n);
            s.cases[b].push_back(sample_case(disease, age, draws));
        }
    }
    return s;
}

}  // namespace

double spectral_radius(const BandMatrix& matrix) {
    std::array<double, kAgeBands> v{};
    v.fill(1.0);
    double radius = 0.0;
    for (int iteration = 0; iteration < 500; ++iteration) {
        std::array<double, kAgeBands> next{};
        for (std::size_t i = 0; i < kAgeBands; ++i) {
            for (std::size_t j = 0; j < kAgeBands; ++j) next[i] += matrix[i][j] * v[j];
        }
        const double norm = *std::max_element(next.begin(), next.end());
        if (norm <= 0.0) return 0.0;
        for (std::size_t i = 0; i < kAgeBands; ++i) v[i] = next[i] / norm;
        if (std::fabs(norm - radius) <= 1e-12 * norm) return norm;
        radius = norm;
    }
    return radius;
}

Calibration calibrate_transmission_rate(const contacts::ContactModel& contacts,
                                        const disease::DiseaseModel& disease, double r0,
                                        const std::array<double, contacts::kLayers>& layer_weight,
                                        core::RngKey key) {
    if (!(r0 > 0.0)) throw std::invalid_argument("R0 must be greater than 0");
    const Structure s = measure(contacts, disease, key);
    auto r_of = [&](double beta) {
        return spectral_radius(next_generation(s, beta, layer_weight).total);
    };
    double low = 0.0, high = 0.01;
    while (r_of(high) < r0) {
        high *= 2.0;
        if (high > 1e6)
            throw std::invalid_argument(
                "R0 cannot be reached: the population has too few contacts");
    }
    // Bisection: R0 grows with beta; 60 halvings reach double precision.
    for (int i = 0; i < 60 && high - low > 1e-12 * high; ++i) {
        const double mid = 0.5 * (low + high);
        (r_of(mid) < r0 ? low : high) = mid;
    }
    Calibration result;
    result.transmission_rate = 0.5 * (low + high);
    const auto k = next_generation(s, result.transmission_rate, layer_weight);
    result.next_generation = k.total;
    double total = 0;
    for (double x : k.by_layer) total += x;
    for (std::size_t l = 0; l < contacts::kLayers; ++l)
        result.share_by_layer[l] = total > 0 ? k.by_layer[l] / total : 0;
    return result;
}

}  // namespace sortie::engine
