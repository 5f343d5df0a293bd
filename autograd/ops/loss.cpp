// Losses: cross_entropy (fused with log_softmax, beside its reference: log_softmax, then a gather) and
// mse_loss (composed). TAPEGRAD_KERNELS picks cross_entropy's implementation (kernels/kernel_mode.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>
#include <stdexcept>

#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/check_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/promote.h"
#include "autograd/ops/reduce.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"
#include "kernels/exp.h"
#include "kernels/kernel_mode.h"

namespace tapegrad {
namespace {

// logits (N, C, d1, ...) -> rows (M, C) with the class axis last, as a plain contiguous tensor.
Tensor class_rows(const Tensor& logits) {
    if (logits.dim() == 2) return logits.contiguous();
    std::vector<int64_t> order{0};
    for (int64_t axis = 2; axis < logits.dim(); ++axis) order.push_back(axis);
    order.push_back(1);
    return permute(logits, order).reshape({-1, logits.size(1)});
}

// The per-target losses (M) reduced as options say: None gives them the targets' shape (N, ...), Mean
// divides their sum by the `kept` targets.
Tensor reduce_losses(const Tensor& per_target, const Shape& targets_shape, Reduction reduction, int64_t kept) {
    switch (reduction) {
        case Reduction::None: return per_target.reshape(targets_shape);
        case Reduction::Sum: return sum(per_target);
        case Reduction::Mean: break;
    }
    return sum(per_target) / static_cast<double>(std::max<int64_t>(kept, 1));
}

// Fused for stability: with p = softmax(z) and target distribution q = (1-ε)·onehot(t) + ε/C,
// loss = −Σ_c q_c log p_c and d loss/dz = p − q. Ignored targets contribute 0 and get 0 gradient;
// Mean divides by the number of targets that are not ignored (0 when every target is ignored).
// flat_targets (M) are the targets in a row; `kept` counts those that are not ignored (checked by cross_entropy).
Tensor fused_cross_entropy(const Tensor& logits, const Tensor& flat_targets, const Shape& targets_shape,
                           const CrossEntropyOptions& options, int64_t kept) {
    const int64_t classes = logits.size(1);
    Tensor rows;  // (M, C): logits itself when 2-D and contiguous
    {
        NoGradGuard no_grad;  // a layout copy internal to this op
        rows = class_rows(logits);
    }
    const int64_t count = flat_targets.numel();
    const int64_t* target = flat_targets.data<int64_t>();
    const double smoothing = options.label_smoothing;
    // Per row, log Σ_c e^z_c (computed as m + log Σ e^(z − m), m the row max, so nothing overflows): all
    // the backward needs besides the logits, instead of a full (M, C) tensor of log-probabilities.
    Tensor log_normalizer = empty_uninitialized({count}, {.dtype = logits.dtype()});
    Tensor per_target = zeros({count}, {.dtype = logits.dtype()});
    visit_floating(logits.dtype(), [&]<typename T>() {
        const T* z = rows.data<T>();
        T* lse = log_normalizer.data<T>();
        T* loss = per_target.data<T>();
#pragma omp parallel if (count * classes > 65536)
        {
            std::vector<T> exps(static_cast<std::size_t>(classes));
#pragma omp for schedule(static)
            for (int64_t i = 0; i < count; ++i) {
                const T* row = z + i * classes;
                T m = -std::numeric_limits<T>::infinity();
                for (int64_t c = 0; c < classes; ++c) m = std::max(m, row[c]);
                const double log_total = static_cast<double>(m) + std::log(kernels::exp_and_sum(row, T(1), m, exps.data(), classes));
                lse[i] = static_cast<T>(log_total);
                if (target[i] == options.ignore_index) continue;
                // log p_t = z_t − log Σ e^z; the smoothed part needs the mean log p = mean(z) − log Σ e^z.
                double mean_logit = 0;
                if (smoothing > 0)
                    for (int64_t c = 0; c < classes; ++c) mean_logit += row[c];
                mean_logit /= static_cast<double>(classes);
                loss[i] = static_cast<T>(-(1 - smoothing) * (row[target[i]] - log_total) - smoothing * (mean_logit - log_total));
            }
        }
    });

    const Tensor out = reduce_losses(per_target, targets_shape, options.reduction, kept);
    const Reduction reduction = options.reduction;
    const int64_t ignore_index = options.ignore_index;
    record("cross_entropy", {logits}, out,
           [logits, rows, log_normalizer, flat_targets, reduction, ignore_index, smoothing, kept](const Tensor& dout) {
        const int64_t classes = rows.size(1), count = rows.size(0);
        Tensor drows = empty_uninitialized(rows.shape(), {.dtype = rows.dtype()});
        const Tensor dloss = dout.contiguous();
        visit_floating(drows.dtype(), [&]<typename T>() {
            const T* z = rows.data<T>();
            const T* lse = log_normalizer.data<T>();
            const int64_t* target = flat_targets.data<int64_t>();
            T* d = drows.data<T>();
            const T* g = dloss.data<T>();
            const double scale = reduction == Reduction::Mean ? 1.0 / static_cast<double>(std::max<int64_t>(kept, 1)) : 1.0;
            // d/dz_c = weight · (softmax_c − q_c), q the (smoothed) one-hot target; softmax_c = e^(z_c − log Σ e^z).
            const T uniform = static_cast<T>(smoothing / static_cast<double>(classes));
#pragma omp parallel for schedule(static) if (count * classes > 32768)
            for (int64_t i = 0; i < count; ++i) {
                const T weight = static_cast<T>(
                    target[i] == ignore_index ? 0.0 : (reduction == Reduction::None ? g[i] : g[0]) * scale);
                T* d_row = d + i * classes;
                kernels::exp_and_sum(z + i * classes, T(1), lse[i], d_row, classes);  // the softmax
                for (int64_t c = 0; c < classes; ++c) d_row[c] = weight * (d_row[c] - uniform);
                if (target[i] >= 0 && target[i] < classes) d_row[target[i]] -= weight * static_cast<T>(1 - smoothing);
            }
        });
        // Undo class_rows: (M, C) back to (N, d1, ..., C), then move C back to axis 1.
        if (logits.dim() == 2) return accumulate_grad(logits, drows);
        Shape moved{logits.size(0)};
        std::vector<int64_t> order{0, logits.dim() - 1};
        for (int64_t axis = 2; axis < logits.dim(); ++axis) {
            moved.push_back(logits.size(axis));
            order.push_back(axis - 1);
        }
        moved.push_back(classes);
        accumulate_grad(logits, permute(drows.reshape(moved), order));
    });
    return out;
}

// The reference, the formula as written: log-probabilities, the target's picked out (a gather), smoothed
// towards the mean over the classes:
//   loss_i = −(1−ε)·log p[i, t_i] − ε·mean_c log p[i, c],   and 0 where t_i is ignore_index.
Tensor composed_cross_entropy(const Tensor& logits, const Tensor& flat_targets, const Shape& targets_shape,
                              const CrossEntropyOptions& options, int64_t kept) {
    const Tensor log_probs = log_softmax(class_rows(logits), 1);                      // (M, C)
    const Tensor target = flat_targets.reshape({-1, 1});                              // (M, 1)
    const Tensor ignored = eq(target, static_cast<double>(options.ignore_index));     // (M, 1)
    // An ignored row picks class 0, whose loss is then masked away (and so passes no gradient).
    const Tensor picked = gather(log_probs, 1, masked_fill(target, ignored, 0.0));     // (M, 1): log p[i, t_i]
    Tensor loss = -picked;
    const double smoothing = options.label_smoothing;
    if (smoothing > 0) loss = (1 - smoothing) * loss - smoothing * mean(log_probs, {1}, true);
    const Tensor per_target = masked_fill(loss, ignored, 0.0).reshape({-1});          // (M)
    return reduce_losses(per_target, targets_shape, options.reduction, kept);
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& targets, const CrossEntropyOptions& options) {
    require_floating(logits, "cross_entropy");
    if (targets.dtype() != DType::Int64)
        throw std::invalid_argument(fmt::format("cross_entropy: targets must be int64 class indices, got {}",
                                                dtype_name(targets.dtype())));
    Shape expected_targets = logits.shape();
    if (logits.dim() < 2 || (expected_targets.erase(expected_targets.begin() + 1), targets.shape() != expected_targets))
        throw std::invalid_argument(fmt::format(
            "cross_entropy: logits (N, C, ...) and targets (N, ...) do not match, got logits {} and targets {}",
            shape_string(logits.shape()), shape_string(targets.shape())));
    if (!(options.label_smoothing >= 0 && options.label_smoothing < 1))
        throw std::invalid_argument(
            fmt::format("cross_entropy: label_smoothing must be in [0, 1), got {}", options.label_smoothing));
    const int64_t classes = logits.size(1);
    const Tensor flat_targets = targets.contiguous().reshape({-1});
    const int64_t* target = flat_targets.data<int64_t>();
    int64_t kept = 0;  // targets that are not ignore_index: Mean's divisor
    for (int64_t i = 0; i < flat_targets.numel(); ++i) {
        if (target[i] == options.ignore_index) continue;
        if (target[i] < 0 || target[i] >= classes)
            throw std::invalid_argument(fmt::format(
                "cross_entropy: target {} is out of range for {} classes (at position {})", target[i], classes, i));
        ++kept;
    }

    switch (kernels::kernel_mode()) {
        case kernels::KernelMode::Fast: return fused_cross_entropy(logits, flat_targets, targets.shape(), options, kept);
        case kernels::KernelMode::Reference: return composed_cross_entropy(logits, flat_targets, targets.shape(), options, kept);
        case kernels::KernelMode::Check: break;
    }
    const Tensor fast = fused_cross_entropy(logits, flat_targets, targets.shape(), options, kept);
    NoGradGuard no_grad;
    // Rounding: a row's log Σ e^z is within (C+4)·ε·|log Σ e^z| + C·ε of the exact one in either path,
    // and |log Σ e^z| ≤ max|z| + log C; each loss is then within a few ε of its terms, and a sum or mean over
    // the M rows adds M·ε of the largest loss. All of it is below (C+M+8)·ε·(2·max|z| + log C + 1).
    const double largest_logit = logits.numel() > 0 ? max(abs(logits)).item() : 0.0;
    const double magnitude = 2 * largest_logit + std::log(static_cast<double>(std::max<int64_t>(classes, 1))) + 1;
    check_against_reference("cross_entropy", fast, composed_cross_entropy(logits, flat_targets, targets.shape(), options, kept),
                            {.ulps = static_cast<double>(classes + flat_targets.numel() + 8),
                             .magnitude = scalar_like(magnitude, fast),
                             .formula = "(C+M+8)·ε·(2·max|z| + log C + 1)"});
    return fast;
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
    if (input.shape() != target.shape())
        throw std::invalid_argument(fmt::format("mse_loss: input {} and target {} must have the same shape",
                                                shape_string(input.shape()), shape_string(target.shape())));
    const Tensor difference = input - target;
    const Tensor squared = difference * difference;
    switch (reduction) {
        case Reduction::None: return squared;
        case Reduction::Sum: return sum(squared);
        case Reduction::Mean: break;
    }
    return mean(squared);
}

}  // namespace tapegrad
