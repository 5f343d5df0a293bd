// dropout (Srivastava et al., 2014), "inverted": survivors are scaled by 1/(1-p) at training time
// so that evaluation is the identity.
#include <stdexcept>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/promote.h"

namespace tapegrad {

// Composed from primitives: out = x ⊙ mask / (1-p), whose gradient the mul records.
Tensor dropout(const Tensor& x, double p, bool training, Generator& generator) {
    if (!(p >= 0 && p <= 1)) throw std::invalid_argument(fmt::format("dropout: p must be in [0, 1], got {}", p));
    require_floating(x, "dropout");
    if (!training || p == 0) return x;
    if (p == 1) return x * 0.0;
    const Tensor keep = bernoulli(x.shape(), 1 - p, generator, {.dtype = x.dtype()});
    return x * (keep * (1.0 / (1 - p)));
}

}  // namespace tapegrad
