// Resuming a run from its checkpoint, bit for bit (at the same thread count and number of processes).
#include "examples/translate/resume.h"

#include <stdexcept>

#include <fmt/format.h>

#include "examples/translate/checkpoint.h"
#include "examples/translate/rank_state.h"

namespace tapegrad::translate {
namespace {

// The saved config, with the run limits this run gives (--max-steps, --max-minutes) in place of its own.
TrainConfig config_to_resume(const TrainRun& run, const Checkpoint& checkpoint, const DataParallel& world) {
    TrainConfig config = checkpoint.config;
    if (run.max_steps) config.max_steps = *run.max_steps;
    if (run.max_minutes) config.max_minutes = *run.max_minutes;
    // The weights and the optimizer state are float32 in both precisions: only the products change.
    if (run.precision) config.precision = *run.precision;
    if (run.architecture && *run.architecture != checkpoint.config.architecture)
        throw std::runtime_error(fmt::format(
            "{}: this checkpoint holds a {} model and cannot be resumed as --architecture {}; leave --architecture "
            "out to resume it, or train the other architecture in a new --checkpoint directory",
            checkpoint_file(run.checkpoint_dir).string(), checkpoint.config.architecture, *run.architecture));
    if (checkpoint.state.world_size != world.world_size())
        throw std::runtime_error(fmt::format(
            "{}: this checkpoint was written by {} process(es) and this run has {}; resume with mpirun -np {} "
            "(the global batch's shards and the dropout streams depend on the number of processes)",
            checkpoint_file(run.checkpoint_dir).string(), checkpoint.state.world_size, world.world_size(),
            checkpoint.state.world_size));
    return config;
}

}  // namespace

TrainingSession resume_session(const TrainRun& run, DataParallel& world) {
    const Checkpoint checkpoint = read_checkpoint(run.checkpoint_dir);
    const TrainConfig config = config_to_resume(run, checkpoint, world);
    validate_and_apply(config);
    Experiment experiment = checkpoint.experiment();
    experiment.config.precision = config.precision;  // the checkpoint records the precision it was last trained in
    TrainingSession session(config, std::move(experiment), world);
    session.model->load_state_dict(checkpoint.model_state());
    session.optimizer->load_state_dict(checkpoint.contents.tensors, checkpoint.contents.metadata);
    session.scheduler.load_state_dict(checkpoint.contents.metadata);
    session.state = checkpoint.state;
    session.loader.set_state(session.state.loader);
    restore_dropout_streams(*session.model, session.state, world, checkpoint_file(run.checkpoint_dir));
    check_ranks_resumed_alike(*session.model, session.state.step, world, checkpoint_file(run.checkpoint_dir));
    return session;
}

}  // namespace tapegrad::translate
