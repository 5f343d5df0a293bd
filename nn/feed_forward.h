// FeedForward: the position-wise feed-forward block of a Transformer layer ("Attention Is All You Need"
// §3.3), FFN(x) = linear2(dropout(activation(linear1(x)))), as in torch.nn.TransformerEncoderLayer.
#pragma once

#include <memory>

#include "base/generator.h"
#include "nn/activation.h"
#include "nn/dropout.h"
#include "nn/linear.h"
#include "nn/module.h"

namespace tapegrad::nn {

// linear2(dropout(activation(linear1(x)))), x (..., E) -> (..., E): the block's computation, written once.
// FeedForward::forward calls it on its children, and so do TransformerEncoderLayer and
// TransformerDecoderLayer on theirs (they own linear1, dropout and linear2 themselves, so that their
// parameters keep torch's names, "linear1.weight" rather than "feed_forward.linear1.weight").
Tensor feed_forward(const Tensor& x, Linear& linear1, Activation activation, Dropout& dropout, Linear& linear2);

struct FeedForwardOptions {
    int64_t embed_dim = 0;                  // E, the model width in and out (required)
    int64_t ff_dim = 0;                     // the hidden width, 4·E in the paper (required)
    double dropout = 0.1;                   // dropout after the activation, in [0, 1]
    Activation activation = Activation::ReLU;
};

class FeedForward : public Module {
public:
    // Children, in this order (the order they draw from `generator`): linear1 (E -> ff_dim), dropout,
    // linear2 (ff_dim -> E). The names match torch.nn.TransformerEncoderLayer's, so weights copy by name.
    // Throws std::invalid_argument naming the bad option.
    FeedForward(const FeedForwardOptions& options, Generator& generator);

    std::string type_name() const override { return "FeedForward"; }
    std::string extra_repr() const override;

    // x (..., E) -> (..., E), applied to every position independently.
    Tensor forward(const Tensor& x);

    const FeedForwardOptions& options() const { return options_; }
    Linear& linear1() { return *linear1_; }
    Linear& linear2() { return *linear2_; }
    Dropout& dropout() { return *dropout_; }

private:
    FeedForwardOptions options_;
    std::shared_ptr<Linear> linear1_;
    std::shared_ptr<Dropout> dropout_;
    std::shared_ptr<Linear> linear2_;
};

}  // namespace tapegrad::nn
