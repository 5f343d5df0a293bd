// Attention as a function: scaled dot-product attention and the masks that say who may look at whom.
//
// Each position makes a query ("what am I looking for"), a key ("what do I offer") and a value ("what do
// I carry"). A query's weights over the keys are softmax(q·kᵀ/√D); its output is the weighted sum of the
// values. The modules (SelfAttention, MultiHeadAttention) only make Q, K, V with learned projections
// and call scaled_dot_product_attention.
//
// Shape legend: B batch, T target length (queries), S source length (keys/values), E embed_dim,
// H num_heads, D = E/H head size, V vocab. "B.." is any number of leading batch axes (B, H, ...).
//
// Mask semantics — one rule everywhere in tapegrad (see docs/attention.md for the table):
//   * a bool mask means BLOCKED: true = this query may NOT attend to this key;
//   * a float mask is ADDITIVE: it is added to the scores, so 0 leaves a pair alone and −inf blocks it.
//   Either kind broadcasts to the scores (B.., T, S).
//   A query whose every key is blocked (a fully masked row) gets weights 0, output 0 and gradient 0 —
//   never NaN.
#pragma once

#include "autograd/tensor.h"
#include "base/generator.h"

namespace tapegrad::nn {

struct AttentionResult {
    Tensor output;   // (B.., T, Dv): for each query, the weighted sum of the values
    Tensor weights;  // (B.., T, S): softmax over keys, each row sums to 1 (0 for a fully masked row);
                     // undefined when the caller did not ask for them (MultiHeadAttention::forward)
};

// softmax(query · keyᵀ / √D + mask) · value (Vaswani et al., 2017, eq. 1).
//   query (B.., T, D), key (B.., S, D), value (B.., S, Dv); batch axes broadcast as in matmul.
//   mask:  undefined, bool (true = blocked) or float (additive), broadcastable to (B.., T, S).
//   dropout_p: probability of zeroing each attention weight when `training` (needs `generator`).
// Returns output (B.., T, Dv) and the weights (B.., T, S) before dropout (what a heat-map shows; torch
// returns them after dropout — the two agree whenever dropout is off).
// It is tapegrad::attention with scale 1/√D (autograd/ops/nn_functional.h): weights_need_grad = false lets
// that run its fused op (the same numbers, less kept for backward) whose weights carry no gradient; a float
// mask always takes the composed path. Throws std::invalid_argument naming the offending shapes.
AttentionResult scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                             const Tensor& mask = {}, double dropout_p = 0.0,
                                             bool training = false, Generator* generator = nullptr,
                                             bool weights_need_grad = true);

// The decoder's "no peeking" mask: bool (T, S), true where key j lies in query i's future.
// Query i sits at absolute position i + (S − T), so with S == T (the default) the mask is true strictly
// above the diagonal; with S > T (new queries after S − T cached keys) it shifts right.
//   causal_mask(3):     . x x      (x = blocked)
//                       . . x
//                       . . .
Tensor causal_mask(int64_t target_length, int64_t source_length = -1);

// bool (B, S), true where tokens (int64 (B, S)) == pad_id: the keys nobody should attend to.
Tensor padding_mask(const Tensor& tokens, int64_t pad_id);

// A bool mask (true = blocked) as an additive one in `dtype`: 0 where allowed, −inf where blocked.
Tensor to_additive_mask(const Tensor& blocked, DType dtype);

// One mask for the scores (B, H, T, S) from the two ways callers say who is blocked:
//   attn_mask:        (T, S) for every sequence and head, or (B|1, H|1, T, S); bool or float; may be undefined
//   key_padding_mask: (B, S), bool (true = PAD) or float (additive), applied to every query and head;
//                     may be undefined
// Both bool → their logical or (bool). Otherwise the bool one is turned additive and the two are added
// (float). The result broadcasts to (B, H, T, S); undefined when both are. (A 3-d attn_mask is refused:
// torch reads it as (B·H, T, S), which is easy to confuse with (B, T, S) — pass (B, 1, T, S) instead.)
// `module` names the caller in error messages.
Tensor combine_masks(const Tensor& attn_mask, const Tensor& key_padding_mask, const char* module = "combine_masks");

}  // namespace tapegrad::nn
