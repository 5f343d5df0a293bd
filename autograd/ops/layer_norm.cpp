// layer_norm: fused (one pass computes each row's mean and 1/σ; backward reuses them) beside its
// reference, the formula composed from mean, sub, mul, sqrt, div. TAPEGRAD_KERNELS picks between them
// (kernels/kernel_mode.h).
#include <cmath>
#include <stdexcept>
#include <vector>

#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/check_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/promote.h"
#include "autograd/ops/reduce.h"
#include "autograd/tape.h"
#include "kernels/kernel_mode.h"

namespace tapegrad {
namespace {

// Forward: x̂ = (x − μ) · r with r = 1/√(σ² + eps) over the normalised trailing axes (biased σ²),
// y = x̂ ⊙ weight + bias.
// Backward (per row of n elements, g = dy ⊙ weight):
//   dx = r · (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)),  dweight = Σ_rows dy ⊙ x̂,  dbias = Σ_rows dy.
// Fused because the composed form makes five passes forward and a dozen backward, and keeps four
// intermediates alive for backward.
Tensor fused_layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                        double eps) {
    const int64_t row_size = shape_numel(normalized_shape);
    const int64_t rows = x.numel() / std::max<int64_t>(row_size, 1);
    const Tensor packed = x.contiguous();
    const Tensor gain = weight.defined() ? weight.contiguous() : Tensor();
    const Tensor shift = bias.defined() ? bias.contiguous() : Tensor();
    // Saved for backward: one mean and one r per row — not x̂, which the backward recomputes from x
    // in the same pass that reads it (a tensor the size of x less to keep alive per layer norm).
    Tensor out = empty_uninitialized(x.shape(), {.dtype = x.dtype()});        // y
    Tensor row_mean = empty_uninitialized({rows}, {.dtype = x.dtype()});      // μ, one per row
    Tensor inverse_std = empty_uninitialized({rows}, {.dtype = x.dtype()});   // r, one per row
    visit_floating(x.dtype(), [&]<typename T>() {
        const T* in = packed.data<T>();
        const T* w = gain.defined() ? gain.data<T>() : nullptr;
        const T* b = shift.defined() ? shift.data<T>() : nullptr;
        T* y = out.data<T>();
        T* mu = row_mean.data<T>();
        T* r = inverse_std.data<T>();
        // Each loop below is a plain reduction or map over one row, written so that the compiler
        // vectorises it (sums in T: float's 24 bits are ample for rows of a few thousand).
#pragma omp parallel for schedule(static) if (x.numel() > 32768)
        for (int64_t row = 0; row < rows; ++row) {
            const T* v = in + row * row_size;
            T sum = 0;
#pragma omp simd reduction(+ : sum)
            for (int64_t i = 0; i < row_size; ++i) sum += v[i];
            const T mean = sum / static_cast<T>(row_size);
            T squares = 0;  // two passes: Σ(v − μ)² does not cancel the way Σv² − nμ² does
#pragma omp simd reduction(+ : squares)
            for (int64_t i = 0; i < row_size; ++i) squares += (v[i] - mean) * (v[i] - mean);
            const T inv = static_cast<T>(1.0 / std::sqrt(static_cast<double>(squares) / static_cast<double>(row_size) + eps));
            mu[row] = mean;
            r[row] = inv;
            T* y_row = y + row * row_size;
            if (w && b) {
#pragma omp simd
                for (int64_t i = 0; i < row_size; ++i) y_row[i] = (v[i] - mean) * inv * w[i] + b[i];
            } else {
                for (int64_t i = 0; i < row_size; ++i) {
                    const T xhat = (v[i] - mean) * inv;
                    y_row[i] = (w ? xhat * w[i] : xhat) + (b ? b[i] : T(0));
                }
            }
        }
    });

    record("layer_norm", {x, weight, bias}, out, [x, packed, weight, bias, gain, row_mean, inverse_std, rows, row_size](const Tensor& dout) {
        const Tensor dy_packed = dout.contiguous();
        Tensor dx = x.requires_grad() ? empty_uninitialized(x.shape(), {.dtype = x.dtype()}) : Tensor();
        // dweight and dbias are sums over rows. Rows are summed in fixed blocks, then the blocks in order,
        // so the result does not depend on the number of threads.
        constexpr int64_t kRowsPerBlock = 64;
        const int64_t blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
        const bool want_parameters = (weight.defined() && weight.requires_grad()) || (bias.defined() && bias.requires_grad());
        Tensor parameter_grads[2];  // dweight, dbias
        visit_floating(x.dtype(), [&]<typename T>() {
            std::vector<T> partial_dweight(want_parameters ? static_cast<std::size_t>(blocks * row_size) : 0, T(0));
            std::vector<T> partial_dbias(partial_dweight.size(), T(0));
            const T* dy = dy_packed.data<T>();
            const T* in = packed.data<T>();
            const T* mu = row_mean.data<T>();
            const T* r = inverse_std.data<T>();
            const T* w = gain.defined() ? gain.data<T>() : nullptr;
            T* d = dx.defined() ? dx.data<T>() : nullptr;
#pragma omp parallel for schedule(static) if (rows * row_size > 32768)
            for (int64_t block = 0; block < blocks; ++block) {
                // This block's share of the parameter gradients' sums over rows.
                T* dweight_block = want_parameters ? partial_dweight.data() + block * row_size : nullptr;
                T* dbias_block = want_parameters ? partial_dbias.data() + block * row_size : nullptr;
                std::vector<T> xhat(static_cast<std::size_t>(row_size)), g(static_cast<std::size_t>(row_size));
                for (int64_t row = block * kRowsPerBlock; row < std::min(rows, (block + 1) * kRowsPerBlock); ++row) {
                    const T* dy_row = dy + row * row_size;
                    const T* x_row = in + row * row_size;
                    const T mean = mu[row], inv = r[row];
#pragma omp simd
                    for (int64_t i = 0; i < row_size; ++i) {
                        xhat[i] = (x_row[i] - mean) * inv;  // as the forward
                        g[i] = w ? dy_row[i] * w[i] : dy_row[i];
                    }
                    if (dweight_block) {
#pragma omp simd
                        for (int64_t i = 0; i < row_size; ++i) {
                            dweight_block[i] += dy_row[i] * xhat[i];
                            dbias_block[i] += dy_row[i];
                        }
                    }
                    if (!d) continue;
                    T sum_g = 0, sum_g_xhat = 0;
#pragma omp simd reduction(+ : sum_g, sum_g_xhat)
                    for (int64_t i = 0; i < row_size; ++i) {
                        sum_g += g[i];
                        sum_g_xhat += g[i] * xhat[i];
                    }
                    const T mean_g = sum_g / static_cast<T>(row_size), mean_g_xhat = sum_g_xhat / static_cast<T>(row_size);
                    T* d_row = d + row * row_size;
#pragma omp simd
                    for (int64_t i = 0; i < row_size; ++i) d_row[i] = inv * (g[i] - mean_g - xhat[i] * mean_g_xhat);
                }
            }
            if (!want_parameters) return;
            auto summed = [&](const std::vector<T>& partial, const Tensor& like) {
                std::vector<double> total(static_cast<std::size_t>(row_size), 0.0);
                for (int64_t block = 0; block < blocks; ++block)
                    for (int64_t i = 0; i < row_size; ++i) total[i] += partial[block * row_size + i];
                return from_vector(total, like.shape(), {.dtype = like.dtype()});
            };
            if (weight.defined()) parameter_grads[0] = summed(partial_dweight, weight);
            if (bias.defined()) parameter_grads[1] = summed(partial_dbias, bias);
        });
        if (dx.defined()) accumulate_grad(x, dx);
        if (parameter_grads[0].defined()) accumulate_grad(weight, parameter_grads[0]);
        if (parameter_grads[1].defined()) accumulate_grad(bias, parameter_grads[1]);
    });
    return out;
}

// The normalised axes, counted from the end: -1, ..., -trailing.
std::vector<int64_t> trailing_axes(const Shape& normalized_shape) {
    std::vector<int64_t> axes;
    for (int64_t axis = 1; axis <= static_cast<int64_t>(normalized_shape.size()); ++axis) axes.push_back(-axis);
    return axes;
}

// The reference, the formula as written (Ba et al., 2016), each op with its own backward:
//   μ = mean(x),  σ² = mean((x − μ)²) (biased, as torch),  y = (x − μ) / √(σ² + eps) ⊙ weight + bias.
Tensor composed_layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                           double eps) {
    const std::vector<int64_t> axes = trailing_axes(normalized_shape);
    const Tensor mu = mean(x, axes, true);
    const Tensor centered = x - mu;
    const Tensor variance = mean(centered * centered, axes, true);
    Tensor y = centered / sqrt(variance + eps);  // x̂
    if (weight.defined()) y = y * weight;
    if (bias.defined()) y = y + bias;
    return y;
}

}  // namespace

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
    for (const Tensor* parameter : {&weight, &bias})
        if (parameter->defined() && parameter->dtype() != x.dtype())
            throw std::invalid_argument(fmt::format("layer_norm: weight and bias must have the input's dtype {}, got {}",
                                                    dtype_name(x.dtype()), dtype_name(parameter->dtype())));
    if (!(eps > 0)) throw std::invalid_argument(fmt::format("layer_norm: eps must be positive, got {}", eps));

    switch (kernels::kernel_mode()) {
        case kernels::KernelMode::Fast: return fused_layer_norm(x, normalized_shape, weight, bias, eps);
        case kernels::KernelMode::Reference: return composed_layer_norm(x, normalized_shape, weight, bias, eps);
        case kernels::KernelMode::Check: break;
    }
    const Tensor fast = fused_layer_norm(x, normalized_shape, weight, bias, eps);
    NoGradGuard no_grad;
    // Rounding, per row of n: each path's μ is within n·ε·mean|x| of the true mean, which moves x̂ by
    // that times r = 1/√(σ² + eps); σ² is within (n+3)·ε relative, which moves x̂ by about half that, relative.
    // So |Δx̂| ≤ (n+4)·ε·r·(mean|x| + |x − μ|) for each path, twice that between two, times |weight|, plus |bias|·ε.
    const std::vector<int64_t> axes = trailing_axes(normalized_shape);
    const Tensor r = rsqrt(var(x, axes, true, 0) + eps);
    Tensor magnitude = r * (mean(abs(x), axes, true) + abs(x - mean(x, axes, true)));
    if (weight.defined()) magnitude = magnitude * abs(weight);
    if (bias.defined()) magnitude = magnitude + abs(bias);
    check_against_reference("layer_norm", fast, composed_layer_norm(x, normalized_shape, weight, bias, eps),
                            {.ulps = 2.0 * static_cast<double>(shape_numel(normalized_shape) + 4),
                             .magnitude = magnitude,
                             .formula = "2·(n+4)·ε·(r·(mean|x| + |x−μ|)·|weight| + |bias|)"});
    return fast;
}

}  // namespace tapegrad
