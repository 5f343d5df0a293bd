// Per-rank state of a data-parallel run: parameters, dropout streams, and their checkpointed states.
#include "examples/translate/rank_state.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>
#include <vector>

#include <fmt/format.h>

namespace tapegrad::translate {
namespace {

// Each rank draws its own dropout masks: ranks above 0 mix their rank into every generator's seed
// (SplitMix64's golden-ratio increment times the rank), so their streams differ from rank 0's and from
// each other's. Rank 0 keeps the seeds of a single-process run.
void give_rank_its_own_dropout_streams(nn::Module& model, int rank) {
    if (rank == 0) return;
    for (auto& [name, generator] : model.named_generators())
        generator->set_state(generator->seed() ^ (0x9E3779B97F4A7C15ull * static_cast<uint64_t>(rank)), 0);
}

}  // namespace

void set_up_ranks(nn::Module& model, DataParallel& world) {
    world.broadcast_parameters(model);  // identical by seeding already; the broadcast makes it a guarantee
    give_rank_its_own_dropout_streams(model, world.rank());
}

// Each rank contributes (seed, counter) per generator, flattened in the order of named_generators().
void gather_dropout_streams(nn::Module& model, DataParallel& world, TrainerState& state) {
    const auto generators = model.named_generators();
    std::vector<uint64_t> own_states;
    for (auto& [name, g] : generators) own_states.insert(own_states.end(), {g->seed(), g->counter()});
    const std::vector<std::vector<uint64_t>> all_states = world.gather(own_states);
    if (!world.is_main()) return;
    state.generators.clear();
    for (std::size_t k = 0; k < generators.size(); ++k)
        state.generators.emplace_back(generators[k].first, std::make_pair(own_states[2 * k], own_states[2 * k + 1]));
    state.other_ranks_generators.clear();
    for (std::size_t rank = 1; rank < all_states.size(); ++rank) {
        auto& rank_states = state.other_ranks_generators.emplace_back();
        for (std::size_t k = 0; k < generators.size(); ++k)
            rank_states.emplace_back(all_states[rank][2 * k], all_states[rank][2 * k + 1]);
    }
}

// Generators are matched to rank 0's saved states by name; rank r > 0 takes the k-th entry of its own
// list instead, k being the generator's position in named_generators().
void restore_dropout_streams(nn::Module& model, const TrainerState& state, const DataParallel& world,
                             const std::filesystem::path& checkpoint_path) {
    const auto generators = model.named_generators();
    for (std::size_t k = 0; k < generators.size(); ++k) {
        const auto& [name, generator] = generators[k];
        const auto saved = std::find_if(state.generators.begin(), state.generators.end(),
                                        [&name](const auto& entry) { return entry.first == name; });
        if (saved == state.generators.end())
            throw std::runtime_error(fmt::format("{}: the checkpoint has no state for the generator '{}'",
                                                 checkpoint_path.string(), name));
        auto [seed, counter] = saved->second;
        if (world.rank() > 0) {
            const auto& rank_states = state.other_ranks_generators;
            if (rank_states.size() != static_cast<std::size_t>(world.world_size() - 1) ||
                rank_states[static_cast<std::size_t>(world.rank() - 1)].size() != generators.size())
                throw std::runtime_error(fmt::format("{}: the checkpoint has no generator states for rank {}",
                                                     checkpoint_path.string(), world.rank()));
            std::tie(seed, counter) = rank_states[static_cast<std::size_t>(world.rank() - 1)][k];
        }
        generator->set_state(seed, counter);
    }
}

// Every rank read the checkpoint itself (from a shared directory, or its own copy): make sure they read
// the same one before training on from it.
void check_ranks_resumed_alike(const nn::Module& model, int64_t step, DataParallel& world,
                               const std::filesystem::path& checkpoint_path) {
    if (!world.same_on_all_ranks(world.parameter_checksum(model) ^ static_cast<uint64_t>(step)))
        throw std::runtime_error(fmt::format(
            "the ranks resumed from different checkpoints (parameters or step differ; rank {} read step {} from "
            "'{}'): every rank must read the same checkpoint",
            world.rank(), step, checkpoint_path.string()));
}

}  // namespace tapegrad::translate
