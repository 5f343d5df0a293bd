// Resuming a run (`translate train --resume`): the checkpoint's config with this run's limits, and every
// saved state — model, optimizer, scheduler, data loader, each rank's dropout streams — restored.
#pragma once

#include "examples/translate/data_parallel.h"
#include "examples/translate/train.h"
#include "examples/translate/training_session.h"

namespace tapegrad::translate {

// Reads run.checkpoint_dir's checkpoint on every rank. Throws naming the checkpoint file when it was written
// by a different number of processes, lacks a rank's dropout states, or the ranks read different ones.
TrainingSession resume_session(const TrainRun& run, DataParallel& world);

}  // namespace tapegrad::translate
