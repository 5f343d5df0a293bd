// What LSTM and GRU share: their options, their weights (named as torch names them), the state and
// output they pass around, and RecurrentBase, which runs a cell over a sequence — layers × directions
// × time steps, with padding, initial states and dropout between layers.
//
// Shapes in the recurrent files (torch's docs write L for the sequence and N for the batch; here L is
// the number of layers, as in the parameter names weight_ih_l0, ...):
//   T sequence length, B batch, I input_size, H hidden_size, L num_layers, D directions (2 if bidirectional)
//   G gates per cell: 4 for LSTM (i, f, g, o), 3 for GRU (r, z, n)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/generator.h"
#include "nn/module.h"

namespace tapegrad::nn {

// The options of torch.nn.LSTM / torch.nn.GRU, with the same names and defaults (torch's LSTM
// proj_size is not supported).
struct RecurrentOptions {
    int64_t input_size = 0;      // I, the features of each input step (required)
    int64_t hidden_size = 0;     // H, the features of the hidden state (required)
    int64_t num_layers = 1;      // L, stacked layers: layer k > 0 reads layer k − 1's output (D·H features)
    bool bias = true;            // learn bias_ih and bias_hh
    bool batch_first = false;    // input and output are (B, T, ·) instead of (T, B, ·); the states are not
    double dropout = 0.0;        // drop each layer's output but the last's with this probability, in training
    bool bidirectional = false;  // D = 2: a second direction reads each sequence from its end to its start
};
using LSTMOptions = RecurrentOptions;
using GRUOptions = RecurrentOptions;

// The options of torch.nn.LSTMCell / torch.nn.GRUCell: one step, one layer, one direction.
struct RecurrentCellOptions {
    int64_t input_size = 0;   // I (required)
    int64_t hidden_size = 0;  // H (required)
    bool bias = true;         // learn bias_ih and bias_hh
};
using LSTMCellOptions = RecurrentCellOptions;
using GRUCellOptions = RecurrentCellOptions;

// The weights of one cell — one direction of one layer — stored as torch stores them: the G gates'
// matrices stacked along the rows, in the gate order, so that one product computes every gate.
struct RecurrentWeights {
    Tensor weight_ih;  // (G·H, I), or (G·H, D·H) for layers above the first
    Tensor weight_hh;  // (G·H, H)
    Tensor bias_ih;    // (G·H), undefined without bias
    Tensor bias_hh;    // (G·H), undefined without bias
};

// A cell's state, each (B, H): the hidden state h, and the LSTM's cell state c (undefined for a GRU).
struct RecurrentState {
    Tensor h;
    Tensor c;
};
using LSTMState = RecurrentState;

struct RecurrentOutput {
    Tensor output;  // (T, B, D·H), or (B, T, D·H) with batch_first: the last layer's h at every step, the
                    // directions concatenated (forward first); 0 at padded steps
    Tensor h_n;     // (L·D, B, H): each layer's and direction's final h, at index layer·D + direction
    Tensor c_n;     // (L·D, B, H): the same for the LSTM's cell state; undefined for a GRU
};

// Initialises every parameter of `module` as torch's RNNBase, LSTMCell and GRUCell do: each weight and
// each bias ~ U(−1/√H, 1/√H). (Not Linear's 1/√fan_in: torch bounds by the hidden size, so the input and
// the recurrent products start on the same scale whatever the input width.)
void reset_recurrent_parameters(Module& module, int64_t hidden_size, Generator& generator);

// Checks a cell's options (both sizes positive); throws std::invalid_argument naming `module`.
const RecurrentCellOptions& validated_cell_options(const RecurrentCellOptions& options, const std::string& module);

// Checks one step's input (B, I) and a state tensor (B, H) of a cell (undefined state is allowed: zeros);
// throws std::invalid_argument naming `module`, `state_name` and the shapes.
void check_cell_input(const std::string& module, const RecurrentCellOptions& options, const Tensor& input,
                      const Tensor& state, const char* state_name, const Tensor& weight);

// The machinery of LSTM and GRU, as torch's RNNBase: parameters registered in torch's order (for each
// layer, for each direction: weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, the reverse
// direction with the suffix "_reverse"), so that a torch state_dict loads strictly, and the loop over
// layers, directions and time. A subclass supplies the cell (step()).
class RecurrentBase : public Module {
public:
    std::string type_name() const override { return type_name_; }
    std::string extra_repr() const override;

    const RecurrentOptions& options() const { return options_; }
    int64_t num_directions() const { return options_.bidirectional ? 2 : 1; }
    // The weights of one layer (0 ≤ layer < L) and direction (0 forward, 1 reverse).
    const RecurrentWeights& weights(int64_t layer, int64_t direction) const;
    // The source of the masks of the dropout between layers (seeded from the constructor's generator).
    Generator& generator() { return generator_; }

protected:
    // Registers the weights of G = `gates` gates per cell and draws them from `generator`. Throws
    // std::invalid_argument naming `type_name` and the bad option.
    RecurrentBase(std::string type_name, const RecurrentOptions& options, int64_t gates, Generator& generator);

    // One time step of one cell: `input_gates` = x_t W_ihᵀ + b_ih (B, G·H), computed for every step of a
    // layer in one product before the loop since it does not depend on the state; the state (B, H) each.
    virtual RecurrentState step(const Tensor& input_gates, const RecurrentState& state, const RecurrentWeights& weights) const = 0;

    // The whole forward. input (T, B, I) or (B, T, I); h0 and c0 (L·D, B, H) or undefined (zeros; c0 is
    // used only when `has_cell_state`); padding_mask (B, T) bool, true = padded step, or undefined.
    RecurrentOutput run(const Tensor& input, const Tensor& h0, const Tensor& c0, bool has_cell_state,
                        const Tensor& padding_mask);
    // The padding mask (B, T) of sequences of the given lengths in `input`; throws std::invalid_argument
    // naming the module when there is not one length per sequence or a length is outside [1, T].
    Tensor padding_mask_from_lengths(const Tensor& input, const std::vector<int64_t>& lengths) const;

private:
    void check_input(const Tensor& input) const;
    void check_state(const Tensor& state, const char* name, int64_t batch, const Tensor& input) const;
    void check_padding_mask(const Tensor& padding_mask, int64_t batch, int64_t steps) const;

    std::string type_name_;
    RecurrentOptions options_;
    std::vector<RecurrentWeights> weights_;  // index layer·D + direction
    Generator generator_;
};

}  // namespace tapegrad::nn
