// Tensor basics: creation, dtypes, views sharing storage, the contiguity rule, copies.
#include <catch2/catch.hpp>

#include "autograd/autograd.h"

using namespace tapegrad;

TEST_CASE("tensors are created from nested lists, buffers and fills", "[tensor]") {
    const Tensor t = tensor({{1, 2, 3}, {4, 5, 6}});
    CHECK(t.shape() == Shape{2, 3});
    CHECK(t.dtype() == DType::Float32);
    CHECK(t.to_vector<double>() == std::vector<double>{1, 2, 3, 4, 5, 6});
    CHECK(from_vector<int64_t>({7, 8}, {2}).dtype() == DType::Int64);
    CHECK(zeros({2, 2}).to_vector<double>() == std::vector<double>(4, 0));
    CHECK(ones({3}, {.dtype = DType::Float64}).to_vector<double>() == std::vector<double>(3, 1));
    CHECK(full({2}, 2.5).to_vector<double>() == std::vector<double>{2.5, 2.5});
    CHECK(arange(5).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2, 3, 4});
    CHECK(arange(1.0, 2.0, 0.25).to_vector<double>() == std::vector<double>{1, 1.25, 1.5, 1.75});
    CHECK(linspace(0, 1, 5).to_vector<double>() == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
    CHECK(eye(2).to_vector<double>() == std::vector<double>{1, 0, 0, 1});
    CHECK(scalar_tensor(3).dim() == 0);
    CHECK(scalar_tensor(3).item() == 3);
    CHECK_THROWS_WITH(tensor({{1, 2}, {3}}), Catch::Contains("ragged"));
    CHECK_THROWS_WITH(from_vector<double>({1, 2, 3}, {2, 2}), Catch::Contains("3 values") && Catch::Contains("[2, 2]"));
    CHECK_THROWS_WITH(zeros({2, -1}), Catch::Contains("negative size"));
    CHECK_THROWS_WITH(zeros({2}, {.dtype = DType::Int64, .requires_grad = true}), Catch::Contains("floating"));
}

TEST_CASE("zeros_like, ones_like and full_like take the shape and dtype, never requires_grad or strides", "[tensor]") {
    const Tensor like = tensor({{1, 2, 3}, {4, 5, 6}}, {.dtype = DType::Float64, .requires_grad = true}).transpose(0, 1);
    for (const Tensor& made : {zeros_like(like), ones_like(like), full_like(like, -2.5)}) {
        CHECK(made.shape() == Shape{3, 2});
        CHECK(made.dtype() == DType::Float64);
        CHECK(!made.requires_grad());
        CHECK(made.is_contiguous());
    }
    CHECK(zeros_like(like).to_vector<double>() == std::vector<double>(6, 0));
    CHECK(ones_like(like).to_vector<double>() == std::vector<double>(6, 1));
    CHECK(full_like(like, -2.5).to_vector<double>() == std::vector<double>(6, -2.5));
    const Tensor ids = full_like(arange(4), 7);
    CHECK(ids.dtype() == DType::Int64);
    CHECK(ids.to_vector<int64_t>() == std::vector<int64_t>(4, 7));
}

TEST_CASE("views share storage and re-index it without copying", "[tensor][views]") {
    const Tensor base = arange(0.0, 12.0, 1.0).reshape({3, 4});
    const Tensor t = transpose(base, 0, 1);
    CHECK(t.shape() == Shape{4, 3});
    CHECK_FALSE(t.is_contiguous());
    CHECK(t.impl().storage == base.impl().storage);
    CHECK(t.to_vector<double>() == std::vector<double>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
    const Tensor row = select(base, 0, 1);
    CHECK(row.impl().storage == base.impl().storage);
    CHECK(row.to_vector<double>() == std::vector<double>{4, 5, 6, 7});
    const Tensor column = slice(base, 1, 1, 4, 2);
    CHECK(column.to_vector<double>() == std::vector<double>{1, 3, 5, 7, 9, 11});
    const Tensor wide = expand(tensor({{1}, {2}}), {2, 3});
    CHECK(wide.strides()[1] == 0);
    CHECK(wide.to_vector<double>() == std::vector<double>{1, 1, 1, 2, 2, 2});
    // Writing through a view changes the base: they are one array.
    row.fill_(-1);
    CHECK(base.to_vector<double>()[5] == -1);
}

TEST_CASE("contiguous() returns the tensor itself when already contiguous, else a packed copy", "[tensor][views]") {
    const Tensor base = zeros({2, 3});
    CHECK(base.contiguous().is_same(base));
    const Tensor t = transpose(base, 0, 1);
    const Tensor packed = t.contiguous();
    CHECK(packed.is_contiguous());
    CHECK(packed.impl().storage != base.impl().storage);
    // reshape is a view of contiguous data and a copy otherwise.
    CHECK(base.reshape({3, 2}).impl().storage == base.impl().storage);
    CHECK(t.reshape({6}).impl().storage != base.impl().storage);
    CHECK_THROWS_WITH(view(t, {6}), Catch::Contains("view") && Catch::Contains("not contiguous"));
}

TEST_CASE("is_dense: contiguous tensors and permutations of them, not slices or broadcasts", "[tensor][views]") {
    const Tensor x = zeros({2, 3, 4, 5});
    CHECK(x.is_dense());
    CHECK(x.memory_order() == std::vector<int64_t>{0, 1, 2, 3});
    const Tensor heads = x.transpose(1, 2);  // (2, 4, 3, 5) over (2, 3, 4, 5) memory
    CHECK(!heads.is_contiguous());
    CHECK(heads.is_dense());
    CHECK(heads.memory_order() == std::vector<int64_t>{0, 2, 1, 3});
    CHECK(x.permute({3, 2, 1, 0}).is_dense());
    CHECK(!slice(x, 3, 0, 2).is_dense());         // gaps between rows
    CHECK(!slice(x, 3, 0, 5, 2).is_dense());      // a step
    CHECK(!zeros({1, 5}).expand({4, 5}).is_dense());  // overlaps: every row is the same memory
    CHECK(zeros({3, 1, 4}).transpose(0, 1).is_dense());  // size-1 axes may have any stride
}

TEST_CASE("clone, to and detach", "[tensor]") {
    const Tensor x = tensor({1.5, 2.5}, {.requires_grad = true});
    const Tensor c = x.clone();
    CHECK(c.impl().storage != x.impl().storage);
    CHECK(c.requires_grad());
    CHECK_FALSE(c.is_leaf());
    const Tensor d = x.detach();
    CHECK(d.impl().storage == x.impl().storage);
    CHECK_FALSE(d.requires_grad());
    CHECK(x.to(DType::Int64).to_vector<int64_t>() == std::vector<int64_t>{1, 2});
    const Tensor wide = x.to(DType::Float64);
    (wide * wide).sum().backward();
    CHECK(x.grad().dtype() == DType::Float32);
    CHECK(x.grad().to_vector<double>() == std::vector<double>{3.0, 5.0});
}

TEST_CASE("type promotion and masks", "[tensor]") {
    const Tensor i = from_vector<int64_t>({1, 2, 3}, {3});
    const Tensor f = tensor({0.5, 0.5, 0.5});
    CHECK((i + f).dtype() == DType::Float32);
    CHECK((f.to(DType::Float64) + f).dtype() == DType::Float64);
    CHECK((i * 2.0).dtype() == DType::Int64);
    CHECK((i * 2.5).dtype() == DType::Float32);
    const Tensor mask = gt(i, 1.0);
    CHECK(mask.dtype() == DType::Bool);
    CHECK(mask.to_vector<int>() == std::vector<int>{0, 1, 1});
    CHECK(logical_not(mask).to_vector<int>() == std::vector<int>{1, 0, 0});
    CHECK(logical_and(mask, eq(i, 2.0)).to_vector<int>() == std::vector<int>{0, 1, 0});
    CHECK(where(mask, f, scalar_like(9, f)).to_vector<double>() == std::vector<double>{9, 0.5, 0.5});
}

TEST_CASE("reductions return values and indices", "[tensor][reduce]") {
    const Tensor x = tensor({{3, 1, 4}, {1, 5, 9}});
    const auto [values, indices] = max(x, 1);
    CHECK(values.to_vector<double>() == std::vector<double>{4, 9});
    CHECK(indices.to_vector<int64_t>() == std::vector<int64_t>{2, 2});
    CHECK(argmax(x, 0).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 1});
    CHECK(min(x).item() == 1);
    CHECK(sum(x, {-1}, true).shape() == Shape{2, 1});
    CHECK(mean(x).item() == Approx(23.0 / 6));
    CHECK(var(tensor({1.0, 2.0, 3.0, 4.0})).item() == Approx(5.0 / 3));
    const Tensor big = full({3}, 1000.0);
    CHECK(logsumexp(big, {0}).item() == Approx(1000 + std::log(3.0)));
    CHECK(logsumexp(full({2}, -INFINITY), {0}).item() == -INFINITY);
}

TEST_CASE("softmax never overflows and a fully masked row gives zeros, not NaN", "[tensor][softmax]") {
    const Tensor x = tensor({{1000.0, 1000.0}, {-INFINITY, -INFINITY}}, {.requires_grad = true});
    const Tensor s = softmax(x, -1);
    CHECK(s.to_vector<double>() == std::vector<double>{0.5, 0.5, 0, 0});
    (s * tensor({{1.0, 2.0}, {3.0, 4.0}})).sum().backward();
    for (double g : x.grad().to_vector<double>()) CHECK(std::isfinite(g));
    CHECK(x.grad().to_vector<double>()[2] == 0);
}

TEST_CASE("cross_entropy with every target ignored is 0 with zero gradient", "[tensor][loss]") {
    const Tensor logits = tensor({{1.0, 2.0}, {0.5, 0.1}}, {.requires_grad = true});
    const Tensor loss = cross_entropy(logits, from_vector<int64_t>({-100, -100}, {2}));
    CHECK(loss.item() == 0);
    loss.backward();
    CHECK(logits.grad().to_vector<double>() == std::vector<double>(4, 0));
}

TEST_CASE("embedding rows at padding_idx get no gradient — repeated ids add up", "[tensor][embedding]") {
    const Tensor weight = tensor({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}, {.requires_grad = true});
    const Tensor out = embedding(weight, from_vector<int64_t>({2, 0, 2, 1}, {2, 2}), 0);
    CHECK(out.shape() == Shape{2, 2, 2});
    CHECK(out.to_vector<double>() == std::vector<double>{5, 6, 1, 2, 5, 6, 3, 4});
    out.sum().backward();
    CHECK(weight.grad().to_vector<double>() == std::vector<double>{0, 0, 1, 1, 2, 2});
}

TEST_CASE("matmul computes products with NumPy shape semantics", "[tensor][matmul]") {
    const Tensor a = tensor({{1, 2}, {3, 4}});
    const Tensor b = tensor({{5, 6}, {7, 8}});
    CHECK(matmul(a, b).to_vector<double>() == std::vector<double>{19, 22, 43, 50});
    CHECK(matmul(tensor({1, 1}), b).shape() == Shape{2});
    CHECK(matmul(zeros({5, 1, 2, 3}), zeros({4, 3, 7})).shape() == Shape{5, 4, 2, 7});
    // A product large enough to run on several threads and through every cache block.
    Generator generator(1);
    const Tensor x = normal({70, 300}, 0, 1, generator, {.dtype = DType::Float64});
    const Tensor y = normal({300, 530}, 0, 1, generator, {.dtype = DType::Float64});
    const auto fast = matmul(x, y).to_vector<double>();
    const auto xs = x.to_vector<double>(), ys = y.to_vector<double>();
    for (int64_t i : {0, 33, 69})
        for (int64_t j : {0, 128, 511, 529}) {
            double expected = 0;
            for (int64_t k = 0; k < 300; ++k) expected += xs[i * 300 + k] * ys[k * 530 + j];
            CHECK(fast[i * 530 + j] == Approx(expected).epsilon(1e-12));
        }
}
