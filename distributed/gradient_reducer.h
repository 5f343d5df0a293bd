// GradientReducer: after backward(), makes every rank's gradients the gradient of the whole global batch,
// by summing flat buckets of gradients across ranks (MPI_Allreduce) and dividing by the global weight.
//
// The math. A rank r holds a shard of the global batch with n_r loss terms (non-padding target tokens)
// and computes the gradient of its own mean loss, g_r = ∇ (1/n_r) Σ_{i ∈ r} ℓ_i. One process on the whole
// batch would compute the mean over all N = Σ_r n_r terms:
//     g = ∇ (1/N) Σ_i ℓ_i = Σ_r (n_r / N) g_r.
// So each rank multiplies its gradient by its weight n_r, the all-reduce sums the weighted gradients and
// the weights, and every rank divides by N. A plain average (1/R) Σ_r g_r would equal g only when every
// shard has the same number of tokens, which sentences of different lengths almost never have. For a
// loss that is a mean over sentences, pass the number of sentences. (A summed loss, whose gradient is
// Σ_r g_r, is weight 1 on every rank followed by multiplying the gradients by the world size.)
//
// Why buckets. One all-reduce per parameter tensor would pay MPI's per-call latency (microseconds on
// shared memory, tens to hundreds over TCP) a hundred times a step for a Transformer; one all-reduce of
// a single buffer the size of the whole model would double the gradient memory. Buckets of about
// bucket_bytes (consecutive parameters of one dtype, packed into one flat buffer allocated once and reused
// for every bucket) make the number of calls the model size divided by the bucket size, with at most
// one bucket of extra memory — the design of
// PyTorch's DistributedDataParallel (which also overlaps the reduction of a full bucket with the rest of
// the backward pass; here the reduction runs after backward() returns).
//
// Every rank must call average_gradients() at the same points with parameter lists of the same shapes,
// in the same order (the constructor checks this). With one rank nothing is communicated and the
// gradients are left untouched, bit for bit.
#pragma once

#include <cstdint>
#include <vector>

#include <boost/mpi/communicator.hpp>

#include "autograd/tensor.h"

namespace tapegrad::distributed {

struct GradientReducerOptions {
    // Target size of one flat bucket. A parameter larger than this gets a bucket of its own. 1 MiB keeps
    // a 5 MB model to a handful of calls per step while the buffers stay small next to the model.
    int64_t bucket_bytes = int64_t{1} << 20;
};

class GradientReducer {
public:
    // One bucket: consecutive parameters of one dtype and where each one's gradient sits in the buffer.
    struct Bucket {
        DType dtype = DType::Float32;
        std::vector<std::size_t> parameters;  // indices into the parameter list
        std::vector<int64_t> offsets;         // element offset of each of them in the flat buffer
        int64_t numel = 0;                    // elements in the buffer
    };

    // Throws std::invalid_argument for a parameter that is not float32 / float64, bucket_bytes < 1, or
    // (on every rank) when the ranks' parameter lists differ in count or shapes.
    explicit GradientReducer(std::vector<Tensor> parameters, GradientReducerOptions options = {},
                             boost::mpi::communicator comm = {});

    // Turns every rank's gradients into Σ_r weight_r · grad_r / Σ_r weight_r, the same on every rank.
    // local_weight is what this rank's loss is a mean over (its non-padding target tokens): >= 0, and
    // 0 for a rank with nothing in this step. A parameter whose grad is undefined on a rank counts as a
    // zero gradient there; one that is undefined on every rank stays undefined (as one process would
    // leave it). Returns Σ_r weight_r. Throws std::invalid_argument for a negative or non-finite weight
    // and std::runtime_error when the total weight is 0.
    double average_gradients(double local_weight);

    const std::vector<Bucket>& buckets() const { return buckets_; }
    // MPI all-reduce calls made so far: one for the weights and the which-grads-exist flags, plus one
    // per bucket, per step.
    int64_t all_reduce_calls() const { return all_reduce_calls_; }
    int world_size() const { return comm_.size(); }

private:
    std::vector<Tensor> parameters_;
    GradientReducerOptions options_;
    boost::mpi::communicator comm_;
    std::vector<Bucket> buckets_;
    std::vector<double> buffer_;  // the flat buffer of the bucket being reduced (as float or double), reused
    std::vector<double> header_;                       // [weight, grad defined 0/1 per parameter]
    int64_t all_reduce_calls_ = 0;
};

}  // namespace tapegrad::distributed
