// Environment: MPI init/finalize, rank, world size, and aborting the whole job.
#include "distributed/environment.h"

#include <mpi.h>

#include <cstdlib>
#include <exception>
#include <iostream>

#include <boost/mpi/environment.hpp>

namespace tapegrad::distributed {
namespace {

// An uncaught exception on one rank must end the job, not leave the other ranks waiting in a collective.
[[noreturn]] void abort_job_on_terminate() {
    std::cerr << "rank " << world_rank() << ": terminate called";
    if (const std::exception_ptr error = std::current_exception()) {
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            std::cerr << " after an exception: " << e.what();
        } catch (...) {
        }
    }
    std::cerr << "; aborting the MPI job" << std::endl;
    Environment::abort(1);
}

}  // namespace

Environment::Environment(int& argc, char**& argv)
    // abort_on_exception: if the environment is destroyed during stack unwinding, Boost.MPI aborts the
    // job instead of calling MPI_Finalize.
    : environment_(std::make_unique<boost::mpi::environment>(argc, argv, boost::mpi::threading::funneled,
                                                             /*abort_on_exception=*/true)) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size_);
    std::set_terminate(abort_job_on_terminate);
}

Environment::~Environment() = default;


void Environment::abort(int exit_code) {
    if (mpi_active()) MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);
}

bool launched_by_mpi() {
    // Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE; MPICH's Hydra sets PMI_SIZE; PMIx launchers PMIX_RANK.
    for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
        if (std::getenv(variable)) return true;
    return false;
}

bool mpi_active() {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    return initialized && !finalized;
}

int world_rank() {
    if (!mpi_active()) return 0;
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

int world_size() {
    if (!mpi_active()) return 1;
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

}  // namespace tapegrad::distributed
