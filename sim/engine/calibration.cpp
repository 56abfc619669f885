#include "sim/engine/calibration.hpp"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sim/core/quadrature.hpp"
#include "sim/core/rng_streams.hpp"
#include "sim/core/samplers.hpp"
#include "sim/core/system.hpp"
#include "sim/engine/early_epidemic.hpp"
#include "sim/engine/simulation.hpp"

namespace sortie::engine {
namespace {

using contacts::BandMatrix;
using contacts::kAgeBands;
using population::AgentId;

// The expectation over cases is exact: over their histories, by enumerating the whole-day
// lengths of their stages with their probabilities (DiseaseModel::whole_day_probabilities),
// and over their individual multiplier (a gamma of shape k, mean 1), by closed forms and, for
// the group terms, quadrature. Stage-length combinations less likely than this for every band
// are left out: on France's parameters about 3,300 combinations remain, the rest weighs 2e-4
// and moves the calibrated rate by less than 1e-5 (measured against a threshold of 1e-9).
constexpr double kNegligibleCase = 1e-6;
// Quadrature points of the multiplier's expectation in the group terms, which are computed as
// a closed form plus a correction of second order (see group_expected): 16 points put the
// calibrated rate within 0.1% of 48 points' at R0 = 4 with k = 0.1.
constexpr std::size_t kMultiplierPoints = 16;

using Case = std::vector<double>;  // infectiousness weights of the infectious days, multiplier 1

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

struct Structure {
    BandMatrix household{}, classmates{}, teammates{};
    std::array<BandMatrix, 3> daily{};  ///< school venue, work venue, community
    double class_pair = 0, team_pair = 0;
    std::array<double, kAgeBands> susceptibility{};
    /// Every case worth counting, shared by all bands, and its probability for an infector of
    /// each band (paths depend on age, stage lengths do not), which sum to 1 less the
    /// combinations too unlikely to count.
    std::vector<Case> cases;
    std::array<std::vector<double>, kAgeBands> probability;
    double shape = 1;             ///< of the gamma multiplier (disease dispersion_k)
    core::Quadrature multiplier;  ///< its expectation
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

// E[1 - exp(-x m)] for the gamma multiplier m of shape k and mean 1: 1 - (1 + x/k)^-k.
double infection_expected(double x, double k) {
    return -std::expm1(-k * std::log1p(x / k));
}

// E over the multiplier of the probability that a group (class or team) pair is infected,
// 1 - prod_t (1 - p (1 - exp(-x_t m))), as its first-order part p sum_t (1 - exp(-x_t m)),
// whose expectation is closed, plus the quadrature of the rest, which is of order p^2 and
// smooth enough for a few points.
double group_expected(const Case& c, double scale, double pair, double first_order,
                      const core::Quadrature& q) {
    double correction = 0;
    for (std::size_t i = 0; i < q.nodes.size(); ++i) {
        double escape = 1, sum = 0;
        for (const double a : c) {
            const double y = -std::expm1(-scale * a * q.nodes[i]);
            escape *= 1 - pair * y;
            sum += y;
        }
        correction += q.weights[i] * ((1 - escape) - pair * sum);
    }
    return pair * first_order + correction;
}

CaseTerms case_terms(const Case& c, const Structure& s, double beta, double susceptibility,
                     const std::array<double, contacts::kLayers>& weight, bool class_groups,
                     bool team_groups) {
    CaseTerms t;
    const double k = s.shape;
    double total = 0;
    // Layers of equal weight (all of them by default) share one evaluation.
    const bool work_as_school = weight[2] == weight[1];
    const bool community_as_school = weight[3] == weight[1];
    const bool community_as_work = weight[3] == weight[2];
    for (double a : c) {
        const double x = beta * susceptibility * a;
        total += a;
        const double school = infection_expected(x * weight[1], k);
        const double work = work_as_school ? school : infection_expected(x * weight[2], k);
        const double community = community_as_school ? school
                                 : community_as_work ? work
                                                     : infection_expected(x * weight[3], k);
        t.daily[0] += school;
        t.daily[1] += work;
        t.daily[2] += community;
    }
    t.household = infection_expected(beta * susceptibility * total * weight[0], k);
    const double x = beta * susceptibility;
    if (class_groups)
        t.class_groups = group_expected(c, x * weight[1], s.class_pair, t.daily[0], s.multiplier);
    if (team_groups)
        t.team_groups = group_expected(c, x * weight[2], s.team_pair, t.daily[1], s.multiplier);
    return t;
}

Layers next_generation(const Structure& s, double beta,
                       const std::array<double, contacts::kLayers>& weight) {
    // A case's terms depend on the band infected only through its susceptibility, given by
    // 10 years: one set of terms per distinct susceptibility, each case in parallel (each
    // term is computed alone, so the result does not depend on the threads).
    std::vector<double> levels;
    std::array<std::size_t, kAgeBands> level_of{};
    for (std::size_t j = 0; j < kAgeBands; ++j) {
        const auto found = std::find(levels.begin(), levels.end(), s.susceptibility[j]);
        level_of[j] = static_cast<std::size_t>(found - levels.begin());
        if (found == levels.end()) levels.push_back(s.susceptibility[j]);
    }
    bool classes = false, teams = false;
    for (std::size_t i = 0; i < kAgeBands; ++i) {
        for (std::size_t j = 0; j < kAgeBands; ++j) {
            classes = classes || s.classmates[i][j] > 0;
            teams = teams || s.teammates[i][j] > 0;
        }
    }
    const std::size_t cases = s.cases.size();
    std::vector<CaseTerms> terms(levels.size() * cases);
    tbb::parallel_for(std::size_t{0}, terms.size(), [&](std::size_t n) {
        terms[n] =
            case_terms(s.cases[n % cases], s, beta, levels[n / cases], weight, classes, teams);
    });
    Layers k;
    for (std::size_t i = 0; i < kAgeBands; ++i) {
        const auto& probability = s.probability[i];
        if (probability.empty()) continue;
        for (std::size_t j = 0; j < kAgeBands; ++j) {
            const CaseTerms* t = &terms[level_of[j] * cases];
            std::array<double, contacts::kLayers> sum{};
            for (std::size_t c = 0; c < cases; ++c) {
                const double p = probability[c];
                sum[0] += p * s.household[i][j] * t[c].household;
                sum[1] +=
                    p * (s.classmates[i][j] * t[c].class_groups + s.daily[0][i][j] * t[c].daily[0]);
                sum[2] +=
                    p * (s.teammates[i][j] * t[c].team_groups + s.daily[1][i][j] * t[c].daily[1]);
                sum[3] += p * s.daily[2][i][j] * t[c].daily[2];
            }
            for (std::size_t l = 0; l < contacts::kLayers; ++l) {
                k.total[i][j] += sum[l];
                k.by_layer[l] += sum[l];
            }
        }
    }
    return k;
}

// The infectious days of a case infected on day 0 whose stages last `latent`, `presymptomatic`
// and `infectious` whole days, as the engine runs them: infectious from the day its stage
// begins (never on the day of infection) until the stage after Ia/Is, within the profile.
Case case_of(const disease::DiseaseModel& disease, bool asymptomatic, std::uint32_t latent,
             std::uint32_t presymptomatic, std::uint32_t infectious) {
    const auto& p = disease.parameters();
    const std::uint32_t onset = latent + presymptomatic, end = onset + infectious;
    Case weights;
    for (std::uint32_t t = std::max(1u, latent); t < end; ++t) {
        const double relative = asymptomatic ? p.relative_asymptomatic
                                : t < onset  ? p.relative_presymptomatic
                                             : 1.0;
        const double w = disease.profile(t) * relative;
        if (w > 0) weights.push_back(w);
    }
    return weights;
}

// Every combination of whole-day stage lengths of an asymptomatic and of a symptomatic case,
// with its probability for an infector of each band. A symptomatic case's infectious stage
// ends at recovery, at death outside hospital or on admission: its length follows one of three
// laws, mixed by the band's path probabilities. Lengths that end beyond the profile give the
// same case and are merged.
void enumerate_cases(const disease::DiseaseModel& disease, const contacts::ByBand& people,
                     Structure& s) {
    using disease::DiseaseModel;
    using disease::Path;
    const auto& p = disease.parameters();
    const auto latent = DiseaseModel::whole_day_probabilities(p.latent);
    const auto asymptomatic = DiseaseModel::whole_day_probabilities(p.asymptomatic);
    const auto presymptomatic = DiseaseModel::whole_day_probabilities(p.presymptomatic);
    const std::array<std::vector<double>, 3> ends = {
        DiseaseModel::whole_day_probabilities(p.symptomatic_to_recovery),
        DiseaseModel::whole_day_probabilities(p.to_death_outside_hospital),
        DiseaseModel::whole_day_probabilities(p.onset_to_hospital)};
    // The band's probability of each kind of infectious stage: asymptomatic, then the three
    // symptomatic laws above.
    std::array<std::array<double, 4>, kAgeBands> kinds{};
    for (std::size_t b = 0; b < kAgeBands; ++b) {
        const auto age = static_cast<std::uint8_t>(b + 1 < kAgeBands ? 5 * b + 2 : 90);
        const auto& pr = disease.paths(age).probability;
        const auto at = [&](Path path) { return pr[std::size_t(path)]; };
        kinds[b] = {at(Path::kAsymptomatic), at(Path::kMild), at(Path::kDiesOutside),
                    at(Path::kWardRecovers) + at(Path::kWardDies) + at(Path::kIcuRecovers) +
                        at(Path::kIcuDies)};
    }
    const auto horizon = static_cast<std::uint32_t>(DiseaseModel::kProfileDays);
    // (asymptomatic, latent, presymptomatic, capped end) -> index of the case.
    std::map<std::array<std::uint32_t, 4>, std::size_t> index;
    std::vector<std::array<double, kAgeBands>> probability;
    const auto add = [&](bool asym, std::uint32_t l, std::uint32_t q, std::uint32_t d,
                         const std::array<double, kAgeBands>& by_band) {
        const std::uint32_t end = std::min(l + q + d, std::max(horizon, l + q));
        const std::array<std::uint32_t, 4> key = {asym ? 1u : 0u, l, q, end};
        auto [at, inserted] = index.try_emplace(key, s.cases.size());
        if (inserted) {
            s.cases.push_back(case_of(disease, asym, l, q, end - l - q));
            probability.emplace_back();
        }
        for (std::size_t b = 0; b < kAgeBands; ++b) probability[at->second][b] += by_band[b];
    };
    for (std::uint32_t l = 0; l < latent.size(); ++l) {
        for (std::uint32_t d = 0; d < asymptomatic.size(); ++d) {
            const double base = latent[l] * asymptomatic[d];
            std::array<double, kAgeBands> by_band{};
            for (std::size_t b = 0; b < kAgeBands; ++b) by_band[b] = base * kinds[b][0];
            add(true, l, 0, d, by_band);
        }
        for (std::uint32_t q = 0; q < presymptomatic.size(); ++q) {
            const double base = latent[l] * presymptomatic[q];
            if (base < kNegligibleCase) continue;
            std::size_t longest = 0;
            for (const auto& e : ends) longest = std::max(longest, e.size());
            for (std::uint32_t d = 0; d < longest; ++d) {
                std::array<double, kAgeBands> by_band{};
                for (std::size_t b = 0; b < kAgeBands; ++b) {
                    for (std::size_t e = 0; e < 3; ++e)
                        if (d < ends[e].size()) by_band[b] += base * kinds[b][e + 1] * ends[e][d];
                }
                add(false, l, q, d, by_band);
            }
        }
    }
    // Cases too unlikely for every band are left out; what remains is each band's law.
    std::vector<std::size_t> kept;
    for (std::size_t c = 0; c < s.cases.size(); ++c) {
        const double most = *std::max_element(probability[c].begin(), probability[c].end());
        if (most >= kNegligibleCase && !s.cases[c].empty()) kept.push_back(c);
    }
    std::vector<Case> cases;
    for (const auto c : kept) cases.push_back(std::move(s.cases[c]));
    s.cases = std::move(cases);
    for (std::size_t b = 0; b < kAgeBands; ++b) {
        if (people[b] == 0) continue;
        for (const auto c : kept) s.probability[b].push_back(probability[c][b]);
    }
}

Structure measure(const contacts::ContactModel& model, const disease::DiseaseModel& disease) {
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
    s.shape = disease.parameters().dispersion_k;
    s.multiplier = core::gamma_quadrature(s.shape, kMultiplierPoints);
    for (std::size_t b = 0; b < kAgeBands; ++b) {
        // A representative age for the band: its middle (90 for 85+).
        const auto age = static_cast<std::uint8_t>(b + 1 < kAgeBands ? 5 * b + 2 : 90);
        s.susceptibility[b] = disease.susceptibility(age);
    }
    enumerate_cases(disease, people, s);
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

namespace {

// The rate where the next-generation matrix's spectral radius is R0, with the matrix there.
Calibration next_generation_calibration(const Structure& s, double r0,
                                        const std::array<double, contacts::kLayers>& weight) {
    // The root of log R(beta) - log R0 in log beta, where the curve is nearly straight (R is
    // proportional to beta until groups saturate): a bracket, then the Illinois variant of
    // regula falsi, which keeps the bracket and converges superlinearly (about 6 matrices
    // instead of the 60 halvings of a bisection).
    const auto gap = [&](double log_beta) {
        return std::log(spectral_radius(next_generation(s, std::exp(log_beta), weight).total) / r0);
    };
    // A first guess from a small rate, where R is proportional to it; saturation makes the
    // guess low, so the bracket's upper end is sought above it in growing steps.
    const double probe = std::log(1e-4);
    double low = probe + std::log(r0) - std::log(std::exp(gap(probe)) * r0);
    double gap_low = gap(low);
    double high = low, gap_high = gap_low;
    for (double step = std::max(-gap_low, 0.0) * 1.5 + 0.01; gap_high < 0; step *= 2) {
        low = high, gap_low = gap_high;
        high = low + step;
        if (high > std::log(1e6))
            throw std::invalid_argument(
                "R0 cannot be reached: the population has too few contacts");
        gap_high = gap(high);
    }
    for (double step = 0.01; gap_low >= 0 && low > std::log(1e-15); step *= 2) {
        high = low, gap_high = gap_low;
        low -= step;
        gap_low = gap(low);
    }
    if (!(std::isfinite(low) && std::isfinite(high) && gap_low < 0 && gap_high >= 0))
        throw std::invalid_argument(
            "R0 cannot be reached: no transmission rate brackets it (the population has no "
            "one to infect)");
    double root = high;
    int kept = 0;  // which end stayed last time: -1 low, +1 high
    for (int i = 0; i < 100 && high - low > 1e-14 * std::fabs(high); ++i) {
        root = std::isfinite(gap_low) ? (low * gap_high - high * gap_low) / (gap_high - gap_low)
                                      : 0.5 * (low + high);
        if (!(root > low && root < high)) root = 0.5 * (low + high);
        const double g = gap(root);
        if (std::fabs(g) < 1e-14) break;
        if (g < 0) {
            low = root, gap_low = g;
            if (kept == 1) gap_high /= 2;
            kept = 1;
        } else {
            high = root, gap_high = g;
            if (kept == -1) gap_low /= 2;
            kept = -1;
        }
    }
    Calibration result;
    result.method = R0Method::kNextGeneration;
    result.transmission_rate = result.next_generation_rate = std::exp(root);
    return result;
}

// Pilot runs: enough of them, each following a cohort of early cases small against the
// population (so that it depletes little), for about kPilotCases cases at each rate.
constexpr std::uint32_t kPilotCases = 30000;
constexpr std::uint32_t kMinPilots = 8;
constexpr int kMaxRates = 6;

struct PilotDesign {
    std::uint32_t cohort, seeds, pilots;
};

PilotDesign pilot_design(std::size_t agents, double r0, std::uint32_t pilots = 0) {
    PilotDesign d;
    // At least kMinPilots pilots (clusters for the standard error), each cohort small against
    // the population.
    d.cohort = static_cast<std::uint32_t>(
        std::clamp<std::size_t>(agents / 500, 10, kPilotCases / kMinPilots));
    // Enough seeds that a pilot seldom dies out with k = 0.1, few enough that most of the
    // cohort is infected by cases that were themselves infected in the population. Near R0 = 1
    // the seeds' own infections must fill the cohort: 1.5 cohorts' worth.
    d.seeds = std::max<std::uint32_t>(10, d.cohort / 10);
    if (r0 < 1.5)
        d.seeds = std::max(d.seeds, static_cast<std::uint32_t>(std::ceil(1.5 * d.cohort / r0)));
    d.pilots = pilots > 0 ? std::max<std::uint32_t>(pilots, 2)
                          : std::clamp<std::uint32_t>((kPilotCases + d.cohort - 1) / d.cohort,
                                                      kMinPilots, kMaxPilots);
    return d;
}

// Quantities of a case whose mean over cases is known exactly, whatever the cases: its
// multiplier is a gamma draw of shape k and mean 1 (so E[m] = 1 and E[exp(-m)] =
// (1 + 1/k)^-k), and its path a draw given its age; neither depends on how it was infected.
// Secondary infections follow them closely (the multiplier, in a saturating way; an
// asymptomatic case is less infectious, a hospitalised one stops early), so regressing on
// them takes most of the spread between cases out of the mean (control variates).
constexpr std::size_t kControls = 4;

std::array<double, kControls> controls_of(const EarlyEpidemic& early, std::size_t i,
                                          const disease::DiseaseModel& disease) {
    const double k = disease.parameters().dispersion_k;
    const double m = early.multiplier[i];
    const auto& p = disease.paths(early.age[i]).probability;
    const auto share = [&](std::initializer_list<disease::Path> paths) {
        double total = 0;
        for (const auto path : paths) total += p[std::size_t(path)];
        return total;
    };
    const auto is = [&](std::initializer_list<disease::Path> paths) {
        return std::find(paths.begin(), paths.end(), early.path[i]) != paths.end() ? 1.0 : 0.0;
    };
    using disease::Path;
    const auto hospital = {Path::kWardRecovers, Path::kWardDies, Path::kIcuRecovers,
                           Path::kIcuDies};
    return {m - 1.0, std::exp(-m) - std::pow(1.0 + 1.0 / k, -k),
            is({Path::kAsymptomatic}) - share({Path::kAsymptomatic}),
            is(hospital) - share(hospital)};
}

// Solves the normal equations a x = b by Gaussian elimination with partial pivoting; a term
// that does not vary over the cases (a singular column) gets 0.
template <std::size_t N>
std::array<double, N> solve(std::array<std::array<double, N>, N> a, std::array<double, N> b) {
    double scale = 0;
    for (std::size_t i = 0; i < N; ++i) scale = std::max(scale, std::fabs(a[i][i]));
    std::array<bool, N> singular{};
    for (std::size_t c = 0; c < N; ++c) {
        std::size_t pivot = c;
        for (std::size_t r = c + 1; r < N; ++r)
            if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) pivot = r;
        std::swap(a[c], a[pivot]);
        std::swap(b[c], b[pivot]);
        if (std::fabs(a[c][c]) <= 1e-12 * scale) {
            singular[c] = true;
            continue;
        }
        for (std::size_t r = c + 1; r < N; ++r) {
            const double f = a[r][c] / a[c][c];
            for (std::size_t j = c; j < N; ++j) a[r][j] -= f * a[c][j];
            b[r] -= f * b[c];
        }
    }
    std::array<double, N> x{};
    for (std::size_t c = N; c-- > 0;) {
        if (singular[c]) continue;
        double rest = b[c];
        for (std::size_t j = c + 1; j < N; ++j) rest -= a[c][j] * x[j];
        x[c] = rest / a[c][c];
    }
    return x;
}

constexpr std::size_t kTerms = kControls + 1;

// The cases of one pilot's cohort, with their controls, as the regression's rows.
void add_cases(const EarlyEpidemic& early, const disease::DiseaseModel& disease,
               std::uint32_t pilot, std::vector<std::array<double, kTerms>>& x,
               std::vector<double>& y, std::vector<std::uint32_t>& pilot_of) {
    for (std::size_t i = 0; i < early.secondaries.size(); ++i) {
        const auto c = controls_of(early, i, disease);
        x.push_back({1.0, c[0], c[1], c[2], c[3]});
        y.push_back(early.secondaries_undepleted[i]);
        pilot_of.push_back(pilot);
    }
}

// The intercept of the least-squares fit of y on x, and its standard error with each pilot
// a cluster.
R0Measurement regressed(const std::vector<std::array<double, kTerms>>& x,
                        const std::vector<double>& y, const std::vector<std::uint32_t>& pilot_of,
                        std::uint32_t pilots, R0Measurement out) {
    std::array<std::array<double, kTerms>, kTerms> xtx{};
    std::array<double, kTerms> xty{};
    for (std::size_t i = 0; i < y.size(); ++i) {
        for (std::size_t a = 0; a < kTerms; ++a) {
            xty[a] += x[i][a] * y[i];
            for (std::size_t b = 0; b < kTerms; ++b) xtx[a][b] += x[i][a] * x[i][b];
        }
    }
    const auto coefficients = solve(xtx, xty);
    out.r = coefficients[0];
    std::vector<double> cluster(pilots, 0.0);
    for (std::size_t i = 0; i < y.size(); ++i) {
        double fitted = 0;
        for (std::size_t a = 0; a < kTerms; ++a) fitted += coefficients[a] * x[i][a];
        cluster[pilot_of[i]] += y[i] - fitted;
    }
    double squares = 0;
    for (const double e : cluster) squares += e * e;
    const double n = double(y.size()), g = double(pilots);
    out.standard_error = std::sqrt(squares * g / (g - 1.0)) / n;
    return out;
}

// R0 at `beta`: the mean secondary infections (undepleted) of the pilots' cohorts, as the
// intercept of their regression on the controls above. Its standard error treats each pilot
// as a cluster: the cases of a pilot share households, classes and infectors.
R0Measurement measure_r0(const contacts::ContactModel& contacts,
                         const disease::DiseaseModel& disease,
                         const std::array<double, contacts::kLayers>& weight, double beta,
                         core::RngKey key, const PilotDesign& design,
                         const std::stop_token& stop = {}, std::uint32_t most_at_once = 0) {
    EarlyEpidemicSpec spec;
    spec.transmission_rate = beta;
    spec.layer_weight = weight;
    spec.seeds = design.seeds;
    spec.cohort = design.cohort;
    std::vector<std::array<double, kTerms>> x;
    std::vector<double> y;
    std::vector<std::uint32_t> pilot_of;
    R0Measurement out;
    std::uint32_t complete = 0;
    // Pilots run side by side (an early epidemic has too few infectious agents to keep the
    // threads busy), as many at once as half the free memory holds and `most_at_once`
    // allows. Taken in key order, a pilot whose epidemic died out is replaced by the next key:
    // the result does not depend on the threads.
    const std::size_t pilot_bytes = pilot_run_bytes(contacts.population().size());
    const std::size_t available = core::available_memory_bytes();
    const std::size_t at_once = std::clamp<std::size_t>(
        available > 0 ? available / 2 / std::max<std::size_t>(pilot_bytes, 1) : 1, 1,
        most_at_once > 0 ? std::min(most_at_once, design.pilots) : design.pilots);
    tbb::task_arena arena(static_cast<int>(
        std::min<std::size_t>(at_once, std::size_t(tbb::this_task_arena::max_concurrency()))));
    std::vector<EarlyEpidemic> round;
    for (std::uint32_t next = 0; complete < design.pilots && next < 4 * design.pilots;) {
        if (stop.stop_requested()) throw CalibrationStopped();
        const std::uint32_t count = design.pilots - complete;
        round.assign(count, {});
        arena.execute([&] {
            tbb::parallel_for(std::uint32_t{0}, count, [&](std::uint32_t i) {
                const core::RngKey pilot_key = core::RngKey::from_seed(
                    core::draw_u64(key, core::streams::kCalibrationPilots, 0, next + i, 0));
                round[i] = run_early_epidemic(contacts, disease, spec, pilot_key);
            });
        });
        next += count;
        out.runs += count;
        for (const EarlyEpidemic& early : round) {
            if (!early.complete || complete == design.pilots) continue;
            add_cases(early, disease, complete++, x, y, pilot_of);
        }
    }
    if (complete < 2)
        throw std::invalid_argument("R0 cannot be measured: the pilot epidemics died out");
    return regressed(x, y, pilot_of, complete, out);
}

// The rate where log R, fitted as a line in log beta through the measured points, is log R0
// (least squares: the points' noise averages out); with one point, or a slope outside
// [0.3, 1.5], which noise alone makes, the line through the last point with `first_slope`.
double next_rate(const std::vector<std::pair<double, double>>& points, double r0,
                 double first_slope) {
    const auto& [last_beta, last_r] = points.back();
    double slope = first_slope, intercept = std::log(last_r) - slope * std::log(last_beta);
    if (points.size() >= 2) {
        double x_mean = 0, y_mean = 0;
        const double n = double(points.size());
        for (const auto& [beta, r] : points)
            x_mean += std::log(beta) / n, y_mean += std::log(r) / n;
        double cross = 0, spread = 0;
        for (const auto& [beta, r] : points) {
            cross += (std::log(beta) - x_mean) * (std::log(r) - y_mean);
            spread += (std::log(beta) - x_mean) * (std::log(beta) - x_mean);
        }
        const double fitted = spread > 0 ? cross / spread : 0.0;
        if (fitted >= 0.3 && fitted <= 1.5) {
            slope = fitted;
            intercept = y_mean - slope * x_mean;
        }
    }
    return std::exp((std::log(r0) - intercept) / slope);
}

}  // namespace

std::size_t pilot_run_bytes(std::uint64_t agents) {
    // The engine's columns; the transmission log of a pilot holds a few percent of the agents.
    return Simulation::bytes_per_agent({}) * agents + (std::size_t{1} << 20);
}

R0Measurement measure_r0_by_pilots(const contacts::ContactModel& contacts,
                                   const disease::DiseaseModel& disease,
                                   const std::array<double, contacts::kLayers>& layer_weight,
                                   double transmission_rate, double r0, core::RngKey key,
                                   std::uint32_t pilots) {
    return measure_r0(contacts, disease, layer_weight, transmission_rate, key,
                      pilot_design(contacts.population().size(), r0, pilots));
}

Calibration calibrate_transmission_rate(const contacts::ContactModel& contacts,
                                        const disease::DiseaseModel& disease, double r0,
                                        const std::array<double, contacts::kLayers>& layer_weight,
                                        core::RngKey key, const CalibrationOptions& options) {
    if (!(r0 > 0.0)) throw std::invalid_argument("R0 must be greater than 0");
    const Structure s = measure(contacts, disease);
    Calibration result = next_generation_calibration(s, r0, layer_weight);
    // Below R0 = 1 an epidemic has no early phase to measure: the matrix alone.
    if (options.method == R0Method::kSimulated && r0 >= 1.0 &&
        contacts.population().size() >= kMinimumPilotAgents) {
        // Pilots from the next-generation rate on, with the same keys at every rate (common
        // random numbers), until one measures R0 within half its standard error.
        const PilotDesign design = pilot_design(contacts.population().size(), r0);
        // The matrix's own elasticity d log R / d log beta, a first guess of the pilots' (both
        // fall below 1 as groups saturate).
        const double nudge = 1.05;
        const double elasticity =
            std::log(
                spectral_radius(
                    next_generation(s, result.next_generation_rate * nudge, layer_weight).total) /
                r0) /
            std::log(nudge);
        const double first_slope = std::clamp(elasticity, 0.3, 1.5);
        std::vector<std::pair<double, double>> points;
        double beta = result.next_generation_rate;
        R0Measurement at{};
        for (int step = 0; step < kMaxRates; ++step) {
            at = measure_r0(contacts, disease, layer_weight, beta, key, design, options.stop,
                            options.pilots_at_once);
            result.pilot_runs += at.runs;
            if (!(at.r > 0)) {  // no secondary infection at all: a rate far too low
                beta *= 2;
                continue;
            }
            points.emplace_back(beta, at.r);
            if (std::fabs(at.r - r0) <= 0.5 * at.standard_error) break;
            beta = next_rate(points, r0, first_slope);
        }
        if (points.empty())
            throw std::invalid_argument("R0 cannot be reached: the pilot runs infect no one");
        if (std::fabs(at.r - r0) > 0.5 * at.standard_error) {
            beta = next_rate(points, r0, first_slope);
            at = measure_r0(contacts, disease, layer_weight, beta, key, design, options.stop,
                            options.pilots_at_once);
            result.pilot_runs += at.runs;
        }
        result.method = R0Method::kSimulated;
        result.transmission_rate = beta;
        result.r0_measured = at.r;
        result.r0_standard_error = at.standard_error;
    }
    const auto k = next_generation(s, result.transmission_rate, layer_weight);
    result.next_generation = k.total;
    double total = 0;
    for (double x : k.by_layer) total += x;
    for (std::size_t l = 0; l < contacts::kLayers; ++l)
        result.share_by_layer[l] = total > 0 ? k.by_layer[l] / total : 0;
    return result;
}

}  // namespace sortie::engine
