// The Catch2 main of the MPI tests: MPI is initialised around the whole session, so every test case runs
// on every rank of `mpirun -np N test_distributed` and may call collectives.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "distributed/environment.h"

int main(int argc, char** argv) {
    tapegrad::distributed::Environment mpi(argc, argv);
    const int failures = Catch::Session().run(argc, argv);
    // A failing rank must not finalize while the others may still wait in a collective.
    if (failures != 0 && mpi.world_size() > 1) tapegrad::distributed::Environment::abort(1);
    return failures;
}
