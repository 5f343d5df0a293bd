// Parity with PyTorch for MultiHeadAttention (self, causal, cross, key padding) and the Transformer
// encoder/decoder layers (post-norm and pre-norm): outputs, attention weights, and the gradients of
// inputs and parameters, against fixtures written by tests/fixtures/make_attention_fixtures.py.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "attention_test_helpers.h"
#include "autograd/serialize/safetensors.h"

using namespace tapegrad;
using namespace attention_test;

namespace {

std::filesystem::path fixture_path(const std::string& name) {
    return std::filesystem::path(TAPEGRAD_FIXTURES_DIR) / "attention" / (name + ".safetensors");
}

int64_t metadata_int(const SafetensorsContents& fixture, const std::string& key) {
    return std::stoll(fixture.metadata.at(key));
}

Tensor optional(const SafetensorsContents& fixture, const std::string& name) {
    return fixture.contains(name) ? fixture.get(name) : Tensor();
}

struct Run {
    std::shared_ptr<nn::Module> module;
    std::vector<std::pair<std::string, Tensor>> inputs;  // "x", "query", ... as leaves requiring grad
    Tensor output;
    Tensor weights;  // MultiHeadAttention only
};

// Builds the module the fixture describes, loads its state by name and runs it the way the fixture
// script called torch (metadata "case").
Run run_fixture(const SafetensorsContents& fixture, DType dtype) {
    const std::string module_name = fixture.metadata.at("module"), call = fixture.metadata.at("case");
    const int64_t E = metadata_int(fixture, "embed_dim"), H = metadata_int(fixture, "num_heads");
    Generator generator(0);
    Run run;
    std::shared_ptr<nn::MultiHeadAttention> mha;
    std::shared_ptr<nn::TransformerEncoderLayer> encoder;
    std::shared_ptr<nn::TransformerDecoderLayer> decoder;
    if (module_name == "MultiHeadAttention") {
        run.module = mha = std::make_shared<nn::MultiHeadAttention>(nn::MultiHeadAttentionOptions{.embed_dim = E, .num_heads = H}, generator);
    } else {
        const nn::TransformerLayerOptions options{
            .embed_dim = E, .num_heads = H, .ff_dim = metadata_int(fixture, "ff_dim"), .dropout = 0.0,
            .activation = fixture.metadata.at("activation") == "gelu" ? nn::Activation::GELU : nn::Activation::ReLU,
            .norm_first = metadata_int(fixture, "norm_first") != 0};
        if (module_name == "TransformerEncoderLayer")
            run.module = encoder = std::make_shared<nn::TransformerEncoderLayer>(options, generator);
        else
            run.module = decoder = std::make_shared<nn::TransformerDecoderLayer>(options, generator);
    }
    run.module->to(dtype);
    run.module->eval();
    nn::NamedTensors state;
    for (const auto& [name, tensor] : run.module->state_dict()) state.emplace_back(name, fixture.get(name));
    run.module->load_state_dict(state);

    for (const char* name : {"x", "query", "key", "value", "memory"})
        if (fixture.contains(std::string("input.") + name)) {
            Tensor input = fixture.get(std::string("input.") + name);
            input.requires_grad_(true);
            run.inputs.emplace_back(name, input);
        }
    auto input = [&](const std::string& name) {
        for (auto& [n, t] : run.inputs)
            if (n == name) return t;
        FAIL("fixture has no input." << name);
        return Tensor();
    };
    auto mask = [&](const std::string& name) { return optional(fixture, "mask." + name); };

    if (call == "self") {
        const Tensor x = input("x");
        const auto result = mha->forward(x, x, x, mask("attn_mask"), mask("key_padding_mask"), true);
        run.output = result.output, run.weights = result.weights;
    } else if (call == "cross") {
        const Tensor memory = input("memory");
        const auto result = mha->forward(input("query"), memory, memory, mask("attn_mask"), mask("key_padding_mask"), true);
        run.output = result.output, run.weights = result.weights;
    } else if (call == "query_key_value") {
        const auto result = mha->forward(input("query"), input("key"), input("value"), mask("attn_mask"),
                                         mask("key_padding_mask"), true);
        run.output = result.output, run.weights = result.weights;
    } else if (call == "encoder") {
        run.output = encoder->forward(input("x"), {}, mask("key_padding_mask"));
    } else if (call == "decoder") {
        run.output = decoder->forward(input("x"), input("memory"), mask("tgt_mask"), {}, mask("tgt_key_padding_mask"),
                                      mask("memory_key_padding_mask"));
    } else {
        FAIL("unknown fixture case " << call);
    }
    return run;
}

void check_case(const std::string& name) {
    struct DTypeCase {
        const char* suffix;
        DType dtype;
        double tolerance;
    };
    for (const DTypeCase& d : {DTypeCase{"float32", DType::Float32, 1e-5}, DTypeCase{"float64", DType::Float64, 1e-10}}) {
        DYNAMIC_SECTION(name << " " << d.suffix) {
            const SafetensorsContents fixture = load_safetensors(fixture_path(name + "_" + d.suffix));
            Run run = run_fixture(fixture, d.dtype);
            REQUIRE(run.output.dtype() == d.dtype);
            run.output.backward(fixture.get("grad_output"));

            std::vector<std::pair<std::string, Tensor>> compared{{"output", run.output}};
            if (run.weights.defined()) compared.emplace_back("output.weights", run.weights);
            for (const auto& [input_name, input] : run.inputs) compared.emplace_back("grad.input." + input_name, input.grad());
            for (const auto& [parameter_name, parameter] : run.module->named_parameters())
                compared.emplace_back("grad." + parameter_name, parameter.grad());
            REQUIRE(compared.size() >= 10);
            for (const auto& [compared_name, actual] : compared) {
                REQUIRE(actual.defined());
                const double difference = max_abs_difference(actual, fixture.get(compared_name));
                INFO(fixture.source << ": " << compared_name << " differs from PyTorch by up to " << difference);
                CHECK(difference <= d.tolerance);
            }
        }
    }
}

}  // namespace

TEST_CASE("MultiHeadAttention matches torch.nn.MultiheadAttention: self, causal, cross, key padding",
          "[attention][parity]") {
    for (const char* name : {"mha_self", "mha_causal", "mha_cross", "mha_key_padding"}) check_case(name);
}

TEST_CASE("TransformerEncoderLayer matches torch's, post-norm (relu) and pre-norm (gelu)", "[transformer][parity]") {
    for (const char* name : {"encoder_layer_post", "encoder_layer_pre"}) check_case(name);
}

TEST_CASE("TransformerDecoderLayer matches torch's, post-norm (relu) and pre-norm (gelu)", "[transformer][parity]") {
    for (const char* name : {"decoder_layer_post", "decoder_layer_pre"}) check_case(name);
}
