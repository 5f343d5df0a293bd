// Environment: MPI's lifetime as an object (MPI_Init in the constructor, MPI_Finalize in the destructor),
// this process's rank and the world size, and the one way out of a failed multi-process job: abort().
#pragma once

#include <memory>

namespace boost::mpi {
class environment;
}

namespace tapegrad::distributed {

// Initialises MPI for the life of the object; one per process, made in main() before any other MPI call.
// MPI is initialised at the "funneled" threading level: OpenMP threads run inside every rank, and only
// the main thread calls MPI.
//
// A rank that fails must not return normally: MPI_Finalize in the destructor would wait for ranks that
// are themselves waiting in a collective for it, and the job would hang. So the constructor installs a
// std::terminate handler that aborts the whole job, and callers that catch an exception in a job of
// several ranks call abort() (see examples/translate/main.cpp).
class Environment {
public:
    Environment(int& argc, char**& argv);
    ~Environment();
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;

    int rank() const { return rank_; }
    int world_size() const { return world_size_; }
    // The rank that prints, logs and writes checkpoints.
    bool is_main() const { return rank_ == 0; }

    // Ends every rank of the job with `exit_code` (MPI_Abort on MPI_COMM_WORLD); does not return.
    [[noreturn]] static void abort(int exit_code);

private:
    std::unique_ptr<boost::mpi::environment> environment_;
    int rank_ = 0;
    int world_size_ = 1;
};

// True when this process was started by an MPI launcher (mpirun / mpiexec of Open MPI, MPICH, or a PMIx
// launcher such as srun): then MPI must be initialised. A program started on its own stays a single
// process and never touches MPI, so it runs where no MPI runtime is set up.
bool launched_by_mpi();

// True once MPI_Init has run and MPI_Finalize has not: the collectives below need it.
bool mpi_active();

// The rank and world size of MPI_COMM_WORLD; 0 and 1 when MPI is not active.
int world_rank();
int world_size();

}  // namespace tapegrad::distributed
