// The natural history against its parameters, pooled over 10^6 sampled infections.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "sim/disease/natural_history.hpp"
#include "sim/scenario/disease_file.hpp"

using namespace sortie::disease;

namespace {

const DiseaseParameters& covid() {
    static const auto p =
        sortie::scenario::load_disease_parameters(std::filesystem::path(SORTIE_SOURCE_DIR) /
                                                  "scenarios" / "parameters" / "covid19-2020.yaml");
    return p;
}

// Inside the binomial 99.9% interval: |k - n p| <= 3.29 sqrt(n p (1 - p)) (+ 1 for p near 0).
void check_binomial(double k, double n, double p) {
    CAPTURE(k / n);
    CAPTURE(p);
    CHECK(std::fabs(k - n * p) <= 3.29 * std::sqrt(n * p * (1 - p)) + 1.0);
}

bool hospitalised(Path p) {
    return p >= Path::kWardRecovers;
}
bool icu(Path p) {
    return p == Path::kIcuRecovers || p == Path::kIcuDies;
}
bool dies(Path p) {
    return p == Path::kDiesOutside || p == Path::kWardDies || p == Path::kIcuDies;
}

}  // namespace

TEST_CASE("hospital, ICU and death fractions by age band match the inputs (10^6 infections)") {
    const DiseaseModel model(covid());
    const auto key = sortie::core::RngKey::from_seed(77);
    const std::size_t bands = covid().age_band_starts.size();
    constexpr std::uint32_t kPerBand = 1000000 / 9 + 1;
    for (std::size_t b = 0; b < bands; ++b) {
        const auto age = static_cast<std::uint8_t>(covid().age_band_starts[b] + 5);
        double hospital = 0, in_icu = 0, deaths_in_hospital = 0, deaths_outside = 0,
               asymptomatic = 0;
        for (std::uint32_t i = 0; i < kPerBand; ++i) {
            sortie::core::Draws draws(key, sortie::core::StreamId{4001}, std::uint32_t(b), i);
            const auto h = model.sample(age, draws);
            hospital += hospitalised(h.path);
            in_icu += icu(h.path);
            deaths_in_hospital += hospitalised(h.path) && dies(h.path);
            deaths_outside += h.path == Path::kDiesOutside;
            asymptomatic += h.path == Path::kAsymptomatic;
        }
        CAPTURE(b);
        check_binomial(asymptomatic, kPerBand, covid().asymptomatic_fraction[b]);
        check_binomial(hospital, kPerBand, covid().hospitalisation_given_infection[b]);
        check_binomial(in_icu, hospital, covid().icu_given_hospital[b]);
        check_binomial(deaths_in_hospital, hospital, covid().death_given_hospital[b]);
        check_binomial(deaths_outside, kPerBand, covid().death_outside_hospital_given_infection[b]);
    }
}

TEST_CASE("realised mean durations are within 4 standard errors of the configured means") {
    const DiseaseModel model(covid());
    const auto key = sortie::core::RngKey::from_seed(78);
    struct Sum {
        double n = 0, sum = 0, squares = 0;
        void add(double x) { n += 1, sum += x, squares += x * x; }
        void check(double mean) const {
            const double m = sum / n, var = squares / n - m * m;
            CAPTURE(m);
            CAPTURE(mean);
            CHECK(std::fabs(m - mean) <= 4 * std::sqrt(var / n));
        }
    };
    Sum latent, presymptomatic, mild, asymptomatic, to_hospital, ward_recovers, icu_stay, step_down,
        follow_up;
    double step_down_elsewhere = 0, follow_up_elsewhere = 0;
    for (std::uint32_t i = 0; i < 1000000; ++i) {
        sortie::core::Draws draws(key, sortie::core::StreamId{4002}, 0, i);
        // Age 85: every path is frequent enough to measure.
        const auto h = model.sample(85, draws);
        latent.add(h.stage_days[0]);
        switch (h.path) {
            case Path::kAsymptomatic:
                asymptomatic.add(h.stage_days[2]);
                break;
            case Path::kMild:
                mild.add(h.stage_days[2]), presymptomatic.add(h.stage_days[1]);
                break;
            case Path::kWardRecovers:
                ward_recovers.add(h.stage_days[3]), to_hospital.add(h.stage_days[2]);
                break;
            case Path::kIcuRecovers:
                icu_stay.add(h.stage_days[4]), step_down.add(h.stage_days[5]);
                break;
            default:
                break;
        }
        if (h.path != Path::kIcuRecovers) step_down_elsewhere += h.stage_days[5];
        if (h.path == Path::kWardRecovers || h.path == Path::kIcuRecovers)
            follow_up.add(h.stage_days[6]);  // 0 for the survivors who go home
        else
            follow_up_elsewhere += h.stage_days[6];
    }
    const auto& p = covid();
    latent.check(p.latent.mean);
    presymptomatic.check(p.presymptomatic.mean);
    mild.check(p.symptomatic_to_recovery.mean);
    asymptomatic.check(p.asymptomatic.mean);
    to_hospital.check(p.onset_to_hospital.mean);
    ward_recovers.check(p.ward_to_discharge.mean);
    icu_stay.check(p.icu_to_discharge.mean);
    REQUIRE(p.step_down_to_discharge.has_value());
    step_down.check(p.step_down_to_discharge->mean);
    CHECK(step_down_elsewhere == 0);  // only ICU survivors step down
    // Survivors' follow-up days: the share who go times the mean stay; nobody else goes.
    REQUIRE(p.follow_up.has_value());
    follow_up.check(p.follow_up->share * p.follow_up->stay.mean);
    CHECK(follow_up_elsewhere == 0);
}

TEST_CASE("the stages after an acute stay leave the rest of the course's draws as they were") {
    auto without = covid();
    without.step_down_to_discharge.reset();
    without.follow_up.reset();
    const DiseaseModel with_laws(covid()), without_laws(without);
    const auto key = sortie::core::RngKey::from_seed(79);
    std::size_t icu_survivors = 0, followed = 0;
    for (std::uint32_t i = 0; i < 20000; ++i) {
        const sortie::core::StreamId course{4003}, after{4004};
        sortie::core::Draws a(key, course, 0, i), a_after(key, after, 0, i);
        sortie::core::Draws b(key, course, 0, i), b_after(key, after, 0, i);
        const auto h = with_laws.sample(85, a, a_after), g = without_laws.sample(85, b, b_after);
        CHECK(g.stage_days[5] == 0);
        CHECK(g.stage_days[6] == 0);
        CHECK(b_after.used() == 0);
        // The same course up to the end of the acute stay, and the same draws left after it.
        REQUIRE(h.path == g.path);
        for (std::size_t stage = 0; stage < 5; ++stage)
            CHECK(h.stage_days[stage] == g.stage_days[stage]);
        CHECK(a.used() == b.used());
        icu_survivors += h.path == Path::kIcuRecovers;
        followed += h.stage_days[6] > 0;
    }
    CHECK(icu_survivors > 100);
    CHECK(followed > 100);
}

TEST_CASE("the infectiousness profile is the daily mass of the generation interval") {
    const DiseaseModel model(covid());
    double total = 0, mean = 0;
    for (std::uint32_t t = 0; t < DiseaseModel::kProfileDays; ++t) {
        total += model.profile(t);
        mean += (t + 0.5) * model.profile(t);
    }
    CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
    CHECK(mean == doctest::Approx(5.05).epsilon(0.01));  // Weibull(2.826, 5.665) has mean 5.05
    CHECK(model.profile(1000) == 0.0);
}

TEST_CASE("whole-day stage lengths: the probabilities sample() draws them with") {
    // For each law of COVID-19's natural history: the probabilities sum to 1, their mean is
    // the law's (E[floor(x + U)] = E[x]), and 200,000 latent periods drawn as sample() draws
    // them fall on each day within the binomial 99.9% interval.
    const auto& p = covid();
    for (const auto* law :
         {&p.latent, &p.presymptomatic, &p.asymptomatic, &p.symptomatic_to_recovery,
          &p.onset_to_hospital, &p.to_death_outside_hospital, &p.icu_to_discharge}) {
        const auto probabilities = DiseaseModel::whole_day_probabilities(*law);
        double total = 0, mean = 0;
        for (std::size_t d = 0; d < probabilities.size(); ++d) {
            total += probabilities[d];
            mean += double(d) * probabilities[d];
        }
        CHECK(total == doctest::Approx(1.0).epsilon(1e-9));
        CHECK(mean == doctest::Approx(law->mean).epsilon(1e-6));
    }
    const DiseaseModel model(p);
    const auto latent = DiseaseModel::whole_day_probabilities(p.latent);
    std::vector<double> counts(256, 0.0);
    const double n = 200000;
    for (std::uint32_t i = 0; i < n; ++i) {
        sortie::core::Draws draws(sortie::core::RngKey::from_seed(5), sortie::core::StreamId{4003},
                                  0, i);
        ++counts[model.sample(30, draws).stage_days[0]];
    }
    for (std::size_t d = 0; d < latent.size(); ++d) {
        CAPTURE(d);
        check_binomial(counts[d], n, latent[d]);
    }
}
