// Gradient reach: how strongly the output at the last position depends on the input d positions before
// it, ‖∂ y_{T−1} / ∂ x_{T−1−d}‖, for every distance d. This is the quantity that decides whether a model
// can learn a dependency at distance d at all: gradient descent changes the weights in proportion to it.
//
// In an LSTM the Jacobian across d steps is a product of d per-step Jacobians, ∂h_{t}/∂h_{t−1}, so it
// shrinks (or grows) geometrically with d unless the forget gates hold it near 1 (Hochreiter, 1991; Bengio
// et al., 1994). In a Transformer layer every position attends to every other, so position T−1 reaches
// position T−1−d in one step for every d: the path length is the number of layers, whatever d is.
//
// The Jacobian J_t = ∂y/∂x_t is F × E; we estimate its Frobenius norm without building it. With u a
// standard normal vector, E‖uᵀ J_t‖² = ‖J_t‖²_F, so one backward pass of the scalar uᵀ y gives the
// estimate for every t at once; each row of a batch is an independent sequence with its own u, and the
// reach is the root of the mean of ‖uᵀ J_t‖² over the batch.
#pragma once

#include <cstdint>
#include <vector>

#include "examples/long_range/sequence_models.h"

namespace tapegrad::long_range {

// reach[d] for d = 0 .. length − 1 (d = 0 is the last position itself), measured on `batch` random token
// sequences of `length` in eval mode. The model's parameter gradients are left zeroed.
std::vector<double> gradient_reach(SequenceModel& model, int64_t length, int64_t batch, Generator& generator);

}  // namespace tapegrad::long_range
