// Per-rank state of a data-parallel run: the same parameters on every rank, a dropout stream of each
// rank's own, those streams gathered into a checkpoint and restored from it, and the check that every
// rank resumed from the same checkpoint. In a single process (a world of one) each is trivial.
#pragma once

#include <cstdint>
#include <filesystem>

#include "examples/translate/checkpoint.h"
#include "examples/translate/data_parallel.h"
#include "nn/module.h"

namespace tapegrad::translate {

// A new run: rank 0's parameters on every rank, and each rank's own dropout streams.
void set_up_ranks(nn::Module& model, DataParallel& world);

// Collective: every rank's dropout-generator states, gathered into rank 0's `state` (generators for rank 0,
// other_ranks_generators for the others) for the checkpoint rank 0 writes.
void gather_dropout_streams(nn::Module& model, DataParallel& world, TrainerState& state);

// Resume: sets this rank's dropout generators to their saved states. Throws naming `checkpoint_path`
// and the generator or rank the state lacks.
void restore_dropout_streams(nn::Module& model, const TrainerState& state, const DataParallel& world,
                             const std::filesystem::path& checkpoint_path);

// Resume, collective: throws unless every rank read the same checkpoint (parameters and step).
void check_ranks_resumed_alike(const nn::Module& model, int64_t step, DataParallel& world,
                               const std::filesystem::path& checkpoint_path);

}  // namespace tapegrad::translate
