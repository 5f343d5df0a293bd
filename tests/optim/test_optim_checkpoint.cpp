// Optimizer checkpoints: N steps straight equal k steps, a save to a safetensors file next to the
// model, a load into a fresh model, optimizer and scheduler, and N − k more steps — bitwise. And a
// clear error for every kind of mismatched checkpoint.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>

#include <unistd.h>

#include "autograd/autograd.h"
#include "nn/module.h"
#include "optim/optim.h"

using namespace tapegrad;
using namespace tapegrad::optim;

namespace {

// y = W x + b with a nested child, so parameter names are dotted: "weight", "bias", "head.scale".
struct Head : nn::Module {
    Tensor scale;
    explicit Head(DType dtype) { scale = register_parameter("scale", full({3}, 0.5, {.dtype = dtype})); }
    std::string type_name() const override { return "Head"; }
};

struct TinyModel : nn::Module {
    Tensor weight, bias;
    std::shared_ptr<Head> head;
    explicit TinyModel(DType dtype, double shift = 0.0) {
        weight = register_parameter("weight", tensor({{0.1, -0.2, 0.3, 0.05}, {0.4, 0.1, -0.3, 0.2}, {-0.1, 0.2, 0.1, -0.4}},
                                                     {.dtype = dtype}) + shift);
        bias = register_parameter("bias", tensor({0.01, -0.02, 0.03}, {.dtype = dtype}) + shift);
        head = register_module("head", std::make_shared<Head>(dtype));
    }
    std::string type_name() const override { return "TinyModel"; }
    Tensor loss(int64_t step) const {
        // A different input each step, so the gradients change along the run.
        const Tensor x = tensor({1.0, -0.5, 0.25 * double(step % 3), 2.0}, {.dtype = weight.dtype()});
        const Tensor y = tensor({0.5, -1.0, 0.75}, {.dtype = weight.dtype()});
        return sum(pow(head->scale * (matmul(weight, x) + bias) - y, 2.0)) + 0.01 * sum(pow(weight, 4.0));
    }
};

using MakeOptimizer = std::function<std::unique_ptr<Optimizer>(const nn::Module&)>;

template <typename O, typename Options> MakeOptimizer make(Options options) {
    return [options](const nn::Module& model) { return std::make_unique<O>(model.named_parameters(), options); };
}

void train(TinyModel& model, Optimizer& optimizer, Scheduler& scheduler, int64_t from, int64_t to) {
    for (int64_t step = from; step < to; ++step) {
        optimizer.zero_grad();
        model.loss(step).backward();
        optimizer.step();
        scheduler.step();
    }
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
    return a.shape() == b.shape() && a.dtype() == b.dtype() &&
           std::memcmp(a.raw_data(), b.raw_data(), a.numel() * dtype_size(a.dtype())) == 0;
}

std::filesystem::path temp_path(const std::string& name) {
    return std::filesystem::temp_directory_path() / ("tapegrad_optim_" + std::to_string(getpid()) + "_" + name);
}

SchedulePtr test_schedule() { return warmup_cosine({.lr = 0.05, .warmup_steps = 3, .total_steps = 12, .min_lr = 0.005}); }

}  // namespace

TEST_CASE("resuming from a checkpoint continues bitwise identically (N = 10, k = 4)", "[optim][checkpoint]") {
    const std::vector<std::pair<std::string, MakeOptimizer>> optimizers = {
        {"SGD nesterov + weight_decay", make<SGD>(SGDOptions{.momentum = 0.9, .weight_decay = 0.01, .nesterov = true})},
        {"SGD dampening", make<SGD>(SGDOptions{.momentum = 0.8, .dampening = 0.3})},
        {"Adam amsgrad", make<Adam>(AdamOptions{.weight_decay = 0.01, .amsgrad = true})},
        {"AdamW", make<AdamW>(AdamWOptions{.betas = {0.8, 0.95}})},
        {"RMSprop centered + momentum", make<RMSprop>(RMSpropOptions{.momentum = 0.5, .centered = true})},
        {"Adagrad lr_decay", make<Adagrad>(AdagradOptions{.lr_decay = 0.05, .initial_accumulator_value = 0.1})},
    };
    const int64_t N = 10, k = 4;
    for (DType dtype : {DType::Float32, DType::Float64}) {
        for (const auto& [name, make_optimizer] : optimizers) {
            DYNAMIC_SECTION(name << " " << dtype_name(dtype)) {
                TinyModel straight(dtype);
                auto straight_optimizer = make_optimizer(straight);
                Scheduler straight_scheduler(*straight_optimizer, test_schedule());
                train(straight, *straight_optimizer, straight_scheduler, 0, N);

                // k steps, then model + optimizer + scheduler into one safetensors file.
                TinyModel first(dtype);
                auto first_optimizer = make_optimizer(first);
                Scheduler first_scheduler(*first_optimizer, test_schedule());
                train(first, *first_optimizer, first_scheduler, 0, k);
                NamedTensorList checkpoint = first.state_dict();
                OptimizerState optimizer_state = first_optimizer->state_dict();
                checkpoint.insert(checkpoint.end(), optimizer_state.tensors.begin(), optimizer_state.tensors.end());
                SafetensorsMetadata metadata = optimizer_state.metadata;
                metadata.merge(first_scheduler.state_dict());
                const auto path = temp_path("resume.safetensors");
                save_safetensors(path, checkpoint, metadata);

                // A fresh process, in effect: other initial values, a fresh optimizer and scheduler.
                const SafetensorsContents loaded = load_safetensors(path);
                std::filesystem::remove(path);
                TinyModel resumed(dtype, /*shift=*/1.0);
                NamedTensorList model_tensors;
                for (const auto& [key, tensor] : loaded.tensors)
                    if (!key.starts_with("optimizer.")) model_tensors.emplace_back(key, tensor);
                resumed.load_state_dict(model_tensors);
                auto resumed_optimizer = make_optimizer(resumed);
                Scheduler resumed_scheduler(*resumed_optimizer, test_schedule());
                resumed_optimizer->load_state_dict(loaded.tensors, loaded.metadata);
                resumed_scheduler.load_state_dict(loaded.metadata);
                CHECK(resumed_optimizer->step_count() == k);
                CHECK(resumed_scheduler.step_count() == k);
                CHECK(resumed_optimizer->lr() == test_schedule()->lr_at(k + 1));
                train(resumed, *resumed_optimizer, resumed_scheduler, k, N);

                const auto expected = straight.named_parameters(), actual = resumed.named_parameters();
                REQUIRE(expected.size() == actual.size());
                for (std::size_t i = 0; i < expected.size(); ++i) {
                    INFO("parameter " << expected[i].first << ": straight " << expected[i].second << ", resumed "
                                      << actual[i].second);
                    CHECK(bitwise_equal(expected[i].second, actual[i].second));
                }
                const auto straight_state = straight_optimizer->state_dict().tensors;
                const auto resumed_state = resumed_optimizer->state_dict().tensors;
                REQUIRE(straight_state.size() == resumed_state.size());
                for (std::size_t i = 0; i < straight_state.size(); ++i) {
                    INFO("state " << straight_state[i].first);
                    CHECK(straight_state[i].first == resumed_state[i].first);
                    CHECK(bitwise_equal(straight_state[i].second, resumed_state[i].second));
                }
            }
        }
    }
}

TEST_CASE("state_dict keys state by parameter name and records hyper-parameters", "[optim][checkpoint]") {
    TinyModel model(DType::Float64);
    Adam optimizer(model.named_parameters(), {.lr = 0.01, .betas = {0.8, 0.9}, .amsgrad = true});
    model.loss(0).backward();
    optimizer.step();
    const OptimizerState state = optimizer.state_dict();
    std::vector<std::string> keys;
    for (const auto& [key, tensor] : state.tensors) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"optimizer.weight.step", "optimizer.weight.exp_avg",
                                           "optimizer.weight.exp_avg_sq", "optimizer.weight.max_exp_avg_sq",
                                           "optimizer.bias.step", "optimizer.bias.exp_avg", "optimizer.bias.exp_avg_sq",
                                           "optimizer.bias.max_exp_avg_sq", "optimizer.head.scale.step",
                                           "optimizer.head.scale.exp_avg", "optimizer.head.scale.exp_avg_sq",
                                           "optimizer.head.scale.max_exp_avg_sq"});
    CHECK(state.metadata.at("optimizer.type") == "Adam");
    CHECK(state.metadata.at("optimizer.step") == "1");
    CHECK(state.metadata.at("optimizer.betas") == "0.8,0.9");
    CHECK(state.metadata.at("optimizer.amsgrad") == "true");
    CHECK(state.metadata.at("optimizer.param_groups.0.lr") == "0.01");

    // Unnamed parameters are keyed "<group>.<index>".
    Tensor w = zeros({2}, {.dtype = DType::Float64, .requires_grad = true});
    Tensor v = zeros({2}, {.dtype = DType::Float64, .requires_grad = true});
    SGD sgd(std::vector<ParamGroup>{{.params = {w}}, {.params = {v}, .lr = 0.5}}, {.lr = 0.1, .momentum = 0.9});
    w.set_grad(ones({2}, {.dtype = DType::Float64}));
    sgd.step();
    const OptimizerState sgd_state = sgd.state_dict();
    REQUIRE(sgd_state.tensors.size() == 2);  // v had no grad: no state
    CHECK(sgd_state.tensors[0].first == "optimizer.0.0.step");
    CHECK(sgd_state.tensors[1].first == "optimizer.0.0.momentum_buffer");
    CHECK(sgd_state.metadata.at("optimizer.param_groups.1.lr") == "0.5");
}

TEST_CASE("load_state_dict restores hyper-parameters and group settings as saved", "[optim][checkpoint]") {
    TinyModel model(DType::Float64);
    Adam saved(model.named_parameters(), {.lr = 0.01, .amsgrad = true});
    model.loss(0).backward();
    saved.step();
    saved.set_lr(0.002);

    TinyModel other(DType::Float64);
    Adam loaded(other.named_parameters(), {.lr = 0.5, .eps = 1e-3});
    loaded.load_state_dict(saved.state_dict());
    CHECK(loaded.options().amsgrad);
    CHECK(loaded.options().eps == 1e-8);
    CHECK(loaded.lr() == 0.002);
    CHECK(loaded.state("weight").step == 1);
    CHECK(loaded.state("weight").buffers.size() == 3);
}

TEST_CASE("load_state_dict reports every mismatch clearly and leaves the optimizer unchanged", "[optim][checkpoint]") {
    TinyModel model(DType::Float64);
    Adam adam(model.named_parameters(), {.lr = 0.01});
    model.loss(0).backward();
    adam.step();
    const OptimizerState good = adam.state_dict();

    TinyModel target_model(DType::Float64);
    Adam target(target_model.named_parameters(), {.lr = 0.01});
    auto without = [&](const std::string& key) {
        OptimizerState state = good;
        std::erase_if(state.tensors, [&](const auto& entry) { return entry.first == key; });
        return state;
    };
    auto replaced = [&](const std::string& key, const Tensor& value) {
        OptimizerState state = good;
        for (auto& [name, tensor] : state.tensors)
            if (name == key) tensor = value;
        return state;
    };

    SECTION("another optimizer type") {
        SGD sgd(target_model.named_parameters(), {.lr = 0.1});
        REQUIRE_THROWS_WITH(sgd.load_state_dict(good),
                            Catch::Contains("holds Adam state") && Catch::Contains("this optimizer is SGD"));
    }
    SECTION("no optimizer state at all (a model-only checkpoint)") {
        REQUIRE_THROWS_WITH(target.load_state_dict(model.state_dict(), {}),
                            Catch::Contains("no optimizer state") && Catch::Contains("optimizer.type"));
    }
    SECTION("a missing buffer") {
        REQUIRE_THROWS_WITH(target.load_state_dict(without("optimizer.bias.exp_avg_sq")),
                            Catch::Contains("missing 'optimizer.bias.exp_avg_sq'"));
    }
    SECTION("a missing step count") {
        REQUIRE_THROWS_WITH(target.load_state_dict(without("optimizer.weight.step")),
                            Catch::Contains("missing 'optimizer.weight.step'"));
    }
    SECTION("a buffer of the wrong shape") {
        REQUIRE_THROWS_WITH(target.load_state_dict(replaced("optimizer.weight.exp_avg", zeros({4, 3}, {.dtype = DType::Float64}))),
                            Catch::Contains("optimizer.weight.exp_avg") && Catch::Contains("[4, 3]") &&
                                Catch::Contains("[3, 4]"));
    }
    SECTION("a buffer of the wrong dtype") {
        REQUIRE_THROWS_WITH(target.load_state_dict(replaced("optimizer.bias.exp_avg", zeros({3}))),
                            Catch::Contains("optimizer.bias.exp_avg") && Catch::Contains("float32"));
    }
    SECTION("state for a parameter this optimizer does not have") {
        Adam smaller(NamedTensorList{{"weight", target_model.weight}, {"bias", target_model.bias}}, {.lr = 0.01});
        REQUIRE_THROWS_WITH(smaller.load_state_dict(good), Catch::Contains("optimizer.head.scale") &&
                                                               Catch::Contains("3 parameters in the checkpoint, 2 here"));
    }
    SECTION("state the optimizer does not keep (saved with amsgrad, told otherwise)") {
        OptimizerState state = good;
        state.tensors.emplace_back("optimizer.bias.momentum_buffer", zeros({3}, {.dtype = DType::Float64}));
        REQUIRE_THROWS_WITH(target.load_state_dict(state), Catch::Contains("unexpected 'optimizer.bias.momentum_buffer'"));
    }
    SECTION("malformed metadata") {
        OptimizerState state = good;
        state.metadata["optimizer.betas"] = "0.9";
        state.metadata.erase("optimizer.eps");
        REQUIRE_THROWS_WITH(target.load_state_dict(state), Catch::Contains("'optimizer.betas' = '0.9' is malformed") &&
                                                               Catch::Contains("'optimizer.eps' is missing"));
    }
    // Whatever failed, the target is as it was: no state, its own options.
    CHECK(target.state("weight").step == 0);
    CHECK(target.step_count() == 0);
    CHECK_FALSE(target.options().amsgrad);
}
