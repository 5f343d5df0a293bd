// Gated recurrent unit (Cho et al., 2014), as torch.nn.GRUCell and torch.nn.GRU: the same equations,
// parameter names, gate order and shapes.
//
// One step, x (B, I) and the state h (B, H) -> h' (B, H):
//   r  = σ(W_ir x + b_ir + W_hr h + b_hr)               reset gate: how much of h the candidate may read
//   z  = σ(W_iz x + b_iz + W_hz h + b_hz)               update gate: how much of h to keep
//   n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      candidate state
//   h' = (1 − z) ⊙ n + z ⊙ h
// The reset gate multiplies W_hn h + b_hn after the product (torch's and cuDNN's form, not the paper's
// W_hn (r ⊙ h)), so the recurrent products of all three gates are still one product. The gates' weights
// are stacked in the order r, z, n: weight_ih (3H, I), weight_hh (3H, H). (Shape letters: nn/recurrent.h.)
#pragma once

#include "nn/recurrent.h"

namespace tapegrad::nn {

// The step as a function: input (B, I), hidden (B, H) -> the next hidden state (B, H). Composed of
// autograd ops (linear, chunk, sigmoid, tanh, mul, add, sub): the gradient needs no code of its own.
Tensor gru_cell(const Tensor& input, const Tensor& hidden, const RecurrentWeights& weights);
// The same step given input_gates = input W_ihᵀ + b_ih (B, 3H) already computed, as a sequence computes
// them for every step at once.
Tensor gru_cell_from_input_gates(const Tensor& input_gates, const Tensor& hidden, const RecurrentWeights& weights);

class GRUCell : public Module {
public:
    // Parameters weight_ih (3H, I), weight_hh (3H, H), bias_ih (3H), bias_hh (3H), all ~ U(−1/√H, 1/√H) as
    // torch (see reset_recurrent_parameters). Throws std::invalid_argument naming the bad option.
    GRUCell(const GRUCellOptions& options, Generator& generator);

    std::string type_name() const override { return "GRUCell"; }
    std::string extra_repr() const override;

    // input (B, I), hidden (B, H) or undefined (zeros) -> the next hidden state (B, H).
    // Throws std::invalid_argument naming "GRUCell" and the shapes when they do not fit.
    Tensor forward(const Tensor& input, const Tensor& hidden = {}) const;

    const GRUCellOptions& options() const { return options_; }
    const RecurrentWeights& weights() const { return weights_; }

private:
    GRUCellOptions options_;
    RecurrentWeights weights_;
};

// A stack of L GRU layers over whole sequences, one or two directions each (torch.nn.GRU).
// Parameters, for each layer k and direction (suffix "" forward, "_reverse" backward), in this order:
//   weight_ih_l{k} (3H, I) for k = 0, (3H, D·H) above · weight_hh_l{k} (3H, H) · bias_ih_l{k} (3H) ·
//   bias_hh_l{k} (3H)
// so that a torch.nn.GRU state_dict loads with load_state_dict(strict). Init U(−1/√H, 1/√H) as torch.
class GRU : public RecurrentBase {
public:
    GRU(const GRUOptions& options, Generator& generator);

    // input (T, B, I), or (B, T, I) with batch_first -> output (T, B, D·H) (or (B, T, D·H)) and h_n
    // (L·D, B, H); c_n is undefined. h0 is (L·D, B, H), undefined for zeros.
    // padding_mask (B, T) bool, true at padded steps (undefined: no padding): a padded step leaves the
    // state unchanged and outputs 0, so each sequence gets what it would get alone (see recurrent.cpp).
    // Throws std::invalid_argument naming "GRU" and the shapes when the input, state or mask do not fit.
    RecurrentOutput forward(const Tensor& input, const Tensor& h0 = {}, const Tensor& padding_mask = {});
    // The same with sequence b occupying steps [0, lengths[b]) (1 ≤ lengths[b] ≤ T), the rest padding.
    RecurrentOutput forward(const Tensor& input, const Tensor& h0, const std::vector<int64_t>& lengths);

protected:
    RecurrentState step(const Tensor& input_gates, const RecurrentState& state, const RecurrentWeights& weights) const override;
};

}  // namespace tapegrad::nn
