// GRU: the cell as a composition of autograd ops, the GRUCell module around it, and GRU, which runs it
// over sequences through RecurrentBase.
#include "nn/gru.h"

namespace tapegrad::nn {

Tensor gru_cell_from_input_gates(const Tensor& input_gates, const Tensor& hidden, const RecurrentWeights& weights) {
    // Each (B, H): the input's and the state's contributions to r, z, n, kept apart because the reset gate
    // scales only the state's part of n.
    const std::vector<Tensor> from_input = chunk(input_gates, 3, 1);
    const std::vector<Tensor> from_hidden = chunk(linear(hidden, weights.weight_hh, weights.bias_hh), 3, 1);
    const Tensor r = sigmoid(from_input[0] + from_hidden[0]);
    const Tensor z = sigmoid(from_input[1] + from_hidden[1]);
    const Tensor n = tanh(from_input[2] + r * from_hidden[2]);
    return (1.0 - z) * n + z * hidden;
}

Tensor gru_cell(const Tensor& input, const Tensor& hidden, const RecurrentWeights& weights) {
    return gru_cell_from_input_gates(linear(input, weights.weight_ih, weights.bias_ih), hidden, weights);
}

GRUCell::GRUCell(const GRUCellOptions& options, Generator& generator)
    : options_(validated_cell_options(options, "GRUCell")) {
    const int64_t I = options_.input_size, H = options_.hidden_size;
    weights_.weight_ih = register_parameter("weight_ih", empty({3 * H, I}));
    weights_.weight_hh = register_parameter("weight_hh", empty({3 * H, H}));
    if (options_.bias) {
        weights_.bias_ih = register_parameter("bias_ih", empty({3 * H}));
        weights_.bias_hh = register_parameter("bias_hh", empty({3 * H}));
    }
    reset_recurrent_parameters(*this, H, generator);
}

std::string GRUCell::extra_repr() const {
    return fmt::format("input_size={}, hidden_size={}, bias={}", options_.input_size, options_.hidden_size, options_.bias);
}

Tensor GRUCell::forward(const Tensor& input, const Tensor& hidden) const {
    check_cell_input("GRUCell", options_, input, hidden, "hidden", weights_.weight_ih);
    const Tensor h = hidden.defined() ? hidden : zeros({input.size(0), options_.hidden_size}, {.dtype = input.dtype()});
    return gru_cell(input, h, weights_);
}

GRU::GRU(const GRUOptions& options, Generator& generator) : RecurrentBase("GRU", options, 3, generator) {}

RecurrentOutput GRU::forward(const Tensor& input, const Tensor& h0, const Tensor& padding_mask) {
    return run(input, h0, Tensor(), /*has_cell_state=*/false, padding_mask);
}

RecurrentOutput GRU::forward(const Tensor& input, const Tensor& h0, const std::vector<int64_t>& lengths) {
    return forward(input, h0, padding_mask_from_lengths(input, lengths));
}

RecurrentState GRU::step(const Tensor& input_gates, const RecurrentState& state, const RecurrentWeights& weights) const {
    return {.h = gru_cell_from_input_gates(input_gates, state.h, weights), .c = Tensor()};
}

}  // namespace tapegrad::nn
