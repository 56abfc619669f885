#include <doctest/doctest.h>
#include <tbb/global_control.h>

#include <cmath>
#include <set>

#include "sim/contacts/survey.hpp"
#include "sim/core/error.hpp"
#include "tests/support/france.hpp"

using namespace sortie::contacts;
using sortie::core::RngKey;
using sortie::testing::france_million;

namespace {

const ContactModel& france_model() {
    static const ContactModel model(france_million(), sortie::testing::france_contact_spec());
    return model;
}

// Every agent of the 10^6 on day 3 (>= 10^6 community contacts).
const ContactSurvey& full_survey() {
    static const auto survey =
        survey_contacts(france_million(), france_model(), RngKey::from_seed(5), 3, 1u << 31);
    return survey;
}

std::set<std::pair<AgentId, Layer>> contacts_of(AgentId agent, std::uint32_t day, RngKey key) {
    std::set<std::pair<AgentId, Layer>> seen;
    france_model().for_each_contact(agent, day, key, [&](AgentId other, Layer layer) {
        seen.insert({other, layer});
    });
    return seen;
}

}  // namespace

TEST_CASE("mean contacts per layer are within 3% of their targets") {
    const auto& survey = full_survey();
    const auto spec = sortie::testing::france_contact_spec();
    CHECK(survey.agents_sampled == 1000000);
    CHECK(survey.mean_per_member(Layer::kSchool) ==
          doctest::Approx(spec.school_per_day).epsilon(0.03));
    CHECK(survey.mean_per_member(Layer::kWork) == doctest::Approx(spec.work_per_day).epsilon(0.03));
    CHECK(survey.mean(Layer::kCommunity) == doctest::Approx(spec.community_per_day).epsilon(0.03));
    // Households: everyone meets every other member daily, sum of n(n-1) over households.
    const auto& population = france_million();
    double pairs = 0;
    for (std::uint32_t h = 0; h < population.households(); ++h) {
        const double n = population.household_size(h);
        pairs += n * (n - 1);
    }
    CHECK(survey.mean(Layer::kHousehold) == doctest::Approx(pairs / 1e6).epsilon(1e-12));
}

TEST_CASE("on the matrix's own population, contact rates are the matrix rows times the mean") {
    const auto matrix = sortie::testing::france_community_matrix();
    const auto rates = community_contact_rates(matrix, matrix.reference_population, 2.79);
    double contacts = 0, people = 0;
    for (std::size_t i = 0; i < kAgeBands; ++i) {
        for (std::size_t j = 0; j < kAgeBands; ++j) {
            // Community rows of F sum to 1 (Mistry et al.), so C[i][j] = 2.79 F[i][j].
            CHECK(rates[i][j] == doctest::Approx(2.79 * matrix.per_capita[i][j]).epsilon(1e-9));
            contacts += matrix.reference_population[i] * rates[i][j];
        }
        people += matrix.reference_population[i];
    }
    CHECK(contacts / people == doctest::Approx(2.79));
}

TEST_CASE("community contacts reproduce the rows of the contact matrix (TVD < 0.02)") {
    const auto& survey = full_survey();
    const auto& mixing = survey.mixing[static_cast<std::size_t>(Layer::kCommunity)];
    // The rows expected on this population (its own age structure, 2018 regional shares).
    ByBand band_people{};
    for (auto age : france_million().age) band_people[age_band(age)] += 1.0;
    const auto expected =
        community_contact_rates(sortie::testing::france_community_matrix(), band_people, 2.79);
    double total = 0;
    for (std::size_t i = 0; i < kAgeBands; ++i) {
        double observed_sum = 0, expected_sum = 0;
        for (std::size_t j = 0; j < kAgeBands; ++j) {
            observed_sum += mixing[i][j];
            expected_sum += expected[i][j];
        }
        total += observed_sum;
        double distance = 0;
        for (std::size_t j = 0; j < kAgeBands; ++j) {
            distance += std::fabs(mixing[i][j] / observed_sum - expected[i][j] / expected_sum);
        }
        CAPTURE(i);
        CHECK(distance / 2 < 0.02);
        // The mean of the band, too: within 4 Poisson standard errors.
        CHECK(std::fabs(observed_sum - expected_sum * band_people[i]) <=
              4 * std::sqrt(expected_sum * band_people[i]));
    }
    CHECK(total >= 1e6);
}

TEST_CASE("contacts are reciprocal: N_i C_ij = N_j C_ji within sampling error, by layer") {
    const auto& survey = full_survey();
    for (std::size_t l = 0; l < kLayers; ++l) {
        CAPTURE(kLayerNames[l]);
        const auto& m = survey.mixing[l];
        for (std::size_t i = 0; i < kAgeBands; ++i) {
            for (std::size_t j = i + 1; j < kAgeBands; ++j) {
                CAPTURE(i);
                CAPTURE(j);
                // Counts are sums of Poisson draws, or symmetric exactly; 5 sd covers the 612
                // comparisons at an overall error rate below 0.001.
                REQUIRE(std::fabs(m[i][j] - m[j][i]) <= 5.0 * std::sqrt(m[i][j] + m[j][i]) + 1e-9);
            }
        }
    }
    // Household and pair contacts are symmetric exactly.
    const auto& household = survey.mixing[static_cast<std::size_t>(Layer::kHousehold)];
    for (std::size_t i = 0; i < kAgeBands; ++i) {
        for (std::size_t j = 0; j < kAgeBands; ++j) REQUIRE(household[i][j] == household[j][i]);
    }
}

TEST_CASE("class and team contacts are symmetric: a meets b on a day exactly when b meets a") {
    const auto& population = france_million();
    const RngKey key = RngKey::from_seed(9);
    for (AgentId a = 0; a < population.size(); a += 10007) {
        for (const auto& [other, layer] : contacts_of(a, 4, key)) {
            if (layer != Layer::kHousehold) continue;
            REQUIRE(contacts_of(other, 4, key).count({a, Layer::kHousehold}) == 1);
        }
    }
    const auto& classes = population.schools;
    const auto& model = france_model();
    for (std::uint32_t g = 0; g < classes.groups(); g += 101) {
        for (auto i = classes.group_offsets[g]; i < classes.group_offsets[g + 1]; ++i) {
            for (auto k = i + 1; k < classes.group_offsets[g + 1]; ++k) {
                const AgentId a = classes.members[i], b = classes.members[k];
                bool a_sees_b = false, b_sees_a = false;
                // Only the pair draws: venue-wide draws are one-sided by design.
                std::set<AgentId> from_a, from_b;
                model.school(a, 2, key, [&](AgentId o, Layer) { from_a.insert(o); });
                model.school(b, 2, key, [&](AgentId o, Layer) { from_b.insert(o); });
                a_sees_b = from_a.count(b) > 0;
                b_sees_a = from_b.count(a) > 0;
                if (a_sees_b != b_sees_a) {
                    // Allowed only if the one-sided sighting came from a venue-wide draw:
                    // re-check without venue draws by comparing the pair draw itself.
                    const auto low = std::min(a, b), high = std::max(a, b);
                    const bool pair =
                        sortie::core::draw_u64(key, sortie::core::streams::kClassContacts, 2, low,
                                               high) <
                        static_cast<std::uint64_t>(
                            std::ldexp(model.rates().class_pair_probability, 64));
                    REQUIRE_FALSE(pair);
                }
            }
        }
    }
}

TEST_CASE("a day's contacts are a pure function of (key, day, agent), whatever the threads") {
    const RngKey key = RngKey::from_seed(11);
    const auto first = contacts_of(12345, 7, key);
    contacts_of(999, 7, key);
    CHECK(contacts_of(12345, 7, key) == first);
    int changed = 0;
    for (AgentId a = 0; a < 1000; a += 7)
        changed += contacts_of(a, 7, key) != contacts_of(a, 8, key);
    CHECK(changed > 50);  // a new day draws new contacts
    auto survey_with = [&](int threads) {
        tbb::global_control control(tbb::global_control::max_allowed_parallelism,
                                    std::size_t(threads));
        return survey_contacts(france_million(), france_model(), key, 1, 200000);
    };
    const auto one = survey_with(1), two = survey_with(2);
    CHECK(one.mixing == two.mixing);
    CHECK(one.member_contacts == two.member_contacts);
}

TEST_CASE("community contacts leave the region with the configured share") {
    const auto& population = france_million();
    const RngKey key = RngKey::from_seed(13);
    double outside = 0, total = 0;
    for (AgentId a = 0; a < population.size(); a += 3) {
        france_model().community(a, 0, key, [&](AgentId other, Layer) {
            total += 1;
            outside += population.region[other] != population.region[a];
        });
    }
    const double p = 0.05;
    CHECK(std::fabs(outside / total - p) <= 4 * std::sqrt(p * (1 - p) / total));
}

TEST_CASE("agents without a class or a team have no school or work contacts") {
    const auto& population = france_million();
    const RngKey key = RngKey::from_seed(3);
    for (AgentId a = 0; a < population.size(); a += 101) {
        if (population.school_group[a] == sortie::population::kNoGroup) {
            france_model().school(a, 0, key,
                                  [&](AgentId, Layer) { FAIL("school contact without a class"); });
        }
        if (population.work_group[a] == sortie::population::kNoGroup) {
            france_model().work(a, 0, key,
                                [&](AgentId, Layer) { FAIL("work contact without a team"); });
        }
    }
}

TEST_CASE("bad contact parameters are refused with their key") {
    auto spec = sortie::testing::france_contact_spec();
    spec.school_class_share = 1.5;
    spec.community_per_day = -1;
    CHECK_THROWS_WITH_AS(ContactModel(france_million(), spec),
                         "contacts.school.class_share: must be between 0 and 1 (got 1.5)\n"
                         "contacts.community.per_day: must be a number >= 0 (got -1)",
                         sortie::core::InputError);
}

TEST_CASE("collect and resolve give for_each_contact's contacts in its order") {
    // The kernel examines the collected list: its order fixes which random number each
    // contact draws, so a different order would change the epidemic.
    const RngKey key = RngKey::from_seed(13);
    std::vector<FoundContact> found;
    std::size_t compared = 0, self_picks = 0;
    for (AgentId a = 0; a < france_million().size(); a += 97) {
        std::vector<std::pair<AgentId, Layer>> expected, got;
        france_model().for_each_contact(a, 4, key, [&](AgentId other, Layer layer) {
            expected.push_back({other, layer});
        });
        found.clear();
        france_model().collect(a, 4, key, found);
        france_model().resolve(found);
        for (const auto& c : found) {
            REQUIRE_FALSE(c.pending);
            if (c.other == a) {
                REQUIRE(c.layer == Layer::kCommunity);  // the only layer that may pick oneself
                ++self_picks;
                continue;
            }
            got.push_back({c.other, c.layer});
        }
        REQUIRE(got == expected);
        compared += got.size();
    }
    CHECK(compared > 100000);
    CHECK(self_picks < 10);
}
