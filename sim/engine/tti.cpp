// Test-trace-isolate: step 5b of the day loop (docs/model.md, "Test, trace, isolate").
// Serial and in a fixed order, except the enumeration of index cases' past contacts, which
// runs in parallel into per-thread buffers that are then sorted. Every decision draws from
// its own stream, so a scenario without these interventions draws nothing here.
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <tuple>

#include "sim/core/rng_streams.hpp"
#include "sim/core/samplers.hpp"
#include "sim/engine/simulation.hpp"

namespace sortie::engine {
namespace {

using interventions::Kind;

// Draws of kTestResult by the source of the test, so that two tests of one person on one day
// (a requested one and a mass test) are independent.
constexpr std::uint32_t kRequestedTest = 0, kMassTest = 1;
// A mass test campaign gives up on a draw after this many people outside its target.
constexpr std::uint32_t kMassTestTries = 64;

bool infected(State s) {
    return s != State::kSusceptible && s != State::kRecovered && s != State::kDead;
}

std::uint16_t day16(std::uint32_t day) {
    return static_cast<std::uint16_t>(std::min<std::uint32_t>(day, 0xFFFF));
}

template <typename T>
void push_at(std::vector<std::vector<T>>& queue, std::uint32_t day, T item) {
    if (day < queue.size()) queue[day].push_back(item);
}

}  // namespace

bool Simulation::isolated(AgentId agent, std::uint32_t day) const {
    return tti_.allocated && day < tti_.isolation_end[agent];
}

bool Simulation::quarantined(AgentId agent, std::uint32_t day) const {
    return tti_.allocated && day < tti_.quarantine_end[agent];
}

bool Simulation::stays_home(AgentId agent, std::uint32_t day) const {
    return tti_.allocated && day < tti_.home_end[agent];
}

void Simulation::refresh_home_end(AgentId a) {
    const auto flags = tti_.flags[a];
    std::uint16_t end = 0;
    if (flags & TtiState::kIsolationComplies) end = tti_.isolation_end[a];
    if (flags & TtiState::kQuarantineComplies) end = std::max(end, tti_.quarantine_end[a]);
    tti_.home_end[a] = end;
}

// Household contacts stay: isolation and quarantine happen at home.
float Simulation::home_factor(AgentId a, AgentId b, contacts::Layer layer,
                              std::uint32_t day) const {
    if (layer == contacts::Layer::kHousehold) return 1.0f;
    return stays_home(a, day) || stays_home(b, day) ? 0.0f : 1.0f;
}

// Of several interventions of a kind in force, the last in the file applies.
const interventions::InterventionSpec* Simulation::last_active(interventions::Kind kind) const {
    const auto& all = plan_.interventions();
    for (std::size_t i = all.size(); i-- > 0;) {
        if (plan_.active()[i] && all[i].kind == kind) return &all[i];
    }
    return nullptr;
}

void Simulation::test_trace_isolate(std::uint32_t day) {
    const auto* testing = last_active(Kind::kTesting);
    const auto* tracing = last_active(Kind::kTracing);
    const bool any_active = testing || tracing || last_active(Kind::kMassTesting) != nullptr;
    if (!tti_.allocated) {
        if (!any_active) return;
        tti_.allocate(population_.size(), spec_.days);
    }
    const auto index_of = [&](const interventions::InterventionSpec* in) {
        return std::size_t(in - plan_.interventions().data());
    };
    if (testing) {
        request_symptomatic_tests(day, testing->test);
        perform_requested_tests(day, index_of(testing));
    }
    tti_.onsets_today.clear();
    tti_.requests[day].clear();
    tti_.requests[day].shrink_to_fit();
    perform_mass_tests(day);
    auto index_cases = act_on_results(day);
    if (tracing) trace(day, index_of(tracing), std::move(index_cases));
    start_quarantines(day);
    end_expired(day);
}

// Each case with symptoms today asks for a test with probability seek_test, `delay_days` later.
void Simulation::request_symptomatic_tests(std::uint32_t day,
                                           const interventions::TestSpec& testing) {
    for (const AgentId a : tti_.onsets_today) {
        if (tti_.flags[a] & TtiState::kKnownPositive) continue;
        const double u =
            core::to_unit_interval(core::draw_u64(key_, core::streams::kTestSeeking, day, a, 0));
        if (u < testing.seek_test) push_at(tti_.requests, day + testing.delay_days, {a, 0});
    }
}

// The day's requests in (priority, agent) order, each region up to its capacity; the rest
// are unmet and dropped (they do not queue to the next day).
void Simulation::perform_requested_tests(std::uint32_t day, std::size_t testing) {
    auto& requests = tti_.requests[day];
    std::sort(requests.begin(), requests.end(), [](const auto& x, const auto& y) {
        return std::tie(x.agent, x.priority) < std::tie(y.agent, y.priority);
    });
    requests.erase(std::unique(requests.begin(), requests.end(),
                               [](const auto& x, const auto& y) { return x.agent == y.agent; }),
                   requests.end());
    std::stable_sort(requests.begin(), requests.end(),
                     [](const auto& x, const auto& y) { return x.priority < y.priority; });
    const auto& spec = plan_.interventions()[testing].test;
    std::vector<std::uint32_t> used(population_.regions.size(), 0);
    for (std::size_t r = 0; r < population_.regions.size(); ++r) {
        const double people = population_.region_offsets[r + 1] - population_.region_offsets[r];
        measures_[r * kMeasures + std::size_t(Measure::kTestCapacity)] +=
            interventions::daily_capacity(spec.per_100k, people, day);
    }
    for (const auto& request : requests) {
        const AgentId a = request.agent;
        if (state_[a] == State::kDead || (tti_.flags[a] & TtiState::kKnownPositive)) continue;
        const std::uint16_t r = population_.region[a];
        const double people = population_.region_offsets[r + 1u] - population_.region_offsets[r];
        if (used[r] >= interventions::daily_capacity(spec.per_100k, people, day)) {
            count_measure(a, Measure::kTestsUnmet);
            continue;
        }
        ++used[r];
        perform_test(a, day, testing, kRequestedTest);
    }
}

// Each campaign tests its daily number of people per region, drawn uniformly among the
// living people of its ages who have not tested positive before.
void Simulation::perform_mass_tests(std::uint32_t day) {
    const auto& all = plan_.interventions();
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (!plan_.active()[i] || all[i].kind != Kind::kMassTesting) continue;
        const auto& campaign = all[i];
        std::uint32_t drawn = 0;
        for (std::uint16_t r = 0; r < population_.regions.size(); ++r) {
            const auto& chosen = campaign.regions;
            if (!chosen.empty() && std::find(chosen.begin(), chosen.end(), r) == chosen.end())
                continue;
            const AgentId first = population_.region_offsets[r];
            const AgentId size = population_.region_offsets[r + 1u] - first;
            const auto tests = interventions::daily_capacity(campaign.test.per_100k, size, day);
            measures_[std::size_t{r} * kMeasures + std::size_t(Measure::kTestCapacity)] += tests;
            for (std::uint32_t t = 0; t < tests && size > 0; ++t) {
                core::Draws draws(key_, core::streams::kMassTesting, day,
                                  static_cast<AgentId>(i << 24 | drawn++));
                for (std::uint32_t attempt = 0; attempt < kMassTestTries; ++attempt) {
                    const auto a = static_cast<AgentId>(first + core::uniform_int(draws, size));
                    const int age = population_.age[a];
                    if (age < campaign.age_from || age > campaign.age_to ||
                        state_[a] == State::kDead || (tti_.flags[a] & TtiState::kKnownPositive))
                        continue;
                    perform_test(a, day, i, kMassTest);
                    break;
                }
            }
        }
    }
}

// Positive with probability sensitivity(days since infection) while infected, 1 - specificity
// otherwise; a positive's result arrives result_delay_days later.
void Simulation::perform_test(AgentId a, std::uint32_t day, std::size_t intervention,
                              std::uint32_t source) {
    const auto& spec = plan_.interventions()[intervention].test;
    count_measure(a, Measure::kTests);
    const double u =
        core::to_unit_interval(core::draw_u64(key_, core::streams::kTestResult, day, a, source));
    const double p_positive = infected(state_[a]) ? interventions::sensitivity_at(
                                                        spec.sensitivity, day - infection_day_[a])
                                                  : 1.0 - spec.specificity;
    if (u >= p_positive) return;
    count_measure(a, Measure::kTestsPositive);
    tti_.flags[a] |= TtiState::kKnownPositive;
    push_at(tti_.results, day + spec.result_delay_days,
            {a, day16(day), static_cast<std::uint16_t>(intervention)});
}

// Today's positive results: cases isolate, their households quarantine; they are the index
// cases that tracing may take on.
std::vector<PositiveResult> Simulation::act_on_results(std::uint32_t day) {
    auto results = std::move(tti_.results[day]);
    tti_.results[day] = {};
    std::sort(results.begin(), results.end(),
              [](const auto& x, const auto& y) { return x.agent < y.agent; });
    for (const auto& result : results) {
        const auto& rules = plan_.interventions()[result.intervention].test.isolation;
        isolate(result.agent, day, rules);
        if (!rules.household_quarantine) continue;
        contacts_.household(result.agent, [&](AgentId member, contacts::Layer) {
            quarantine(member, day, rules.compliance, rules.days);
        });
    }
    return results;
}

// Tracers take on index cases in agent order, each region up to its capacity; the contacts
// of the cases taken on are enumerated in parallel, then merged in a fixed order.
void Simulation::trace(std::uint32_t day, std::size_t tracing,
                       std::vector<PositiveResult> index_cases) {
    const auto& spec = plan_.interventions()[tracing].tracing;
    std::vector<std::uint32_t> used(population_.regions.size(), 0);
    std::size_t kept = 0;
    for (const auto& index : index_cases) {
        const std::uint16_t r = population_.region[index.agent];
        const double people = population_.region_offsets[r + 1u] - population_.region_offsets[r];
        if (used[r] >= interventions::daily_capacity(spec.index_cases_per_100k, people, day))
            continue;
        ++used[r];
        count_measure(index.agent, Measure::kIndexCases);
        index_cases[kept++] = index;
    }
    index_cases.resize(kept);
    tbb::enumerable_thread_specific<std::vector<TracedContact>> found;
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, index_cases.size(), 16),
                      [&](const auto& range) {
                          auto& local = found.local();
                          for (std::size_t i = range.begin(); i < range.end(); ++i)
                              trace_index_case(index_cases[i], day, tracing, local);
                      });
    std::vector<TracedContact> traced;
    for (auto& local : found) traced.insert(traced.end(), local.begin(), local.end());
    // A person reached several times is traced once, by the fastest route.
    std::sort(traced.begin(), traced.end(), [](const auto& x, const auto& y) {
        return std::tie(x.agent, x.delay_days) < std::tie(y.agent, y.delay_days);
    });
    traced.erase(std::unique(traced.begin(), traced.end(),
                             [](const auto& x, const auto& y) { return x.agent == y.agent; }),
                 traced.end());
    for (const auto& contact : traced) {
        if (state_[contact.agent] == State::kDead) continue;
        count_measure(contact.agent, Measure::kTraced);
        push_at(tti_.quarantines, day + contact.delay_days, {contact.agent, contact.intervention});
    }
}

// The index case's contacts from lookback_days before its test to today: each kept with its
// layer's traceable probability (manual), or when both have the app (digital).
void Simulation::trace_index_case(const PositiveResult& index, std::uint32_t day,
                                  std::size_t tracing, std::vector<TracedContact>& found) const {
    const auto& spec = plan_.interventions()[tracing].tracing;
    const bool index_app = has_app(index.agent, spec);
    const std::uint32_t first =
        index.test_day > spec.lookback_days ? index.test_day - spec.lookback_days : 0;
    for (std::uint32_t d = first; d <= day; ++d) {
        core::Draws draws(key_, core::streams::kTracing, d, index.agent);
        contacts_.for_each_contact(index.agent, d, key_, [&](AgentId b, contacts::Layer layer) {
            const bool manual = draws.uniform() < spec.traceable[std::size_t(layer)];
            const bool digital = index_app && has_app(b, spec);
            if (!manual && !digital) return;
            const std::uint32_t delay = digital && manual
                                            ? std::min(spec.delay_days, spec.app_delay_days)
                                        : digital ? spec.app_delay_days
                                                  : spec.delay_days;
            found.push_back({b, day16(delay), static_cast<std::uint16_t>(tracing)});
        });
    }
}

// A stable draw per agent: the same people have the app all through the run.
bool Simulation::has_app(AgentId agent, const interventions::TracingSpec& tracing) const {
    if (tracing.app_uptake.empty()) return false;
    const double share = interventions::app_share(tracing.app_uptake, population_.age[agent]);
    return core::to_unit_interval(core::draw_u64(key_, core::streams::kAppUptake, 0, agent, 0)) <
           share;
}

// Traced contacts reached today quarantine and, if the rules say so, ask for a test tomorrow.
void Simulation::start_quarantines(std::uint32_t day) {
    auto starts = std::move(tti_.quarantines[day]);
    tti_.quarantines[day] = {};
    for (const auto& start : starts) {
        const auto& rules = plan_.interventions()[start.intervention].tracing.quarantine;
        quarantine(start.agent, day, rules.compliance, rules.days);
        if (rules.test) push_at(tti_.requests, day + 1, {start.agent, 1});
    }
}

// From tomorrow for `days` days; a case already in quarantine leaves it for isolation.
void Simulation::isolate(AgentId a, std::uint32_t day, const interventions::IsolationSpec& rules) {
    if (state_[a] == State::kDead) return;
    auto& q_end = tti_.quarantine_end[a];
    if (q_end > day) {  // in the quarantine stock: leaves it now
        count_measure(a, Measure::kQuarantined, -1);
        --tti_.in_stock;
        q_end = day16(day);
    }
    auto& end = tti_.isolation_end[a];
    if (end <= day) {  // a new episode
        count_measure(a, Measure::kIsolated);
        ++tti_.in_stock;
        const bool complies =
            core::to_unit_interval(core::draw_u64(key_, core::streams::kIsolationCompliance, day, a,
                                                  0)) < rules.compliance;
        tti_.flags[a] =
            static_cast<std::uint8_t>(complies ? tti_.flags[a] | TtiState::kIsolationComplies
                                               : tti_.flags[a] & ~TtiState::kIsolationComplies);
    }
    const auto new_end = day16(day + 1 + rules.days);
    if (new_end > end) {
        end = new_end;
        push_at(tti_.isolation_expiry, new_end, a);
    }
    refresh_home_end(a);
}

// From tomorrow for `days` days, unless isolated; a second quarantine extends the first.
void Simulation::quarantine(AgentId a, std::uint32_t day, double compliance, std::uint32_t days) {
    if (state_[a] == State::kDead || tti_.isolation_end[a] > day) return;
    auto& end = tti_.quarantine_end[a];
    if (end <= day) {
        count_measure(a, Measure::kQuarantined);
        ++tti_.in_stock;
        const bool complies =
            core::to_unit_interval(
                core::draw_u64(key_, core::streams::kQuarantineCompliance, day, a, 0)) < compliance;
        tti_.flags[a] =
            static_cast<std::uint8_t>(complies ? tti_.flags[a] | TtiState::kQuarantineComplies
                                               : tti_.flags[a] & ~TtiState::kQuarantineComplies);
    }
    const auto new_end = day16(day + 1 + days);
    if (new_end > end) {
        end = new_end;
        push_at(tti_.quarantine_expiry, new_end, a);
    }
    refresh_home_end(a);
}

// People whose isolation or quarantine ends tomorrow leave the stocks tonight (an entry whose
// end has moved since it was queued is skipped; a quarantine cut short by isolation and begun
// again may have queued the same end twice).
void Simulation::end_expired(std::uint32_t day) {
    const std::uint32_t tomorrow = day + 1;
    if (tomorrow >= tti_.isolation_expiry.size()) return;
    for (auto* list : {&tti_.isolation_expiry[tomorrow], &tti_.quarantine_expiry[tomorrow]}) {
        std::sort(list->begin(), list->end());
        list->erase(std::unique(list->begin(), list->end()), list->end());
    }
    for (const AgentId a : tti_.isolation_expiry[tomorrow]) {
        if (tti_.isolation_end[a] != tomorrow) continue;
        count_measure(a, Measure::kIsolated, -1);
        --tti_.in_stock;
    }
    for (const AgentId a : tti_.quarantine_expiry[tomorrow]) {
        if (tti_.quarantine_end[a] != tomorrow) continue;
        count_measure(a, Measure::kQuarantined, -1);
        --tti_.in_stock;
    }
    tti_.isolation_expiry[tomorrow] = {};
    tti_.quarantine_expiry[tomorrow] = {};
}

}  // namespace sortie::engine
