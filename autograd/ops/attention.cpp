// attention: softmax(Q Kᵀ · scale + mask) → dropout → · V, as the composition of its steps (the reference)
// beside the fused op that computes it one problem (one batch entry, one head) at a time; TAPEGRAD_KERNELS
// picks between them (kernels/kernel_mode.h). Its inputs are checked once, here.
//
// Why one problem at a time: the composed form runs each step (scores, softmax, dropout, product) over
// every head before the next step starts, so each (T, S) intermediate makes a round trip through memory
// and each step wakes the thread team. Here a thread takes a head and carries it through every step while
// its scores are still in its cache; the small products are the GEMM's own micro-kernel, called for one
// problem at a time, and the row arithmetic is masked_softmax's and dropout's (attention_rows.h), so
// the numbers are the composed path's. Every problem is computed by one thread in a fixed order: the
// result does not depend on the thread count.
//
// Layouts: heads split out of a projection are views (B, H, T, D) of a (B, T, H, D) buffer. The output
// and the gradients of query, key and value are written in their input's memory order, so that merging
// the heads back (and the transpose's backward) is a free view instead of a copy.
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "autograd/autocast.h"
#include "autograd/loops/copy.h"
#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/check_mode.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/matmul.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/promote.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/tape.h"
#include "kernels/attention_rows.h"
#include "kernels/gemm.h"
#include "kernels/kernel_mode.h"
#include "kernels/strided_loop.h"

namespace tapegrad {
namespace {

// Below this many multiply-adds in all the problems together, one thread does them all.
constexpr int64_t kParallelWork = 32768;

Shape batch_axes(const Tensor& x) { return Shape(x.shape().begin(), x.shape().end() - 2); }

// A fresh tensor of `like`'s shape whose axes lie in memory in the order they do in `like`, when `like`
// is dense (a permutation of a contiguous layout) with unit-stride rows; otherwise contiguous. Heads
// (B, H, T, D) split out of (B, T, H, D) get a (B, H, T, D) view of a fresh (B, T, H, D) buffer.
Tensor empty_laid_out_like(const Tensor& like) {
    const bool unit_rows = like.strides().back() == 1 || like.shape().back() == 1;
    if (like.is_contiguous() || !like.is_dense() || !unit_rows)
        return empty_uninitialized(like.shape(), {.dtype = like.dtype()});
    const std::vector<int64_t> order = like.memory_order();  // axes from the outermost in memory
    Shape memory_shape(order.size());
    std::vector<int64_t> back(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        memory_shape[i] = like.size(order[i]);
        back[static_cast<std::size_t>(order[i])] = static_cast<int64_t>(i);
    }
    NoGradGuard no_grad;
    return permute(empty_uninitialized(memory_shape, {.dtype = like.dtype()}), back);
}

// One operand as the problems see it: the matrix strides, and where each problem's matrix starts.
struct ProblemMatrices {
    int64_t row_stride = 0;
    int64_t col_stride = 0;
    std::vector<int64_t> offsets;  // per problem, in row-major order of the batch index
};

// For x (batch_x.., R, C) whose batch axes broadcast to `batch`. A size-1 axis gets stride 1, as in
// matmul, so the GEMM sees the contiguous layout it is.
ProblemMatrices problem_matrices(const Tensor& x, const Shape& batch) {
    Shape full = batch;
    full.insert(full.end(), {x.size(-2), x.size(-1)});
    const Shape strides = loops::broadcast_strides(x, full);
    return {x.size(-2) == 1 ? 1 : strides.end()[-2], x.size(-1) == 1 ? 1 : strides.end()[-1],
            kernels::batch_offsets(batch, strides)};
}

// Problem p's matrix of an operand, read in place by the GEMM (transposed: its transpose, in place too).
template <typename T>
kernels::GemmOperand<T> matrix(const T* data, const ProblemMatrices& m, int64_t p, bool transposed = false) {
    return transposed ? kernels::GemmOperand<T>{data + m.offsets[p], m.col_stride, m.row_stride, 0, nullptr}
                      : kernels::GemmOperand<T>{data + m.offsets[p], m.row_stride, m.col_stride, 0, nullptr};
}

// C (rows x cols, rows ldc apart) = A (rows x depth) · B (depth x cols), one problem.
template <typename T>
void product(int64_t rows, int64_t cols, int64_t depth, const kernels::GemmOperand<T>& a,
             const kernels::GemmOperand<T>& b, T* c, int64_t ldc) {
    kernels::gemm<T>({.batch = 1, .m = rows, .n = cols, .k = depth}, a, b, {c, ldc, 0});
}

// A (T, S) scratch matrix per thread, grown as needed and reused across calls.
template <typename T>
T* scratch(int slot, int64_t count) {
    thread_local std::vector<T> buffers[2];
    std::vector<T>& buffer = buffers[slot];
    if (static_cast<int64_t>(buffer.size()) < count) buffer.resize(static_cast<std::size_t>(count));
    return buffer.data();
}

// One call's attention split into its problems, one per (batch entry, head): the broadcast batch, the
// sizes, and where each problem's matrices start in every input.
struct AttentionProblems {
    Shape batch;
    int64_t count = 0;                    // problems: the product of the batch axes
    int64_t queries = 0, keys = 0;        // T, S
    int64_t dim = 0, value_dim = 0;       // D, Dv
    ProblemMatrices query, key, value;
    const uint8_t* mask = nullptr;        // blocked bytes, or null
    ProblemMatrices mask_rows;            // the mask's strides over (T, S) and its offset per problem

    bool parallel() const { return count > 1 && count * queries * keys * (dim + value_dim) > kParallelWork; }
};

// For inputs that check_attention_inputs has accepted (a bool mask or none).
AttentionProblems split_into_problems(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& blocked) {
    AttentionProblems problems;
    problems.batch = broadcast_shapes(broadcast_shapes(batch_axes(query), batch_axes(key), "attention"),
                                      batch_axes(value), "attention");
    problems.count = shape_numel(problems.batch);
    problems.queries = query.size(-2);
    problems.keys = key.size(-2);
    problems.dim = query.size(-1);
    problems.value_dim = value.size(-1);
    problems.query = problem_matrices(query, problems.batch);
    problems.key = problem_matrices(key, problems.batch);
    problems.value = problem_matrices(value, problems.batch);
    if (blocked.defined()) {
        Shape scores_shape = problems.batch;
        scores_shape.insert(scores_shape.end(), {problems.queries, problems.keys});
        // The mask's strides as seen from the scores (0 on broadcast axes, T and S included).
        const Shape strides = loops::broadcast_strides(blocked, scores_shape);
        problems.mask_rows.row_stride = strides.end()[-2];
        problems.mask_rows.col_stride = strides.end()[-1];
        problems.mask_rows.offsets = kernels::batch_offsets(problems.batch, strides);
        problems.mask = reinterpret_cast<const uint8_t*>(blocked.data<bool>());
    }
    return problems;
}

// Shapes: query (B.., T, D), key (B.., S, D), value (B.., S, Dv); weights W, dropped P (B.., T, S).
// Forward, per problem: Z = Q Kᵀ, W = masked_softmax(Z, mask, scale), P = W ⊙ keep / (1 − p), out = P V.
// Backward, with dO = dL/dout:
//   dV = Pᵀ dO,  dP = dO Vᵀ,  dW = dP ⊙ keep / (1 − p),  dZ = scale · W ⊙ (dW − Σ_s dW·W),
//   dQ = dZ K,   dK = dZᵀ Q.
// Only W and the keep bytes are kept for backward: P is recomputed from them, Z is never kept.
// For inputs that check_attention_inputs has accepted, a bool mask or none, and 0 ≤ dropout_p < 1.
AttentionOutput fused_attention(const Tensor& query_in, const Tensor& key_in, const Tensor& value_in,
                                const Tensor& blocked, double scale, double dropout_p, Generator* generator) {
    const Tensor query = gemm_ready(query_in), key = gemm_ready(key_in), value = gemm_ready(value_in);
    const AttentionProblems problems = split_into_problems(query, key, value, blocked);
    const int64_t T = problems.queries, S = problems.keys, D = problems.dim, Dv = problems.value_dim;

    Shape weights_shape = problems.batch, output_shape = problems.batch;
    weights_shape.insert(weights_shape.end(), {T, S});
    output_shape.insert(output_shape.end(), {T, Dv});
    const Tensor weights = empty_uninitialized(weights_shape, {.dtype = query.dtype()});  // (B.., T, S)
    // The output in the query's memory order (heads land in (B, T, H, Dv)), when it has the query's shape.
    const Tensor output = output_shape == query.shape() ? empty_laid_out_like(query)
                                                        : empty_uninitialized(output_shape, {.dtype = query.dtype()});
    const Tensor keep = dropout_p > 0 ? dropout_keep_mask(weights_shape, dropout_p, *generator) : Tensor();
    const ProblemMatrices out = problem_matrices(output, problems.batch);

    visit_floating(query.dtype(), [&]<typename Float>() {
        const Float* q = query.data<Float>();
        const Float* k = key.data<Float>();
        const Float* v = value.data<Float>();
        Float* w_all = weights.data<Float>();
        Float* o = output.data<Float>();
        const auto* keep_all = keep.defined() ? reinterpret_cast<const uint8_t*>(keep.data<bool>()) : nullptr;
        const Float factor = static_cast<Float>(scale), survivor_scale = static_cast<Float>(1.0 / (1 - dropout_p));
#pragma omp parallel for schedule(static) if (problems.parallel())
        for (int64_t p = 0; p < problems.count; ++p) {
            Float* w = w_all + p * T * S;
            // Z = Q Kᵀ (Kᵀ read in place), then each row's masked softmax in place: W.
            product<Float>(T, S, D, matrix(q, problems.query, p), matrix(k, problems.key, p, /*transposed=*/true), w, S);
            for (int64_t t = 0; t < T; ++t) {
                const uint8_t* mask = problems.mask ? problems.mask + problems.mask_rows.offsets[p] +
                                                          t * problems.mask_rows.row_stride
                                                    : nullptr;
                kernels::masked_softmax_row(w + t * S, factor, mask, problems.mask_rows.col_stride, w + t * S, S);
            }
            // P = W ⊙ keep / (1 − p), then out = P V.
            const Float* dropped_weights = w;
            if (keep_all) {
                Float* dropped = scratch<Float>(0, T * S);
                const uint8_t* kept = keep_all + p * T * S;
                for (int64_t i = 0; i < T * S; ++i) dropped[i] = kernels::scale_if_kept(w[i], kept[i], survivor_scale);
                dropped_weights = dropped;
            }
            product<Float>(T, Dv, S, {dropped_weights, S, 1, 0, nullptr}, matrix(v, problems.value, p),
                           o + out.offsets[p], out.row_stride);
        }
    });

    record("fused_attention", {query_in, key_in, value_in}, output,
           [query_in, key_in, value_in, query, key, value, weights, keep, scale, dropout_p](const Tensor& dout_in) {
        const bool need_value = value_in.requires_grad();
        const bool need_query = query_in.requires_grad(), need_key = key_in.requires_grad();
        const Tensor dout = gemm_ready(dout_in);
        const AttentionProblems problems = split_into_problems(query, key, value, Tensor());  // the mask is in the weights' zeros
        const int64_t T = problems.queries, S = problems.keys, D = problems.dim, Dv = problems.value_dim;
        const ProblemMatrices upstream = problem_matrices(dout, problems.batch);
        // Each gradient in its input's memory order when the input is not broadcast; a broadcast input's
        // gradient is computed per problem and summed over the broadcast axes by accumulate_grad.
        auto gradient_buffer = [&](const Tensor& input, int64_t rows, int64_t cols) {
            Shape full = problems.batch;
            full.insert(full.end(), {rows, cols});
            return input.shape() == full ? empty_laid_out_like(input) : empty_uninitialized(full, {.dtype = input.dtype()});
        };
        const Tensor dvalue = need_value ? gradient_buffer(value, S, Dv) : Tensor();
        const Tensor dquery = need_query ? gradient_buffer(query, T, D) : Tensor();
        const Tensor dkey = need_key ? gradient_buffer(key, S, D) : Tensor();
        const ProblemMatrices dv_rows = need_value ? problem_matrices(dvalue, problems.batch) : ProblemMatrices{};
        const ProblemMatrices dq_rows = need_query ? problem_matrices(dquery, problems.batch) : ProblemMatrices{};
        const ProblemMatrices dk_rows = need_key ? problem_matrices(dkey, problems.batch) : ProblemMatrices{};

        visit_floating(query.dtype(), [&]<typename Float>() {
            const Float* q = query.data<Float>();
            const Float* k = key.data<Float>();
            const Float* v = value.data<Float>();
            const Float* d_out = dout.data<Float>();
            const Float* w_all = weights.data<Float>();
            const auto* keep_all = keep.defined() ? reinterpret_cast<const uint8_t*>(keep.data<bool>()) : nullptr;
            const Float survivor_scale = static_cast<Float>(1.0 / (1 - dropout_p));
#pragma omp parallel for schedule(static) if (problems.parallel())
            for (int64_t p = 0; p < problems.count; ++p) {
                const Float* w = w_all + p * T * S;
                const uint8_t* kept = keep_all ? keep_all + p * T * S : nullptr;
                const kernels::GemmOperand<Float> d_o = matrix(d_out, upstream, p);
                if (need_value) {  // dV = Pᵀ dO, with P recomputed from W and the keep bytes
                    const Float* dropped_weights = w;
                    if (kept) {
                        Float* dropped = scratch<Float>(0, T * S);
                        for (int64_t i = 0; i < T * S; ++i) dropped[i] = kernels::scale_if_kept(w[i], kept[i], survivor_scale);
                        dropped_weights = dropped;
                    }
                    product<Float>(S, Dv, T, {dropped_weights, 1, S, 0, nullptr}, d_o,
                                   dvalue.data<Float>() + dv_rows.offsets[p], dv_rows.row_stride);
                }
                if (!need_query && !need_key) continue;
                // dP = dO Vᵀ, then dW = dP ⊙ keep / (1 − p) and dZ = softmax backward, row by row in place.
                Float* dscores = scratch<Float>(1, T * S);
                product<Float>(T, S, Dv, d_o, matrix(v, problems.value, p, /*transposed=*/true), dscores, S);
                for (int64_t t = 0; t < T; ++t) {
                    Float* row = dscores + t * S;
                    if (kept)
                        for (int64_t s = 0; s < S; ++s) row[s] = kernels::scale_if_kept(row[s], kept[t * S + s], survivor_scale);
                    kernels::softmax_backward_row(w + t * S, row, scale, row, S);
                }
                if (need_query)  // dQ = dZ K
                    product<Float>(T, D, S, {dscores, S, 1, 0, nullptr}, matrix(k, problems.key, p),
                                   dquery.data<Float>() + dq_rows.offsets[p], dq_rows.row_stride);
                if (need_key)  // dK = dZᵀ Q
                    product<Float>(S, D, T, {dscores, 1, S, 0, nullptr}, matrix(q, problems.query, p),
                                   dkey.data<Float>() + dk_rows.offsets[p], dk_rows.row_stride);
            }
        });
        if (need_value) accumulate_grad(value_in, dvalue);
        if (need_query) accumulate_grad(query_in, dquery);
        if (need_key) accumulate_grad(key_in, dkey);
    });
    return {output, weights};
}

// The reference, the formula as written, each step an op with its own backward:
//   scores = Q Kᵀ (B.., T, S),  weights = softmax(scores · scale + mask),  output = dropout(weights) · V.
// Each row of weights is a distribution over the keys; blocked pairs get exactly 0, and a row with every key
// blocked gets 0 everywhere, hence output 0 and, since the softmax backward is s ⊙ (ds − Σ ds·s) with s = 0,
// gradient 0 — no NaN anywhere. A bool mask (or none) goes to masked_softmax, which scales, blocks and
// normalises in one pass (itself fused, with its own reference); an additive mask is added to the scaled scores.
AttentionOutput composed_attention(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& mask,
                                   double scale, double dropout_p, Generator* generator) {
    const Tensor scores = matmul(query, transpose(key, -2, -1));  // (B.., T, S), before the scale
    const Tensor weights = mask.defined() && mask.dtype() != DType::Bool
                               ? softmax(scores * scale + mask.to(scores.dtype()), -1)
                               : masked_softmax(scores, mask, scale);  // (B.., T, S)
    // Dropout on the weights (as torch.nn.MultiheadAttention) randomly hides keys during training.
    const Tensor dropped_weights = dropout_p > 0 ? dropout(weights, dropout_p, true, *generator) : weights;
    // The output for each query is the weighted sum of the values: Σ_s weights[t, s] · value[s].
    return {matmul(dropped_weights, value), weights};  // (B.., T, Dv), (B.., T, S)
}

}  // namespace

Shape check_attention_inputs(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& mask,
                             const char* caller) {
    if (!query.defined() || !key.defined() || !value.defined())
        throw std::invalid_argument(fmt::format("{}: query, key and value must all be defined", caller));
    if (query.dim() < 2 || key.dim() < 2 || value.dim() < 2)
        throw std::invalid_argument(fmt::format(
            "{}: query (B.., T, D), key (B.., S, D) and value (B.., S, Dv) need at least 2 axes, got {}, {}, {}", caller,
            shape_string(query.shape()), shape_string(key.shape()), shape_string(value.shape())));
    if (query.size(-1) != key.size(-1))
        throw std::invalid_argument(fmt::format("{}: query (B.., T, D) and key (B.., S, D) must share D, got {} and {}",
                                                caller, shape_string(query.shape()), shape_string(key.shape())));
    if (key.size(-2) != value.size(-2))
        throw std::invalid_argument(fmt::format(
            "{}: key (B.., S, D) and value (B.., S, Dv) must have the same length S, got {} and {}", caller,
            shape_string(key.shape()), shape_string(value.shape())));
    if (!is_floating(query.dtype()) || key.dtype() != query.dtype() || value.dtype() != query.dtype())
        throw std::invalid_argument(fmt::format("{}: query, key and value must share a floating dtype, got {}, {}, {}",
                                                caller, dtype_name(query.dtype()), dtype_name(key.dtype()),
                                                dtype_name(value.dtype())));
    Shape scores_shape =
        broadcast_shapes(broadcast_shapes(batch_axes(query), batch_axes(key), caller), batch_axes(value), caller);
    scores_shape.insert(scores_shape.end(), {query.size(-2), key.size(-2)});  // (B.., T, S)
    if (!mask.defined()) return scores_shape;
    if (mask.dtype() != DType::Bool && !is_floating(mask.dtype()))
        throw std::invalid_argument(fmt::format("{}: mask must be bool (true = blocked) or floating (additive), got {}",
                                                caller, dtype_name(mask.dtype())));
    if (broadcast_shapes(mask.shape(), scores_shape, caller) != scores_shape)
        throw std::invalid_argument(fmt::format("{}: mask {} must broadcast to the scores (B.., T, S) {}", caller,
                                                shape_string(mask.shape()), shape_string(scores_shape)));
    return scores_shape;
}

AttentionOutput attention(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& mask,
                          const AttentionOptions& options) {
    check_attention_inputs(query, key, value, mask, options.caller);
    if (is_autocast_enabled()) {
        // Both products, Q·Kᵀ and P·V, read bfloat16 query, key and value and accumulate in float32; the
        // softmax and its weights P stay float32 (autograd/autocast.h). Rounded once here, so the fused
        // kernel and the composition (whose matmuls would otherwise round P too) compute the same thing.
        const Tensor rounded_query = autocast_product_input(query), rounded_key = autocast_product_input(key),
                     rounded_value = autocast_product_input(value);
        AutocastGuard already_rounded(DType::BFloat16, /*enabled=*/false);
        return attention(rounded_query, rounded_key, rounded_value, mask, options);
    }
    if (!(options.dropout_p >= 0 && options.dropout_p <= 1))
        throw std::invalid_argument(
            fmt::format("{}: dropout_p must be in [0, 1], got {}", options.caller, options.dropout_p));
    const double dropout_p = options.training ? options.dropout_p : 0.0;
    if (dropout_p > 0 && options.generator == nullptr)
        throw std::invalid_argument(fmt::format("{}: dropout in training needs a Generator", options.caller));

    // The composition is the only implementation when the weights may be differentiated (the fused op
    // records no graph for them), for an additive mask, and for p = 1 (the fused op scales by 1/(1 − p)).
    const bool fusable = !options.weights_need_grad && (!mask.defined() || mask.dtype() == DType::Bool) && dropout_p < 1;
    if (!fusable) return composed_attention(query, key, value, mask, options.scale, dropout_p, options.generator);
    switch (kernels::kernel_mode()) {
        case kernels::KernelMode::Fast:
            return fused_attention(query, key, value, mask, options.scale, dropout_p, options.generator);
        case kernels::KernelMode::Reference:
            return composed_attention(query, key, value, mask, options.scale, dropout_p, options.generator);
        case kernels::KernelMode::Check: break;
    }

    // Check mode: both, drawing the same dropout masks (the reference from a copy of the generator).
    Generator reference_generator = options.generator ? *options.generator : Generator();
    const AttentionOutput fast = fused_attention(query, key, value, mask, options.scale, dropout_p, options.generator);
    NoGradGuard no_grad;
    const AttentionOutput reference =
        composed_attention(query, key, value, mask, options.scale, dropout_p, &reference_generator);
    // The weights within masked_softmax's bound. The output sums S products of dropped weights P ≤ W/(1 − p)
    // and values: the GEMM's 2·(S+1)·ε·|P|·|V|, plus (S+8)·ε of it carried from the weights.
    const double S = static_cast<double>(key.size(-2));
    check_against_reference("attention (weights)", fast.weights, reference.weights,
                            {.ulps = S + 8, .magnitude = reference.weights, .formula = "(S+8)·ε·weight"});
    check_against_reference("attention (output)", fast.output, reference.output,
                            {.ulps = 3 * S + 10, .magnitude = matmul(reference.weights, abs(value)) / (1 - dropout_p),
                             .formula = "(3·S+10)·ε·W·|V|/(1−p)"});
    return fast;
}

}  // namespace tapegrad
