// Random tensors drawn from a Generator (base/generator.h): element i of a tensor is a pure function of
// the generator's seed and counter + i, so the numbers do not depend on the number of threads filling it.
#pragma once

#include "autograd/tensor.h"
#include "base/generator.h"

namespace tapegrad {

// Each consumes numel() counters (normal: 2 per element, Box–Muller).
Tensor uniform(const Shape& shape, double low, double high, Generator& generator, TensorOptions options = {});
Tensor normal(const Shape& shape, double mean, double std, Generator& generator, TensorOptions options = {});
// 1 with probability p, else 0, in options.dtype (float by default; DType::Bool for a mask).
Tensor bernoulli(const Shape& shape, double p, Generator& generator, TensorOptions options = {});

}  // namespace tapegrad
