// tapegrad::distributed — data-parallel training on MPI. One header for the whole folder; see
// docs/distributed.md for how the pieces fit a training loop.
#pragma once

#include "distributed/collectives.h"
#include "distributed/environment.h"
#include "distributed/gradient_reducer.h"
#include "distributed/parameter_sync.h"
