// Messages (MPI_COMM_WORLD): a worker sends kRequest and gets kTask (scenario, replicate, or
// kNoTask); it sends each scenario's description once (kDescription), each result (kResult)
// and failure (kFailure) as its tasks end, and kFinished when it has no more. Workers make
// their MPI calls one at a time under a mutex (MPI_THREAD_SERIALIZED); on rank 0 only the
// server thread calls MPI while tasks run.
#include "sim/mpi/mpi.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "sim/core/byte_stream.hpp"
#include "sim/ensemble/checkpoint.hpp"
#include "sim/ensemble/slices.hpp"
#include "sim/results/images.hpp"

namespace sortie::mpi {
namespace {

using ensemble::Task;
using ensemble::TaskFailure;

enum Tag : int { kRequest = 1, kTask, kDescription, kResult, kFailure, kFinished };
constexpr std::uint32_t kNoTask = UINT32_MAX;
// MPI_Abort's code when a rank fails: the command line's internal-error exit code.
constexpr int kAbortCode = 1;

/// MPI_Init_thread and MPI_Finalize.
class Session {
  public:
    Session() {
        int provided = 0;
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
        if (provided < MPI_THREAD_SERIALIZED)
            abort("this MPI library does not support MPI_THREAD_SERIALIZED");
    }
    ~Session() { MPI_Finalize(); }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    int rank() const { return rank_; }
    int size() const { return size_; }
    bool root() const { return rank_ == 0; }

    /// Ends every rank of the job, after saying why.
    [[noreturn]] void abort(const std::string& why) const {
        fmt::print(stderr, "sortie (MPI rank {} of {}): {}\n", rank_, size_, why);
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, kAbortCode);
        std::abort();
    }

  private:
    int rank_ = 0, size_ = 1;
};

void send(const std::vector<char>& bytes, int to, Tag tag) {
    if (bytes.size() > std::size_t(INT_MAX))
        throw std::length_error("a result larger than 2 GiB cannot be sent in one MPI message");
    MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD);
}

struct Message {
    int from = 0;
    Tag tag = kRequest;
    std::vector<char> bytes;
};

// Polls rather than blocks: Open MPI's blocking receive spins a core that rank 0's own
// tasks need.
Message receive_any() {
    int ready = 0;
    MPI_Status status;
    for (;;) {
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &ready, &status);
        if (ready) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    Message message{status.MPI_SOURCE, static_cast<Tag>(status.MPI_TAG),
                    std::vector<char>(static_cast<std::size_t>(count))};
    MPI_Recv(message.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG,
             MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return message;
}

// ---- Rank 0 ----

/// The tasks still to hand out, shared by the server thread and rank 0's own tasks.
class Dispenser final : public ensemble::TaskSource {
  public:
    Dispenser(std::vector<Task> tasks, std::stop_token stop)
        : tasks_(std::move(tasks)), stop_(std::move(stop)) {}
    std::optional<Task> next() override {
        std::lock_guard lock(mutex_);
        if (next_ == tasks_.size() || stop_.stop_requested()) return std::nullopt;
        return tasks_[next_++];
    }

  private:
    std::mutex mutex_;
    std::vector<Task> tasks_;
    std::stop_token stop_;
    std::size_t next_ = 0;
};

/// What the ranks sent and rank 0 did, as a slice (result images).
class Gathered {
  public:
    Gathered(output::Slice slice, const ensemble::CheckpointStore* store)
        : slice_(std::move(slice)), store_(store) {}

    /// A scenario's description, the first time it comes: saved in the checkpoint, if any.
    void describe(std::uint32_t scenario, std::vector<char> image) {
        std::lock_guard lock(mutex_);
        if (!described_.insert(scenario).second) return;
        if (store_) store_->save_description(scenario, image);
        slice_.scenarios.push_back({scenario, std::move(image)});
    }
    /// A task finished in this run: saved in the checkpoint, if any, then kept.
    void finish(const Task& task, std::vector<char> image) {
        if (store_)
            store_->save_finished(task.scenario, task.replicate,
                                  results::replicate_from_image(image));
        keep(task, std::move(image));
    }
    void keep(const Task& task, std::vector<char> image) {
        std::lock_guard lock(mutex_);
        slice_.tasks.push_back({task.scenario, task.replicate, std::move(image)});
    }
    void fail(TaskFailure failure) {
        std::lock_guard lock(mutex_);
        failures_.push_back(std::move(failure));
    }
    output::Slice& slice() { return slice_; }
    std::vector<TaskFailure>& failures() { return failures_; }

  private:
    std::mutex mutex_;
    output::Slice slice_;
    const ensemble::CheckpointStore* store_;
    std::set<std::uint32_t> described_;
    std::vector<TaskFailure> failures_;
};

struct Server {
    const std::vector<scenario::Scenario>& scenarios;
    Dispenser& tasks;
    Gathered& gathered;
    ensemble::RunObserver& progress;
    int workers;

    void answer_request(int worker) {
        const auto task = tasks.next();
        const std::uint32_t reply[2] = {task ? task->scenario : kNoTask,
                                        task ? task->replicate : 0};
        MPI_Send(reply, 2, MPI_UINT32_T, worker, kTask, MPI_COMM_WORLD);
    }

    void handle(Message& message) {
        core::ByteReader in(message.bytes);
        switch (message.tag) {
            case kRequest:
                answer_request(message.from);
                return;
            case kDescription: {
                const auto s = in.value<std::uint32_t>();
                std::vector<char> image;
                in.array(image);
                gathered.describe(s, std::move(image));
                return;
            }
            case kResult: {
                const Task task{in.value<std::uint32_t>(), in.value<std::uint32_t>()};
                std::vector<char> image;
                in.array(image);
                gathered.finish(task, std::move(image));
                const auto& s = scenarios.at(task.scenario);
                progress.remote_done(s.name, task.replicate, s.replicates, s.days(), message.from);
                return;
            }
            case kFailure: {
                const Task task{in.value<std::uint32_t>(), in.value<std::uint32_t>()};
                gathered.fail(
                    {task, fmt::format("{} (on rank {})", in.text(), message.from), nullptr});
                return;
            }
            case kFinished:
            case kTask:
                return;
        }
    }

    // Until every worker has said it is finished.
    void serve() {
        for (int finished = 0; finished < workers;) {
            auto message = receive_any();
            if (message.tag == kFinished) ++finished;
            handle(message);
        }
    }
};

// Rank 0's own share: it takes tasks from the same dispenser as the workers.
ensemble::TaskEvents gathering_events(Gathered& gathered) {
    ensemble::TaskEvents events;
    events.described = [&](std::uint32_t s, const results::ScenarioResult& description) {
        gathered.describe(s, results::description_image(description));
    };
    events.finished = [&](const Task& task, const results::ReplicateResult& result) {
        gathered.finish(task, results::replicate_image(result));
    };
    return events;
}

// ---- Workers ----

/// Asks rank 0 for each task.
class RemoteTasks final : public ensemble::TaskSource {
  public:
    RemoteTasks(std::mutex& mpi, std::stop_token stop) : mpi_(mpi), stop_(std::move(stop)) {}
    std::optional<Task> next() override {
        if (stop_.stop_requested()) return std::nullopt;
        std::uint32_t reply[2] = {kNoTask, 0};
        std::lock_guard lock(mpi_);
        MPI_Send(nullptr, 0, MPI_BYTE, 0, kRequest, MPI_COMM_WORLD);
        MPI_Recv(reply, 2, MPI_UINT32_T, 0, kTask, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (reply[0] == kNoTask) return std::nullopt;
        return Task{reply[0], reply[1]};
    }

  private:
    std::mutex& mpi_;
    std::stop_token stop_;
};

ensemble::TaskEvents sending_events(std::mutex& mpi) {
    ensemble::TaskEvents events;
    events.described = [&](std::uint32_t s, const results::ScenarioResult& description) {
        core::ByteWriter out;
        out.value(s);
        out.array(results::description_image(description));
        std::lock_guard lock(mpi);
        send(out.bytes(), 0, kDescription);
    };
    events.finished = [&](const Task& task, const results::ReplicateResult& result) {
        core::ByteWriter out;
        out.value(task.scenario);
        out.value(task.replicate);
        out.array(results::replicate_image(result));
        std::lock_guard lock(mpi);
        send(out.bytes(), 0, kResult);
    };
    events.failed = [&](const TaskFailure& failure) {
        core::ByteWriter out;
        out.value(failure.task.scenario);
        out.value(failure.task.replicate);
        out.text(failure.message);
        std::lock_guard lock(mpi);
        send(out.bytes(), 0, kFailure);
    };
    return events;
}

Ending work(const std::vector<scenario::Scenario>& scenarios, const ensemble::Job& job,
            const std::stop_token& stop) {
    std::mutex mpi;
    RemoteTasks tasks(mpi, stop);
    ensemble::RunObserver quiet;  // progress comes from rank 0 only
    ensemble::RunSettings settings;
    settings.transmissions = job.transmissions;
    settings.source = &tasks;
    settings.events = sending_events(mpi);
    settings.stop = stop;
    settings.variants = ensemble::variants_of(job);
    bool interrupted = false;
    try {
        ensemble::run_tasks(scenarios, quiet, settings);  // the results went to rank 0 as they came
    } catch (const ensemble::Interrupted&) {
        interrupted = true;
    }
    send({}, 0, kFinished);
    return interrupted ? Ending::kInterrupted : Ending::kFinished;
}

// ---- Both ----

/// What every rank prepares before any task runs; a failure in any rank stops them all.
struct Setup {
    std::vector<scenario::Scenario> scenarios;
    std::string manifest;
    std::vector<Task> tasks;
    std::optional<ensemble::OutputClaim> claim;      ///< rank 0 only; released last
    std::optional<ensemble::CheckpointStore> store;  ///< rank 0 only
};

// False for a job that ends here (a dry run).
bool prepare_rank(const Session& session, const Prepare& prepare, const ensemble::Job& job,
                  Setup& setup) {
    auto scenarios = prepare(session.root());
    if (!scenarios) return false;
    setup.scenarios = std::move(*scenarios);
    setup.manifest = ensemble::checkpoint_manifest(setup.scenarios, job.transmissions,
                                                   ensemble::variants_of(job));
    if (!session.root()) return true;
    setup.claim.emplace(job.output, ensemble::job_inputs(setup.scenarios, job), job.force);
    setup.tasks = ensemble::tasks_to_run(setup.scenarios, job, setup.manifest);
    if (ensemble::keeps_checkpoints(job))
        setup.store.emplace(job.output, setup.manifest, job.resume);
    return true;
}

// Every rank learns whether any failed to prepare; only the failed ones report why.
bool prepared_everywhere(bool ok) {
    int failed = ok ? 0 : 1, any = 0;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return any == 0;
}

// Rank 0: results already in the checkpoint (--resume) are not handed out again; their
// scenario's description was saved before them.
std::vector<Task> unfinished(const Setup& setup, Gathered& gathered,
                             ensemble::RunObserver& progress) {
    std::vector<Task> left;
    for (const auto& task : setup.tasks) {
        auto done =
            setup.store ? setup.store->finished(task.scenario, task.replicate) : std::nullopt;
        auto description = done ? setup.store->description(task.scenario) : std::nullopt;
        if (!description) {
            left.push_back(task);
            continue;
        }
        gathered.describe(task.scenario, std::move(*description));
        gathered.keep(task, results::replicate_image(*done));
        progress.skip(setup.scenarios[task.scenario].days());
    }
    return left;
}

// Runs rank 0's share and serves the workers until all have finished. Any failure but an
// interruption ends the job: workers would otherwise wait for rank 0 forever.
void gather(const Session& session, Setup& setup, const ensemble::Job& job, Gathered& gathered,
            ensemble::RunObserver& progress, const std::stop_token& stop) {
    std::optional<std::thread> serving;
    try {
        Dispenser tasks(unfinished(setup, gathered, progress), stop);
        Server server{setup.scenarios, tasks, gathered, progress, session.size() - 1};
        serving.emplace([&] {
            try {
                server.serve();
            } catch (const std::exception& e) {
                session.abort(fmt::format("while gathering the results: {}", e.what()));
            }
        });
        ensemble::RunSettings settings;
        settings.transmissions = job.transmissions;
        settings.source = &tasks;
        settings.events = gathering_events(gathered);
        settings.stop = stop;
        settings.variants = ensemble::variants_of(job);
        auto outcome = ensemble::run_tasks(setup.scenarios, progress, settings);
        for (auto& failure : outcome.failures) gathered.fail(std::move(failure));
        serving->join();
    } catch (const ensemble::Interrupted&) {
        serving->join();  // the workers stop too: the dispenser hands out nothing more
        throw ensemble::Interrupted(
            setup.store ? fmt::format("the finished tasks are in {}; run the same command with "
                                      "--resume to continue",
                                      setup.store->folder().string())
                        : "nothing was written");
    } catch (const std::exception& e) {
        session.abort(e.what());
    }
}

Ending lead(const Session& session, Setup& setup, const ensemble::Job& job,
            ensemble::RunObserver& progress, const std::stop_token& stop) {
    progress.expect(ensemble::work_of(setup.scenarios, setup.tasks));
    progress.note(fmt::format("{} tasks over {} MPI ranks", setup.tasks.size(), session.size()));
    if (setup.claim && !setup.claim->unlocked().empty()) progress.note(setup.claim->unlocked());
    Gathered gathered(ensemble::slice_header(setup.scenarios, setup.manifest),
                      setup.store ? &*setup.store : nullptr);
    gather(session, setup, job, gathered, progress, stop);
    auto& failures = gathered.failures();
    std::sort(failures.begin(), failures.end(), [](const auto& a, const auto& b) {
        return std::pair(a.task.scenario, a.task.replicate) <
               std::pair(b.task.scenario, b.task.replicate);
    });
    ensemble::write_slice_outcome(setup.scenarios, std::move(gathered.slice()), failures, job,
                                  progress);
    if (setup.store) setup.store->remove();
    return Ending::kFinished;
}

}  // namespace

bool launched_by_mpi() {
    // Open MPI's mpirun, and PMI/PMIx launchers such as Slurm's srun.
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
        if (std::getenv(name) != nullptr) return true;
    return false;
}

Ending run_job(const Prepare& prepare, const ensemble::Job& job, ensemble::RunObserver& observer,
               std::stop_token stop) {
    Session session;
    Setup setup;
    std::exception_ptr failure;
    bool runs = false;
    try {
        runs = prepare_rank(session, prepare, job, setup);
    } catch (...) {
        failure = std::current_exception();
    }
    if (!prepared_everywhere(failure == nullptr)) {
        if (failure) std::rethrow_exception(failure);
        return Ending::kFailedElsewhere;  // another rank said why
    }
    if (!runs) return Ending::kFinished;
    if (session.root()) return lead(session, setup, job, observer, stop);
    try {
        return work(setup.scenarios, job, stop);
    } catch (const std::exception& e) {
        session.abort(e.what());
    }
}

}  // namespace sortie::mpi
