// Parity with torch.optim: every optimizer, in each option combination of the fixture, follows the
// parameter trajectory PyTorch 1.13 recorded for 20 steps on the same problem (float64, 1e-6 relative).
// The fixture and the problem are defined in tests/fixtures/make_optim_fixtures.py.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "autograd/autograd.h"
#include "optim/optim.h"

using namespace tapegrad;
using namespace tapegrad::optim;
using nlohmann::json;

namespace {

const json& fixture() {
    static const json data = [] {
        std::ifstream file(TAPEGRAD_FIXTURES_DIR "/optim/trajectories.json");
        REQUIRE(file.good());
        return json::parse(file);
    }();
    return data;
}

Tensor from_json(const json& values, const Shape& shape, bool requires_grad) {
    return from_vector(values.get<std::vector<double>>(), shape, {.dtype = DType::Float64, .requires_grad = requires_grad});
}

// Must match loss() in make_optim_fixtures.py:  sum((W @ (x + b) - y)^2) + 0.1 * sum(W^4) + sum(log(1 + b^2)).
Tensor fixture_loss(const Tensor& W, const Tensor& b, const Tensor& x, const Tensor& y) {
    return sum(pow(matmul(W, x + b) - y, 2.0)) + 0.1 * sum(pow(W, 4.0)) + sum(log(1.0 + b * b));
}

// The optimizer a case names, with its PyTorch-named options (unset ones keep tapegrad's defaults,
// which are PyTorch's).
std::unique_ptr<Optimizer> make_optimizer(const std::string& type, const json& o, ParamGroups params) {
    if (type == "SGD") {
        SGDOptions d;
        return std::make_unique<SGD>(std::move(params), SGDOptions{.lr = o.value("lr", d.lr),
                                                                   .momentum = o.value("momentum", d.momentum),
                                                                   .dampening = o.value("dampening", d.dampening),
                                                                   .weight_decay = o.value("weight_decay", d.weight_decay),
                                                                   .nesterov = o.value("nesterov", d.nesterov)});
    }
    if (type == "Adam") {
        AdamOptions d;
        return std::make_unique<Adam>(std::move(params), AdamOptions{.lr = o.value("lr", d.lr),
                                                                     .betas = o.value("betas", d.betas),
                                                                     .eps = o.value("eps", d.eps),
                                                                     .weight_decay = o.value("weight_decay", d.weight_decay),
                                                                     .amsgrad = o.value("amsgrad", d.amsgrad)});
    }
    if (type == "AdamW") {
        AdamWOptions d;
        return std::make_unique<AdamW>(std::move(params), AdamWOptions{.lr = o.value("lr", d.lr),
                                                                       .betas = o.value("betas", d.betas),
                                                                       .eps = o.value("eps", d.eps),
                                                                       .weight_decay = o.value("weight_decay", d.weight_decay),
                                                                       .amsgrad = o.value("amsgrad", d.amsgrad)});
    }
    if (type == "RMSprop") {
        RMSpropOptions d;
        return std::make_unique<RMSprop>(std::move(params), RMSpropOptions{.lr = o.value("lr", d.lr),
                                                                           .alpha = o.value("alpha", d.alpha),
                                                                           .eps = o.value("eps", d.eps),
                                                                           .weight_decay = o.value("weight_decay", d.weight_decay),
                                                                           .momentum = o.value("momentum", d.momentum),
                                                                           .centered = o.value("centered", d.centered)});
    }
    if (type == "Adagrad") {
        AdagradOptions d;
        return std::make_unique<Adagrad>(
            std::move(params),
            AdagradOptions{.lr = o.value("lr", d.lr),
                           .lr_decay = o.value("lr_decay", d.lr_decay),
                           .weight_decay = o.value("weight_decay", d.weight_decay),
                           .initial_accumulator_value = o.value("initial_accumulator_value", d.initial_accumulator_value),
                           .eps = o.value("eps", d.eps)});
    }
    FAIL("unknown optimizer " << type);
    return nullptr;
}

}  // namespace

TEST_CASE("optimizers follow PyTorch's trajectories (float64, 20 steps, 1e-6 relative)", "[optim]") {
    const json& data = fixture();
    const json& problem = data["problem"];
    const Tensor x = from_json(problem["x"], {4}, false);
    const Tensor y = from_json(problem["y"], {3}, false);
    const int64_t steps = data["steps"].get<int64_t>();
    REQUIRE(data["cases"].size() >= 20);

    for (const json& test_case : data["cases"]) {
        const std::string name = test_case["name"];
        SECTION(name) {
            std::map<std::string, Tensor> params = {{"W", from_json(problem["W"], {3, 4}, true)},
                                                    {"b", from_json(problem["b"], {4}, true)},
                                                    {"c", from_json(problem["c"], {2}, true)}};
            ParamGroups groups = NamedTensorList{{"W", params["W"]}, {"b", params["b"]}, {"c", params["c"]}};
            if (!test_case["groups"].is_null()) {
                groups.groups.clear();
                for (const json& group : test_case["groups"]) {
                    ParamGroup g;
                    for (const std::string param : group["params"]) {
                        g.params.push_back(params[param]);
                        g.names.push_back(param);
                    }
                    if (group.contains("lr")) g.lr = group["lr"].get<double>();
                    if (group.contains("weight_decay")) g.weight_decay = group["weight_decay"].get<double>();
                    groups.groups.push_back(g);
                }
            }
            auto optimizer = make_optimizer(test_case["optimizer"], test_case["options"], std::move(groups));

            for (int64_t step = 0; step < steps; ++step) {
                optimizer->zero_grad();
                fixture_loss(params["W"], params["b"], x, y).backward();
                optimizer->step();
                for (const auto& [param_name, param] : params) {
                    const std::vector<double> expected = test_case["trajectory"][step][param_name];
                    const std::vector<double> actual = param.to_vector<double>();
                    REQUIRE(actual.size() == expected.size());
                    double worst = 0;
                    std::size_t worst_index = 0;
                    for (std::size_t i = 0; i < actual.size(); ++i) {
                        const double error = std::abs(actual[i] - expected[i]) / std::max(std::abs(expected[i]), 1e-12);
                        if (error > worst) worst = error, worst_index = i;
                    }
                    INFO(name << " step " << step + 1 << " param " << param_name << " worst index " << worst_index
                              << ": tapegrad " << actual[worst_index] << ", PyTorch " << expected[worst_index]
                              << ", relative error " << worst);
                    REQUIRE(worst <= 1e-6);
                }
            }
            // c never had a gradient: skipped, so no state and no change.
            CHECK(optimizer->state("c").step == 0);
            CHECK(optimizer->state("W").step == steps);
            CHECK(optimizer->step_count() == steps);
        }
    }
}
