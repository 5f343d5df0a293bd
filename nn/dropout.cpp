// Dropout: the module around tapegrad::dropout, holding the Generator its masks come from.
#include "nn/dropout.h"

#include <stdexcept>

namespace tapegrad::nn {

namespace {
const DropoutOptions& validated(const DropoutOptions& options) {
    if (!(options.p >= 0 && options.p <= 1))
        throw std::invalid_argument(fmt::format("Dropout: p must be in [0, 1], got {}", options.p));
    return options;
}
}  // namespace

Dropout::Dropout(const DropoutOptions& options, Generator& parent)
    : options_(validated(options)), generator_(parent.next_u64()) {
    register_generator("generator", generator_);
}

std::string Dropout::extra_repr() const { return fmt::format("p={}", options_.p); }

Tensor Dropout::forward(const Tensor& x) { return dropout(x, options_.p, is_training(), generator_); }

Tensor Dropout::forward_add(const Tensor& residual, const Tensor& x) {
    return dropout_add(residual, x, options_.p, is_training(), generator_);
}

Tensor Dropout::forward_relu(const Tensor& x) { return relu_dropout(x, options_.p, is_training(), generator_); }

}  // namespace tapegrad::nn
