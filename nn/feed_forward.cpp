// feed_forward (linear1 -> activation -> dropout -> linear2) and the FeedForward module around it.
#include "nn/feed_forward.h"

#include <stdexcept>

namespace tapegrad::nn {

namespace {
const FeedForwardOptions& validated(const FeedForwardOptions& options) {
    if (options.embed_dim <= 0)
        throw std::invalid_argument(fmt::format("FeedForward: embed_dim must be positive, got {}", options.embed_dim));
    if (options.ff_dim <= 0)
        throw std::invalid_argument(fmt::format("FeedForward: ff_dim must be positive, got {}", options.ff_dim));
    if (!(options.dropout >= 0 && options.dropout <= 1))
        throw std::invalid_argument(fmt::format("FeedForward: dropout must be in [0, 1], got {}", options.dropout));
    return options;
}
}  // namespace

Tensor feed_forward(const Tensor& x, Linear& linear1, Activation activation, Dropout& dropout, Linear& linear2) {
    return linear2.forward(activation_then_dropout(linear1.forward(x), activation, dropout));  // (..., E)
}

// Init: each Linear as torch.nn.Linear (see linear.cpp), which is also what TransformerEncoderLayer uses.
FeedForward::FeedForward(const FeedForwardOptions& options, Generator& generator) : options_(validated(options)) {
    linear1_ = register_module("linear1", std::make_shared<Linear>(
                                              LinearOptions{.in_features = options.embed_dim, .out_features = options.ff_dim},
                                              generator));
    dropout_ = register_module("dropout", std::make_shared<Dropout>(DropoutOptions{.p = options.dropout}, generator));
    linear2_ = register_module("linear2", std::make_shared<Linear>(
                                              LinearOptions{.in_features = options.ff_dim, .out_features = options.embed_dim},
                                              generator));
}

std::string FeedForward::extra_repr() const {
    return fmt::format("embed_dim={}, ff_dim={}, activation={}", options_.embed_dim, options_.ff_dim,
                       activation_name(options_.activation));
}

Tensor FeedForward::forward(const Tensor& x) {
    if (x.dim() == 0 || x.size(-1) != options_.embed_dim)
        throw std::invalid_argument(fmt::format("FeedForward: expected input (..., {}), got {}", options_.embed_dim,
                                                shape_string(x.shape())));
    return feed_forward(x, *linear1_, options_.activation, *dropout_, *linear2_);
}

}  // namespace tapegrad::nn
