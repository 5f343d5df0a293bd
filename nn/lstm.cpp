// LSTM: the cell as a composition of autograd ops, the LSTMCell module around it, and LSTM, which runs
// it over sequences through RecurrentBase.
#include "nn/lstm.h"

namespace tapegrad::nn {

LSTMState lstm_cell_from_input_gates(const Tensor& input_gates, const LSTMState& state, const RecurrentWeights& weights) {
    // (B, 4H): every gate's pre-activation from one product with the stacked weight_hh.
    const Tensor gates = input_gates + linear(state.h, weights.weight_hh, weights.bias_hh);
    const std::vector<Tensor> pre = chunk(gates, 4, 1);  // i, f, g, o, each (B, H)
    const Tensor i = sigmoid(pre[0]);
    const Tensor f = sigmoid(pre[1]);
    const Tensor g = tanh(pre[2]);
    const Tensor o = sigmoid(pre[3]);
    const Tensor c = f * state.c + i * g;
    return {.h = o * tanh(c), .c = c};
}

LSTMState lstm_cell(const Tensor& input, const LSTMState& state, const RecurrentWeights& weights) {
    return lstm_cell_from_input_gates(linear(input, weights.weight_ih, weights.bias_ih), state, weights);
}

LSTMCell::LSTMCell(const LSTMCellOptions& options, Generator& generator)
    : options_(validated_cell_options(options, "LSTMCell")) {
    const int64_t I = options_.input_size, H = options_.hidden_size;
    weights_.weight_ih = register_parameter("weight_ih", empty({4 * H, I}));
    weights_.weight_hh = register_parameter("weight_hh", empty({4 * H, H}));
    if (options_.bias) {
        weights_.bias_ih = register_parameter("bias_ih", empty({4 * H}));
        weights_.bias_hh = register_parameter("bias_hh", empty({4 * H}));
    }
    reset_recurrent_parameters(*this, H, generator);
}

std::string LSTMCell::extra_repr() const {
    return fmt::format("input_size={}, hidden_size={}, bias={}", options_.input_size, options_.hidden_size, options_.bias);
}

LSTMState LSTMCell::forward(const Tensor& input, const LSTMState& state) const {
    check_cell_input("LSTMCell", options_, input, state.h, "h", weights_.weight_ih);
    check_cell_input("LSTMCell", options_, input, state.c, "c", weights_.weight_ih);
    const Tensor zero = zeros({input.size(0), options_.hidden_size}, {.dtype = input.dtype()});
    return lstm_cell(input, {.h = state.h.defined() ? state.h : zero, .c = state.c.defined() ? state.c : zero}, weights_);
}

LSTM::LSTM(const LSTMOptions& options, Generator& generator) : RecurrentBase("LSTM", options, 4, generator) {}

RecurrentOutput LSTM::forward(const Tensor& input, const LSTMState& initial, const Tensor& padding_mask) {
    return run(input, initial.h, initial.c, /*has_cell_state=*/true, padding_mask);
}

RecurrentOutput LSTM::forward(const Tensor& input, const LSTMState& initial, const std::vector<int64_t>& lengths) {
    return forward(input, initial, padding_mask_from_lengths(input, lengths));
}

RecurrentState LSTM::step(const Tensor& input_gates, const RecurrentState& state, const RecurrentWeights& weights) const {
    return lstm_cell_from_input_gates(input_gates, state, weights);
}

}  // namespace tapegrad::nn
