// Every error path names the op and the offending shapes or values; nothing crashes.
#include <catch2/catch.hpp>

#include "autograd/autograd.h"

using namespace tapegrad;
using Catch::Contains;

TEST_CASE("shape errors name the op and both shapes", "[errors]") {
    const Tensor a = zeros({2, 3}), b = zeros({4, 5});
    CHECK_THROWS_WITH(matmul(a, b), Contains("matmul: inner dimensions must match, got [2, 3] @ [4, 5]"));
    CHECK_THROWS_WITH(a + zeros({4}), Contains("add") && Contains("[2, 3]") && Contains("[4]"));
    CHECK_THROWS_WITH(a * zeros({3, 3}), Contains("mul") && Contains("cannot be broadcast"));
    CHECK_THROWS_WITH(reshape(a, {4, 2}), Contains("reshape") && Contains("[2, 3]") && Contains("[4, 2]"));
    CHECK_THROWS_WITH(reshape(a, {-1, -1}), Contains("only one size may be -1"));
    CHECK_THROWS_WITH(permute(a, {0, 0}), Contains("permute") && Contains("not a permutation"));
    CHECK_THROWS_WITH(transpose(a, 0, 2), Contains("transpose: axis 2 is out of range"));
    CHECK_THROWS_WITH(sum(a, {0, -2}), Contains("sum: axis listed twice"));
    CHECK_THROWS_WITH(expand(a, {2, 6}), Contains("expand") && Contains("[2, 6]"));
    CHECK_THROWS_WITH(narrow(a, 1, 2, 2), Contains("narrow") && Contains("[2, 4)"));
    CHECK_THROWS_WITH(select(a, 0, 5), Contains("select: index 5 is out of range"));
    CHECK_THROWS_WITH(concat({a, zeros({2, 3, 1})}, 0), Contains("concat"));
    CHECK_THROWS_WITH(stack({a, b}, 0), Contains("stack") && Contains("[4, 5]"));
    CHECK_THROWS_WITH(matmul(scalar_tensor(1), a), Contains("matmul: both operands need at least one dimension"));
    CHECK_THROWS_WITH(layer_norm(a, {2}, Tensor(), Tensor()), Contains("layer_norm") && Contains("trailing"));
    CHECK_THROWS_WITH(mse_loss(a, zeros({3, 2})), Contains("mse_loss") && Contains("[3, 2]"));
    CHECK_THROWS_WITH(masked_fill(a, zeros({2, 3, 1}, {.dtype = DType::Bool}), 0), Contains("masked_fill"));
}

TEST_CASE("index errors name the op and the bad index", "[errors]") {
    const Tensor weight = zeros({4, 2});
    CHECK_THROWS_WITH(embedding(weight, from_vector<int64_t>({1, 7}, {2})),
                      Contains("embedding: index 7 is out of range for size 4 (at position 1)"));
    CHECK_THROWS_WITH(embedding(weight, zeros({2})), Contains("embedding: indices must be int64, got float32"));
    CHECK_THROWS_WITH(index_select(weight, 0, from_vector<int64_t>({-1}, {1})), Contains("index_select: index -1"));
    CHECK_THROWS_WITH(gather(weight, 1, from_vector<int64_t>({2}, {1, 1})), Contains("gather: index 2 is out of range"));
    CHECK_THROWS_WITH(cross_entropy(zeros({2, 3}), from_vector<int64_t>({0, 3}, {2})),
                      Contains("cross_entropy: target 3 is out of range for 3 classes (at position 1)"));
    CHECK_THROWS_WITH(cross_entropy(zeros({2, 3}), from_vector<int64_t>({0}, {1})),
                      Contains("cross_entropy") && Contains("[2, 3]") && Contains("[1]"));
    CHECK_THROWS_WITH(cross_entropy(zeros({2, 3}), zeros({2})), Contains("int64"));
}

TEST_CASE("value errors name the op and the value", "[errors]") {
    Generator generator;
    CHECK_THROWS_WITH(dropout(zeros({2}), 1.5, true, generator), Contains("dropout: p must be in [0, 1], got 1.5"));
    CHECK_THROWS_WITH(clamp(zeros({2}), 1, 0), Contains("clamp: min 1 is greater than max 0"));
    CHECK_THROWS_WITH(cross_entropy(zeros({2, 3}), from_vector<int64_t>({0, 1}, {2}), {.label_smoothing = 1.0}),
                      Contains("label_smoothing"));
    CHECK_THROWS_WITH(exp(from_vector<int64_t>({1}, {1})), Contains("exp: expected a floating-point tensor, got int64"));
    CHECK_THROWS_WITH(zeros({2, 2}).item(), Contains("item") && Contains("[2, 2]"));
    CHECK_THROWS_WITH(zeros({2}).data<double>(), Contains("float32"));
    CHECK_THROWS_WITH(Tensor().shape(), Contains("undefined"));
    CHECK_THROWS_WITH(arange(0.0, 1.0, 0.0), Contains("arange"));
    CHECK_THROWS_WITH(normal({2}, 0, -1, generator), Contains("normal: std"));
    CHECK_THROWS_WITH(zeros({2}, {.dtype = DType::Bool}) + zeros({2}, {.dtype = DType::Bool}), Contains("add") && Contains("bool"));
    CHECK_THROWS_WITH(var(zeros({1}), {0}), Contains("var") && Contains("degrees of freedom"));
}

TEST_CASE("the fused ops name themselves and the shapes or dtypes at fault", "[errors]") {
    CHECK_THROWS_WITH(linear(zeros({2, 3}), zeros({4, 5})), Contains("linear") && Contains("[2, 3]") && Contains("[4, 5]"));
    CHECK_THROWS_WITH(linear(zeros({2, 3}), zeros({4, 3}), zeros({5})), Contains("linear: bias") && Contains("[5]"));
    CHECK_THROWS_WITH(linear(zeros({2, 3}), zeros({4, 3}, {.dtype = DType::Float64})), Contains("linear") && Contains("float64"));
    CHECK_THROWS_WITH(masked_softmax(zeros({2, 3}), zeros({4}, {.dtype = DType::Bool})),
                      Contains("masked_softmax") && Contains("[4]") && Contains("[2, 3]"));
    CHECK_THROWS_WITH(masked_softmax(zeros({2, 3}), zeros({3})), Contains("masked_softmax: mask must be bool"));
    CHECK_THROWS_WITH(layer_norm(zeros({2, 3}), {3}, zeros({3}, {.dtype = DType::Float64}), Tensor()),
                      Contains("layer_norm") && Contains("float64"));
}
