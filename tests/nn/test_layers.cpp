// Layers: float64 gradient checks of every layer (input gradients with tapegrad::gradcheck, parameter
// gradients element by element), the behaviour of Dropout and the positional encodings, and the
// statistics of the initialisers.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <numbers>

#include "module_gradcheck.h"
#include "nn/nn.h"

using namespace tapegrad;
using Catch::Contains;
using test::check_parameter_gradients;
using test::require_gradcheck;
using test::random_input;

namespace {

double max_abs(const Tensor& x) { return max(abs(x)).item(); }

}  // namespace

TEST_CASE("Linear: y = x Wᵀ + b on a 3-D input, gradients in float64", "[nn][layers]") {
    Generator generator(1);
    nn::Linear linear({.in_features = 4, .out_features = 3}, generator);
    linear.to(DType::Float64);
    const Tensor x = random_input({2, 3, 4}, 2);
    const Tensor y = linear.forward(x);
    REQUIRE(y.shape() == Shape{2, 3, 3});
    // One element by hand: y[1, 2, 0] = Σ_k x[1, 2, k] W[0, k] + b[0].
    double expected = linear.bias().to_vector<double>()[0];
    for (int64_t k = 0; k < 4; ++k)
        expected += select(select(select(x, 0, 1), 0, 2), 0, k).item() * select(select(linear.weight(), 0, 0), 0, k).item();
    CHECK(select(select(select(y, 0, 1), 0, 2), 0, 0).item() == Approx(expected).epsilon(1e-12).margin(1e-12));

    require_gradcheck([&](const std::vector<Tensor>& in) { return linear.forward(in[0]); }, {x});
    check_parameter_gradients(linear, [&] { return linear.forward(x); });
}

TEST_CASE("Linear: options, bias=false and shape errors", "[nn][layers]") {
    Generator generator(1);
    nn::Linear no_bias({.in_features = 3, .out_features = 2, .bias = false}, generator);
    CHECK_FALSE(no_bias.bias().defined());
    CHECK(no_bias.named_parameters().size() == 1);
    CHECK(no_bias.forward(zeros({5, 3})).shape() == Shape{5, 2});
    CHECK(no_bias.forward(zeros({3})).shape() == Shape{2});
    REQUIRE_THROWS_WITH(no_bias.forward(zeros({2, 5})), Contains("Linear") && Contains("[2, 5]") && Contains("3"));
    REQUIRE_THROWS_WITH(no_bias.forward(zeros({2, 3}, {.dtype = DType::Float64})),
                        Contains("Linear") && Contains("float64") && Contains("float32"));
    REQUIRE_THROWS_WITH(nn::Linear({.in_features = 0, .out_features = 2}, generator),
                        Contains("Linear") && Contains("in_features") && Contains("0"));
    REQUIRE_THROWS_WITH(nn::Linear({.in_features = 2, .out_features = -1}, generator),
                        Contains("out_features") && Contains("-1"));
}

TEST_CASE("Embedding: repeated ids accumulate, the padding row stays zero", "[nn][layers]") {
    Generator generator(3);
    SECTION("gradients match finite differences with repeated ids") {
        nn::Embedding embedding({.num_embeddings = 5, .embedding_dim = 3}, generator);
        embedding.to(DType::Float64);
        const Tensor ids = tensor({{1, 3, 1}, {4, 1, 0}}, {.dtype = DType::Int64});
        REQUIRE(embedding.forward(ids).shape() == Shape{2, 3, 3});
        check_parameter_gradients(embedding, [&] { return embedding.forward(ids); });
    }
    SECTION("padding_idx: zero at init, zero gradient; a repeated id gets the sum of its gradients") {
        nn::Embedding embedding({.num_embeddings = 5, .embedding_dim = 3, .padding_idx = 0}, generator);
        CHECK(max_abs(select(embedding.weight(), 0, 0)) == 0.0);
        CHECK(max_abs(select(embedding.weight(), 0, 1)) > 0.0);
        const Tensor ids = tensor({{0, 2, 2}, {0, 4, 2}}, {.dtype = DType::Int64});
        const Tensor dout = random_input({2, 3, 3}, 4, false).to(DType::Float32);
        embedding.forward(ids).backward(dout);
        const Tensor grad = embedding.weight().grad();
        REQUIRE(grad.defined());
        CHECK(max_abs(select(grad, 0, 0)) == 0.0);  // id 0 appears twice but is padding
        CHECK(max_abs(select(grad, 0, 1)) == 0.0);  // never used
        const Tensor expected_row2 = select(select(dout, 0, 0), 0, 1) + select(select(dout, 0, 0), 0, 2) +
                                     select(select(dout, 0, 1), 0, 2);
        CHECK(max_abs(select(grad, 0, 2) - expected_row2) < 1e-6);
        CHECK(max_abs(select(grad, 0, 4) - select(select(dout, 0, 1), 0, 1)) < 1e-6);
    }
    REQUIRE_THROWS_WITH(nn::Embedding({.num_embeddings = 5, .embedding_dim = 3, .padding_idx = 5}, generator),
                        Contains("Embedding") && Contains("padding_idx") && Contains("5"));
}

TEST_CASE("LayerNorm: gradients in float64, with and without affine parameters", "[nn][layers]") {
    nn::LayerNorm layer_norm({.normalized_shape = {4}});
    layer_norm.to(DType::Float64);
    Generator generator(5);
    {
        NoGradGuard no_grad;  // away from ones/zeros, so that weight and bias matter
        layer_norm.weight().copy_(1 + normal({4}, 0, 0.5, generator, {.dtype = DType::Float64}));
        layer_norm.bias().copy_(normal({4}, 0, 0.5, generator, {.dtype = DType::Float64}));
    }
    const Tensor x = random_input({2, 3, 4}, 6);
    require_gradcheck([&](const std::vector<Tensor>& in) { return layer_norm.forward(in[0]); }, {x});
    check_parameter_gradients(layer_norm, [&] { return layer_norm.forward(x); });

    nn::LayerNorm plain({.normalized_shape = {3, 4}, .elementwise_affine = false});
    CHECK(plain.named_parameters().empty());
    const Tensor y = plain.forward(random_input({2, 3, 4}, 7, false).to(DType::Float32));
    CHECK(std::abs(mean(select(y, 0, 1)).item()) < 1e-5);  // each sample normalised over (3, 4)
    REQUIRE_THROWS_WITH(plain.forward(zeros({2, 4, 3})), Contains("layer_norm") && Contains("[2, 4, 3]"));
    REQUIRE_THROWS_WITH(nn::LayerNorm({.normalized_shape = {}}), Contains("LayerNorm") && Contains("normalized_shape"));
    REQUIRE_THROWS_WITH(nn::LayerNorm({.normalized_shape = {4}, .eps = 0}), Contains("LayerNorm") && Contains("eps"));
}

TEST_CASE("FeedForward: linear1 -> activation -> dropout -> linear2, gradients in eval mode", "[nn][layers]") {
    for (const nn::Activation activation : {nn::Activation::ReLU, nn::Activation::GELU}) {
        Generator generator(8);
        nn::FeedForward ff({.embed_dim = 3, .ff_dim = 5, .dropout = 0.5, .activation = activation}, generator);
        std::vector<std::string> names;
        for (const auto& [name, parameter] : ff.named_parameters()) names.push_back(name);
        CHECK(names == std::vector<std::string>{"linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias"});
        ff.to(DType::Float64);
        ff.eval();
        const Tensor x = random_input({2, 2, 3}, 9);
        const Tensor expected = ff.linear2().forward(nn::apply_activation(ff.linear1().forward(x), activation));
        CHECK(max_abs(ff.forward(x) - expected) == 0.0);  // eval: dropout is the identity
        require_gradcheck([&](const std::vector<Tensor>& in) { return ff.forward(in[0]); }, {x});
        check_parameter_gradients(ff, [&] { return ff.forward(x); });
        ff.train();
        CHECK(max_abs(ff.forward(x) - expected) > 0.0);  // training: p = 0.5 drops some hidden units
    }
    Generator generator(8);
    REQUIRE_THROWS_WITH(nn::FeedForward({.embed_dim = 3, .ff_dim = 0}, generator),
                        Contains("FeedForward") && Contains("ff_dim"));
}

TEST_CASE("ReLU and GELU modules", "[nn][layers]") {
    const Tensor x = tensor({-1.0, 0.5, 1.0}, {.dtype = DType::Float64});
    CHECK(nn::ReLU().forward(x).to_vector<double>() == std::vector<double>{0.0, 0.5, 1.0});
    // GELU(1) = Φ(1) exactly; the tanh form 0.5(1 + tanh(√(2/π)(1 + 0.044715))) is slightly smaller.
    CHECK(select(nn::GELU().forward(x), 0, 2).item() == Approx(0.8413447460685429).epsilon(1e-12));
    nn::GELU tanh_gelu({.approximate = GeluApproximation::Tanh});
    CHECK(select(tanh_gelu.forward(x), 0, 2).item() == Approx(0.8411919906082768).epsilon(1e-12));
    CHECK(tanh_gelu.to_string().find("approximate='tanh'") != std::string::npos);
}

TEST_CASE("Dropout: identity in eval, drops p and rescales in training, reproducible masks", "[nn][layers]") {
    Generator parent(11);
    nn::Dropout dropout({.p = 0.3}, parent);
    const Tensor x = ones({200, 100});
    dropout.eval();
    CHECK(max_abs(dropout.forward(x) - x) == 0.0);

    dropout.train();
    const uint64_t seed = dropout.generator().seed();
    const std::vector<float> y = dropout.forward(x).to_vector<float>();
    int64_t dropped = 0, misscaled = 0;
    for (float v : y) {
        if (v == 0.0f) ++dropped;
        else if (std::abs(v - 1.0 / 0.7) > 1e-6) ++misscaled;
    }
    CHECK(misscaled == 0);  // survivors scaled by 1/(1 − p)
    // 20000 Bernoulli(0.3) draws: the standard deviation of the fraction is 0.003.
    CHECK(static_cast<double>(dropped) / static_cast<double>(y.size()) == Approx(0.3).margin(0.015));

    CHECK(dropout.forward(x).to_vector<float>() != y);  // the next mask is a new one
    dropout.generator().set_state(seed, 0);
    CHECK(dropout.forward(x).to_vector<float>() == y);  // restored state, same mask
    Generator same_parent(11);
    nn::Dropout twin({.p = 0.3}, same_parent);
    CHECK(twin.forward(x).to_vector<float>() == y);  // same parent seed, same masks

    // With the mask fixed (state reset before every call), the gradient is mask / (1 − p).
    const Tensor small = random_input({3, 4}, 12);
    require_gradcheck(
        [&](const std::vector<Tensor>& in) {
            dropout.generator().set_state(seed, 0);
            return dropout.forward(in[0]);
        },
        {small});
    REQUIRE_THROWS_WITH(nn::Dropout({.p = 1.5}, parent), Contains("Dropout") && Contains("1.5"));
}

TEST_CASE("PositionalEncoding: the sinusoid table, offsets and the max_len check", "[nn][layers]") {
    nn::PositionalEncoding encoding({.embed_dim = 6, .max_len = 10});
    REQUIRE(encoding.named_buffers().size() == 1);
    CHECK(encoding.named_buffers()[0].first == "pe");
    CHECK(encoding.named_parameters().empty());
    const Tensor pe = encoding.pe();
    REQUIRE(pe.shape() == Shape{10, 6});
    auto at = [&](int64_t pos, int64_t column) { return select(select(pe, 0, pos), 0, column).item(); };
    for (int64_t pos : {0, 3, 9})
        for (int64_t i = 0; i < 3; ++i) {
            const double angle = static_cast<double>(pos) / std::pow(10000.0, 2.0 * static_cast<double>(i) / 6.0);
            CHECK(at(pos, 2 * i) == Approx(std::sin(angle)).margin(1e-6));
            CHECK(at(pos, 2 * i + 1) == Approx(std::cos(angle)).margin(1e-6));
        }

    encoding.to(DType::Float64);
    const Tensor x = random_input({2, 4, 6}, 13);
    const Tensor shifted = encoding.forward(x, 3);
    CHECK(max_abs(shifted - x - narrow(encoding.pe(), 0, 3, 4)) < 1e-15);
    require_gradcheck([&](const std::vector<Tensor>& in) { return encoding.forward(in[0], 2); }, {x});
    CHECK_NOTHROW(encoding.forward(x, 6));  // positions 6..9, the last rows
    REQUIRE_THROWS_WITH(encoding.forward(x, 7), Contains("PositionalEncoding") && Contains("max_len 10") &&
                                                    Contains("offset 7") && Contains("length 4"));
    REQUIRE_THROWS_WITH(encoding.forward(zeros({2, 4, 5}, {.dtype = DType::Float64})),
                        Contains("PositionalEncoding") && Contains("[2, 4, 5]"));
}

TEST_CASE("LearnedPositionalEmbedding: rows by position, gradients in float64", "[nn][layers]") {
    Generator generator(14);
    nn::LearnedPositionalEmbedding positions({.max_len = 6, .embed_dim = 3}, generator);
    positions.to(DType::Float64);
    const Tensor x = random_input({2, 3, 3}, 15);
    CHECK(max_abs(positions.forward(x, 2) - x - narrow(positions.weight(), 0, 2, 3)) < 1e-15);
    require_gradcheck([&](const std::vector<Tensor>& in) { return positions.forward(in[0], 1); }, {x});
    check_parameter_gradients(positions, [&] { return positions.forward(x, 1); });
    REQUIRE_THROWS_WITH(positions.forward(x, 4), Contains("LearnedPositionalEmbedding") && Contains("max_len 6"));
}

TEST_CASE("init: Linear's default bounds and the Xavier/Kaiming statistics", "[nn][layers][init]") {
    Generator generator(16);
    auto check_uniform = [](const Tensor& w, double bound) {
        const std::vector<double> v = w.to_vector<double>();
        double largest = 0, sum_squares = 0;
        for (double value : v) largest = std::max(largest, std::abs(value)), sum_squares += value * value;
        INFO("bound " << bound << ", largest |w| " << largest);
        CHECK(largest <= bound);
        CHECK(largest >= 0.99 * bound);  // the whole range is used
        CHECK(sum_squares / static_cast<double>(v.size()) == Approx(bound * bound / 3).epsilon(0.05));  // U(−b, b)
    };
    nn::Linear linear({.in_features = 200, .out_features = 100}, generator);
    check_uniform(linear.weight(), 1 / std::sqrt(200.0));
    // Only 100 bias values: the largest lands in the top 10% of the range with probability 1 − 0.9^100.
    CHECK(max_abs(linear.bias()) <= 1 / std::sqrt(200.0));
    CHECK(max_abs(linear.bias()) >= 0.9 / std::sqrt(200.0));

    const Tensor w = empty({120, 80});
    nn::xavier_uniform_(w, 2.0, generator);
    check_uniform(w, 2.0 * std::sqrt(6.0 / (80 + 120)));
    nn::xavier_normal_(w, 1.0, generator);
    CHECK(std::sqrt(mean(w * w).item()) == Approx(std::sqrt(2.0 / 200)).epsilon(0.03));
    nn::kaiming_normal_(w, 0.0, generator, nn::FanMode::FanIn, nn::Nonlinearity::ReLU);
    CHECK(std::sqrt(mean(w * w).item()) == Approx(std::sqrt(2.0 / 80)).epsilon(0.03));
    nn::normal_(w, 3.0, 0.5, generator);
    CHECK(mean(w).item() == Approx(3.0).margin(0.02));
    CHECK(nn::zeros_(w).to_vector<float>() == std::vector<float>(9600, 0.0f));
    CHECK(nn::ones_(w).to_vector<float>() == std::vector<float>(9600, 1.0f));

    const nn::Fans fans = nn::calculate_fans({16, 8, 3, 3});  // a conv weight (out, in, kh, kw)
    CHECK(fans.fan_in == 72);
    CHECK(fans.fan_out == 144);
    REQUIRE_THROWS_WITH(nn::calculate_fans({5}), Contains("calculate_fans") && Contains("[5]"));
    CHECK(nn::calculate_gain(nn::Nonlinearity::LeakyReLU, std::sqrt(5.0)) == Approx(std::sqrt(1.0 / 3.0)));
    CHECK(nn::calculate_gain(nn::Nonlinearity::Tanh) == Approx(5.0 / 3.0));

    // Reproducible from the seed, and the seed matters.
    Generator a(21), b(21), c(22);
    nn::Linear la({.in_features = 4, .out_features = 3}, a), lb({.in_features = 4, .out_features = 3}, b),
        lc({.in_features = 4, .out_features = 3}, c);
    CHECK(la.weight().to_vector<float>() == lb.weight().to_vector<float>());
    CHECK(la.weight().to_vector<float>() != lc.weight().to_vector<float>());
}
