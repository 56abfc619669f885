#include "sim/disease/natural_history.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "sim/core/samplers.hpp"

namespace sortie::disease {
namespace {

double by_age(const DiseaseParameters& p, const std::vector<double>& table, std::size_t age) {
    std::size_t band = 0;
    while (band + 1 < p.age_band_starts.size() && int(age) >= p.age_band_starts[band + 1]) ++band;
    return table[band];
}

void check_table(const DiseaseParameters& p, const std::vector<double>& table, const char* name) {
    if (table.size() != p.age_band_starts.size()) {
        throw std::invalid_argument(std::string(name) + ": one value per age band expected");
    }
    for (double v : table) {
        if (!(v >= 0.0 && v <= 1.0))
            throw std::invalid_argument(std::string(name) + ": values in [0, 1] expected");
    }
}

// Converts the per-infection probabilities of the parameters into the seven paths.
PathProbabilities path_probabilities(const DiseaseParameters& p, std::size_t age) {
    const double asymptomatic = by_age(p, p.asymptomatic_fraction, age);
    const double symptomatic = 1.0 - asymptomatic;
    const double hospital =
        std::min(by_age(p, p.hospitalisation_given_infection, age), symptomatic);
    const double icu = by_age(p, p.icu_given_hospital, age);
    const double death = by_age(p, p.death_given_hospital, age);
    const double outside =
        std::min(by_age(p, p.death_outside_hospital_given_infection, age), symptomatic - hospital);
    PathProbabilities result;
    auto& pr = result.probability;
    pr[std::size_t(Path::kAsymptomatic)] = asymptomatic;
    pr[std::size_t(Path::kDiesOutside)] = outside;
    pr[std::size_t(Path::kMild)] = symptomatic - hospital - outside;
    // ICU and death among hospital patients are taken as independent (docs/model.md).
    pr[std::size_t(Path::kWardRecovers)] = hospital * (1 - icu) * (1 - death);
    pr[std::size_t(Path::kWardDies)] = hospital * (1 - icu) * death;
    pr[std::size_t(Path::kIcuRecovers)] = hospital * icu * (1 - death);
    pr[std::size_t(Path::kIcuDies)] = hospital * icu * death;
    return result;
}

Path draw_path(const PathProbabilities& paths, double u) {
    for (std::size_t i = 0; i + 1 < kPaths; ++i) {
        if (u < paths.probability[i]) return Path(i);
        u -= paths.probability[i];
    }
    return Path(kPaths - 1);
}

std::uint8_t whole_days(double days, core::Draws& draws) {
    const double rounded = std::floor(days + draws.uniform());  // E[floor(x + U)] = x
    return static_cast<std::uint8_t>(std::clamp(rounded, 0.0, 255.0));
}

// The regularised lower incomplete gamma function P(a, x): its series below x = a + 1, the
// continued fraction of its complement above (modified Lentz), each to double precision.
double lower_gamma_regularised(double a, double x) {
    if (x <= 0) return 0.0;
    const double log_prefix = a * std::log(x) - x - std::lgamma(a);
    if (x < a + 1) {
        double term = 1.0 / a, sum = term;
        for (int n = 1; n < 10000 && term > sum * 1e-17; ++n) {
            term *= x / (a + n);
            sum += term;
        }
        return std::exp(log_prefix) * sum;
    }
    constexpr double kTiny = 1e-300;
    double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
    for (int i = 1; i < 10000; ++i) {
        const double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (std::fabs(d) < kTiny) d = kTiny;
        c = b + an / c;
        if (std::fabs(c) < kTiny) c = kTiny;
        d = 1 / d;
        const double step = d * c;
        h *= step;
        if (std::fabs(step - 1) < 1e-16) break;
    }
    return 1.0 - std::exp(log_prefix) * h;
}

// The integral of F over [d, d + 1] by Simpson's rule (F is smooth there but at 0).
template <typename Cdf>
double unit_integral(const Cdf& cdf, double d) {
    constexpr int kIntervals = 64;
    const double h = 1.0 / kIntervals;
    double sum = cdf(d) + cdf(d + 1);
    for (int i = 1; i < kIntervals; ++i) sum += (i % 2 ? 4 : 2) * cdf(d + i * h);
    return sum * h / 3;
}

}  // namespace

std::vector<double> DiseaseModel::whole_day_probabilities(const DurationLaw& law) {
    std::function<double(double)> cdf;
    if (law.kind == DurationLaw::Kind::kLogNormal) {
        const auto ln = core::LogNormalParams::from_mean_sd(law.mean, law.sd);
        cdf = [ln](double x) {
            return x <= 0 ? 0.0
                          : 0.5 * std::erfc(-(std::log(x) - ln.mu) / (ln.sigma * std::sqrt(2.0)));
        };
    } else {
        const double shape = (law.mean * law.mean) / (law.sd * law.sd), scale = law.mean / shape;
        cdf = [shape, scale](double x) { return lower_gamma_regularised(shape, x / scale); };
    }
    // P(floor(X + U) = d) = E[(1 - |X - d|)+] = integral of F over [d, d + 1] minus that over
    // [d - 1, d], by parts.
    std::vector<double> probabilities;
    double before = 0.0, total = 0.0;
    for (int d = 0; d < 255; ++d) {
        const double here = unit_integral(cdf, double(d));
        probabilities.push_back(std::max(0.0, here - before));
        total += probabilities.back();
        before = here;
        if (1.0 - cdf(double(d) + 1) < 1e-13) break;
    }
    probabilities.push_back(std::max(0.0, 1.0 - total));  // the rest, at the last day
    return probabilities;
}

DiseaseModel::DiseaseModel(const DiseaseParameters& parameters) : parameters_(parameters) {
    const auto& p = parameters_;
    for (const auto* table : {&p.asymptomatic_fraction, &p.susceptibility,
                              &p.hospitalisation_given_infection, &p.icu_given_hospital,
                              &p.death_given_hospital, &p.death_outside_hospital_given_infection}) {
        check_table(p, *table, "disease parameters");
    }
    for (std::size_t age = 0; age < kAges; ++age) {
        paths_[age] = path_probabilities(p, age);
        susceptibility_[age] = by_age(p, p.susceptibility, age);
    }
    // Daily mass of the Weibull generation interval: F(t + 1) - F(t).
    auto cdf = [&](double t) {
        return 1.0 -
               std::exp(-std::pow(t / p.generation_interval_scale, p.generation_interval_shape));
    };
    for (std::size_t t = 0; t < kProfileDays; ++t)
        profile_[t] = cdf(double(t) + 1.0) - cdf(double(t));
}

double DiseaseModel::sample_days(const DurationLaw& law, core::Draws& draws) const {
    if (law.kind == DurationLaw::Kind::kLogNormal) {
        const auto ln = core::LogNormalParams::from_mean_sd(law.mean, law.sd);
        return core::lognormal(draws, ln.mu, ln.sigma);
    }
    const double shape = (law.mean * law.mean) / (law.sd * law.sd);
    return core::gamma(draws, shape, law.mean / shape);
}

History DiseaseModel::sample(std::uint8_t age, core::Draws& draws, core::Draws& after_acute) const {
    const auto& p = parameters_;
    History h;
    h.path = draw_path(paths_[age], draws.uniform());
    auto days = [&](const DurationLaw& law) { return whole_days(sample_days(law, draws), draws); };
    h.stage_days[0] = days(p.latent);
    switch (h.path) {
        case Path::kAsymptomatic:
            h.stage_days[2] = days(p.asymptomatic);
            break;
        case Path::kMild:
            h.stage_days[1] = days(p.presymptomatic);
            h.stage_days[2] = days(p.symptomatic_to_recovery);
            break;
        case Path::kDiesOutside:
            h.stage_days[1] = days(p.presymptomatic);
            h.stage_days[2] = days(p.to_death_outside_hospital);
            break;
        case Path::kWardRecovers:
        case Path::kWardDies:
        case Path::kIcuRecovers:
        case Path::kIcuDies:
            h.stage_days[1] = days(p.presymptomatic);
            h.stage_days[2] = days(p.onset_to_hospital);
            h.stage_days[3] = days(h.path == Path::kWardRecovers ? p.ward_to_discharge
                                   : h.path == Path::kWardDies   ? p.ward_to_death
                                                                 : p.ward_to_icu);
            if (h.path == Path::kIcuRecovers) h.stage_days[4] = days(p.icu_to_discharge);
            if (h.path == Path::kIcuDies) h.stage_days[4] = days(p.icu_to_death);
            sample_after_acute(h, after_acute);
            break;
    }
    return h;
}

// Survivors' stages after the acute stay: ICU survivors' step-down on a ward, then follow-up
// care for a share of all survivors.
void DiseaseModel::sample_after_acute(History& h, core::Draws& draws) const {
    const auto& p = parameters_;
    auto days = [&](const DurationLaw& law) { return whole_days(sample_days(law, draws), draws); };
    if (h.path == Path::kIcuRecovers && p.step_down_to_discharge)
        h.stage_days[5] = days(*p.step_down_to_discharge);
    const bool survives = h.path == Path::kWardRecovers || h.path == Path::kIcuRecovers;
    if (survives && p.follow_up && draws.uniform() < p.follow_up->share)
        h.stage_days[6] = days(p.follow_up->stay);
}

History DiseaseModel::mild_instead(const History& history, core::Draws& draws) const {
    History mild = history;
    mild.path = Path::kMild;
    mild.stage_days[2] = whole_days(sample_days(parameters_.symptomatic_to_recovery, draws), draws);
    mild.stage_days[3] = 0;
    mild.stage_days[4] = 0;
    mild.stage_days[5] = 0;
    mild.stage_days[6] = 0;
    return mild;
}

}  // namespace sortie::disease
