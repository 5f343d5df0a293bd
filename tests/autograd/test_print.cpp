// to_string / operator<< against the exact text PyTorch prints for the same tensors.
//
// Each expected string is repr(t) from /usr/bin/python3 (torch 1.13) for the Python line in the comment
// above it, with one adaptation: PyTorch writes "dtype=torch.float64", tapegrad writes "dtype=float64".
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <vector>

#include "autograd/tensor.h"

using namespace tapegrad;

namespace {

// 0, 1, ..., n-1 as T (torch.arange).
template <typename T> std::vector<T> iota(int64_t n) {
    std::vector<T> out(static_cast<std::size_t>(n));
    std::iota(out.begin(), out.end(), T(0));
    return out;
}

Tensor with_grad(Tensor t) {
    t.requires_grad_();
    return t;
}

}  // namespace

TEST_CASE("to_string prints floats like PyTorch", "[print]") {
    // torch.tensor([[1., 2.], [3., 4.]])  -- whole numbers print as "1." (PyTorch's int mode)
    CHECK(to_string(from_vector<float>({1, 2, 3, 4}, {2, 2})) == "tensor([[1., 2.],\n        [3., 4.]])");
    // torch.tensor([[1.5, -2.25], [3.125, 4.0]])
    CHECK(to_string(from_vector<float>({1.5f, -2.25f, 3.125f, 4.0f}, {2, 2})) ==
          "tensor([[ 1.5000, -2.2500],\n        [ 3.1250,  4.0000]])");
    // torch.tensor([0.1, 0.2], dtype=torch.float64)
    CHECK(to_string(from_vector<double>({0.1, 0.2}, {2})) == "tensor([0.1000, 0.2000], dtype=float64)");
    // torch.zeros(2)
    CHECK(to_string(from_vector<float>({0, 0}, {2})) == "tensor([0., 0.])");
    // torch.tensor([-0.0, 2.5])
    CHECK(to_string(from_vector<float>({-0.0f, 2.5f}, {2})) == "tensor([-0.0000, 2.5000])");
}

TEST_CASE("to_string prints 0-d tensors", "[print]") {
    // torch.tensor(3.5)
    CHECK(to_string(scalar_tensor(3.5)) == "tensor(3.5000)");
    // torch.tensor(3.)
    CHECK(to_string(scalar_tensor(3)) == "tensor(3.)");
    // torch.tensor(7)
    CHECK(to_string(scalar_tensor(7, {.dtype = DType::Int64})) == "tensor(7)");
    // torch.tensor(True)
    CHECK(to_string(scalar_tensor(1, {.dtype = DType::Bool})) == "tensor(True)");
    // torch.tensor(2.5, dtype=torch.float64, requires_grad=True)
    CHECK(to_string(with_grad(scalar_tensor(2.5, {.dtype = DType::Float64}))) ==
          "tensor(2.5000, dtype=float64, requires_grad=True)");
}

TEST_CASE("to_string prints ints and bools without a dtype", "[print]") {
    // torch.tensor([[1, -20], [300, 4]])
    CHECK(to_string(from_vector<int64_t>({1, -20, 300, 4}, {2, 2})) == "tensor([[  1, -20],\n        [300,   4]])");
    // torch.tensor([True, False, True])
    CHECK(to_string(from_vector<bool>({true, false, true}, {3})) == "tensor([ True, False,  True])");
    // torch.tensor([[True, False], [False, True]])
    CHECK(to_string(from_vector<bool>({true, false, false, true}, {2, 2})) ==
          "tensor([[ True, False],\n        [False,  True]])");
    // torch.arange(24).reshape(2, 3, 4)
    CHECK(to_string(from_vector<int64_t>(iota<int64_t>(24), {2, 3, 4})) ==
          "tensor([[[ 0,  1,  2,  3],\n         [ 4,  5,  6,  7],\n         [ 8,  9, 10, 11]],\n\n"
          "        [[12, 13, 14, 15],\n         [16, 17, 18, 19],\n         [20, 21, 22, 23]]])");
}

TEST_CASE("to_string appends requires_grad and wraps suffixes like PyTorch", "[print]") {
    // torch.tensor([1.5, 2.5], requires_grad=True)
    CHECK(to_string(with_grad(from_vector<float>({1.5f, 2.5f}, {2}))) ==
          "tensor([1.5000, 2.5000], requires_grad=True)");
    // torch.tensor([0.25, -1.0], dtype=torch.float64, requires_grad=True)
    CHECK(to_string(with_grad(from_vector<double>({0.25, -1.0}, {2}))) ==
          "tensor([ 0.2500, -1.0000], dtype=float64, requires_grad=True)");
    // torch.ones(3, 4, dtype=torch.float64, requires_grad=True) * 1234567.5  (then .detach().requires_grad_())
    CHECK(to_string(with_grad(from_vector<double>(std::vector<double>(12, 1234567.5), {3, 4}))) ==
          "tensor([[1234567.5000, 1234567.5000, 1234567.5000, 1234567.5000],\n"
          "        [1234567.5000, 1234567.5000, 1234567.5000, 1234567.5000],\n"
          "        [1234567.5000, 1234567.5000, 1234567.5000, 1234567.5000]],\n"
          "       dtype=float64, requires_grad=True)");
}

TEST_CASE("to_string switches to scientific notation when PyTorch does", "[print]") {
    // torch.tensor([1e-5, 1.0])
    CHECK(to_string(from_vector<float>({1e-5f, 1.0f}, {2})) == "tensor([1.0000e-05, 1.0000e+00])");
    // torch.tensor([1e9, 1.])
    CHECK(to_string(from_vector<float>({1e9f, 1.0f}, {2})) == "tensor([1.0000e+09, 1.0000e+00])");
    // torch.tensor([1., 10000.])
    CHECK(to_string(from_vector<float>({1.0f, 10000.0f}, {2})) == "tensor([1.0000e+00, 1.0000e+04])");
    // torch.tensor([123456.789, 0.5])
    CHECK(to_string(from_vector<float>({123456.789f, 0.5f}, {2})) == "tensor([1.2346e+05, 5.0000e-01])");
    // torch.tensor([1e-3, 0.5, -7.25])
    CHECK(to_string(from_vector<float>({1e-3f, 0.5f, -7.25f}, {3})) ==
          "tensor([ 1.0000e-03,  5.0000e-01, -7.2500e+00])");
}

TEST_CASE("to_string prints nan and inf like PyTorch", "[print]") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    // torch.tensor([float('nan'), 1.5, float('inf'), -float('inf')])
    CHECK(to_string(from_vector<float>({nan, 1.5f, inf, -inf}, {4})) == "tensor([   nan, 1.5000,    inf,   -inf])");
    // torch.tensor([0., float('nan')])
    CHECK(to_string(from_vector<float>({0, nan}, {2})) == "tensor([0., nan])");
    // torch.tensor([-float('nan'), 1.])
    CHECK(to_string(from_vector<float>({-nan, 1}, {2})) == "tensor([nan, 1.])");
}

TEST_CASE("to_string walks the strides of a non-contiguous view", "[print]") {
    // torch.arange(6.).reshape(2, 3).t()
    const Tensor base = from_vector<float>(iota<float>(6), {2, 3});
    auto impl = std::make_shared<TensorImpl>(base.impl());
    impl->shape = {3, 2};
    impl->strides = {1, 3};
    CHECK(to_string(Tensor(impl)) == "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])");
    // torch.arange(6.).reshape(2, 3)[:, 1]
    impl = std::make_shared<TensorImpl>(base.impl());
    impl->shape = {2};
    impl->strides = {3};
    impl->offset = 1;
    CHECK(to_string(Tensor(impl)) == "tensor([1., 4.])");
}

TEST_CASE("to_string wraps long rows at 80 columns", "[print]") {
    // torch.arange(30.) / 7
    std::vector<float> values = iota<float>(30);
    for (float& v : values) v /= 7.0f;
    CHECK(to_string(from_vector<float>(values, {30})) ==
          "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
          "        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n"
          "        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n"
          "        3.8571, 4.0000, 4.1429])");
}

TEST_CASE("to_string summarizes tensors with more than 1000 elements", "[print]") {
    // torch.arange(1001)
    CHECK(to_string(from_vector<int64_t>(iota<int64_t>(1001), {1001})) ==
          "tensor([   0,    1,    2,  ...,  998,  999, 1000])");
    // torch.arange(3000).reshape(3, 1000)
    CHECK(to_string(from_vector<int64_t>(iota<int64_t>(3000), {3, 1000})) ==
          "tensor([[   0,    1,    2,  ...,  997,  998,  999],\n"
          "        [1000, 1001, 1002,  ..., 1997, 1998, 1999],\n"
          "        [2000, 2001, 2002,  ..., 2997, 2998, 2999]])");
    // torch.arange(1200.).reshape(1200, 1)
    CHECK(to_string(from_vector<float>(iota<float>(1200), {1200, 1})) ==
          "tensor([[0.0000e+00],\n        [1.0000e+00],\n        [2.0000e+00],\n        ...,\n"
          "        [1.1970e+03],\n        [1.1980e+03],\n        [1.1990e+03]])");
    // torch.arange(2000.).reshape(40, 50)
    CHECK(to_string(from_vector<float>(iota<float>(2000), {40, 50})) ==
          "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n"
          "         4.9000e+01],\n"
          "        [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,\n"
          "         9.9000e+01],\n"
          "        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,\n"
          "         1.4900e+02],\n"
          "        ...,\n"
          "        [1.8500e+03, 1.8510e+03, 1.8520e+03,  ..., 1.8970e+03, 1.8980e+03,\n"
          "         1.8990e+03],\n"
          "        [1.9000e+03, 1.9010e+03, 1.9020e+03,  ..., 1.9470e+03, 1.9480e+03,\n"
          "         1.9490e+03],\n"
          "        [1.9500e+03, 1.9510e+03, 1.9520e+03,  ..., 1.9970e+03, 1.9980e+03,\n"
          "         1.9990e+03]])");
}

TEST_CASE("to_string summarizes a 3-d tensor with blank lines between blocks", "[print]") {
    // torch.arange(2 * 12 * 50.).reshape(2, 12, 50) / 3
    std::vector<float> values = iota<float>(2 * 12 * 50);
    for (float& v : values) v /= 3.0f;
    CHECK(to_string(from_vector<float>(values, {2, 12, 50})) ==
          "tensor([[[0.0000e+00, 3.3333e-01, 6.6667e-01,  ..., 1.5667e+01,\n"
          "          1.6000e+01, 1.6333e+01],\n"
          "         [1.6667e+01, 1.7000e+01, 1.7333e+01,  ..., 3.2333e+01,\n"
          "          3.2667e+01, 3.3000e+01],\n"
          "         [3.3333e+01, 3.3667e+01, 3.4000e+01,  ..., 4.9000e+01,\n"
          "          4.9333e+01, 4.9667e+01],\n"
          "         ...,\n"
          "         [1.5000e+02, 1.5033e+02, 1.5067e+02,  ..., 1.6567e+02,\n"
          "          1.6600e+02, 1.6633e+02],\n"
          "         [1.6667e+02, 1.6700e+02, 1.6733e+02,  ..., 1.8233e+02,\n"
          "          1.8267e+02, 1.8300e+02],\n"
          "         [1.8333e+02, 1.8367e+02, 1.8400e+02,  ..., 1.9900e+02,\n"
          "          1.9933e+02, 1.9967e+02]],\n"
          "\n"
          "        [[2.0000e+02, 2.0033e+02, 2.0067e+02,  ..., 2.1567e+02,\n"
          "          2.1600e+02, 2.1633e+02],\n"
          "         [2.1667e+02, 2.1700e+02, 2.1733e+02,  ..., 2.3233e+02,\n"
          "          2.3267e+02, 2.3300e+02],\n"
          "         [2.3333e+02, 2.3367e+02, 2.3400e+02,  ..., 2.4900e+02,\n"
          "          2.4933e+02, 2.4967e+02],\n"
          "         ...,\n"
          "         [3.5000e+02, 3.5033e+02, 3.5067e+02,  ..., 3.6567e+02,\n"
          "          3.6600e+02, 3.6633e+02],\n"
          "         [3.6667e+02, 3.6700e+02, 3.6733e+02,  ..., 3.8233e+02,\n"
          "          3.8267e+02, 3.8300e+02],\n"
          "         [3.8333e+02, 3.8367e+02, 3.8400e+02,  ..., 3.9900e+02,\n"
          "          3.9933e+02, 3.9967e+02]]])");
}

TEST_CASE("to_string prints empty and undefined tensors", "[print]") {
    // torch.tensor([])
    CHECK(to_string(empty({0})) == "tensor([])");
    // torch.empty(0, 3)
    CHECK(to_string(empty({0, 3})) == "tensor([], size=(0, 3))");
    // torch.tensor([], dtype=torch.int64)
    CHECK(to_string(empty({0}, {.dtype = DType::Int64})) == "tensor([], dtype=int64)");
    // torch.tensor([], dtype=torch.float64)
    CHECK(to_string(empty({0}, {.dtype = DType::Float64})) == "tensor([], dtype=float64)");
    // torch.zeros(2, 0, dtype=torch.bool)
    CHECK(to_string(empty({2, 0}, {.dtype = DType::Bool})) == "tensor([], size=(2, 0), dtype=bool)");
    CHECK(to_string(Tensor()) == "tensor(undefined)");
}

TEST_CASE("operator<< and fmt print the same text as to_string", "[print]") {
    const Tensor t = from_vector<int64_t>({1, 2}, {2});
    std::ostringstream stream;
    stream << t;
    CHECK(stream.str() == "tensor([1, 2])");
    CHECK(fmt::format("x = {}", t) == "x = tensor([1, 2])");
}
