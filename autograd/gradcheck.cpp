// gradcheck: analytic gradients against central finite differences, and blame for the first bad op.
#include "autograd/gradcheck.h"

#include <cmath>
#include <stdexcept>

#include "autograd/autocast.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/reduce.h"
#include "autograd/random.h"
#include "autograd/tape.h"

namespace tapegrad {
namespace {

// Leaves we own: contiguous float64 copies of the user's inputs, so perturbing them in place is safe.
std::vector<Tensor> working_copies(const std::vector<Tensor>& inputs) {
    std::vector<Tensor> copies;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const Tensor& input = inputs[i];
        if (!input.defined()) throw std::invalid_argument(fmt::format("gradcheck: input {} is undefined", i));
        if (input.requires_grad() && input.dtype() != DType::Float64)
            throw std::invalid_argument(fmt::format(
                "gradcheck: input {} is {}; finite differences need float64 inputs", i, dtype_name(input.dtype())));
        Tensor copy = input.detach().clone();
        copy.requires_grad_(input.requires_grad());
        copies.push_back(copy);
    }
    return copies;
}

double dot(const Tensor& a, const Tensor& b) {
    NoGradGuard no_grad;
    return sum(a.to(DType::Float64) * b.to(DType::Float64)).item();
}

// L(x) = Σ f(x) ⊙ w, evaluated without recording.
double projected(const GradcheckFunction& function, const std::vector<Tensor>& inputs, const Tensor& weights) {
    NoGradGuard no_grad;
    return dot(function(inputs), weights);
}

// Runs the function recording a fresh tape and returns clones of every entry's inputs and outputs.
struct TapeValues {
    std::vector<std::vector<Tensor>> inputs;
    std::vector<Tensor> outputs;
};
TapeValues record_values(const GradcheckFunction& function, const std::vector<Tensor>& inputs) {
    Tape& tape = Tape::current();
    tape.clear();
    function(inputs);
    TapeValues values;
    NoGradGuard no_grad;
    for (const TapeEntry& entry : tape.entries()) {
        std::vector<Tensor> entry_inputs;
        for (const Tensor& in : entry.inputs) entry_inputs.push_back(in.defined() ? in.detach().clone() : Tensor());
        values.inputs.push_back(entry_inputs);
        values.outputs.push_back(entry.output.detach().clone());
    }
    tape.clear();
    return values;
}

void blame(const GradcheckFunction& function, const std::vector<Tensor>& inputs, const GradcheckOptions& options,
           GradcheckReport& report) {
    Generator generator(options.seed + 1);
    std::vector<Tensor> direction, plus = working_copies(inputs), minus = working_copies(inputs);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!inputs[i].requires_grad()) continue;
        const Tensor d = normal(inputs[i].shape(), 0, 1, generator, {.dtype = DType::Float64});
        plus[i].copy_(plus[i].detach() + d * options.eps);
        minus[i].copy_(minus[i].detach() - d * options.eps);
    }
    const TapeValues at_plus = record_values(function, plus);
    const TapeValues at_minus = record_values(function, minus);

    Tape& tape = Tape::current();
    tape.clear();
    function(working_copies(inputs));
    const std::vector<TapeEntry>& entries = tape.entries();
    if (entries.size() != at_plus.outputs.size() || entries.size() != at_minus.outputs.size()) {
        report.message += "\nblame: the tape differs between runs (control flow depends on values); no op blamed";
        tape.clear();
        return;
    }
    NoGradGuard no_grad;
    for (std::size_t k = 0; k < entries.size(); ++k) {
        const TapeEntry& entry = entries[k];
        if (!is_floating(entry.output.dtype())) continue;
        const Tensor r = normal(entry.output.shape(), 0, 1, generator, {.dtype = DType::Float64}).to(entry.output.dtype());
        const double lhs = dot(r, (at_plus.outputs[k] - at_minus.outputs[k]) / (2 * options.eps));
        // Apply this entry's backward alone, with each input's grad slot emptied first and restored after.
        std::vector<std::shared_ptr<TensorImpl>> saved;
        for (const Tensor& in : entry.inputs) saved.push_back(in.defined() ? in.impl().grad : nullptr);
        for (const Tensor& in : entry.inputs)
            if (in.defined()) in.impl().grad.reset();
        entry.backward(r);
        double rhs = 0;
        std::vector<const TensorImpl*> counted;
        for (std::size_t j = 0; j < entry.inputs.size(); ++j) {
            const Tensor& in = entry.inputs[j];
            if (!in.defined() || !in.requires_grad() || !in.impl().grad) continue;
            if (std::find(counted.begin(), counted.end(), &in.impl()) != counted.end()) continue;  // x * x
            counted.push_back(&in.impl());
            rhs += dot(Tensor(in.impl().grad), (at_plus.inputs[k][j] - at_minus.inputs[k][j]) / (2 * options.eps));
        }
        for (std::size_t j = 0; j < entry.inputs.size(); ++j)
            if (entry.inputs[j].defined()) entry.inputs[j].impl().grad = saved[j];
        if (std::abs(lhs - rhs) > options.atol + options.rtol * std::max(std::abs(lhs), std::abs(rhs))) {
            report.blamed_entry = static_cast<int64_t>(k);
            report.blamed_op = entry.op;
            std::string shapes;
            for (const Tensor& in : entry.inputs)
                if (in.defined()) shapes += (shapes.empty() ? "" : ", ") + shape_string(in.shape());
            report.message += fmt::format(
                "\nblame: tape entry #{} '{}' (inputs {}) disagrees with its finite differences: "
                "backward gives {:.6g}, finite differences {:.6g}",
                k, entry.op, shapes, rhs, lhs);
            break;
        }
    }
    tape.clear();
}

}  // namespace

GradcheckReport gradcheck(const GradcheckFunction& function, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options) {
    // Finite differences need every product exact: a caller's autocast scope does not reach in here.
    AutocastGuard autocast_off(DType::BFloat16, /*enabled=*/false);
    std::vector<Tensor> leaves = working_copies(inputs);
    bool any = false;
    for (const Tensor& leaf : leaves) any = any || leaf.requires_grad();
    if (!any) throw std::invalid_argument("gradcheck: no input requires grad, so there is nothing to check");

    Tape::current().clear();
    const Tensor output = function(leaves);
    if (!output.defined() || output.dtype() != DType::Float64)
        throw std::invalid_argument("gradcheck: the function must return a float64 tensor");
    Generator generator(options.seed);
    const Tensor weights = normal(output.shape(), 0, 1, generator, {.dtype = DType::Float64});
    GradcheckReport report;
    if (output.requires_grad()) {
        sum(output * weights).backward();
    }

    double worst_excess = -INFINITY;
    for (std::size_t i = 0; i < leaves.size(); ++i) {
        Tensor& leaf = leaves[i];
        if (!leaf.requires_grad()) continue;
        const Tensor analytic = leaf.grad().defined() ? leaf.grad() : zeros_like(leaf);
        const std::vector<double> analytic_values = analytic.to_vector<double>();
        double* value = leaf.data<double>();
        for (int64_t e = 0; e < leaf.numel(); ++e) {
            const double original = value[e];
            value[e] = original + options.eps;
            const double up = projected(function, leaves, weights);
            value[e] = original - options.eps;
            const double down = projected(function, leaves, weights);
            value[e] = original;
            const double numeric = (up - down) / (2 * options.eps);
            const double error = std::abs(analytic_values[e] - numeric);
            const double excess = error - (options.atol + options.rtol * std::abs(numeric));
            if (excess > worst_excess || std::isnan(error)) {
                worst_excess = std::isnan(error) ? INFINITY : excess;
                report.input_index = static_cast<int64_t>(i);
                report.element = e;
                report.analytic = analytic_values[e];
                report.numeric = numeric;
            }
        }
    }
    Tape::current().clear();
    report.passed = worst_excess <= 0;
    if (report.passed) return report;
    report.message = fmt::format(
        "gradcheck failed: input {} (shape {}), element {}: analytic {:.10g} vs numeric {:.10g} "
        "(|difference| {:.3g} > atol {} + rtol {} * |numeric|)",
        report.input_index, shape_string(inputs[report.input_index].shape()), report.element, report.analytic,
        report.numeric, std::abs(report.analytic - report.numeric), options.atol, options.rtol);
    if (options.blame) blame(function, inputs, options, report);
    return report;
}

}  // namespace tapegrad
