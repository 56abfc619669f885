#include "sim/engine/calibration.hpp"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <stdexcept>
#include <utility>
#include <vector>

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

namespace {

// The rate where the next-generation matrix's spectral radius is R0, with the matrix there.
Calibration next_generation_calibration(const Structure& s, double r0,
                                        const std::array<double, contacts::kLayers>& weight) {
    auto r_of = [&](double beta) {
        return spectral_radius(next_generation(s, beta, weight).total);
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
    result.method = R0Method::kNextGeneration;
    result.transmission_rate = result.next_generation_rate = 0.5 * (low + high);
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
    const Structure s = measure(contacts, disease, key);
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
