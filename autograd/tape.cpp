// The tape: recording ops in execution order and the reverse walk that applies the chain rule.
#include "autograd/tape.h"

#include <atomic>
#include <cassert>
#include <stdexcept>

#include "autograd/anomaly.h"
#include "autograd/autocast.h"
#include "autograd/loops/copy.h"
#include "autograd/profiler.h"

namespace tapegrad {
namespace {

thread_local bool grad_enabled = true;

// Generations are unique across all tapes and all clears, so a tensor recorded on one thread's tape,
// or before a clear(), can never be mistaken for one on the live tape.
std::atomic<uint64_t> next_generation{1};

std::string describe_inputs(const std::vector<Tensor>& inputs) {
    std::string out;
    for (const Tensor& input : inputs) out += (out.empty() ? "" : ", ") + shape_string(input.shape());
    return out;
}

// A forward is anomalous when it makes a NaN, or an infinity out of finite inputs (overflow, log 0).
// Infinities passed on from an input, and those an op writes on purpose (RecordOptions::writes_infinity:
// masked_fill's -inf in attention masks), are not anomalies.
bool forward_is_anomalous(const TapeEntry& entry) {
    if (all_finite(entry.output)) return false;
    if (any_nan(entry.output)) return true;
    if (entry.writes_infinity) return false;
    for (const Tensor& input : entry.inputs)
        if (input.defined() && !all_finite(input)) return false;
    return true;
}

}  // namespace

Tape::Tape() : generation_(next_generation++) {}

Tape& Tape::current() {
    thread_local Tape tape;
    return tape;
}

void Tape::clear() {
    entries_.clear();
    generation_ = next_generation++;
}

void Tape::push(TapeEntry entry) {
    TensorImpl& out = entry.output.impl();
    out.requires_grad = true;
    out.tape_index = static_cast<int64_t>(entries_.size());
    out.tape_generation = generation_;
    if (is_anomaly_enabled() && forward_is_anomalous(entry))
        throw std::runtime_error(fmt::format("anomaly: forward of '{}' produced NaN or Inf (inputs {}; output {})",
                                             entry.op, describe_inputs(entry.inputs),
                                             shape_string(entry.output.shape())));
    if (is_profiling()) detail::profile_forward(entry.op);
    entries_.push_back(std::move(entry));
}

void Tape::backward(const Tensor& root, const Tensor& root_grad, bool retain_graph) {
    NoGradGuard no_grad;  // backward functions compute with tensors but must not record themselves
    // The backward products read what the forward recorded (rounded or not); an autocast scope around
    // backward() must not round the gradients again (autograd/autocast.h).
    AutocastGuard autocast_off(DType::BFloat16, /*enabled=*/false);
    if (root.is_leaf()) {  // nothing was computed: the gradient of a leaf w.r.t. itself
        add_to_grad(root, root_grad);
        return;
    }
    const TensorImpl& root_impl = root.impl();
    if (root_impl.tape_generation != generation_ || root_impl.tape_index >= static_cast<int64_t>(entries_.size()))
        throw std::runtime_error(
            "backward: the tape that recorded this tensor has been freed (by an earlier backward() without "
            "retain_graph=true, by Tape::clear(), or it was recorded on another thread)");

    add_to_grad(root, root_grad);
    struct RunningReset {
        int64_t& running;
        ~RunningReset() { running = -1; }
    } reset{running_entry_};

    // The chain rule as a reverse walk: when entry i is reached, every entry that used its output
    // came later and has already added its contribution to output.grad.
    for (int64_t i = root_impl.tape_index; i >= 0; --i) {
        TapeEntry& entry = entries_[i];
        TensorImpl& out = entry.output.impl();
        if (!out.grad) continue;  // the output does not influence the root
        running_entry_ = i;
        if (is_profiling()) {
            const auto start = std::chrono::steady_clock::now();
            entry.backward(Tensor(out.grad));
            detail::profile_backward(
                entry.op, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        } else {
            entry.backward(Tensor(out.grad));
        }
        if (!out.retains_grad) out.grad.reset();  // intermediate gradients are not kept
    }
    if (!retain_graph) {
        ProfileSection section("free tape");  // releasing every intermediate the tape kept alive
        clear();
    }
    if (is_profiling()) detail::profile_mark();
}

void add_to_grad(const Tensor& input, const Tensor& grad) {
    if (!input.requires_grad()) return;
    if (!input.is_leaf() && input.impl().tape_generation != Tape::current().generation())
        throw std::runtime_error(fmt::format(
            "backward: reached a tensor of shape {} whose history on the tape has been freed (by an earlier "
            "backward() without retain_graph=true, by Tape::clear(), or it was recorded on another thread)",
            shape_string(input.shape())));
    assert(grad.shape() == input.shape());
    NoGradGuard no_grad;
    const Tensor summed = grad.dtype() == input.dtype() ? grad : grad.to(input.dtype());
    if (is_anomaly_enabled() && !all_finite(summed)) {
        const Tape& tape = Tape::current();
        const int64_t running = tape.running_entry();
        const std::string op = running >= 0 ? tape.entries()[running].op : "backward";
        const std::string inputs = running >= 0 ? describe_inputs(tape.entries()[running].inputs) : "";
        throw std::runtime_error(fmt::format(
            "anomaly: backward of '{}' produced NaN or Inf in the gradient of an input of shape {} (inputs {})", op,
            shape_string(input.shape()), inputs));
    }
    TensorImpl& impl = input.impl();
    if (!impl.grad) {
        // A leaf's .grad is its own buffer (optimizers and clipping modify it in place), so it must not
        // alias a gradient that another input also received; an intermediate's may.
        // An intermediate's may also keep the input's own layout: the gradient of heads split out of
        // (B, T, H, D) as a (B, H, T, D) view, written in (B, T, H, D) order, reaches the transpose that made
        // them, whose backward turns it back into a contiguous tensor without a copy.
        const bool same_layout = summed.strides() == input.strides() && summed.is_dense();
        impl.grad = (input.is_leaf() ? summed.clone() : same_layout ? summed : summed.contiguous()).impl_ptr();
    } else if (input.is_leaf() || (impl.grad.use_count() == 1 && impl.grad->storage.use_count() == 1)) {
        // A leaf's own buffer, or an intermediate's gradient that no other handle or view can see:
        // adding in place changes nothing anyone else reads.
        loops::add_into(Tensor(impl.grad), summed);
    } else {
        Tensor total = empty(input.shape(), {.dtype = input.dtype()});
        loops::copy_into(total, Tensor(impl.grad));
        loops::add_into(total, summed);
        impl.grad = total.impl_ptr();
    }
}

void accumulate_grad_into(const Tensor& input, const GradientWriter& write) {
    if (!input.requires_grad()) return;
    NoGradGuard no_grad;
    TensorImpl& impl = input.impl();
    const bool history_alive = input.is_leaf() || impl.tape_generation == Tape::current().generation();
    if (!is_anomaly_enabled() && history_alive) {
        if (!impl.grad) {  // the first contribution: written into a fresh buffer that becomes the gradient
            const Tensor buffer = empty_uninitialized(input.shape(), {.dtype = input.dtype()});
            write(buffer, false);
            impl.grad = buffer.impl_ptr();
            return;
        }
        const Tensor grad(impl.grad);
        // The same conditions under which accumulate_grad adds in place, and a layout write() can use.
        const bool private_buffer = input.is_leaf() || (impl.grad.use_count() == 2 && impl.grad->storage.use_count() == 1);
        if (private_buffer && grad.is_contiguous() && grad.dtype() == input.dtype() && grad.shape() == input.shape()) {
            write(grad, true);
            return;
        }
    }
    const Tensor contribution = empty_uninitialized(input.shape(), {.dtype = input.dtype()});
    write(contribution, false);
    add_to_grad(input, contribution);
}

bool is_grad_enabled() { return grad_enabled; }

NoGradGuard::NoGradGuard() : previous_(grad_enabled) { grad_enabled = false; }
NoGradGuard::~NoGradGuard() { grad_enabled = previous_; }

namespace detail {

bool any_requires_grad(const Tensor* first, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i)
        if (first[i].defined() && first[i].requires_grad()) return true;
    return false;
}

void push_entry(const char* op, std::vector<Tensor> inputs, const Tensor& output, BackwardFn backward,
                RecordOptions options) {
    Tape::current().push(TapeEntry{op, std::move(inputs), output, std::move(backward), options.writes_infinity});
}

}  // namespace detail
}  // namespace tapegrad
