// Losses: cross_entropy (fused with log_softmax) and mse_loss (composed).
#include <cmath>
#include <stdexcept>

#include "autograd/kernels/exp.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/promote.h"
#include "autograd/ops/reduce.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"

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
    const Tensor rows = class_rows(logits);
    const Tensor log_probs = log_softmax(rows.detach(), 1);  // (M, C), not recorded: this op's backward is fused
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
    Tensor per_target = zeros({count}, {.dtype = logits.dtype()});
    visit_floating(logits.dtype(), [&]<typename T>() {
        const T* lp = log_probs.data<T>();
        T* loss = per_target.data<T>();
#pragma omp parallel for schedule(static) if (count * classes > 65536)
        for (int64_t i = 0; i < count; ++i) {
            if (target[i] == options.ignore_index) continue;
            double mean_log_prob = 0;  // only label smoothing reads it
            if (smoothing > 0)
                for (int64_t c = 0; c < classes; ++c) mean_log_prob += lp[i * classes + c];
            mean_log_prob /= static_cast<double>(classes);
            loss[i] = static_cast<T>(-(1 - smoothing) * lp[i * classes + target[i]] - smoothing * mean_log_prob);
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
           [logits, log_probs, flat_targets, reduction, ignore_index, smoothing, kept](const Tensor& dout) {
        const int64_t classes = log_probs.size(1), count = log_probs.size(0);
        Tensor drows = empty_uninitialized(log_probs.shape(), {.dtype = log_probs.dtype()});
        const Tensor dloss = dout.contiguous();
        visit_floating(drows.dtype(), [&]<typename T>() {
            const T* lp = log_probs.data<T>();
            const int64_t* target = flat_targets.data<int64_t>();
            T* d = drows.data<T>();
            const T* g = dloss.data<T>();
            const double scale = reduction == Reduction::Mean ? 1.0 / static_cast<double>(std::max<int64_t>(kept, 1)) : 1.0;
            // d/dlogit_c = weight · (softmax_c − q_c), q the (smoothed) one-hot target; exp of the saved
            // log-probabilities gives the softmax back. In T: float32 exp is exact enough for a gradient.
            const T uniform = static_cast<T>(smoothing / static_cast<double>(classes));
#pragma omp parallel for schedule(static) if (count * classes > 32768)
            for (int64_t i = 0; i < count; ++i) {
                const T weight = static_cast<T>(
                    target[i] == ignore_index ? 0.0 : (reduction == Reduction::None ? g[i] : g[0]) * scale);
                const T* lp_row = lp + i * classes;
                T* d_row = d + i * classes;
                kernels::exp_and_sum(lp_row, T(1), T(0), d_row, classes);  // the softmax, back from log space
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
