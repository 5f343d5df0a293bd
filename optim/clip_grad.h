// Gradient clipping, applied between backward() and optimizer.step(): by the total norm of all
// gradients (direction kept, length capped) or elementwise by value. Parameters whose grad is
// undefined are skipped.
#pragma once

#include <vector>

#include "autograd/tensor.h"

namespace tapegrad::optim {

// The norm of all gradients together, as if concatenated into one vector: (Σ |g|^p)^(1/p), or
// max |g| for norm_type = inf, computed in double; NaN when some gradient holds a NaN. The grads are only
// read. Throws std::invalid_argument for norm_type <= 0.
double grad_norm(const std::vector<Tensor>& params, double norm_type = 2.0);

// The grad_norm of all gradients. When it exceeds max_norm, every grad is scaled
// in place by max_norm / (norm + 1e-6), as torch.nn.utils.clip_grad_norm_. Returns the norm
// before clipping.
// A non-finite norm (a NaN or inf in some gradient) is returned as is and the grads are left
// untouched (PyTorch would scale them by NaN): check the result and skip the step. With
// error_if_nonfinite it throws std::runtime_error naming the norm instead.
// Throws std::invalid_argument for max_norm < 0 or norm_type <= 0.
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0,
                      bool error_if_nonfinite = false);

// Clamps every gradient element into [−clip_value, clip_value] in place
// (torch.nn.utils.clip_grad_value_). Throws std::invalid_argument for clip_value < 0.
void clip_grad_value(const std::vector<Tensor>& params, double clip_value);

}  // namespace tapegrad::optim
