#pragma once

// The engine's test-trace-isolate state: per-agent columns (allocated the first day a
// testing, tracing or mass testing intervention is in force) and per-day queues.
#include <cstdint>
#include <vector>

#include "sim/core/byte_stream.hpp"
#include "sim/population/population.hpp"

namespace sortie::engine {

using population::AgentId;

/// A test asked for on a day; the day's requests are served in (priority, agent) order.
struct TestRequest {
    AgentId agent;
    std::uint8_t priority;  ///< 0: symptomatic, 1: traced contact
};

/// A positive test whose result arrives on the day of its queue.
struct PositiveResult {
    AgentId agent;
    std::uint16_t test_day;
    std::uint16_t intervention;  ///< the testing or mass_testing intervention (isolation rules)
};

/// A traced contact whose quarantine starts on the day of its queue.
struct QuarantineStart {
    AgentId agent;
    std::uint16_t intervention;  ///< the tracing intervention (quarantine rules)
};

/// A traced contact found while enumerating an index case's past contacts.
struct TracedContact {
    AgentId agent;
    std::uint16_t delay_days;
    std::uint16_t intervention;
};

struct TtiState {
    // Flags per agent.
    static constexpr std::uint8_t kKnownPositive = 1;       ///< tested positive: no more tests
    static constexpr std::uint8_t kIsolationComplies = 2;   ///< in the current isolation
    static constexpr std::uint8_t kQuarantineComplies = 4;  ///< in the current quarantine

    bool allocated = false;
    /// Isolated (quarantined) on day d when d < end. The stocks in `measures` are kept exact by
    /// +1 on entry and -1 on expiry: during day d's step an agent is in a stock while end > d.
    std::vector<std::uint16_t> isolation_end, quarantine_end;
    /// Stays home (no contact outside the household) on day d when d < home_end: the later
    /// end of the isolation and quarantine it complies with, so that the kernel reads one
    /// column per contact.
    std::vector<std::uint16_t> home_end;
    std::vector<std::uint8_t> flags;
    std::int64_t in_stock = 0;  ///< isolated + quarantined now (the kernel's fast path)

    // Queues indexed by day (events past the last day are dropped).
    std::vector<std::vector<TestRequest>> requests;
    std::vector<std::vector<PositiveResult>> results;
    std::vector<std::vector<QuarantineStart>> quarantines;
    std::vector<std::vector<AgentId>> isolation_expiry, quarantine_expiry;  ///< by end day

    std::vector<AgentId> onsets_today;  ///< symptom onsets of the day (while testing is on)
    bool collect_onsets = false;

    void allocate(std::size_t agents, std::uint32_t days) {
        isolation_end.assign(agents, 0);
        quarantine_end.assign(agents, 0);
        home_end.assign(agents, 0);
        flags.assign(agents, 0);
        requests.resize(days);
        results.resize(days);
        quarantines.resize(days);
        isolation_expiry.resize(std::size_t{days} + 1);
        quarantine_expiry.resize(std::size_t{days} + 1);
        allocated = true;
    }

    /// Everything above, for checkpoints (the columns only once allocated).
    void save(core::ByteWriter& out) const {
        out.value(allocated);
        if (!allocated) return;
        for (const auto* column : {&isolation_end, &quarantine_end, &home_end}) out.array(*column);
        out.array(flags);
        out.value(in_stock);
        save_queues(out, requests);
        save_queues(out, results);
        save_queues(out, quarantines);
        save_queues(out, isolation_expiry);
        save_queues(out, quarantine_expiry);
        out.array(onsets_today);
    }
    void restore(core::ByteReader& in, std::size_t agents, std::uint32_t days) {
        if (!in.value<bool>()) return;
        allocate(agents, days);
        for (auto* column : {&isolation_end, &quarantine_end, &home_end}) in.array(*column, agents);
        in.array(flags, agents);
        in_stock = in.value<std::int64_t>();
        restore_queues(in, requests);
        restore_queues(in, results);
        restore_queues(in, quarantines);
        restore_queues(in, isolation_expiry);
        restore_queues(in, quarantine_expiry);
        in.array(onsets_today);
    }

  private:
    template <typename T>
    static void save_queues(core::ByteWriter& out, const std::vector<std::vector<T>>& queues) {
        out.value(std::uint64_t{queues.size()});
        for (const auto& queue : queues) out.array(queue);
    }
    template <typename T>
    static void restore_queues(core::ByteReader& in, std::vector<std::vector<T>>& queues) {
        if (in.value<std::uint64_t>() != queues.size())
            throw core::CorruptImage("checkpoint of another scenario (horizon differs)");
        for (auto& queue : queues) in.array(queue);
    }
};

}  // namespace sortie::engine
