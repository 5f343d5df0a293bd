// Convergence: every optimizer minimises a convex quadratic and the Rosenbrock function. The
// gradients are written analytically (set_grad), so these tests exercise the optimizers alone and
// run thousands of steps in milliseconds. Each section states its tolerance (Euclidean distance of
// the parameters from the minimiser) and its step count; settings were chosen with a margin of at
// least 10x on the quadratic and 1.5x on Rosenbrock over the last 20% of the run.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <memory>

#include "autograd/autograd.h"
#include "optim/optim.h"

using namespace tapegrad;
using namespace tapegrad::optim;

namespace {

using Gradient = std::function<std::array<double, 2>(double, double)>;

// f(p) = ½ pᵀAp − bᵀp with A = [[3, 1], [1, 2]] (eigenvalues 1.38 and 3.62), b = (1, 1):
// the minimiser is A⁻¹b = (0.2, 0.4).
std::array<double, 2> quadratic_gradient(double x, double y) { return {3 * x + y - 1, x + 2 * y - 1}; }

// f(x, y) = (1 − x)² + 100 (y − x²)²: a curved, badly conditioned valley with its minimum at (1, 1).
std::array<double, 2> rosenbrock_gradient(double x, double y) {
    return {-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)};
}

using MakeOptimizer = std::function<std::unique_ptr<Optimizer>(const Tensor&)>;

// Runs `steps` updates from `start` (with a step-decay schedule when step_size > 0) and returns the
// distance to `minimum`.
double distance_after(const MakeOptimizer& make, const Gradient& gradient, std::array<double, 2> start,
                      std::array<double, 2> minimum, int64_t steps, int64_t decay_every = 0) {
    Tensor p = tensor({start[0], start[1]}, {.dtype = DType::Float64, .requires_grad = true});
    auto optimizer = make(p);
    std::unique_ptr<Scheduler> scheduler;
    if (decay_every > 0)
        scheduler = std::make_unique<Scheduler>(
            *optimizer, step_decay({.lr = optimizer->lr(), .step_size = decay_every, .gamma = 0.5}));
    for (int64_t step = 0; step < steps; ++step) {
        const double* value = p.data<double>();
        const auto g = gradient(value[0], value[1]);
        p.set_grad(tensor({g[0], g[1]}, {.dtype = DType::Float64}));
        optimizer->step();
        if (scheduler) scheduler->step();
    }
    const double* value = p.data<double>();
    return std::hypot(value[0] - minimum[0], value[1] - minimum[1]);
}

template <typename O, typename Options> MakeOptimizer make(Options options) {
    return [options](const Tensor& p) { return std::make_unique<O>(ParamGroups{p}, options); };
}

constexpr std::array<double, 2> quadratic_start = {-3.0, 4.0}, quadratic_minimum = {0.2, 0.4};
constexpr std::array<double, 2> rosenbrock_start = {-1.2, 1.0}, rosenbrock_minimum = {1.0, 1.0};

}  // namespace

TEST_CASE("every optimizer reaches the quadratic's minimum within 1e-6", "[optim][convergence]") {
    auto quadratic = [&](const MakeOptimizer& optimizer, int64_t steps) {
        return distance_after(optimizer, quadratic_gradient, quadratic_start, quadratic_minimum, steps);
    };
    SECTION("SGD, lr 0.1: 200 steps") { CHECK(quadratic(make<SGD>(SGDOptions{.lr = 0.1}), 200) < 1e-6); }
    SECTION("SGD momentum 0.9, lr 0.05: 500 steps") {
        CHECK(quadratic(make<SGD>(SGDOptions{.lr = 0.05, .momentum = 0.9}), 500) < 1e-6);
    }
    SECTION("SGD Nesterov 0.9, lr 0.05: 500 steps") {
        CHECK(quadratic(make<SGD>(SGDOptions{.lr = 0.05, .momentum = 0.9, .nesterov = true}), 500) < 1e-6);
    }
    SECTION("Adam, lr 0.05: 1000 steps") { CHECK(quadratic(make<Adam>(AdamOptions{.lr = 0.05}), 1000) < 1e-6); }
    SECTION("Adam amsgrad, lr 0.05: 1000 steps") {
        CHECK(quadratic(make<Adam>(AdamOptions{.lr = 0.05, .amsgrad = true}), 1000) < 1e-6);
    }
    SECTION("AdamW without decay (decay moves the minimum), lr 0.05: 1000 steps") {
        CHECK(quadratic(make<AdamW>(AdamWOptions{.lr = 0.05, .weight_decay = 0}), 1000) < 1e-6);
    }
    SECTION("RMSprop, lr 0.01: 1000 steps") { CHECK(quadratic(make<RMSprop>(RMSpropOptions{.lr = 0.01}), 1000) < 1e-6); }
    SECTION("RMSprop centered, momentum 0.5, lr 0.01: 1000 steps") {
        CHECK(quadratic(make<RMSprop>(RMSpropOptions{.lr = 0.01, .momentum = 0.5, .centered = true}), 1000) < 1e-6);
    }
    SECTION("Adagrad, lr 0.5: 500 steps") { CHECK(quadratic(make<Adagrad>(AdagradOptions{.lr = 0.5}), 500) < 1e-6); }
}

TEST_CASE("every optimizer reaches Rosenbrock's minimum (1, 1) from (-1.2, 1) within 1e-3", "[optim][convergence]") {
    auto rosenbrock = [&](const MakeOptimizer& optimizer, int64_t steps, int64_t decay_every = 0) {
        return distance_after(optimizer, rosenbrock_gradient, rosenbrock_start, rosenbrock_minimum, steps, decay_every);
    };
    // Plain SGD must keep lr below 2/λmax ≈ 2e-3 (λmax ≈ 1002 at the minimum) and crawls along the valley.
    SECTION("SGD, lr 1.5e-3: 20000 steps") { CHECK(rosenbrock(make<SGD>(SGDOptions{.lr = 1.5e-3}), 20000) < 1e-3); }
    SECTION("SGD momentum 0.9, lr 1e-3: 3000 steps") {
        CHECK(rosenbrock(make<SGD>(SGDOptions{.lr = 1e-3, .momentum = 0.9}), 3000) < 1e-3);
    }
    SECTION("SGD Nesterov 0.9, lr 1e-3: 3000 steps") {
        CHECK(rosenbrock(make<SGD>(SGDOptions{.lr = 1e-3, .momentum = 0.9, .nesterov = true}), 3000) < 1e-3);
    }
    SECTION("SGD momentum 0.9, dampening 0.5, lr 1e-3: 5000 steps") {
        CHECK(rosenbrock(make<SGD>(SGDOptions{.lr = 1e-3, .momentum = 0.9, .dampening = 0.5}), 5000) < 1e-3);
    }
    // The adaptive methods hover around the minimum at a constant lr: halve it every few thousand steps.
    SECTION("Adam, lr 0.02 halved every 1500: 6000 steps") {
        CHECK(rosenbrock(make<Adam>(AdamOptions{.lr = 0.02}), 6000, 1500) < 1e-3);
    }
    SECTION("Adam amsgrad, lr 0.05 halved every 2000: 8000 steps") {
        CHECK(rosenbrock(make<Adam>(AdamOptions{.lr = 0.05, .amsgrad = true}), 8000, 2000) < 1e-3);
    }
    SECTION("AdamW without decay, lr 0.02 halved every 1500: 6000 steps") {
        CHECK(rosenbrock(make<AdamW>(AdamWOptions{.lr = 0.02, .weight_decay = 0}), 6000, 1500) < 1e-3);
    }
    SECTION("RMSprop, lr 2e-3 halved every 1000: 10000 steps") {
        CHECK(rosenbrock(make<RMSprop>(RMSpropOptions{.lr = 2e-3}), 10000, 1000) < 1e-3);
    }
    SECTION("RMSprop centered, lr 2e-3 halved every 1000: 10000 steps") {
        CHECK(rosenbrock(make<RMSprop>(RMSpropOptions{.lr = 2e-3, .centered = true}), 10000, 1000) < 1e-3);
    }
    SECTION("RMSprop momentum 0.9, lr 2e-4 halved every 1000: 10000 steps") {
        CHECK(rosenbrock(make<RMSprop>(RMSpropOptions{.lr = 2e-4, .momentum = 0.9}), 10000, 1000) < 1e-3);
    }
    SECTION("Adagrad, lr 0.5: 12000 steps") { CHECK(rosenbrock(make<Adagrad>(AdagradOptions{.lr = 0.5}), 12000) < 1e-3); }
}

TEST_CASE("optimizers train float32 parameters too", "[optim][convergence]") {
    Tensor p = tensor({-3.0, 4.0}, {.dtype = DType::Float32, .requires_grad = true});
    Adam optimizer({p}, {.lr = 0.05});
    for (int step = 0; step < 1000; ++step) {
        const float* value = p.data<float>();
        const auto g = quadratic_gradient(value[0], value[1]);
        p.set_grad(tensor({g[0], g[1]}, {.dtype = DType::Float32}));
        optimizer.step();
    }
    CHECK(p.data<float>()[0] == Approx(0.2).margin(1e-4));
    CHECK(p.data<float>()[1] == Approx(0.4).margin(1e-4));
}
