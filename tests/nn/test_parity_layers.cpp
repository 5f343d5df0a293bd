// Parity with PyTorch for Linear and LayerNorm: outputs, input gradients and parameter gradients
// against fixtures written by tests/fixtures/make_nn_layer_fixtures.py (torch.nn.Linear / LayerNorm).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "autograd/serialize/safetensors.h"
#include "nn/layer_norm.h"
#include "nn/linear.h"

using namespace tapegrad;

namespace {

std::filesystem::path fixture(const std::string& name) {
    return std::filesystem::path(TAPEGRAD_FIXTURES_DIR) / "nn" / (name + ".safetensors");
}

double max_abs_difference(const Tensor& actual, const Tensor& expected) {
    REQUIRE(actual.shape() == expected.shape());
    const std::vector<double> a = actual.to_vector<double>(), e = expected.to_vector<double>();
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - e[i]));
    return worst;
}

// Loads the module's state from the fixture by name, runs output.backward(grad_output) and compares the
// output and every gradient with PyTorch's within `tolerance`.
void check_against_fixture(nn::Module& module, const std::function<Tensor(const Tensor&)>& forward,
                           const SafetensorsContents& fixture, double tolerance) {
    nn::NamedTensors state;
    for (const auto& [name, tensor] : module.state_dict()) state.emplace_back(name, fixture.get(name));
    module.load_state_dict(state);
    module.zero_grad();

    Tensor input = fixture.get("input");
    input.requires_grad_(true);
    Tensor output = forward(input);
    REQUIRE(output.dtype() == input.dtype());
    output.backward(fixture.get("grad_output"));

    std::vector<std::pair<std::string, Tensor>> compared{{"output", output}, {"grad.input", input.grad()}};
    for (const auto& [name, parameter] : module.named_parameters()) compared.emplace_back("grad." + name, parameter.grad());
    for (const auto& [name, actual] : compared) {
        REQUIRE(actual.defined());
        const double difference = max_abs_difference(actual, fixture.get(name));
        INFO(fixture.source << ": " << name << " differs from PyTorch by up to " << difference);
        CHECK(difference <= tolerance);
    }
}

struct DTypeCase {
    const char* suffix;
    DType dtype;
    double tolerance;  // float32: rounding of a few dozen operations; float64: the same, 2^29 times smaller
};
const DTypeCase kDTypes[] = {{"float32", DType::Float32, 1e-5}, {"float64", DType::Float64, 1e-10}};

}  // namespace

TEST_CASE("Linear matches torch.nn.Linear: output and gradients", "[nn][parity][layers]") {
    for (const char* name : {"linear", "linear_no_bias"})
        for (const DTypeCase& c : kDTypes) {
            const SafetensorsContents contents = load_safetensors(fixture(std::string(name) + "_" + c.suffix));
            REQUIRE(contents.metadata.at("dtype") == c.suffix);
            const nn::LinearOptions options{.in_features = std::stoll(contents.metadata.at("in_features")),
                                            .out_features = std::stoll(contents.metadata.at("out_features")),
                                            .bias = contents.metadata.at("bias") == "1"};
            Generator generator(0);
            nn::Linear linear(options, generator);
            linear.to(c.dtype);
            check_against_fixture(linear, [&](const Tensor& x) { return linear.forward(x); }, contents, c.tolerance);
        }
}

TEST_CASE("LayerNorm matches torch.nn.LayerNorm: output and gradients", "[nn][parity][layers]") {
    for (const char* name : {"layer_norm", "layer_norm_2d"})
        for (const DTypeCase& c : kDTypes) {
            const SafetensorsContents contents = load_safetensors(fixture(std::string(name) + "_" + c.suffix));
            REQUIRE(contents.metadata.at("dtype") == c.suffix);
            Shape normalized_shape;
            std::string sizes = contents.metadata.at("normalized_shape");
            for (std::size_t start = 0, comma; start <= sizes.size(); start = comma + 1) {
                comma = std::min(sizes.find(',', start), sizes.size());
                normalized_shape.push_back(std::stoll(sizes.substr(start, comma - start)));
            }
            nn::LayerNorm layer_norm(
                {.normalized_shape = normalized_shape, .eps = std::stod(contents.metadata.at("eps"))});
            layer_norm.to(c.dtype);
            check_against_fixture(layer_norm, [&](const Tensor& x) { return layer_norm.forward(x); }, contents,
                                  c.tolerance);
        }
}
