// Optimizer options and parameter lists are validated with errors that name the option and the
// value; the base class's behaviour (skipping params without grad, groups, lr, zero_grad) on its own.
#include <catch2/catch.hpp>

#include "autograd/autograd.h"
#include "nn/module.h"
#include "optim/optim.h"

using namespace tapegrad;
using namespace tapegrad::optim;

namespace {
Tensor param(Shape shape = {2}) { return zeros(shape, {.dtype = DType::Float64, .requires_grad = true}); }
}  // namespace

TEST_CASE("invalid options throw naming the option and the value", "[optim][options]") {
    const Tensor w = param();
    using Catch::Contains;
    REQUIRE_THROWS_WITH(SGD({w}, {.lr = -0.1}), Contains("SGD") && Contains("lr") && Contains("-0.1"));
    REQUIRE_THROWS_WITH(SGD({w}, {.momentum = -0.5}), Contains("momentum") && Contains("-0.5"));
    REQUIRE_THROWS_WITH(SGD({w}, {.dampening = 1.5}), Contains("dampening") && Contains("1.5"));
    REQUIRE_THROWS_WITH(SGD({w}, {.weight_decay = -1}), Contains("weight_decay") && Contains("-1"));
    REQUIRE_THROWS_WITH(SGD({w}, {.nesterov = true}), Contains("nesterov") && Contains("momentum 0"));
    REQUIRE_THROWS_WITH(SGD({w}, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}),
                        Contains("nesterov") && Contains("dampening 0.1"));

    REQUIRE_THROWS_WITH(Adam({w}, {.lr = -0.001}), Contains("Adam") && Contains("lr") && Contains("-0.001"));
    REQUIRE_THROWS_WITH(Adam({w}, {.betas = {1.0, 0.999}}), Contains("betas[0]") && Contains("got 1"));
    REQUIRE_THROWS_WITH(Adam({w}, {.betas = {0.9, -0.1}}), Contains("betas[1]") && Contains("-0.1"));
    REQUIRE_THROWS_WITH(Adam({w}, {.eps = 0}), Contains("eps") && Contains("got 0"));
    REQUIRE_THROWS_WITH(Adam({w}, {.eps = -1e-8}), Contains("eps") && Contains("-1e-08"));
    REQUIRE_THROWS_WITH(Adam({w}, {.weight_decay = -0.01}), Contains("weight_decay") && Contains("-0.01"));
    REQUIRE_THROWS_WITH(AdamW({w}, {.betas = {0.9, 1.0}}), Contains("AdamW") && Contains("betas[1]"));
    REQUIRE_THROWS_WITH(Adam({w}, {.lr = std::nan("")}), Contains("lr") && Contains("nan"));

    REQUIRE_THROWS_WITH(RMSprop({w}, {.alpha = 1.5}), Contains("RMSprop") && Contains("alpha") && Contains("1.5"));
    REQUIRE_THROWS_WITH(RMSprop({w}, {.eps = 0}), Contains("eps"));
    REQUIRE_THROWS_WITH(RMSprop({w}, {.momentum = -0.9}), Contains("momentum") && Contains("-0.9"));

    REQUIRE_THROWS_WITH(Adagrad({w}, {.lr_decay = -1}), Contains("Adagrad") && Contains("lr_decay") && Contains("-1"));
    REQUIRE_THROWS_WITH(Adagrad({w}, {.initial_accumulator_value = -0.1}),
                        Contains("initial_accumulator_value") && Contains("-0.1"));
    REQUIRE_THROWS_WITH(Adagrad({w}, {.eps = 0}), Contains("eps"));
}

TEST_CASE("invalid parameter lists and groups are rejected", "[optim][options]") {
    const Tensor w = param();
    using Catch::Contains;
    REQUIRE_THROWS_WITH(Adam(std::vector<ParamGroup>{{.params = {w}}, {.params = {param()}, .lr = -1.0}}),
                        Contains("param_groups[1].lr") && Contains("-1"));
    REQUIRE_THROWS_WITH(Adam(std::vector<ParamGroup>{{.params = {w}, .weight_decay = -0.5}}),
                        Contains("param_groups[0].weight_decay") && Contains("-0.5"));
    REQUIRE_THROWS_WITH(Adam({w, w}), Contains("more than once"));
    REQUIRE_THROWS_WITH(Adam(std::vector<ParamGroup>{{.params = {w}}, {.params = {w}}}), Contains("more than once"));
    REQUIRE_THROWS_WITH(Adam(std::vector<Tensor>{}), Contains("param_groups[0] has no parameters"));
    REQUIRE_THROWS_WITH(Adam({zeros({2}, {.dtype = DType::Int64})}), Contains("float32/float64"));
    REQUIRE_THROWS_WITH(Adam({param({2, 3}).transpose(0, 1)}), Contains("contiguous"));
    REQUIRE_THROWS_WITH(Adam(NamedTensorList{{"a", w}, {"a", param()}}), Contains("'a'") && Contains("not unique"));
    REQUIRE_THROWS_WITH(Adam(std::vector<ParamGroup>{{.params = {w}, .names = {"a", "b"}}}),
                        Contains("2 names for 1 parameters"));
}

TEST_CASE("step skips parameters without a gradient and checks the others", "[optim][options]") {
    Tensor w = param(), v = param();
    SGD optimizer({w, v}, {.lr = 0.5});
    w.set_grad(tensor({1.0, -2.0}, {.dtype = DType::Float64}));
    optimizer.step();
    CHECK(w.to_vector<double>() == std::vector<double>{-0.5, 1.0});
    CHECK(v.to_vector<double>() == std::vector<double>{0.0, 0.0});
    CHECK(optimizer.state("0.0").step == 1);
    CHECK(optimizer.state("0.1").step == 0);

    // Updates are not recorded on the tape and leave the parameter a leaf.
    CHECK(w.is_leaf());
    CHECK(w.requires_grad());

    optimizer.zero_grad();
    CHECK_FALSE(w.grad().defined());

    // A model converted after the optimizer made its state.
    struct Model : nn::Module {
        Tensor weight = register_parameter("weight", zeros({2}, {.dtype = DType::Float64}));
        std::string type_name() const override { return "Model"; }
    } model;
    Adam adam(model.named_parameters());
    model.weight.set_grad(ones({2}, {.dtype = DType::Float64}));
    adam.step();
    model.to(DType::Float32);
    model.weight.set_grad(ones({2}));
    REQUIRE_THROWS_WITH(adam.step(), Catch::Contains("'weight' is now float32") && Catch::Contains("state is float64"));
}

TEST_CASE("lr is per group — set_lr sets every group", "[optim][options]") {
    Tensor w = param(), v = param();
    Adam optimizer(std::vector<ParamGroup>{{.params = {w}}, {.params = {v}, .lr = 0.5, .weight_decay = 0.1}},
                   {.lr = 0.01, .weight_decay = 0.2});
    CHECK(optimizer.group_count() == 2);
    CHECK(optimizer.lr() == 0.01);
    CHECK(optimizer.lr(1) == 0.5);
    CHECK(optimizer.weight_decay(0) == 0.2);
    CHECK(optimizer.weight_decay(1) == 0.1);
    optimizer.set_lr(1, 0.25);
    CHECK(optimizer.lr(1) == 0.25);
    optimizer.set_lr(0.125);
    CHECK(optimizer.lr(0) == 0.125);
    CHECK(optimizer.lr(1) == 0.125);
    REQUIRE_THROWS_WITH(optimizer.set_lr(-3), Catch::Contains("lr") && Catch::Contains("-3"));
    CHECK(optimizer.type_name() == "Adam");
    CHECK(AdamW({w}).type_name() == "AdamW");
    CHECK(AdamW({w}).options().weight_decay == 0.01);  // AdamW's default decoupled decay
}
