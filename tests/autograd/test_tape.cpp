// The tape: recording, the reverse walk, accumulation, retain_graph, errors, NoGradGuard, threads,
// anomaly mode, gradcheck's blame and the inspector.
#include <catch2/catch.hpp>
#include <thread>

#include "autograd/autograd.h"
#include "autograd/loops/copy.h"

using namespace tapegrad;

namespace {

// A user-written op with a deliberately wrong backward (3x instead of 2x), for gradcheck's blame.
Tensor broken_square(const Tensor& x) {
    Tensor out;
    {
        NoGradGuard no_grad;
        out = x * x;
    }
    record("broken_square", {x}, out, [x](const Tensor& dout) { accumulate_grad(x, dout * x * 3.0); });
    return out;
}

Tensor float64(std::initializer_list<double> values) {
    return from_vector(std::vector<double>(values), {static_cast<int64_t>(values.size())},
                       {.dtype = DType::Float64, .requires_grad = true});
}

}  // namespace

TEST_CASE("the tape records ops in execution order and only when an input requires grad", "[tape]") {
    Tape::current().clear();
    const Tensor x = float64({1, 2});
    const Tensor constant = ones({2}, {.dtype = DType::Float64});
    const Tensor c2 = constant * 2.0;  // nothing requires grad: not recorded
    CHECK(Tape::current().size() == 0);
    CHECK_FALSE(c2.requires_grad());
    const Tensor y = exp(x * c2);
    const Tensor z = sum(y);
    REQUIRE(Tape::current().size() == 3);
    CHECK(std::string(Tape::current().entries()[0].op) == "mul");
    CHECK(std::string(Tape::current().entries()[1].op) == "exp");
    CHECK(std::string(Tape::current().entries()[2].op) == "sum");
    CHECK(x.is_leaf());
    CHECK_FALSE(y.is_leaf());
    z.backward();
    CHECK(Tape::current().size() == 0);  // freed after backward
    CHECK(x.grad().to_vector<double>()[0] == Approx(2 * std::exp(2.0)));
    CHECK_FALSE(y.grad().defined());  // intermediate gradients are not kept
}

TEST_CASE("gradients accumulate across backward calls until zero_grad", "[tape]") {
    const Tensor x = float64({3});
    (x * x).sum().backward();
    (x * x).sum().backward();
    CHECK(x.grad().item() == 12);
    x.zero_grad();
    CHECK_FALSE(x.grad().defined());
    (x * 2.0).sum().backward();
    CHECK(x.grad().item() == 2);
}

TEST_CASE("retain_graph allows a second backward — without it the freed tape is an error", "[tape]") {
    const Tensor x = float64({1, 2});
    const Tensor loss = (x * x).sum();
    loss.backward({}, true);
    loss.backward();
    CHECK(x.grad().to_vector<double>() == std::vector<double>{4, 8});
    CHECK_THROWS_WITH(loss.backward(), Catch::Contains("backward") && Catch::Contains("freed"));
}

TEST_CASE("backward errors name the problem", "[tape][errors]") {
    const Tensor x = float64({1, 2});
    CHECK_THROWS_WITH((x * 2.0).backward(), Catch::Contains("non-scalar") && Catch::Contains("[2]"));
    CHECK_THROWS_WITH(ones({1}).backward(), Catch::Contains("does not require grad"));
    CHECK_THROWS_WITH((x * 2.0).backward(ones({3}, {.dtype = DType::Float64})),
                      Catch::Contains("[3]") && Catch::Contains("[2]"));
    CHECK_THROWS_WITH((x * 2.0).requires_grad_(false), Catch::Contains("leaf"));
    // An explicit output gradient weights each output.
    (x * 2.0).backward(from_vector<double>({1, 10}, {2}));
    CHECK(x.grad().to_vector<double>() == std::vector<double>{2, 20});
}

TEST_CASE("retain_grad keeps an intermediate's gradient — detach cuts the tape", "[tape]") {
    const Tensor x = float64({2});
    const Tensor y = x * 3.0;
    y.retain_grad();
    const Tensor z = y * y + y.detach() * x;
    z.sum().backward();
    CHECK(y.grad().item() == 12);  // dz/dy = 2y (the detached copy contributes nothing)
    CHECK(x.grad().item() == 3 * 12 + 6);
}

TEST_CASE("an intermediate's gradient keeps the intermediate's own layout, or is made contiguous", "[tape]") {
    const Tensor x = arange(24.0).reshape({2, 3, 4}).to(DType::Float64).requires_grad_();
    // An op whose backward hands `heads` a gradient in `heads`' own memory order (as fused_attention
    // does for heads split out of (B, T, H, D)), or in another layout.
    for (const bool same_layout : {true, false}) {
        const Tensor heads = (x * 2.0).transpose(0, 1);  // (3, 2, 4), dense but not contiguous
        heads.retain_grad();
        Tensor out;
        {
            NoGradGuard no_grad;
            out = heads * 1.0;
        }
        record("laid_out", {heads}, out, [heads, same_layout](const Tensor& dout) {
            const Tensor upstream = dout.contiguous();
            accumulate_grad(heads, same_layout ? upstream.transpose(0, 1).contiguous().transpose(0, 1)
                                               : upstream.transpose(0, 2).contiguous().transpose(0, 2));
        });
        (out * arange(24.0).reshape({3, 2, 4}).to(DType::Float64)).sum().backward();
        INFO("same layout: " << same_layout);
        CHECK(heads.grad().is_dense());
        CHECK((heads.grad().strides() == heads.strides()) == same_layout);  // kept as it came, not copied
        CHECK(heads.grad().is_contiguous() == !same_layout);
        CHECK(heads.grad().to_vector<double>() == arange(24.0).reshape({3, 2, 4}).to_vector<double>());
        CHECK(x.grad().to_vector<double>() ==
              (arange(24.0).reshape({3, 2, 4}).transpose(0, 1) * 2.0).contiguous().to_vector<double>());
        x.zero_grad();
    }
}

TEST_CASE("accumulate_grad_into writes into the gradient itself when it may, and equals accumulate_grad", "[tape]") {
    // An op y = 3x whose backward writes its contribution itself, as linear's GEMMs do.
    auto triple = [](const Tensor& x) {
        Tensor out;
        {
            NoGradGuard no_grad;
            out = x * 3.0;
        }
        record("triple", {x}, out, [x](const Tensor& dout) {
            accumulate_grad_into(x, [&](const Tensor& buffer, bool accumulate) {
                const Tensor contribution = dout * 3.0;
                loops::copy_into(buffer, accumulate ? buffer + contribution : contribution);
            });
        });
        return out;
    };
    const Tensor w = float64({1, 2, 3});
    triple(w).sum().backward();
    const double* first = w.grad().data<double>();
    CHECK(w.grad().to_vector<double>() == std::vector<double>{3, 3, 3});
    triple(w * 2.0).sum().backward();  // a leaf's gradient accumulates in its own buffer
    CHECK(w.grad().data<double>() == first);
    CHECK(w.grad().to_vector<double>() == std::vector<double>{9, 9, 9});

    // An intermediate used twice: the second contribution adds into the first's buffer.
    w.zero_grad();
    const Tensor y = w * 1.0;
    y.retain_grad();
    (triple(y) + triple(y)).sum().backward();
    CHECK(y.grad().to_vector<double>() == std::vector<double>{6, 6, 6});
    CHECK(w.grad().to_vector<double>() == std::vector<double>{6, 6, 6});
    {
        AnomalyGuard anomaly;  // anomaly mode checks every contribution, so it takes the general path
        const Tensor v = float64({1, 2});
        triple(v).sum().backward();
        CHECK(v.grad().to_vector<double>() == std::vector<double>{3, 3});
    }
}

TEST_CASE("NoGradGuard records nothing and its results do not require grad", "[tape]") {
    Tape::current().clear();
    const Tensor x = float64({1});
    {
        NoGradGuard no_grad;
        CHECK_FALSE(is_grad_enabled());
        const Tensor y = exp(x) * x;
        CHECK_FALSE(y.requires_grad());
        CHECK(Tape::current().size() == 0);
    }
    CHECK(is_grad_enabled());
}

TEST_CASE("each thread records on its own tape", "[tape][threads]") {
    Tape::current().clear();
    const Tensor x = float64({1, 2});
    const Tensor y = x * x;
    std::size_t other_size = 99;
    std::string other_error;
    std::thread worker([&] {
        const Tensor a = float64({5});
        const Tensor b = exp(a);
        other_size = Tape::current().size();
        b.sum().backward();
        try {
            y.sum().backward();  // y lives on the main thread's tape
        } catch (const std::exception& e) {
            other_error = e.what();
        }
    });
    worker.join();
    CHECK(other_size == 1);
    CHECK(Tape::current().size() == 1);
    CHECK(other_error.find("freed") != std::string::npos);
}

TEST_CASE("anomaly mode names the first op that makes NaN or Inf", "[tape][anomaly]") {
    const Tensor x = float64({-1, 1});
    CHECK_NOTHROW(log(x));  // off by default: NaN flows silently, as in PyTorch
    {
        AnomalyGuard anomaly;
        CHECK_THROWS_WITH(log(x), Catch::Contains("anomaly") && Catch::Contains("'log'") && Catch::Contains("[2]"));
        // Intended infinities are not anomalies: an attention mask filled with -inf, and what it passes on.
        const Tensor scores = float64({0.5, 1.5});
        const Tensor masked = masked_fill(scores, from_vector<int64_t>({0, 1}, {2}, {.dtype = DType::Bool}), -INFINITY);
        CHECK_NOTHROW(softmax(masked + 1.0, 0));
        CHECK_THROWS_WITH(exp(scores * 1000.0), Catch::Contains("forward of 'exp'"));  // overflow from finite inputs
        const Tensor zero = float64({0});
        const Tensor y = sqrt(zero);  // finite forward, infinite gradient
        CHECK_THROWS_WITH(y.sum().backward(), Catch::Contains("backward of 'sqrt'"));
    }
    Tape::current().clear();
}

TEST_CASE("gradcheck passes correct ops and blames the op whose backward is wrong", "[gradcheck]") {
    const Tensor x = float64({0.3, -0.7, 1.1});
    const Tensor w = float64({0.5, 0.25, -1.5});
    const GradcheckReport good =
        gradcheck([](const std::vector<Tensor>& in) { return exp(tanh(in[0]) * in[1]).sum(); }, {x, w});
    CHECK(good.passed);
    CHECK(good.message.empty());

    const GradcheckReport bad = gradcheck(
        [](const std::vector<Tensor>& in) { return exp(broken_square(tanh(in[0])) * in[1]).sum(); }, {x, w});
    CHECK_FALSE(bad.passed);
    CHECK(bad.input_index == 0);
    CHECK(bad.analytic != Approx(bad.numeric));
    CHECK_THAT(bad.message, Catch::Contains("input 0") && Catch::Contains("analytic"));
    CHECK(bad.blamed_op == "broken_square");
    CHECK(bad.blamed_entry == 1);  // after tanh
    CHECK_THAT(bad.message, Catch::Contains("broken_square"));
}

TEST_CASE("gradcheck rejects misuse with a clear message", "[gradcheck][errors]") {
    const Tensor single = tensor({1.0}, {.requires_grad = true});
    auto identity = [](const std::vector<Tensor>& in) { return in[0] * 1.0; };
    CHECK_THROWS_WITH(gradcheck(identity, {single}), Catch::Contains("float64"));
    CHECK_THROWS_WITH(gradcheck(identity, {ones({1}, {.dtype = DType::Float64})}), Catch::Contains("no input requires grad"));
}

TEST_CASE("the tape inspector prints entries and draws a DOT graph", "[tape][inspect]") {
    Tape::current().clear();
    const Tensor x = float64({1, 2, 3});
    const Tensor w = float64({4, 5, 6});
    const Tensor loss = tanh(x * w).sum();
    const std::string table = format_tape(Tape::current(), {{x, "x"}, {w, "w"}});
    CHECK_THAT(table, Catch::Contains("3 entries") && Catch::Contains("mul") && Catch::Contains("x [3]") &&
                          Catch::Contains("tanh") && Catch::Contains("sum"));
    const std::string dot = tape_to_dot(Tape::current(), {{x, "x"}, {w, "w"}});
    CHECK_THAT(dot, Catch::StartsWith("digraph tape {") && Catch::Contains("\"x\" -> \"op0\"") &&
                        Catch::Contains("\"op0\" -> \"t0\"") && Catch::Contains("#2 sum"));
    loss.backward();
}
