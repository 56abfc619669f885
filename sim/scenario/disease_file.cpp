#include "sim/scenario/disease_file.hpp"

#include <array>
#include <string_view>

#include <fmt/format.h>

#include "sim/scenario/document.hpp"
#include "sim/scenario/map_reader.hpp"

namespace sortie::scenario {
namespace {

void read_table(MapReader& map, std::string_view key, std::size_t bands, Bounds bounds,
                std::vector<double>& out, core::DiagnosticList& problems) {
    if (!map.require(key)) return;
    const auto values = map.number_list(key, bounds);
    if (!values) return;
    if (values->size() != bands) {
        problems.add(
            map.location(key), map.key_path(key),
            fmt::format("expected {} values, one per age band, got {}", bands, values->size()));
        return;
    }
    out = *values;
}

void read_duration(MapReader& durations, std::string_view key, disease::DurationLaw& out) {
    if (!durations.require(key)) return;
    auto law = durations.map(key);
    if (!law) return;
    constexpr std::array<std::string_view, 2> kKinds = {"gamma", "lognormal"};
    if (law->require("distribution")) {
        if (const auto kind = law->one_of("distribution", kKinds)) {
            out.kind = *kind == "gamma" ? disease::DurationLaw::Kind::kGamma
                                        : disease::DurationLaw::Kind::kLogNormal;
        }
    }
    if (law->require("mean")) {
        if (const auto mean = law->number("mean", Bounds::greater_than(0))) out.mean = *mean;
    }
    if (law->require("sd")) {
        if (const auto sd = law->number("sd", Bounds::greater_than(0))) out.sd = *sd;
    }
    law->finish();
}

void read_infectiousness(MapReader& map, disease::DiseaseParameters& p) {
    if (!map.require("infectiousness")) return;
    auto inf = map.map("infectiousness");
    if (!inf) return;
    if (inf->require("generation_interval")) {
        if (auto gi = inf->map("generation_interval")) {
            constexpr std::array<std::string_view, 1> kWeibull = {"weibull"};
            if (gi->require("distribution")) gi->one_of("distribution", kWeibull);
            if (gi->require("shape"))
                p.generation_interval_shape =
                    gi->number("shape", Bounds::greater_than(0)).value_or(1);
            if (gi->require("scale"))
                p.generation_interval_scale =
                    gi->number("scale", Bounds::greater_than(0)).value_or(1);
            gi->finish();
        }
    }
    if (inf->require("relative_asymptomatic")) {
        p.relative_asymptomatic =
            inf->number("relative_asymptomatic", Bounds::at_least(0)).value_or(0);
    }
    if (inf->require("relative_presymptomatic")) {
        p.relative_presymptomatic =
            inf->number("relative_presymptomatic", Bounds::at_least(0)).value_or(0);
    }
    if (inf->require("dispersion_k"))
        p.dispersion_k = inf->number("dispersion_k", Bounds::greater_than(0)).value_or(1);
    if (const auto kept = inf->number("symptomatic_contacts_outside_home", Bounds::between(0, 1)))
        p.symptomatic_contacts_outside_home = *kept;
    inf->finish();
}

void read_durations(MapReader& map, disease::DiseaseParameters& p) {
    if (!map.require("durations")) return;
    auto d = map.map("durations");
    if (!d) return;
    read_duration(*d, "latent", p.latent);
    read_duration(*d, "presymptomatic", p.presymptomatic);
    read_duration(*d, "asymptomatic", p.asymptomatic);
    read_duration(*d, "symptomatic_to_recovery", p.symptomatic_to_recovery);
    read_duration(*d, "onset_to_hospital", p.onset_to_hospital);
    read_duration(*d, "ward_to_icu", p.ward_to_icu);
    read_duration(*d, "ward_to_discharge", p.ward_to_discharge);
    read_duration(*d, "icu_to_discharge", p.icu_to_discharge);
    read_duration(*d, "ward_to_death", p.ward_to_death);
    read_duration(*d, "icu_to_death", p.icu_to_death);
    read_duration(*d, "to_death_outside_hospital", p.to_death_outside_hospital);
    if (d->has("step_down_to_discharge"))
        read_duration(*d, "step_down_to_discharge", p.step_down_to_discharge.emplace());
    d->finish();
}

// `follow_up:` (optional): the share of hospital survivors who go on to follow-up care and
// their stay there.
void read_follow_up(MapReader& root, disease::DiseaseParameters& p) {
    auto section = root.map("follow_up");
    if (!section) return;
    auto& follow_up = p.follow_up.emplace();
    if (section->require("share"))
        follow_up.share = section->number("share", Bounds::probability()).value_or(0);
    read_duration(*section, "stay", follow_up.stay);
    section->finish();
}

void read_age_bands(MapReader& root, disease::DiseaseParameters& p,
                    core::DiagnosticList& problems) {
    if (!root.require("age_bands")) return;
    const auto starts = root.number_list("age_bands", Bounds::between(0, 99));
    if (!starts) return;
    for (std::size_t i = 0; i < starts->size(); ++i) {
        const double v = (*starts)[i];
        if (v != static_cast<int>(v) || (i == 0 && v != 0) || (i > 0 && v <= (*starts)[i - 1])) {
            problems.add(root.location("age_bands"), "age_bands",
                         "expected whole ages increasing from 0, e.g. [0, 10, 20, ...]");
            return;
        }
        p.age_band_starts.push_back(static_cast<int>(v));
    }
}

}  // namespace

disease::DiseaseParameters load_disease_parameters(const std::filesystem::path& file) {
    const Document document = Document::load_file(file);
    core::DiagnosticList problems;
    MapReader root(document, document.root(), "", problems);
    disease::DiseaseParameters p;
    read_age_bands(root, p, problems);
    const std::size_t bands = std::max<std::size_t>(1, p.age_band_starts.size());
    read_table(root, "asymptomatic_fraction", bands, Bounds::probability(), p.asymptomatic_fraction,
               problems);
    read_table(root, "susceptibility", bands, Bounds::probability(), p.susceptibility, problems);
    read_table(root, "hospitalisation_given_infection", bands, Bounds::probability(),
               p.hospitalisation_given_infection, problems);
    read_table(root, "icu_given_hospital", bands, Bounds::probability(), p.icu_given_hospital,
               problems);
    read_table(root, "death_given_hospital", bands, Bounds::probability(), p.death_given_hospital,
               problems);
    read_table(root, "death_outside_hospital_given_infection", bands, Bounds::probability(),
               p.death_outside_hospital_given_infection, problems);
    read_infectiousness(root, p);
    read_durations(root, p);
    read_follow_up(root, p);
    root.finish();
    for (std::size_t b = 0;
         b < p.asymptomatic_fraction.size() && b < p.hospitalisation_given_infection.size() &&
         b < p.death_outside_hospital_given_infection.size();
         ++b) {
        if (p.hospitalisation_given_infection[b] + p.death_outside_hospital_given_infection[b] >
            1.0 - p.asymptomatic_fraction[b] + 1e-12) {
            problems.add(
                root.location("hospitalisation_given_infection"), "hospitalisation_given_infection",
                fmt::format("age band {}: hospitalisation plus deaths outside hospital exceed the "
                            "symptomatic fraction (1 - asymptomatic_fraction)",
                            b));
        }
    }
    problems.throw_if_any();
    return p;
}

}  // namespace sortie::scenario
