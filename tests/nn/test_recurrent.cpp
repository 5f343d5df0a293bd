// Recurrent modules: float64 gradient checks of the LSTM and GRU cells and of 2-layer bidirectional LSTM/GRU
// over padded batches (inputs, initial states, parameters); a padded batch gives each sequence what it
// gives alone; dropout between layers; initialisation; the errors; and one learning test.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>

#include "module_gradcheck.h"
#include "nn/gru.h"
#include "nn/linear.h"
#include "nn/lstm.h"
#include "optim/adam.h"

using namespace tapegrad;
using Catch::Contains;
using test::check_parameter_gradients;
using test::require_gradcheck;
using test::random_input;

namespace {

// Every result of a sequence module in one tensor, for gradcheck.
Tensor flattened(const nn::RecurrentOutput& out) {
    std::vector<Tensor> parts{flatten(out.output), flatten(out.h_n)};
    if (out.c_n.defined()) parts.push_back(flatten(out.c_n));
    return concat(parts, 0);
}

double max_abs_difference(const Tensor& a, const Tensor& b) {
    REQUIRE(a.shape() == b.shape());
    return max(abs(a - b)).item();
}

}  // namespace

TEST_CASE("lstm_cell and gru_cell: float64 gradients w.r.t. input, state and all four weights",
          "[nn][recurrent][gradcheck]") {
    const int64_t B = 2, I = 3, H = 2;
    const std::vector<Tensor> weights{random_input({4 * H, I}, 1), random_input({4 * H, H}, 2),
                                      random_input({4 * H}, 3), random_input({4 * H}, 4)};
    auto as_weights = [](const std::vector<Tensor>& in, std::size_t first) {
        return nn::RecurrentWeights{in[first], in[first + 1], in[first + 2], in[first + 3]};
    };
    require_gradcheck(
        [&](const std::vector<Tensor>& in) {
            const nn::LSTMState next = nn::lstm_cell(in[0], {.h = in[1], .c = in[2]}, as_weights(in, 3));
            return concat({next.h, next.c}, 1);
        },
        {random_input({B, I}, 5), random_input({B, H}, 6), random_input({B, H}, 7), weights[0], weights[1], weights[2],
         weights[3]});
    require_gradcheck(
        [&](const std::vector<Tensor>& in) { return nn::gru_cell(in[0], in[1], as_weights(in, 2)); },
        {random_input({B, I}, 8), random_input({B, H}, 9), random_input({3 * H, I}, 10), random_input({3 * H, H}, 11),
         random_input({3 * H}, 12), random_input({3 * H}, 13)});
}

TEST_CASE("LSTMCell and GRUCell modules: a missing state is zeros, and parameter gradients", "[nn][recurrent][gradcheck]") {
    Generator generator(1);
    nn::LSTMCell lstm_cell({.input_size = 3, .hidden_size = 2}, generator);
    nn::GRUCell gru_cell({.input_size = 3, .hidden_size = 2}, generator);
    lstm_cell.to(DType::Float64);
    gru_cell.to(DType::Float64);
    const Tensor x = random_input({2, 3}, 2, false), zero = zeros({2, 2}, {.dtype = DType::Float64});
    const nn::LSTMState from_nothing = lstm_cell.forward(x), from_zeros = lstm_cell.forward(x, {.h = zero, .c = zero});
    CHECK(max_abs_difference(from_nothing.h, from_zeros.h) == 0);
    CHECK(max_abs_difference(from_nothing.c, from_zeros.c) == 0);
    CHECK(max_abs_difference(gru_cell.forward(x), gru_cell.forward(x, zero)) == 0);
    const Tensor h = random_input({2, 2}, 3, false), c = random_input({2, 2}, 4, false);
    check_parameter_gradients(lstm_cell, [&] {
        const nn::LSTMState next = lstm_cell.forward(x, {.h = h, .c = c});
        return concat({next.h, next.c}, 1);
    });
    check_parameter_gradients(gru_cell, [&] { return gru_cell.forward(x, h); });
}

TEST_CASE("LSTM and GRU, 2 layers, bidirectional, padded: float64 gradients w.r.t. input, states, parameters",
          "[nn][recurrent][gradcheck]") {
    const int64_t T = 4, B = 2, I = 3, H = 2;
    const std::vector<int64_t> lengths{4, 2};
    for (const bool batch_first : {false, true}) {
        INFO("batch_first " << batch_first);
        const nn::RecurrentOptions options{.input_size = I, .hidden_size = H, .num_layers = 2, .batch_first = batch_first,
                                           .bidirectional = true};
        Generator generator(1);
        nn::LSTM lstm(options, generator);
        nn::GRU gru(options, generator);
        lstm.to(DType::Float64);
        gru.to(DType::Float64);
        const Shape input_shape = batch_first ? Shape{B, T, I} : Shape{T, B, I};
        const Tensor x = random_input(input_shape, 2), h0 = random_input({4, B, H}, 3), c0 = random_input({4, B, H}, 4);
        require_gradcheck(
            [&](const std::vector<Tensor>& in) { return flattened(lstm.forward(in[0], {.h = in[1], .c = in[2]}, lengths)); },
            {x, h0, c0});
        require_gradcheck([&](const std::vector<Tensor>& in) { return flattened(gru.forward(in[0], in[1], lengths)); },
                          {x, h0});
        const Tensor x_fixed = x.detach(), h0_fixed = h0.detach(), c0_fixed = c0.detach();
        check_parameter_gradients(lstm, [&] { return flattened(lstm.forward(x_fixed, {.h = h0_fixed, .c = c0_fixed}, lengths)); });
        check_parameter_gradients(gru, [&] { return flattened(gru.forward(x_fixed, h0_fixed, lengths)); });
    }
}

TEST_CASE("A padded batch gives each sequence what it gives alone, in both directions", "[nn][recurrent]") {
    const int64_t T = 5, I = 3, H = 4;
    const std::vector<int64_t> lengths{3, 5, 1};
    const int64_t B = static_cast<int64_t>(lengths.size());
    for (const bool batch_first : {false, true}) {
        INFO("batch_first " << batch_first);
        const int64_t time_axis = batch_first ? 1 : 0, batch_axis = 1 - time_axis;
        const nn::RecurrentOptions options{.input_size = I, .hidden_size = H, .num_layers = 2, .batch_first = batch_first,
                                           .bidirectional = true};
        Generator generator(11);
        nn::LSTM lstm(options, generator);
        nn::GRU gru(options, generator);
        const Tensor x = random_input(batch_first ? Shape{B, T, I} : Shape{T, B, I}, 12, false).to(DType::Float32);
        const Tensor h0 = random_input({4, B, H}, 13, false).to(DType::Float32);
        const Tensor c0 = random_input({4, B, H}, 14, false).to(DType::Float32);
        const nn::RecurrentOutput lstm_batch = lstm.forward(x, {.h = h0, .c = c0}, lengths);
        const nn::RecurrentOutput gru_batch = gru.forward(x, h0, lengths);
        for (int64_t b = 0; b < B; ++b) {
            INFO("sequence " << b << " of length " << lengths[b]);
            const Tensor alone = narrow(narrow(x, batch_axis, b, 1), time_axis, 0, lengths[b]);
            auto state_of = [&](const Tensor& state) { return narrow(state, 1, b, 1); };
            auto compare = [&](const nn::RecurrentOutput& batch, const nn::RecurrentOutput& single) {
                const Tensor mine = narrow(batch.output, batch_axis, b, 1);
                CHECK(max_abs_difference(narrow(mine, time_axis, 0, lengths[b]), single.output) < 1e-6);
                if (lengths[b] < T) CHECK(max(abs(narrow(mine, time_axis, lengths[b], T - lengths[b]))).item() == 0);
                CHECK(max_abs_difference(state_of(batch.h_n), single.h_n) < 1e-6);
                if (single.c_n.defined()) CHECK(max_abs_difference(state_of(batch.c_n), single.c_n) < 1e-6);
            };
            compare(lstm_batch, lstm.forward(alone, {.h = state_of(h0), .c = state_of(c0)}));
            compare(gru_batch, gru.forward(alone, state_of(h0)));
        }
        // The padding mask says the same as the lengths (true = padded step).
        const Tensor padding_mask = ge(reshape(arange(T), {1, T}), from_vector(lengths, {B, 1}));
        CHECK(max_abs_difference(gru.forward(x, h0, padding_mask).output, gru_batch.output) == 0);
    }
}

TEST_CASE("Dropout between layers: only in training, never after the last layer, from the module's generator",
          "[nn][recurrent]") {
    const Tensor x = random_input({4, 3, 2}, 1, false).to(DType::Float32);
    Generator generator(5);
    nn::LSTM one_layer({.input_size = 2, .hidden_size = 3, .dropout = 0.5}, generator);
    const Tensor trained = one_layer.forward(x).output;
    one_layer.eval();
    CHECK(max_abs_difference(trained, one_layer.forward(x).output) == 0);  // nothing after the last layer

    Generator g1(6), g2(6);
    nn::GRU a({.input_size = 2, .hidden_size = 3, .num_layers = 2, .dropout = 0.5}, g1);
    nn::GRU b({.input_size = 2, .hidden_size = 3, .num_layers = 2, .dropout = 0.5}, g2);
    const Tensor dropped = a.forward(x).output;
    CHECK(max_abs_difference(dropped, b.forward(x).output) == 0);  // the same seed, the same masks
    a.eval();
    const Tensor evaluated = a.forward(x).output;
    CHECK(max_abs_difference(dropped, evaluated) > 1e-3);
    CHECK(max_abs_difference(evaluated, a.forward(x).output) == 0);
    REQUIRE(a.named_generators().size() == 1);
    CHECK(a.named_generators()[0].first == "generator");
}

TEST_CASE("Recurrent parameters: torch's names and shapes, U(-1/sqrt(H), 1/sqrt(H))", "[nn][recurrent]") {
    Generator generator(3);
    nn::LSTM lstm({.input_size = 5, .hidden_size = 4, .num_layers = 2, .bidirectional = true}, generator);
    const std::vector<std::pair<std::string, Shape>> expected{
        {"weight_ih_l0", {16, 5}}, {"weight_hh_l0", {16, 4}}, {"bias_ih_l0", {16}}, {"bias_hh_l0", {16}},
        {"weight_ih_l0_reverse", {16, 5}}, {"weight_hh_l0_reverse", {16, 4}}, {"bias_ih_l0_reverse", {16}},
        {"bias_hh_l0_reverse", {16}}, {"weight_ih_l1", {16, 8}}, {"weight_hh_l1", {16, 4}}, {"bias_ih_l1", {16}},
        {"bias_hh_l1", {16}}, {"weight_ih_l1_reverse", {16, 8}}, {"weight_hh_l1_reverse", {16, 4}},
        {"bias_ih_l1_reverse", {16}}, {"bias_hh_l1_reverse", {16}}};
    const nn::NamedTensors parameters = lstm.named_parameters();
    REQUIRE(parameters.size() == expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
        CHECK(parameters[k].first == expected[k].first);
        CHECK(parameters[k].second.shape() == expected[k].second);
        CHECK(max(abs(parameters[k].second)).item() <= 0.5);  // 1/√4
    }
    CHECK(max(abs(lstm.weights(1, 1).weight_ih)).item() > 0.4);  // the whole range is used
    nn::GRU gru({.input_size = 2, .hidden_size = 3, .bias = false}, generator);
    CHECK(gru.named_parameters().size() == 2);
    CHECK(gru.weights(0, 0).weight_ih.shape() == Shape{9, 2});
    CHECK(lstm.to_string().find("bidirectional=true") != std::string::npos);
}

TEST_CASE("Recurrent modules: bad options, inputs, states and lengths name the module and the shapes",
          "[nn][recurrent][errors]") {
    Generator generator(1);
    REQUIRE_THROWS_WITH(nn::LSTM({.input_size = 0, .hidden_size = 2}, generator),
                        Contains("LSTM") && Contains("input_size") && Contains("0"));
    REQUIRE_THROWS_WITH(nn::GRU({.input_size = 2, .hidden_size = 2, .num_layers = 0}, generator),
                        Contains("GRU") && Contains("num_layers"));
    REQUIRE_THROWS_WITH(nn::GRU({.input_size = 2, .hidden_size = 2, .dropout = 1.5}, generator),
                        Contains("GRU") && Contains("dropout") && Contains("1.5"));
    REQUIRE_THROWS_WITH(nn::LSTMCell({.input_size = 2, .hidden_size = -1}, generator),
                        Contains("LSTMCell") && Contains("hidden_size"));

    nn::LSTM lstm({.input_size = 3, .hidden_size = 2, .num_layers = 2, .bidirectional = true}, generator);
    const Tensor x = zeros({4, 2, 3});
    REQUIRE_THROWS_WITH(lstm.forward(zeros({4, 3})), Contains("LSTM") && Contains("(T, B, I)") && Contains("[4, 3]"));
    REQUIRE_THROWS_WITH(lstm.forward(zeros({4, 2, 5})), Contains("LSTM") && Contains("input_size = 3") && Contains("[4, 2, 5]"));
    REQUIRE_THROWS_WITH(lstm.forward(zeros({0, 2, 3})), Contains("LSTM") && Contains("[0, 2, 3]"));
    REQUIRE_THROWS_WITH(lstm.forward(zeros({4, 2, 3}, {.dtype = DType::Float64})), Contains("LSTM") && Contains("float64"));
    REQUIRE_THROWS_WITH(lstm.forward(x, {.h = zeros({2, 2, 2}), .c = Tensor()}),
                        Contains("LSTM") && Contains("h0") && Contains("[4, 2, 2]") && Contains("got [2, 2, 2]"));
    REQUIRE_THROWS_WITH(lstm.forward(x, {.h = zeros({4, 2, 2}), .c = zeros({4, 3, 2})}),
                        Contains("LSTM") && Contains("c0") && Contains("[4, 2, 2]") && Contains("got [4, 3, 2]"));
    REQUIRE_THROWS_WITH(lstm.forward(x, {}, std::vector<int64_t>{4}),
                        Contains("LSTM") && Contains("one length per sequence") && Contains("[4, 2, 3]"));
    REQUIRE_THROWS_WITH(lstm.forward(x, {}, std::vector<int64_t>{4, 5}),
                        Contains("LSTM") && Contains("[1, 4]") && Contains("got 5"));
    REQUIRE_THROWS_WITH(lstm.forward(x, {}, std::vector<int64_t>{0, 2}), Contains("LSTM") && Contains("got 0"));
    REQUIRE_THROWS_WITH(lstm.forward(x, {}, zeros({4, 2}, {.dtype = DType::Bool})),
                        Contains("LSTM") && Contains("padding_mask") && Contains("[2, 4]") && Contains("got bool [4, 2]"));

    nn::GRU gru({.input_size = 3, .hidden_size = 2, .batch_first = true}, generator);
    REQUIRE_THROWS_WITH(gru.forward(zeros({2, 4, 3}), zeros({1, 4, 2})),
                        Contains("GRU") && Contains("h0") && Contains("[1, 2, 2]") && Contains("got [1, 4, 2]"));
    REQUIRE_THROWS_WITH(gru.forward(zeros({2, 4, 3}), {}, std::vector<int64_t>{5, 1}),
                        Contains("GRU") && Contains("[1, 4]") && Contains("[2, 4, 3]"));

    nn::GRUCell gru_cell({.input_size = 3, .hidden_size = 2}, generator);
    REQUIRE_THROWS_WITH(gru_cell.forward(zeros({2, 4})), Contains("GRUCell") && Contains("input_size = 3") && Contains("[2, 4]"));
    REQUIRE_THROWS_WITH(gru_cell.forward(zeros({2, 3}), zeros({3, 2})),
                        Contains("GRUCell") && Contains("hidden") && Contains("[2, 2]") && Contains("got [3, 2]"));
    nn::LSTMCell lstm_cell({.input_size = 3, .hidden_size = 2}, generator);
    REQUIRE_THROWS_WITH(lstm_cell.forward(zeros({2, 3}), {.h = Tensor(), .c = zeros({2, 3})}),
                        Contains("LSTMCell") && Contains("c ") && Contains("got [2, 3]"));
}

TEST_CASE("An LSTM learns to remember its first input across the sequence", "[nn][recurrent][learning]") {
    // Sign of x_0 at the end of T steps of noise: only a state that keeps it can solve this.
    const int64_t T = 6, B = 32;
    Generator generator(21);
    nn::LSTM lstm({.input_size = 1, .hidden_size = 8}, generator);
    nn::Linear head({.in_features = 8, .out_features = 1}, generator);
    nn::NamedTensors parameters = lstm.named_parameters();
    for (const auto& named : head.named_parameters()) parameters.push_back(named);
    optim::Adam optimizer(parameters, {.lr = 3e-2});
    const Tensor x = normal({T, B, 1}, 0, 1, generator);
    const Tensor target = select(x, 0, 0);  // (B, 1)
    double first_loss = 0, loss_value = 0;
    for (int step = 0; step < 150; ++step) {
        optimizer.zero_grad();
        const Tensor loss = mse_loss(head.forward(select(lstm.forward(x).h_n, 0, 0)), target);
        loss.backward();
        optimizer.step();
        loss_value = loss.item();
        if (step == 0) first_loss = loss_value;
    }
    INFO("loss " << first_loss << " -> " << loss_value);
    CHECK(loss_value < 0.1 * first_loss);
}
