// AttentionModule: recording the last attention weights (and their gradient) for inspection; the
// projections every attention module makes its queries, keys and values with.
#include "nn/attention_module.h"

#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"
#include "nn/init.h"

namespace tapegrad::nn {
namespace {
// A single head's (B, T, S) shown as (B, 1, T, S), so every module reads the same way.
Tensor with_head_axis(const Tensor& x) {
    if (!x.defined() || x.dim() != 3) return x;
    NoGradGuard no_grad;
    return unsqueeze(x, 1);
}
}  // namespace

void AttentionModule::remember_weights(const Tensor& weights) {
    if (!wants_weights()) {
        last_weights_ = Tensor();
        return;
    }
    last_weights_ = weights;
    if (record_weights_grad && weights.requires_grad()) weights.retain_grad();
}

Tensor AttentionModule::last_weights() const { return with_head_axis(last_weights_.defined() ? last_weights_.detach() : Tensor()); }

Tensor AttentionModule::last_weights_grad() const {
    if (!last_weights_.defined()) return Tensor();
    return with_head_axis(last_weights_.grad());
}

std::shared_ptr<Linear> attention_projection(int64_t embed_dim, bool bias, Generator& generator) {
    auto linear = std::make_shared<Linear>(LinearOptions{.in_features = embed_dim, .out_features = embed_dim, .bias = bias},
                                           generator);
    xavier_uniform_(linear->weight(), 1.0, generator);
    if (bias) zeros_(linear->bias());
    return linear;
}

std::vector<std::pair<std::string, AttentionModule*>> attention_modules(Module& root) {
    std::vector<std::pair<std::string, AttentionModule*>> out;
    for (const auto& [name, module] : root.named_modules())
        if (auto* attention = dynamic_cast<AttentionModule*>(module)) out.emplace_back(name, attention);
    return out;
}

}  // namespace tapegrad::nn
