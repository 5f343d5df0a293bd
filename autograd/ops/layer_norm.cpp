// layer_norm, fused: one pass computes each row's mean and 1/σ; backward reuses them.
#include <cmath>
#include <stdexcept>

#include "autograd/ops/elementwise.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/promote.h"
#include "autograd/ops/reduce.h"
#include "autograd/tape.h"

namespace tapegrad {

// Forward: x̂ = (x − μ) · r with r = 1/√(σ² + eps) over the normalised trailing axes (biased σ²),
// y = x̂ ⊙ weight + bias.
// Backward (per row of n elements, g = dy ⊙ weight):
//   dx = r · (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)),  dweight = Σ_rows dy ⊙ x̂,  dbias = Σ_rows dy.
// Fused because the composed form makes five passes and keeps four intermediates alive for backward.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias, double eps) {
    require_floating(x, "layer_norm");
    const int64_t trailing = static_cast<int64_t>(normalized_shape.size());
    if (trailing == 0 || trailing > x.dim() ||
        !std::equal(normalized_shape.begin(), normalized_shape.end(), x.shape().end() - trailing))
        throw std::invalid_argument(fmt::format("layer_norm: normalized_shape {} must be the trailing sizes of the input {}",
                                                shape_string(normalized_shape), shape_string(x.shape())));
    for (const Tensor* parameter : {&weight, &bias})
        if (parameter->defined() && parameter->shape() != normalized_shape)
            throw std::invalid_argument(fmt::format("layer_norm: weight and bias must have shape {}, got {}",
                                                    shape_string(normalized_shape), shape_string(parameter->shape())));
    if (!(eps > 0)) throw std::invalid_argument(fmt::format("layer_norm: eps must be positive, got {}", eps));

    const int64_t row_size = shape_numel(normalized_shape);
    const int64_t rows = x.numel() / std::max<int64_t>(row_size, 1);
    const Tensor packed = x.contiguous();
    Tensor normalized = empty(x.shape(), {.dtype = x.dtype()});  // x̂
    Shape stats_shape(x.shape().begin(), x.shape().end() - trailing);
    stats_shape.insert(stats_shape.end(), static_cast<std::size_t>(trailing), 1);
    Tensor inverse_std = empty(stats_shape, {.dtype = x.dtype()});  // r, broadcastable against x
    visit_floating(x.dtype(), [&]<typename T>() {
        const T* in = packed.data<T>();
        T* out = normalized.data<T>();
        T* r = inverse_std.data<T>();
#pragma omp parallel for schedule(static) if (x.numel() > 32768)
        for (int64_t row = 0; row < rows; ++row) {
            const T* v = in + row * row_size;
            double mean = 0, variance = 0;
            for (int64_t i = 0; i < row_size; ++i) mean += v[i];
            mean /= static_cast<double>(row_size);
            for (int64_t i = 0; i < row_size; ++i) variance += (v[i] - mean) * (v[i] - mean);
            variance /= static_cast<double>(row_size);
            const double inv = 1.0 / std::sqrt(variance + eps);
            r[row] = static_cast<T>(inv);
            for (int64_t i = 0; i < row_size; ++i) out[row * row_size + i] = static_cast<T>((v[i] - mean) * inv);
        }
    });

    Tensor out = normalized;
    {
        NoGradGuard no_grad;
        if (weight.defined()) out = out * weight;
        if (bias.defined()) out = out + bias;
    }
    std::vector<int64_t> axes;
    for (int64_t axis = x.dim() - trailing; axis < x.dim(); ++axis) axes.push_back(axis);
    record("layer_norm", {x, weight, bias}, out, [x, weight, bias, normalized, inverse_std, axes](const Tensor& dout) {
        const Tensor g = weight.defined() ? dout * weight : dout;
        if (x.requires_grad())
            accumulate_grad(x, inverse_std * (g - mean(g, axes, true) - normalized * mean(g * normalized, axes, true)));
        if (weight.defined()) accumulate_grad(weight, dout * normalized);
        if (bias.defined()) accumulate_grad(bias, dout);
    });
    return out;
}

}  // namespace tapegrad
