// The tape: the record of every differentiable op in the order it ran, and backward() over it.
//
// Each op that has an input requiring grad appends one entry: its name, its inputs, its output and a
// backward function that turns d(loss)/d(output) into contributions to d(loss)/d(input). Entries are
// appended in the order ops run, which is already a topological order of the computation, so the
// chain rule is a plain reverse walk over the list — no graph search needed.
//
// One tape per thread. Inside a NoGradGuard, or when no input requires grad, nothing is recorded and
// recording costs one branch.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "autograd/tensor.h"

namespace tapegrad {

using BackwardFn = std::function<void(const Tensor& dout)>;

struct TapeEntry {
    const char* op;              // the op's name, as in error messages: "matmul", "softmax", ...
    std::vector<Tensor> inputs;  // every tensor input, for inspection and blame
    Tensor output;
    BackwardFn backward;         // reads dout = d(loss)/d(output), calls accumulate_grad on inputs
    bool writes_infinity;        // the op writes ±inf on purpose: anomaly mode does not call it an overflow
};

class Tape {
public:
    // This thread's tape.
    static Tape& current();

    const std::vector<TapeEntry>& entries() const { return entries_; }
    std::size_t size() const { return entries_.size(); }
    // Drops every entry (and with them the intermediate tensors they keep alive).
    void clear();
    // Changes on every clear(), and differs between threads: a tensor remembers the generation it
    // was recorded in, so backward() can tell it is walking a tape that has since been freed.
    uint64_t generation() const { return generation_; }
    // The entry whose backward is running now (for error messages), or -1.
    int64_t running_entry() const { return running_entry_; }

    // Appends an entry; used by record().
    void push(TapeEntry entry);
    // The reverse walk from `root` (see Tensor::backward).
    void backward(const Tensor& root, const Tensor& root_grad, bool retain_graph);

    Tape();

private:
    std::vector<TapeEntry> entries_;
    uint64_t generation_;
    int64_t running_entry_ = -1;
};

// Is recording on for this thread (i.e. not inside a NoGradGuard)?
bool is_grad_enabled();

// Turns recording off for its scope: for evaluation, inference and in-place parameter updates.
class NoGradGuard {
public:
    NoGradGuard();
    ~NoGradGuard();
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
    bool previous_;
};

// Records an op. `backward` is stored only when grad mode is on and some input requires grad; the
// output then becomes a non-leaf that requires grad. Call it right after computing the output:
//   record("tanh", {x}, out, [x, out](const Tensor& dout) { accumulate_grad(x, dout * (1 - out * out)); });
template <typename Backward>
void record(const char* op, std::initializer_list<Tensor> inputs, const Tensor& output, Backward&& backward);
template <typename Backward>
void record(const char* op, const std::vector<Tensor>& inputs, const Tensor& output, Backward&& backward);

// Adds `grad`, of input's shape and dtype, into input.grad(): the gradient's storage rules (a leaf owns
// its buffer; a buffer nobody else sees is added to in place). Does nothing when input does not require
// grad. Backward functions call accumulate_grad (autograd/ops/accumulate_grad.h), which first sums away
// the axes an op broadcast — a reduction, an op, so it lives above the tape.
void add_to_grad(const Tensor& input, const Tensor& grad);

// The same, for a backward that can write its contribution itself (a GEMM that sets or adds into its
// output): calls write(buffer, accumulate) with a contiguous buffer of input's shape and dtype, which
// write must set (accumulate = false) or add to (accumulate = true). The buffer is input's gradient
// itself when that can be changed in place, so no temporary is made and no extra pass adds it: a
// Linear layer's weight gradient goes from the GEMM straight into weight.grad(). Otherwise (anomaly
// mode, a gradient others can see) it is a fresh tensor handed to add_to_grad.
using GradientWriter = std::function<void(const Tensor& buffer, bool accumulate)>;
void accumulate_grad_into(const Tensor& input, const GradientWriter& write);

// What an op may tell the tape beyond its inputs and output.
struct RecordOptions {
    // The op writes ±infinity on purpose (masked_fill(scores, mask, -inf) blocks attention): anomaly mode
    // must not report it as an overflow.
    bool writes_infinity = false;
};

// ---- implementation ----
namespace detail {
bool any_requires_grad(const Tensor* first, std::size_t count);
void push_entry(const char* op, std::vector<Tensor> inputs, const Tensor& output, BackwardFn backward,
                RecordOptions options = {});
}  // namespace detail

template <typename Backward>
void record(const char* op, std::initializer_list<Tensor> inputs, const Tensor& output, Backward&& backward) {
    if (!is_grad_enabled() || !detail::any_requires_grad(inputs.begin(), inputs.size())) return;
    detail::push_entry(op, std::vector<Tensor>(inputs), output, BackwardFn(std::forward<Backward>(backward)));
}

template <typename Backward>
void record(const char* op, const std::vector<Tensor>& inputs, const Tensor& output, Backward&& backward) {
    if (!is_grad_enabled() || !detail::any_requires_grad(inputs.data(), inputs.size())) return;
    detail::push_entry(op, inputs, output, BackwardFn(std::forward<Backward>(backward)));
}

template <typename Backward>
void record(const char* op, std::initializer_list<Tensor> inputs, const Tensor& output, RecordOptions options,
            Backward&& backward) {
    if (!is_grad_enabled() || !detail::any_requires_grad(inputs.begin(), inputs.size())) return;
    detail::push_entry(op, std::vector<Tensor>(inputs), output, BackwardFn(std::forward<Backward>(backward)), options);
}

}  // namespace tapegrad
