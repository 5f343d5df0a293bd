// Module: dotted parameter names through nested modules and ModuleList, counts, train/eval, zero_grad,
// dtype conversion that keeps handles, the printed tree, and registration errors.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "nn/nn.h"

using namespace tapegrad;
using Catch::Contains;

namespace {

// x (B, T, 4) -> x + dropout(norm(fc(x))): a residual block with every kind of child.
class Block : public nn::Module {
public:
    explicit Block(Generator& generator) {
        fc = register_module("fc", std::make_shared<nn::Linear>(nn::LinearOptions{.in_features = 4, .out_features = 4},
                                                                 generator));
        norm = register_module("norm", std::make_shared<nn::LayerNorm>(nn::LayerNormOptions{.normalized_shape = {4}}));
        dropout = register_module("dropout", std::make_shared<nn::Dropout>(nn::DropoutOptions{.p = 0.5}, generator));
    }
    std::string type_name() const override { return "Block"; }
    Tensor forward(const Tensor& x) { return x + dropout->forward(norm->forward(fc->forward(x))); }

    std::shared_ptr<nn::Linear> fc;
    std::shared_ptr<nn::LayerNorm> norm;
    std::shared_ptr<nn::Dropout> dropout;
};

// ids (B, T) -> (B, T, 3)
class Toy : public nn::Module {
public:
    explicit Toy(Generator& generator) {
        embed = register_module("embed", std::make_shared<nn::Embedding>(
                                             nn::EmbeddingOptions{.num_embeddings = 10, .embedding_dim = 4}, generator));
        layers = register_module("layers", std::make_shared<nn::ModuleList>());
        for (int i = 0; i < 2; ++i) layers->push_back(std::make_shared<Block>(generator));
        head = register_module("head", std::make_shared<nn::Linear>(
                                           nn::LinearOptions{.in_features = 4, .out_features = 3, .bias = false}, generator));
        scale = register_parameter("scale", ones({1}));
        steps = register_buffer("steps", zeros({1}, {.dtype = DType::Int64}));
    }
    std::string type_name() const override { return "Toy"; }
    Tensor forward(const Tensor& ids) {
        Tensor h = embed->forward(ids) * scale;
        for (std::size_t i = 0; i < layers->size(); ++i) h = layers->at<Block>(i)->forward(h);
        return head->forward(h);
    }

    std::shared_ptr<nn::Embedding> embed;
    std::shared_ptr<nn::ModuleList> layers;
    std::shared_ptr<nn::Linear> head;
    Tensor scale, steps;
};

std::vector<std::string> names_of(const nn::NamedTensors& named) {
    std::vector<std::string> names;
    for (const auto& [name, tensor] : named) names.push_back(name);
    return names;
}

Tensor ids() { return tensor({{1, 2, 3}, {4, 5, 9}}, {.dtype = DType::Int64}); }

}  // namespace

TEST_CASE("Module: dotted names through nested modules and ModuleList, parameter_count", "[nn][module]") {
    Generator generator(1);
    Toy toy(generator);
    // A module's own parameters come before its children's, children in registration order.
    CHECK(names_of(toy.named_parameters()) ==
          std::vector<std::string>{"scale", "embed.weight", "layers.0.fc.weight", "layers.0.fc.bias",
                                   "layers.0.norm.weight", "layers.0.norm.bias", "layers.1.fc.weight",
                                   "layers.1.fc.bias", "layers.1.norm.weight", "layers.1.norm.bias", "head.weight"});
    CHECK(names_of(toy.named_buffers()) == std::vector<std::string>{"steps"});
    CHECK(names_of(toy.state_dict()).back() == "steps");  // parameters, then buffers
    CHECK(toy.named_parameters()[6].second.is_same(toy.layers->at<Block>(1)->fc->weight()));

    std::vector<std::string> paths;
    for (const auto& [path, module] : toy.named_modules()) paths.push_back(path);
    CHECK(paths == std::vector<std::string>{"", "embed", "layers", "layers.0", "layers.0.fc", "layers.0.norm",
                                            "layers.0.dropout", "layers.1", "layers.1.fc", "layers.1.norm",
                                            "layers.1.dropout", "head"});
    // 1 + 10·4 + 2·(4·4 + 4 + 4 + 4) + 4·3
    CHECK(toy.parameter_count() == 109);
}

TEST_CASE("Module: train() and eval() reach every descendant", "[nn][module]") {
    Generator generator(2);
    Toy toy(generator);
    toy.eval();
    for (const auto& [path, module] : toy.named_modules()) {
        INFO(path);
        CHECK_FALSE(module->is_training());
    }
    const std::vector<float> first = toy.forward(ids()).to_vector<float>();
    CHECK(toy.forward(ids()).to_vector<float>() == first);  // dropout off: deterministic
    toy.train();
    for (const auto& [path, module] : toy.named_modules()) {
        INFO(path);
        CHECK(module->is_training());
    }
    CHECK(toy.forward(ids()).to_vector<float>() != first);  // dropout on, p = 0.5
}

TEST_CASE("Module: zero_grad forgets every parameter's gradient", "[nn][module]") {
    Generator generator(3);
    Toy toy(generator);
    toy.forward(ids()).sum().backward();
    for (const auto& [name, parameter] : toy.named_parameters()) {
        INFO(name);
        CHECK(parameter.grad().defined());
    }
    toy.zero_grad();
    for (const auto& [name, parameter] : toy.named_parameters()) {
        INFO(name);
        CHECK_FALSE(parameter.grad().defined());
    }
}

TEST_CASE("Module: to(Float64) converts in place and keeps the handles", "[nn][module]") {
    Generator generator(4);
    Toy toy(generator);
    const Tensor head_weight = toy.head->weight();
    const std::vector<double> before = head_weight.to_vector<double>();
    toy.eval();
    const Tensor float32_output = toy.forward(ids());
    toy.to(DType::Float64);
    CHECK(head_weight.dtype() == DType::Float64);  // the handle held outside sees the conversion
    CHECK(head_weight.to_vector<double>() == before);
    for (const auto& [name, parameter] : toy.named_parameters()) {
        INFO(name);
        CHECK(parameter.dtype() == DType::Float64);
        CHECK(parameter.requires_grad());
    }
    CHECK(toy.steps.dtype() == DType::Int64);  // integer buffers are left alone
    const Tensor float64_output = toy.forward(ids());
    REQUIRE(float64_output.dtype() == DType::Float64);
    CHECK(max(abs(float64_output - float32_output.to(DType::Float64))).item() < 1e-5);
}

TEST_CASE("Module: the printed tree shows names, settings, shapes and counts", "[nn][module]") {
    Generator generator(5);
    Toy toy(generator);
    const std::string tree = toy.to_string();
    INFO(tree);
    CHECK(tree.rfind("Toy()  [109 parameters]", 0) == 0);
    CHECK(tree.find("(embed): Embedding(10, 4)  [40 parameters]") != std::string::npos);
    CHECK(tree.find("(layers): ModuleList()  [56 parameters]") != std::string::npos);
    CHECK(tree.find("(0): Block()  [28 parameters]") != std::string::npos);
    CHECK(tree.find("(fc): Linear(in_features=4, out_features=4, bias=true)  [20 parameters]") != std::string::npos);
    CHECK(tree.find("(norm): LayerNorm([4], eps=1e-05, elementwise_affine=true)") != std::string::npos);
    CHECK(tree.find("(dropout): Dropout(p=0.5)") != std::string::npos);
    CHECK(tree.find("(head): Linear(in_features=4, out_features=3, bias=false)  [12 parameters]") != std::string::npos);
    CHECK(tree.find("weight: [3, 4] float32") != std::string::npos);
    CHECK(tree.find("scale: [1] float32") != std::string::npos);
}

namespace {
class Registrar : public nn::Module {
public:
    std::string type_name() const override { return "Registrar"; }
    void parameter(const std::string& name) { register_parameter(name, zeros({2})); }
    void buffer(const std::string& name) { register_buffer(name, zeros({2})); }
    void child(const std::string& name) { register_module(name, std::make_shared<nn::ReLU>()); }
};
}  // namespace

TEST_CASE("Module: registering a name twice, or a dotted name, is an error", "[nn][module]") {
    Registrar module;
    module.parameter("weight");
    REQUIRE_THROWS_WITH(module.parameter("weight"), Contains("Registrar") && Contains("'weight'") && Contains("already"));
    REQUIRE_THROWS_WITH(module.buffer("weight"), Contains("'weight'") && Contains("already"));
    REQUIRE_THROWS_WITH(module.child("weight"), Contains("'weight'") && Contains("already"));
    module.child("act");
    REQUIRE_THROWS_WITH(module.parameter("act"), Contains("'act'") && Contains("already"));
    REQUIRE_THROWS_WITH(module.parameter("a.b"), Contains("Registrar") && Contains("'a.b'"));
    CHECK(module.named_parameters().size() == 1);
}
