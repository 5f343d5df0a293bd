// Losses: cross_entropy (fused with log_softmax) and mse_loss (composed).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>
#include <stdexcept>

#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/promote.h"
#include "autograd/ops/reduce.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"
#include "kernels/exp.h"

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

}  // namespace

// Fused for stability: with p = softmax(z) and target distribution q = (1-ε)·onehot(t) + ε/C,
// loss = −Σ_c q_c log p_c and d loss/dz = p − q. Ignored targets contribute 0 and get 0 gradient;
// Mean divides by the number of targets that are not ignored (0 when every target is ignored).
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
    Tensor rows;  // (M, C): logits itself when 2-D and contiguous
    {
        NoGradGuard no_grad;  // a layout copy internal to this op
        rows = class_rows(logits);
    }
    const Tensor flat_targets = targets.contiguous().reshape({-1});
    const int64_t count = flat_targets.numel();
    const int64_t* target = flat_targets.data<int64_t>();
    int64_t kept = 0;
    for (int64_t i = 0; i < count; ++i) {
        if (target[i] == options.ignore_index) continue;
        if (target[i] < 0 || target[i] >= classes)
            throw std::invalid_argument(fmt::format(
                "cross_entropy: target {} is out of range for {} classes (at position {})", target[i], classes, i));
        ++kept;
    }
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

    Tensor out;
    switch (options.reduction) {
        case Reduction::None: out = per_target.reshape(targets.shape()); break;
        case Reduction::Sum: out = sum(per_target); break;
        case Reduction::Mean: out = sum(per_target) / static_cast<double>(std::max<int64_t>(kept, 1)); break;
    }
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
