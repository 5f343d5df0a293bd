// Parity with PyTorch for LSTMCell, GRUCell, LSTM and GRU: torch's state_dict loads strictly under the same
// names, and the outputs, final states and every gradient match fixtures written by
// tests/fixtures/make_recurrent_fixtures.py (padded cases against torch's packed sequences).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "autograd/serialize/safetensors.h"
#include "nn/gru.h"
#include "nn/lstm.h"

using namespace tapegrad;

namespace {

SafetensorsContents load_fixture(const std::string& name) {
    return load_safetensors(std::filesystem::path(TAPEGRAD_FIXTURES_DIR) / "recurrent" / (name + ".safetensors"));
}

double max_abs_difference(const Tensor& actual, const Tensor& expected) {
    REQUIRE(actual.shape() == expected.shape());
    const std::vector<double> a = actual.to_vector<double>(), e = expected.to_vector<double>();
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - e[i]));
    return worst;
}

std::vector<std::string> split_names(const std::string& names) {
    std::vector<std::string> out;
    for (std::size_t start = 0, comma; start <= names.size(); start = comma + 1) {
        comma = std::min(names.find(',', start), names.size());
        out.push_back(names.substr(start, comma - start));
    }
    return out;
}

int64_t option(const SafetensorsContents& fixture, const std::string& key) { return std::stoll(fixture.metadata.at(key)); }

// torch's state_dict has exactly the names (in the same order) and shapes of the module's, and loads strictly.
void load_torch_state(nn::Module& module, const SafetensorsContents& fixture) {
    const std::vector<std::string> torch_keys = split_names(fixture.metadata.at("state_dict_keys"));
    std::vector<std::string> our_keys;
    nn::NamedTensors state;
    for (const auto& [name, tensor] : module.state_dict()) {
        our_keys.push_back(name);
        INFO(name);
        CHECK(tensor.shape() == fixture.get(name).shape());
    }
    REQUIRE(our_keys == torch_keys);
    for (const std::string& name : torch_keys) state.emplace_back(name, fixture.get(name));
    module.load_state_dict(state, /*strict=*/true);
    module.zero_grad();
}

// Backpropagates L = Σ result ⊙ fixture["grad_" + name] over `results`, then compares every result and the
// gradient of every input and parameter with torch's.
void compare_with_fixture(nn::Module& module, const std::vector<std::pair<std::string, Tensor>>& results,
                          const std::vector<std::pair<std::string, Tensor>>& inputs, const SafetensorsContents& fixture,
                          double tolerance) {
    Tensor loss;
    for (const auto& [name, result] : results) {
        const Tensor term = sum(result * fixture.get("grad_" + name));
        loss = loss.defined() ? loss + term : term;
    }
    loss.backward();
    std::vector<std::pair<std::string, Tensor>> compared = results;
    for (const auto& [name, input] : inputs) compared.emplace_back("grad." + name, input.grad());
    for (const auto& [name, parameter] : module.named_parameters()) compared.emplace_back("grad." + name, parameter.grad());
    for (const auto& [name, actual] : compared) {
        INFO(fixture.source << ": " << name);
        REQUIRE(actual.defined());
        const double difference = max_abs_difference(actual, fixture.get(name));
        INFO("differs from PyTorch by up to " << difference);
        CHECK(difference <= tolerance);
    }
}

Tensor leaf(const SafetensorsContents& fixture, const std::string& name) {
    if (!fixture.contains(name)) return {};
    Tensor x = fixture.get(name);
    x.requires_grad_(true);
    return x;
}

struct DTypeCase {
    const char* suffix;
    DType dtype;
    double tolerance;  // float64: the bound, a few thousand roundings; float32: the same in float32
};
const DTypeCase kDTypes[] = {{"float32", DType::Float32, 1e-5}, {"float64", DType::Float64, 1e-12}};

nn::RecurrentOptions sequence_options(const SafetensorsContents& fixture) {
    return {.input_size = option(fixture, "input_size"),
            .hidden_size = option(fixture, "hidden_size"),
            .num_layers = option(fixture, "num_layers"),
            .bias = option(fixture, "bias") == 1,
            .batch_first = option(fixture, "batch_first") == 1,
            .dropout = std::stod(fixture.metadata.at("dropout")),
            .bidirectional = option(fixture, "bidirectional") == 1};
}

// Sequence b's padding mask from the fixture's lengths, or none.
std::vector<int64_t> lengths_of(const SafetensorsContents& fixture) {
    return fixture.contains("lengths") ? fixture.get("lengths").to_vector<int64_t>() : std::vector<int64_t>{};
}

}  // namespace

TEST_CASE("LSTMCell and GRUCell match torch.nn.LSTMCell / GRUCell: state_dict, next state, gradients",
          "[nn][parity][recurrent]") {
    for (const char* name : {"lstm_cell", "lstm_cell_no_bias", "gru_cell"})
        for (const DTypeCase& c : kDTypes) {
            const SafetensorsContents fixture = load_fixture(std::string(name) + "_" + c.suffix);
            REQUIRE(fixture.metadata.at("dtype") == c.suffix);
            const nn::RecurrentCellOptions options{.input_size = option(fixture, "input_size"),
                                                   .hidden_size = option(fixture, "hidden_size"),
                                                   .bias = option(fixture, "bias") == 1};
            const Tensor input = leaf(fixture, "input"), h = leaf(fixture, "h"), c_state = leaf(fixture, "c");
            Generator generator(0);
            if (fixture.metadata.at("module") == "LSTMCell") {
                nn::LSTMCell cell(options, generator);
                cell.to(c.dtype);
                load_torch_state(cell, fixture);
                const nn::LSTMState next = cell.forward(input, {.h = h, .c = c_state});
                compare_with_fixture(cell, {{"h_next", next.h}, {"c_next", next.c}},
                                     {{"input", input}, {"h", h}, {"c", c_state}}, fixture, c.tolerance);
            } else {
                nn::GRUCell cell(options, generator);
                cell.to(c.dtype);
                load_torch_state(cell, fixture);
                compare_with_fixture(cell, {{"h_next", cell.forward(input, h)}}, {{"input", input}, {"h", h}}, fixture,
                                     c.tolerance);
            }
        }
}

TEST_CASE("LSTM matches torch.nn.LSTM: 2 layers, bidirectional, packed, dropout off in eval()",
          "[nn][parity][recurrent]") {
    for (const char* name : {"lstm", "lstm_packed", "lstm_dropout_eval"})
        for (const DTypeCase& c : kDTypes) {
            const SafetensorsContents fixture = load_fixture(std::string(name) + "_" + c.suffix);
            REQUIRE(fixture.metadata.at("module") == "LSTM");
            Generator generator(0);
            nn::LSTM lstm(sequence_options(fixture), generator);
            lstm.to(c.dtype);
            lstm.eval();
            load_torch_state(lstm, fixture);
            const Tensor input = leaf(fixture, "input"), h0 = leaf(fixture, "h0"), c0 = leaf(fixture, "c0");
            const std::vector<int64_t> lengths = lengths_of(fixture);
            const nn::RecurrentOutput out = lengths.empty() ? lstm.forward(input, {.h = h0, .c = c0})
                                                            : lstm.forward(input, {.h = h0, .c = c0}, lengths);
            const nn::NamedTensors inputs = h0.defined() ? nn::NamedTensors{{"input", input}, {"h0", h0}, {"c0", c0}}
                                                         : nn::NamedTensors{{"input", input}};
            compare_with_fixture(lstm, {{"output", out.output}, {"h_n", out.h_n}, {"c_n", out.c_n}}, inputs, fixture,
                                 c.tolerance);
        }
}

TEST_CASE("GRU matches torch.nn.GRU: 2 layers, bidirectional, packed, no bias", "[nn][parity][recurrent]") {
    for (const char* name : {"gru", "gru_packed", "gru_no_bias"})
        for (const DTypeCase& c : kDTypes) {
            const SafetensorsContents fixture = load_fixture(std::string(name) + "_" + c.suffix);
            REQUIRE(fixture.metadata.at("module") == "GRU");
            Generator generator(0);
            nn::GRU gru(sequence_options(fixture), generator);
            gru.to(c.dtype);
            gru.eval();
            load_torch_state(gru, fixture);
            const Tensor input = leaf(fixture, "input"), h0 = leaf(fixture, "h0");
            const std::vector<int64_t> lengths = lengths_of(fixture);
            const nn::RecurrentOutput out = lengths.empty() ? gru.forward(input, h0) : gru.forward(input, h0, lengths);
            CHECK_FALSE(out.c_n.defined());
            const nn::NamedTensors inputs =
                h0.defined() ? nn::NamedTensors{{"input", input}, {"h0", h0}} : nn::NamedTensors{{"input", input}};
            compare_with_fixture(gru, {{"output", out.output}, {"h_n", out.h_n}}, inputs, fixture, c.tolerance);
        }
}
