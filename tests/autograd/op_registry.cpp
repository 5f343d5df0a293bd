// The op registry's cases. Names are the keys of tests/fixtures/ops_forward.json.
#include "op_registry.h"

#include <cmath>

namespace tapegrad::testing {
namespace {

using Inputs = std::vector<Tensor>;
using D = Domain;

Tensor indices(const std::vector<int64_t>& values, const Shape& shape) { return from_vector(values, shape); }

// A fixed mask with a recognisable pattern: true where (i % 3 == 0).
Tensor pattern_mask(const Shape& shape) {
    std::vector<int64_t> values(static_cast<std::size_t>(shape_numel(shape)));
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = i % 3 == 0;
    return from_vector(values, shape, {.dtype = DType::Bool});
}

std::vector<OpCase> build() {
    std::vector<OpCase> cases;
    auto unary = [&](std::string name, Domain domain, std::function<Tensor(const Tensor&)> f) {
        cases.push_back({name, {{3, 4}}, {domain}, [f](const Inputs& in) { return f(in[0]); }});
    };
    auto binary = [&](std::string name, Domain a, Domain b, std::function<Tensor(const Tensor&, const Tensor&)> f) {
        auto call = [f](const Inputs& in) { return f(in[0], in[1]); };
        cases.push_back({name, {{3, 4}, {3, 4}}, {a, b}, call, true});
        cases.push_back({name + "/broadcast_row", {{3, 4}, {4}}, {a, b}, call});
        cases.push_back({name + "/broadcast_both", {{2, 1, 4}, {3, 1}}, {a, b}, call});
    };

    // ---- elementwise ----
    unary("neg", D::Any, [](const Tensor& x) { return neg(x); });
    unary("exp", D::Any, [](const Tensor& x) { return exp(x); });
    unary("log", D::Positive, [](const Tensor& x) { return log(x); });
    unary("sqrt", D::Positive, [](const Tensor& x) { return sqrt(x); });
    unary("rsqrt", D::Positive, [](const Tensor& x) { return rsqrt(x); });
    unary("abs", D::AwayFromZero, [](const Tensor& x) { return abs(x); });
    unary("tanh", D::Any, [](const Tensor& x) { return tanh(x); });
    unary("sigmoid", D::Any, [](const Tensor& x) { return sigmoid(x); });
    unary("relu", D::AwayFromZero, [](const Tensor& x) { return relu(x); });
    unary("gelu", D::Any, [](const Tensor& x) { return gelu(x); });
    unary("gelu_tanh", D::Any, [](const Tensor& x) { return gelu(x, GeluApproximation::Tanh); });
    unary("clamp", D::Any, [](const Tensor& x) { return clamp(x, -0.45, 0.55); });
    unary("clamp_min", D::Any, [](const Tensor& x) { return clamp_min(x, 0.05); });
    unary("pow_scalar", D::Positive, [](const Tensor& x) { return pow(x, 2.5); });
    unary("pow_scalar_int", D::Any, [](const Tensor& x) { return pow(x, 3.0); });
    unary("add_scalar", D::Any, [](const Tensor& x) { return x + 2.0; });
    unary("rsub_scalar", D::Any, [](const Tensor& x) { return 2.0 - x; });
    unary("mul_scalar", D::Any, [](const Tensor& x) { return x * -3.0; });
    unary("rdiv_scalar", D::AwayFromZero, [](const Tensor& x) { return 2.0 / x; });
    unary("masked_fill", D::Any, [](const Tensor& x) { return masked_fill(x, pattern_mask({3, 4}), -7.0); });
    unary("masked_fill/broadcast", D::Any, [](const Tensor& x) { return masked_fill(x, pattern_mask({4}), 2.0); });
    unary("clone", D::Any, [](const Tensor& x) { return x.clone(); });
    binary("add", D::Any, D::Any, [](const Tensor& a, const Tensor& b) { return a + b; });
    binary("sub", D::Any, D::Any, [](const Tensor& a, const Tensor& b) { return a - b; });
    binary("mul", D::Any, D::Any, [](const Tensor& a, const Tensor& b) { return a * b; });
    binary("div", D::Any, D::AwayFromZero, [](const Tensor& a, const Tensor& b) { return a / b; });
    binary("pow", D::Positive, D::Any, [](const Tensor& a, const Tensor& b) { return pow(a, b); });
    binary("maximum", D::Any, D::Any, [](const Tensor& a, const Tensor& b) { return maximum(a, b); });
    binary("minimum", D::Any, D::Any, [](const Tensor& a, const Tensor& b) { return minimum(a, b); });
    cases.push_back({"where", {{3, 4}, {3, 4}}, {}, [](const Inputs& in) { return where(pattern_mask({3, 4}), in[0], in[1]); }, true});
    cases.push_back({"where/broadcast", {{3, 4}, {4}}, {}, [](const Inputs& in) { return where(pattern_mask({3, 1}), in[0], in[1]); }});

    // ---- reductions ----
    auto reduction = [&](std::string name, std::function<Tensor(const Tensor&)> f) {
        cases.push_back({name, {{2, 3, 4}}, {}, [f](const Inputs& in) { return f(in[0]); }});
    };
    reduction("sum", [](const Tensor& x) { return sum(x); });
    reduction("sum/axis1", [](const Tensor& x) { return sum(x, {1}); });
    reduction("sum/axes02_keepdim", [](const Tensor& x) { return sum(x, {0, -1}, true); });
    reduction("mean/last", [](const Tensor& x) { return mean(x, {-1}); });
    reduction("mean", [](const Tensor& x) { return mean(x); });
    reduction("var/axis1", [](const Tensor& x) { return var(x, {1}); });
    reduction("var/biased_keepdim", [](const Tensor& x) { return var(x, {-1}, true, 0); });
    reduction("logsumexp/last", [](const Tensor& x) { return logsumexp(x, {-1}); });
    reduction("logsumexp/axes02", [](const Tensor& x) { return logsumexp(x, {0, 2}, true); });
    reduction("max/axis1", [](const Tensor& x) { return max(x, 1).values; });
    reduction("min/last_keepdim", [](const Tensor& x) { return min(x, -1, true).values; });
    reduction("max/all", [](const Tensor& x) { return max(x); });
    reduction("min/all", [](const Tensor& x) { return min(x); });

    // ---- shape ops ----
    reduction("reshape", [](const Tensor& x) { return reshape(x, {4, -1}); });
    reduction("flatten", [](const Tensor& x) { return flatten(x, 1); });
    reduction("transpose", [](const Tensor& x) { return transpose(x, 0, 2); });
    reduction("permute", [](const Tensor& x) { return permute(x, {2, 0, 1}); });
    reduction("unsqueeze", [](const Tensor& x) { return unsqueeze(x, -1); });
    reduction("narrow", [](const Tensor& x) { return narrow(x, 2, 1, 2); });
    reduction("slice/step2", [](const Tensor& x) { return slice(x, 2, 0, 4, 2); });
    reduction("slice/negative", [](const Tensor& x) { return slice(x, 1, -2, 3); });
    reduction("select", [](const Tensor& x) { return select(x, 1, -1); });
    reduction("split", [](const Tensor& x) { return split(x, 3, 2)[1]; });
    reduction("chunk", [](const Tensor& x) { return chunk(x, 2, 1)[0] * 2.0 + chunk(x, 2, 1)[1].sum(); });
    reduction("index_select", [](const Tensor& x) { return index_select(x, 2, indices({3, 0, 3}, {3})); });
    reduction("gather", [](const Tensor& x) {
        return gather(x, 1, indices({2, 0, 1, 1, 0, 0, 2, 2, 1, 0, 1, 2, 0, 0, 0, 1}, {2, 2, 4}));
    });
    cases.push_back({"squeeze", {{3, 1, 4}}, {}, [](const Inputs& in) { return squeeze(in[0], 1); }});
    cases.push_back({"expand", {{3, 1}}, {}, [](const Inputs& in) { return expand(in[0], {2, 3, 4}); }});
    cases.push_back({"concat", {{2, 3}, {2, 2}}, {}, [](const Inputs& in) { return concat({in[0], in[1]}, 1); }});
    cases.push_back({"stack", {{2, 3}, {2, 3}}, {}, [](const Inputs& in) { return stack({in[0], in[1]}, 1); }, true});
    cases.push_back({"embedding", {{5, 3}}, {}, [](const Inputs& in) {
        return embedding(in[0], indices({1, 4, 1, 0, 2, 4}, {2, 3}));
    }});

    // ---- matmul ----
    auto product = [&](std::string name, Shape a, Shape b) {
        cases.push_back({name, {a, b}, {}, [](const Inputs& in) { return matmul(in[0], in[1]); }});
    };
    product("matmul", {3, 4}, {4, 5});
    product("matmul/batched", {2, 3, 4}, {2, 4, 5});
    product("matmul/broadcast_matrix", {2, 3, 4}, {4, 5});
    product("matmul/broadcast_batch", {2, 1, 3, 4}, {3, 4, 2});
    product("matmul/vector_matrix", {4}, {4, 5});
    product("matmul/matrix_vector", {3, 4}, {4});
    cases.push_back({"matmul/self", {{3, 3}}, {}, [](const Inputs& in) { return matmul(in[0], in[0]); }});

    // ---- nn functional ----
    cases.push_back({"softmax/last", {{3, 5}}, {}, [](const Inputs& in) { return softmax(in[0], -1); }});
    cases.push_back({"softmax/axis0", {{3, 5}}, {}, [](const Inputs& in) { return softmax(in[0], 0); }});
    cases.push_back({"softmax/masked", {{3, 5}}, {}, [](const Inputs& in) {
        return softmax(masked_fill(in[0], pattern_mask({3, 5}), -INFINITY), -1);
    }});
    cases.push_back({"linear", {{2, 3, 4}, {5, 4}, {5}}, {}, [](const Inputs& in) { return linear(in[0], in[1], in[2]); }});
    cases.push_back({"linear/no_bias", {{3, 4}, {5, 4}}, {}, [](const Inputs& in) { return linear(in[0], in[1]); }});
    // masked_softmax: a (T, S) mask over a batch, a (B, 1, 1, S) key-padding mask, a row with every key
    // blocked (zeros, no NaN), and no mask at all.
    cases.push_back({"masked_softmax/broadcast_mask", {{2, 3, 5}}, {}, [](const Inputs& in) {
        return masked_softmax(in[0], pattern_mask({3, 5}), 0.5);
    }});
    cases.push_back({"masked_softmax/key_padding", {{2, 2, 3, 4}}, {}, [](const Inputs& in) {
        return masked_softmax(in[0], pattern_mask({2, 1, 1, 4}), 1.5);
    }});
    cases.push_back({"masked_softmax/blocked_row", {{3, 4}}, {}, [](const Inputs& in) {
        return masked_softmax(in[0], pattern_mask({3, 1}), 1.0);
    }});
    cases.push_back({"masked_softmax/no_mask", {{3, 5}}, {}, [](const Inputs& in) {
        return masked_softmax(in[0], Tensor(), 0.7);
    }});
    cases.push_back({"log_softmax/axis1", {{2, 4, 3}}, {}, [](const Inputs& in) { return log_softmax(in[0], 1); }});
    const Tensor targets = indices({2, 0, 4, 1}, {4});
    cases.push_back({"cross_entropy", {{4, 5}}, {}, [targets](const Inputs& in) { return cross_entropy(in[0], targets); }});
    cases.push_back({"cross_entropy/ignore_index", {{4, 5}}, {}, [targets](const Inputs& in) {
        return cross_entropy(in[0], targets, {.ignore_index = 4});
    }});
    cases.push_back({"cross_entropy/label_smoothing", {{4, 5}}, {}, [targets](const Inputs& in) {
        return cross_entropy(in[0], targets, {.ignore_index = 0, .label_smoothing = 0.1});
    }});
    cases.push_back({"cross_entropy/sum", {{4, 5}}, {}, [targets](const Inputs& in) {
        return cross_entropy(in[0], targets, {.reduction = Reduction::Sum});
    }});
    cases.push_back({"cross_entropy/none_3d", {{2, 5, 3}}, {}, [](const Inputs& in) {
        return cross_entropy(in[0], indices({0, 4, 2, 1, 1, 3}, {2, 3}), {.reduction = Reduction::None});
    }});
    cases.push_back({"layer_norm", {{2, 3, 4}, {4}, {4}}, {}, [](const Inputs& in) {
        return layer_norm(in[0], {4}, in[1], in[2]);
    }});
    cases.push_back({"layer_norm/no_affine_2d", {{2, 3, 4}}, {}, [](const Inputs& in) {
        return layer_norm(in[0], {3, 4}, Tensor(), Tensor());
    }});
    cases.push_back({"mse_loss", {{3, 4}, {3, 4}}, {}, [](const Inputs& in) { return mse_loss(in[0], in[1]); }});
    cases.push_back({"dropout", {{3, 4}}, {}, [](const Inputs& in) {
        Generator generator(7);  // the same mask on every call, so finite differences see one function
        return dropout(in[0], 0.25, true, generator);
    }});
    // attention with weights_need_grad = false: the fused op (the composed reference under
    // TAPEGRAD_KERNELS=reference). A (T, S) mask; key/value shared by the batch with a per-sequence key
    // mask; dropout.
    const AttentionOptions fused = {.scale = 0.5, .weights_need_grad = false};
    cases.push_back({"fused_attention", {{2, 3, 4}, {2, 5, 4}, {2, 5, 3}}, {}, [fused](const Inputs& in) {
        return attention(in[0], in[1], in[2], pattern_mask({3, 5}), fused).output;
    }});
    cases.push_back({"fused_attention/broadcast_kv", {{2, 3, 4}, {1, 5, 4}, {1, 5, 3}}, {}, [fused](const Inputs& in) {
        return attention(in[0], in[1], in[2], pattern_mask({2, 1, 5}), fused).output;
    }});
    cases.push_back({"fused_attention/dropout", {{2, 3, 4}, {2, 5, 4}, {2, 5, 3}}, {}, [](const Inputs& in) {
        Generator generator(7);  // the same mask on every call
        return attention(in[0], in[1], in[2], Tensor(),
                         {.scale = 0.5, .dropout_p = 0.25, .generator = &generator, .weights_need_grad = false})
            .output;
    }});
    // The fused op on heads split out of (B, T, H, D) as (B, H, T, D) views: the output and the
    // gradients come back in (B, T, H, D) order (a layout that is dense but not contiguous).
    cases.push_back({"fused_attention/heads", {{2, 3, 2, 4}, {2, 5, 2, 4}, {2, 5, 2, 4}}, {}, [fused](const Inputs& in) {
        return attention(transpose(in[0], 1, 2), transpose(in[1], 1, 2), transpose(in[2], 1, 2),
                         pattern_mask({2, 1, 3, 5}), fused).output;
    }});
    cases.push_back({"dropout_add", {{3, 4}, {3, 4}}, {}, [](const Inputs& in) {
        Generator generator(7);  // the same mask on every call
        return dropout_add(in[0], in[1], 0.25, true, generator);
    }});
    cases.push_back({"relu_dropout", {{3, 4}}, {D::AwayFromZero}, [](const Inputs& in) {
        Generator generator(7);  // the same mask on every call; AwayFromZero keeps relu's kink out of reach
        return relu_dropout(in[0], 0.25, true, generator);
    }});
    return cases;
}

}  // namespace

const std::vector<OpCase>& op_cases() {
    static const std::vector<OpCase> cases = build();
    return cases;
}

Tensor sample_input(const Shape& shape, int64_t k, Domain domain, DType dtype) {
    std::vector<double> values(static_cast<std::size_t>(shape_numel(shape)));
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double v = std::sin(0.7 * static_cast<double>(i) + 1.3 * static_cast<double>(k) + 0.5);
        switch (domain) {
            case Domain::Any: values[i] = 1.5 * v; break;
            case Domain::Positive: values[i] = 0.5 + 1.5 * std::abs(v); break;
            case Domain::AwayFromZero: values[i] = (v < 0 ? -1 : 1) * (0.3 + std::abs(v)); break;
        }
    }
    return from_vector(values, shape, {.dtype = dtype});
}

std::vector<Tensor> sample_inputs(const OpCase& op) {
    std::vector<Tensor> inputs;
    for (std::size_t k = 0; k < op.shapes.size(); ++k) {
        const Domain domain = k < op.domains.size() ? op.domains[k] : Domain::Any;
        inputs.push_back(sample_input(op.shapes[k], static_cast<int64_t>(k), domain).requires_grad_());
    }
    return inputs;
}

}  // namespace tapegrad::testing
