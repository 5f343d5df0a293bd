// DataParallel: the trainer's view of the other processes of a data-parallel run (distributed/ on MPI).
// A world of one — every call a no-op or the identity — when tapegrad is built without MPI or the
// program was not started by mpirun, so the training loop has one code path and no #ifdef.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nn/module.h"

namespace tapegrad::translate {

class DataParallel {
public:
    DataParallel();  // joins MPI_COMM_WORLD when MPI is active
    ~DataParallel();
    DataParallel(const DataParallel&) = delete;
    DataParallel& operator=(const DataParallel&) = delete;

    int rank() const { return rank_; }
    int world_size() const { return world_size_; }
    // Rank 0: the one that prints, logs, validates and writes checkpoints.
    bool is_main() const { return rank_ == 0; }

    // Rank 0's parameters and buffers to every rank.
    void broadcast_parameters(nn::Module& module);
    // From now on, average_gradients() reduces these parameters' gradients.
    void reduce_gradients_of(const std::vector<Tensor>& parameters);
    // Makes every rank's gradients those of the global batch, weighting each rank by local_tokens (the
    // non-padding target tokens its loss is a mean over); returns the global batch's token count.
    double average_gradients(double local_tokens);
    // Σ over ranks.
    double sum(double value);
    // True on every rank when true on any.
    bool any(bool flag);
    // Throws naming `step` when the ranks' parameters differ (see distributed::check_parameters_in_sync).
    void check_parameters_in_sync(const nn::Module& module, int64_t step);
    // True when `value` is the same on every rank.
    bool same_on_all_ranks(uint64_t value);
    // A checksum of the module's parameters and buffers (0 without MPI).
    uint64_t parameter_checksum(const nn::Module& module) const;
    // values of every rank, by rank (every rank passes as many).
    std::vector<std::vector<uint64_t>> gather(const std::vector<uint64_t>& values);

private:
    struct Reducer;
    std::unique_ptr<Reducer> reducer_;
    int rank_ = 0;
    int world_size_ = 1;
};

}  // namespace tapegrad::translate
