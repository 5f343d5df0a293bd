// RecurrentBase: registering LSTM/GRU weights under torch's names, checking inputs, and the loop over
// layers, directions and time steps that carries the state over padded steps.
#include "nn/recurrent.h"

#include <cmath>
#include <stdexcept>

#include "nn/init.h"

namespace tapegrad::nn {
namespace {

const RecurrentOptions& validated(const RecurrentOptions& options, const std::string& module) {
    if (options.input_size <= 0)
        throw std::invalid_argument(fmt::format("{}: input_size must be positive, got {}", module, options.input_size));
    if (options.hidden_size <= 0)
        throw std::invalid_argument(fmt::format("{}: hidden_size must be positive, got {}", module, options.hidden_size));
    if (options.num_layers <= 0)
        throw std::invalid_argument(fmt::format("{}: num_layers must be positive, got {}", module, options.num_layers));
    if (!(options.dropout >= 0 && options.dropout <= 1))
        throw std::invalid_argument(fmt::format("{}: dropout must be in [0, 1], got {}", module, options.dropout));
    return options;
}

std::string dtype_mismatch(const std::string& module, const char* what, const Tensor& x, const Tensor& weight) {
    return fmt::format("{}: {} is {} but the weights are {} (convert one with to())", module, what,
                       dtype_name(x.dtype()), dtype_name(weight.dtype()));
}

}  // namespace

void reset_recurrent_parameters(Module& module, int64_t hidden_size, Generator& generator) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
    for (const auto& [name, parameter] : module.named_parameters()) uniform_(parameter, -bound, bound, generator);
}

const RecurrentCellOptions& validated_cell_options(const RecurrentCellOptions& options, const std::string& module) {
    validated({.input_size = options.input_size, .hidden_size = options.hidden_size}, module);
    return options;
}

void check_cell_input(const std::string& module, const RecurrentCellOptions& options, const Tensor& input,
                      const Tensor& state, const char* state_name, const Tensor& weight) {
    if (input.dim() != 2 || input.size(1) != options.input_size)
        throw std::invalid_argument(fmt::format("{}: expected input (B, I) with I = input_size = {}, got {}", module,
                                                options.input_size, shape_string(input.shape())));
    if (input.dtype() != weight.dtype()) throw std::invalid_argument(dtype_mismatch(module, "the input", input, weight));
    if (!state.defined()) return;
    const Shape expected{input.size(0), options.hidden_size};
    if (state.shape() != expected)
        throw std::invalid_argument(fmt::format("{}: {} must be (B, H) = {} for input {}, got {}", module, state_name,
                                                shape_string(expected), shape_string(input.shape()),
                                                shape_string(state.shape())));
    if (state.dtype() != weight.dtype()) throw std::invalid_argument(dtype_mismatch(module, state_name, state, weight));
}

RecurrentBase::RecurrentBase(std::string type_name, const RecurrentOptions& options, int64_t gates, Generator& generator)
    : type_name_(std::move(type_name)), options_(validated(options, type_name_)), generator_(generator.next_u64()) {
    const int64_t H = options_.hidden_size;
    for (int64_t layer = 0; layer < options_.num_layers; ++layer)
        for (int64_t direction = 0; direction < num_directions(); ++direction) {
            const std::string suffix = fmt::format("_l{}{}", layer, direction == 1 ? "_reverse" : "");
            const int64_t layer_input_size = layer == 0 ? options_.input_size : num_directions() * H;
            RecurrentWeights& w = weights_.emplace_back();
            w.weight_ih = register_parameter("weight_ih" + suffix, empty({gates * H, layer_input_size}));
            w.weight_hh = register_parameter("weight_hh" + suffix, empty({gates * H, H}));
            if (options_.bias) {
                w.bias_ih = register_parameter("bias_ih" + suffix, empty({gates * H}));
                w.bias_hh = register_parameter("bias_hh" + suffix, empty({gates * H}));
            }
        }
    reset_recurrent_parameters(*this, H, generator);
    register_generator("generator", generator_);
}

std::string RecurrentBase::extra_repr() const {
    return fmt::format("input_size={}, hidden_size={}, num_layers={}, bias={}, batch_first={}, dropout={}, "
                       "bidirectional={}",
                       options_.input_size, options_.hidden_size, options_.num_layers, options_.bias,
                       options_.batch_first, options_.dropout, options_.bidirectional);
}

const RecurrentWeights& RecurrentBase::weights(int64_t layer, int64_t direction) const {
    if (layer < 0 || layer >= options_.num_layers || direction < 0 || direction >= num_directions())
        throw std::out_of_range(fmt::format("{}: no layer {} direction {} (num_layers = {}, directions = {})",
                                            type_name_, layer, direction, options_.num_layers, num_directions()));
    return weights_[layer * num_directions() + direction];
}

void RecurrentBase::check_input(const Tensor& input) const {
    const char* layout = options_.batch_first ? "(B, T, I)" : "(T, B, I)";
    if (input.dim() != 3 || input.size(2) != options_.input_size)
        throw std::invalid_argument(fmt::format("{}: expected input {} with I = input_size = {}, got {}", type_name_,
                                                layout, options_.input_size, shape_string(input.shape())));
    if (input.numel() == 0)
        throw std::invalid_argument(fmt::format("{}: expected at least one step and one sequence in input {}, got {}",
                                                type_name_, layout, shape_string(input.shape())));
    if (input.dtype() != weights_[0].weight_ih.dtype())
        throw std::invalid_argument(dtype_mismatch(type_name_, "the input", input, weights_[0].weight_ih));
}

void RecurrentBase::check_state(const Tensor& state, const char* name, int64_t batch, const Tensor& input) const {
    if (!state.defined()) return;
    const Shape expected{options_.num_layers * num_directions(), batch, options_.hidden_size};
    if (state.shape() != expected)
        throw std::invalid_argument(fmt::format("{}: {} must be (L·D, B, H) = {} for input {}, got {}", type_name_, name,
                                                shape_string(expected), shape_string(input.shape()),
                                                shape_string(state.shape())));
    if (state.dtype() != input.dtype()) throw std::invalid_argument(dtype_mismatch(type_name_, name, state, weights_[0].weight_ih));
}

void RecurrentBase::check_padding_mask(const Tensor& padding_mask, int64_t batch, int64_t steps) const {
    const Shape expected{batch, steps};
    if (padding_mask.dtype() != DType::Bool || padding_mask.shape() != expected)
        throw std::invalid_argument(fmt::format("{}: padding_mask must be bool (B, T) = {}, true at padded steps, got {} {}",
                                                type_name_, shape_string(expected), dtype_name(padding_mask.dtype()),
                                                shape_string(padding_mask.shape())));
}

Tensor RecurrentBase::padding_mask_from_lengths(const Tensor& input, const std::vector<int64_t>& lengths) const {
    check_input(input);
    const int64_t T = input.size(options_.batch_first ? 1 : 0), B = input.size(options_.batch_first ? 0 : 1);
    if (static_cast<int64_t>(lengths.size()) != B)
        throw std::invalid_argument(fmt::format("{}: expected one length per sequence, B = {} for input {}, got {} lengths",
                                                type_name_, B, shape_string(input.shape()), lengths.size()));
    for (std::size_t b = 0; b < lengths.size(); ++b)
        if (lengths[b] < 1 || lengths[b] > T)
            throw std::invalid_argument(fmt::format("{}: every length must be in [1, T] = [1, {}] for input {}, got {} for "
                                                    "sequence {}", type_name_, T, shape_string(input.shape()), lengths[b], b));
    // Step t of sequence b is padding when t ≥ lengths[b]: arange(T) (1, T) against lengths (B, 1).
    const Tensor steps = reshape(arange(T), {1, T});
    return ge(steps, from_vector(lengths, {B, 1}));
}

// Layer by layer, and in each layer direction by direction, step by step:
//   forward direction  t = 0, 1, ..., T − 1
//   reverse direction  t = T − 1, ..., 0
// At a padded step the cell's new state is discarded (h_t = h_{t−1}, c_t = c_{t−1}) and the output is 0.
// Carrying the state is what makes padding harmless: the forward direction's final state is the one at
// each sequence's own last step, and the reverse direction, which meets the trailing padding first,
// reaches that last step still holding its initial state — it starts there, exactly as torch's packed
// sequences (pack_padded_sequence) do, and a padded batch gives each sequence what it gives alone.
RecurrentOutput RecurrentBase::run(const Tensor& input, const Tensor& h0, const Tensor& c0, bool has_cell_state,
                                   const Tensor& padding_mask) {
    check_input(input);
    const Tensor x = options_.batch_first ? transpose(input, 0, 1) : input;  // (T, B, I)
    const int64_t T = x.size(0), B = x.size(1), D = num_directions();
    check_state(h0, "h0", B, input);
    if (has_cell_state) check_state(c0, "c0", B, input);
    Tensor pad;  // (T, B, 1): true where step t of sequence b is padding; broadcasts over the H features
    if (padding_mask.defined()) {
        check_padding_mask(padding_mask, B, T);
        pad = unsqueeze(transpose(padding_mask, 0, 1), 2);
    }
    const Tensor zero_state = zeros({B, options_.hidden_size}, {.dtype = input.dtype()});
    auto initial = [&](const Tensor& given, int64_t index) { return given.defined() ? select(given, 0, index) : zero_state; };

    std::vector<Tensor> h_n, c_n;  // L·D final states, each (B, H)
    Tensor layer_input = x;        // (T, B, I), then (T, B, D·H)
    for (int64_t layer = 0; layer < options_.num_layers; ++layer) {
        if (layer > 0 && options_.dropout > 0)  // between layers, as torch: on every layer's output but the last's
            layer_input = dropout(layer_input, options_.dropout, is_training(), generator_);
        std::vector<Tensor> direction_outputs;  // D, each (T, B, H)
        for (int64_t direction = 0; direction < D; ++direction) {
            const int64_t index = layer * D + direction;
            const RecurrentWeights& w = weights_[index];
            RecurrentState state{initial(h0, index), has_cell_state ? initial(c0, index) : Tensor()};
            // x_t W_ihᵀ + b_ih for every step in one product (T, B, G·H): the input side needs no state.
            const Tensor input_gates = linear(layer_input, w.weight_ih, w.bias_ih);
            std::vector<Tensor> outputs(T);  // each (B, H)
            for (int64_t s = 0; s < T; ++s) {
                const int64_t t = direction == 0 ? s : T - 1 - s;
                RecurrentState next = step(select(input_gates, 0, t), state, w);
                if (pad.defined()) {
                    const Tensor pad_t = select(pad, 0, t);  // (B, 1)
                    next.h = where(pad_t, state.h, next.h);
                    if (has_cell_state) next.c = where(pad_t, state.c, next.c);
                    outputs[t] = masked_fill(next.h, pad_t, 0.0);
                } else {
                    outputs[t] = next.h;
                }
                state = next;
            }
            direction_outputs.push_back(stack(outputs, 0));
            h_n.push_back(state.h);
            if (has_cell_state) c_n.push_back(state.c);
        }
        layer_input = D == 1 ? direction_outputs[0] : concat(direction_outputs, 2);
    }
    return {.output = options_.batch_first ? transpose(layer_input, 0, 1) : layer_input,
            .h_n = stack(h_n, 0),
            .c_n = has_cell_state ? stack(c_n, 0) : Tensor()};
}

}  // namespace tapegrad::nn
