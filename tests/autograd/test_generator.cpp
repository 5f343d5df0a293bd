// Generator: seeded, counter-based, independent of the thread count.
#include <catch2/catch.hpp>
#include <omp.h>

#include "autograd/autograd.h"

using namespace tapegrad;

TEST_CASE("the same seed gives the same numbers whatever the thread count", "[generator]") {
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    Generator one(42);
    const auto serial = normal({300000}, 0, 1, one).to_vector<double>();
    omp_set_num_threads(2);
    Generator two(42);
    const auto parallel = normal({300000}, 0, 1, two).to_vector<double>();
    omp_set_num_threads(threads);
    CHECK(serial == parallel);
    CHECK(one.counter() == two.counter());
}

TEST_CASE("random tensors have the requested distribution", "[generator]") {
    Generator generator(3);
    const Tensor u = uniform({100000}, -2, 4, generator, {.dtype = DType::Float64});
    CHECK(mean(u).item() == Approx(1.0).margin(0.03));
    CHECK(min(u).item() >= -2);
    CHECK(max(u).item() < 4);
    const Tensor n = normal({100000}, 1, 2, generator, {.dtype = DType::Float64});
    CHECK(mean(n).item() == Approx(1.0).margin(0.03));
    CHECK(std::sqrt(var(n).item()) == Approx(2.0).margin(0.03));
    const Tensor b = bernoulli({100000}, 0.3, generator, {.dtype = DType::Float64});
    CHECK(mean(b).item() == Approx(0.3).margin(0.01));
    CHECK(bernoulli({4}, 0.5, generator, {.dtype = DType::Bool}).dtype() == DType::Bool);
}

TEST_CASE("successive draws differ and the state can be saved and restored", "[generator]") {
    Generator generator(5);
    const auto first = uniform({8}, 0, 1, generator).to_vector<double>();
    const uint64_t seed = generator.seed(), counter = generator.counter();
    const auto second = uniform({8}, 0, 1, generator).to_vector<double>();
    CHECK(first != second);
    Generator restored;
    restored.set_state(seed, counter);
    CHECK(uniform({8}, 0, 1, restored).to_vector<double>() == second);
    CHECK(Generator(6).next_u64() != Generator(5).next_u64());
}

TEST_CASE("randperm is a permutation and next_int stays in range", "[generator]") {
    Generator generator(11);
    std::vector<int64_t> order = randperm(50, generator);
    std::vector<int64_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    for (int64_t i = 0; i < 50; ++i) CHECK(sorted[i] == i);
    CHECK(order != sorted);
    for (int i = 0; i < 1000; ++i) {
        const int64_t v = generator.next_int(-3, 4);
        CHECK((v >= -3 && v < 4));
    }
    CHECK_THROWS_WITH(generator.next_int(2, 2), Catch::Contains("empty range"));
}

TEST_CASE("relu_dropout is dropout(relu(x)) to the bit, forward and backward, and draws the same numbers", "[dropout]") {
    Generator data(5);
    const Tensor x = normal({37, 129}, 0, 1, data).requires_grad_();
    const Tensor upstream = normal({37, 129}, 0, 1, data);
    Generator fused_generator(11), composed_generator(11);
    const Tensor fused = relu_dropout(x, 0.3, true, fused_generator);
    (fused * upstream).sum().backward();
    const Tensor fused_grad = x.grad().clone();
    x.zero_grad();
    const Tensor composed = dropout(relu(x), 0.3, true, composed_generator);
    (composed * upstream).sum().backward();
    CHECK(fused.to_vector<float>() == composed.to_vector<float>());
    CHECK(fused_grad.to_vector<float>() == x.grad().to_vector<float>());
    CHECK(fused_generator.counter() == composed_generator.counter());
    // In evaluation it is relu.
    CHECK(relu_dropout(x, 0.3, false, fused_generator).to_vector<float>() == relu(x).to_vector<float>());
}

TEST_CASE("dropout_add is residual + dropout(x) to the bit, forward and backward", "[dropout]") {
    Generator data(6);
    const Tensor residual = normal({41, 33}, 0, 1, data).requires_grad_(), x = normal({41, 33}, 0, 1, data).requires_grad_();
    const Tensor upstream = normal({41, 33}, 0, 1, data);
    Generator fused_generator(12), composed_generator(12);
    const Tensor fused = dropout_add(residual, x, 0.2, true, fused_generator);
    (fused * upstream).sum().backward();
    const Tensor fused_dresidual = residual.grad().clone(), fused_dx = x.grad().clone();
    residual.zero_grad();
    x.zero_grad();
    const Tensor composed = residual + dropout(x, 0.2, true, composed_generator);
    (composed * upstream).sum().backward();
    CHECK(fused.to_vector<float>() == composed.to_vector<float>());
    CHECK(fused_dresidual.to_vector<float>() == residual.grad().to_vector<float>());
    CHECK(fused_dx.to_vector<float>() == x.grad().to_vector<float>());
    CHECK(fused_generator.counter() == composed_generator.counter());
    CHECK_THROWS_WITH(dropout_add(residual, zeros({2}), 0.2, true, fused_generator), Catch::Contains("dropout_add") && Catch::Contains("[41, 33]"));
}
