#pragma once

// Ensembles over the ranks of an MPI job (`mpirun -np P sortie run ...`, or srun in a Slurm
// allocation): rank 0 hands out the tasks one at a time as ranks ask for them (dynamic load
// balancing: tasks differ in cost), works on them too, and gathers the results, which it alone
// writes (Debian's HDF5 is the serial build). Each rank runs its tasks with TBB threads exactly
// as one process would, so the file is bit for bit the one `ensemble::run_job` writes.
// Built only with SORTIE_WITH_MPI (docs/cluster.md).
#include <functional>
#include <optional>
#include <stop_token>
#include <vector>

#include "sim/ensemble/job.hpp"
#include "sim/ensemble/run.hpp"
#include "sim/scenario/scenario.hpp"

namespace sortie::mpi {

/// Whether an MPI launcher (mpirun, srun) started this process.
bool launched_by_mpi();

/// What each rank does before any task runs: read and check the scenarios (`root` on rank 0,
/// which may also print). No scenarios: the job ends there, with nothing run (a dry run).
using Prepare = std::function<std::optional<std::vector<scenario::Scenario>>(bool root)>;

/// How a rank's part of a job ended.
enum class Ending {
    kFinished,
    kInterrupted,      ///< a worker rank stopped by `stop` (rank 0 throws Interrupted instead)
    kFailedElsewhere,  ///< another rank failed to prepare, and said why
};

/// Runs `job` over MPI_COMM_WORLD (MPI_Init_thread to MPI_Finalize inside). A rank that fails
/// to prepare rethrows its exception, and every rank stops before running anything. Rank 0
/// reports to `observer`, writes the file (or slice) and throws as ensemble::run_job does; a
/// failure while tasks run ends every rank with MPI_Abort.
Ending run_job(const Prepare& prepare, const ensemble::Job& job, ensemble::RunObserver& observer,
               std::stop_token stop);

}  // namespace sortie::mpi
