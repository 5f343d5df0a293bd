// Long short-term memory (Hochreiter & Schmidhuber, 1997; with the forget gate of Gers et al., 2000), as
// torch.nn.LSTMCell and torch.nn.LSTM: the same equations, parameter names, gate order and shapes.
//
// One step, x (B, I) and the state h, c (B, H) -> h', c' (B, H):
//   i  = σ(W_ii x + b_ii + W_hi h + b_hi)      input gate: how much of the candidate to write
//   f  = σ(W_if x + b_if + W_hf h + b_hf)      forget gate: how much of the old cell state to keep
//   g  = tanh(W_ig x + b_ig + W_hg h + b_hg)   candidate values
//   o  = σ(W_io x + b_io + W_ho h + b_ho)      output gate: how much of the cell state to show
//   c' = f ⊙ c + i ⊙ g
//   h' = o ⊙ tanh(c')
// The four gates' weights are stacked in the order i, f, g, o: weight_ih (4H, I), weight_hh (4H, H), so
// one product gives all four and chunk(·, 4) splits them. (Shape letters: see nn/recurrent.h.)
#pragma once

#include "nn/recurrent.h"

namespace tapegrad::nn {

// The step as a function: input (B, I), state.h and state.c (B, H) -> the next state. Composed of
// autograd ops (linear, chunk, sigmoid, tanh, mul, add): the gradient needs no code of its own.
LSTMState lstm_cell(const Tensor& input, const LSTMState& state, const RecurrentWeights& weights);
// The same step given input_gates = input W_ihᵀ + b_ih (B, 4H) already computed, as a sequence computes
// them for every step at once.
LSTMState lstm_cell_from_input_gates(const Tensor& input_gates, const LSTMState& state, const RecurrentWeights& weights);

class LSTMCell : public Module {
public:
    // Parameters weight_ih (4H, I), weight_hh (4H, H), bias_ih (4H), bias_hh (4H), all ~ U(−1/√H, 1/√H) as
    // torch (see reset_recurrent_parameters). Throws std::invalid_argument naming the bad option.
    LSTMCell(const LSTMCellOptions& options, Generator& generator);

    std::string type_name() const override { return "LSTMCell"; }
    std::string extra_repr() const override;

    // input (B, I), state.h and state.c (B, H) or undefined (zeros) -> the next state (B, H) each.
    // Throws std::invalid_argument naming "LSTMCell" and the shapes when they do not fit.
    LSTMState forward(const Tensor& input, const LSTMState& state = {}) const;

    const LSTMCellOptions& options() const { return options_; }
    const RecurrentWeights& weights() const { return weights_; }

private:
    LSTMCellOptions options_;
    RecurrentWeights weights_;
};

// A stack of L LSTM layers over whole sequences, one or two directions each (torch.nn.LSTM).
// Parameters, for each layer k and direction (suffix "" forward, "_reverse" backward), in this order:
//   weight_ih_l{k} (4H, I) for k = 0, (4H, D·H) above · weight_hh_l{k} (4H, H) · bias_ih_l{k} (4H) ·
//   bias_hh_l{k} (4H)
// so that a torch.nn.LSTM state_dict loads with load_state_dict(strict). Init U(−1/√H, 1/√H) as torch.
class LSTM : public RecurrentBase {
public:
    LSTM(const LSTMOptions& options, Generator& generator);

    // input (T, B, I), or (B, T, I) with batch_first -> output (T, B, D·H) (or (B, T, D·H)), h_n and c_n
    // (L·D, B, H). initial.h (h0) and initial.c (c0) are (L·D, B, H), each undefined for zeros.
    // padding_mask (B, T) bool, true at padded steps (undefined: no padding): a padded step leaves the
    // state unchanged and outputs 0, so each sequence gets what it would get alone (see recurrent.cpp).
    // Throws std::invalid_argument naming "LSTM" and the shapes when the input, states or mask do not fit.
    RecurrentOutput forward(const Tensor& input, const LSTMState& initial = {}, const Tensor& padding_mask = {});
    // The same with sequence b occupying steps [0, lengths[b]) (1 ≤ lengths[b] ≤ T), the rest padding.
    RecurrentOutput forward(const Tensor& input, const LSTMState& initial, const std::vector<int64_t>& lengths);

protected:
    RecurrentState step(const Tensor& input_gates, const RecurrentState& state, const RecurrentWeights& weights) const override;
};

}  // namespace tapegrad::nn
