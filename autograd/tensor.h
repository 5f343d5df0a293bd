// Tensor: a reference-counted handle to an N-dimensional array (storage, shape, strides, dtype)
// that also carries what autograd needs: requires_grad, the accumulated gradient, and where on the
// tape it was produced.
//
// Memory layout rule. A tensor views a Storage through shape, strides (in elements) and an offset.
// Ops that only re-index — reshape of contiguous data, transpose, permute, slice/narrow, select,
// squeeze/unsqueeze, expand — return *views* that share the storage and cost no copy. Every other
// op writes a fresh contiguous tensor. Kernels that need contiguous memory (matmul, reductions over
// rows) call contiguous(), which returns the tensor itself when it already is contiguous and a
// packed copy otherwise. A view never outlives its storage: the storage is shared and reference-counted.
//
// Copying a Tensor copies the handle, not the data (like torch.Tensor or std::shared_ptr): both
// handles name the same array. Use clone() for a deep copy.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "autograd/dtype.h"
#include "base/shape.h"

namespace tapegrad {

// Bytes of one tensor's data, 64-byte aligned (one cache line, one AVX-512 register), from the caching
// allocator (autograd/allocator.h). Zero-filled unless made with Storage::Uninitialized, which kernels
// that write every element use to skip the fill.
class Storage {
public:
    struct Uninitialized {};
    explicit Storage(std::size_t bytes);
    Storage(std::size_t bytes, Uninitialized);
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;
    std::byte* data() const { return data_; }
    std::size_t bytes() const { return bytes_; }

private:
    std::byte* data_ = nullptr;
    std::size_t bytes_ = 0;
};

// What a tensor is. Users hold Tensor handles; ops and the tape read these fields.
struct TensorImpl {
    std::shared_ptr<Storage> storage;
    Shape shape;
    Shape strides;        // in elements, one per dimension
    int64_t offset = 0;   // in elements, where element [0, 0, ...] sits in storage
    DType dtype = DType::Float32;

    // Autograd state.
    bool requires_grad = false;
    bool retains_grad = false;        // a non-leaf that keeps its .grad after backward (retain_grad())
    std::shared_ptr<TensorImpl> grad;  // accumulated d(loss)/d(this); null until a backward reaches it
    int64_t tape_index = -1;           // position of the producing entry on its tape; -1 for a leaf
    uint64_t tape_generation = 0;      // which recording of which tape (see Tape::generation())
};

// Options for creating a tensor: `zeros({2, 3}, {.dtype = DType::Float64, .requires_grad = true})`.
struct TensorOptions {
    DType dtype = DType::Float32;  // element type
    bool requires_grad = false;    // make the new tensor a leaf whose gradient backward() fills
};

// A nested list of numbers, so tensors can be written as literals: tensor({{1, 2}, {3, 4}}).
class NestedList {
public:
    template <typename Number, typename = std::enable_if_t<std::is_arithmetic_v<Number>>>
    NestedList(Number value) : value_(static_cast<double>(value)) {}
    NestedList(std::initializer_list<NestedList> items) : value_(std::vector<NestedList>(items)) {}

    // The shape the list describes; throws when sublists are ragged.
    Shape shape() const;
    // The numbers in row-major order.
    void flatten(std::vector<double>& out) const;

private:
    std::variant<double, std::vector<NestedList>> value_;
};

class Tensor {
public:
    Tensor() = default;  // an undefined tensor: defined() is false, every other call throws
    explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

    bool defined() const { return impl_ != nullptr; }

    // ---- Shape and data ----
    const Shape& shape() const { return impl().shape; }
    const Shape& strides() const { return impl().strides; }
    int64_t offset() const { return impl().offset; }
    int64_t dim() const { return static_cast<int64_t>(impl().shape.size()); }
    int64_t size(int64_t axis) const;  // negative axes count from the end
    int64_t numel() const { return shape_numel(impl().shape); }
    DType dtype() const { return impl().dtype; }
    bool is_contiguous() const;
    // Dense: the elements fill a block of memory without gaps or overlaps, in some order of the axes
    // (a contiguous tensor, or a permutation of one, such as a transpose). memory_order() lists the
    // axes from the outermost in memory (largest stride) to the innermost.
    bool is_dense() const;
    std::vector<int64_t> memory_order() const;

    // Pointer to element [0, 0, ...]; T must match dtype() (checked). Walk it with strides().
    template <typename T> T* data() const;
    void* raw_data() const;

    // The value of a one-element tensor, as double or as T.
    double item() const;
    template <typename T> T item() const { return static_cast<T>(item()); }
    // Every element in row-major order, converted to T.
    template <typename T> std::vector<T> to_vector() const;

    // ---- Autograd ----
    bool requires_grad() const { return impl().requires_grad; }
    // Marks a leaf as a parameter (or any input) whose gradient backward() should compute.
    Tensor& requires_grad_(bool enabled = true);
    // A leaf was created by the user; a non-leaf was produced by a recorded op.
    bool is_leaf() const { return impl().tape_index < 0; }
    // The accumulated gradient, or an undefined tensor when no backward has reached this tensor.
    Tensor grad() const;
    void set_grad(const Tensor& grad) const;
    // Forgets the accumulated gradient (grad() becomes undefined), as before a new training step.
    void zero_grad() const;
    // Keeps the gradient of a non-leaf after backward (by default only leaves keep theirs).
    void retain_grad() const;
    // Back-propagates from this tensor through the tape, accumulating into every leaf's grad().
    // `gradient` is d(loss)/d(this); it may be omitted only for a one-element tensor (then 1).
    // Without retain_graph the tape is freed afterwards and a second backward over it is an error.
    void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
    // The same data, cut off from the tape: a leaf that does not require grad.
    Tensor detach() const;

    // ---- Copies (not recorded unless stated) ----
    Tensor contiguous() const;  // recorded: a differentiable copy when not already contiguous
    Tensor clone() const;       // recorded: a differentiable deep copy
    Tensor to(DType dtype) const;  // recorded between floating dtypes; a no-op when dtype matches
    // In-place, outside autograd: for optimizers, initializers and loaders. `source` broadcasts.
    void copy_(const Tensor& source) const;
    void fill_(double value) const;

    // ---- Shortcuts for the free functions of the same name (see autograd/ops/*.h) ----
    Tensor reshape(const Shape& shape) const;
    Tensor view(const Shape& shape) const;
    Tensor transpose(int64_t axis0, int64_t axis1) const;
    Tensor permute(const std::vector<int64_t>& axes) const;
    Tensor unsqueeze(int64_t axis) const;
    Tensor squeeze(int64_t axis) const;
    Tensor expand(const Shape& shape) const;
    Tensor sum(const std::vector<int64_t>& axes = {}, bool keepdim = false) const;
    Tensor mean(const std::vector<int64_t>& axes = {}, bool keepdim = false) const;

    // ---- Identity ----
    TensorImpl& impl() const;
    const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
    bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

private:
    std::shared_ptr<TensorImpl> impl_;
};

// ---- Creation ----
// A fresh contiguous tensor with zeroed data.
Tensor empty(const Shape& shape, TensorOptions options = {});
// The same with the data left uninitialised, for kernels that then write every element.
Tensor empty_uninitialized(const Shape& shape, TensorOptions options = {});
// From a nested literal: tensor({{1, 2}, {3, 4}}, {.dtype = DType::Float64}).
Tensor tensor(const NestedList& values, TensorOptions options = {});
// From a buffer of values in row-major order (copied and converted to options.dtype).
template <typename T> Tensor from_vector(const std::vector<T>& values, const Shape& shape, TensorOptions options);
template <typename T> Tensor from_vector(const std::vector<T>& values, const Shape& shape) {
    return from_vector(values, shape, TensorOptions{.dtype = dtype_of<T>()});
}
// A 0-dimensional tensor holding one number.
Tensor scalar_tensor(double value, TensorOptions options = {});
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
// A fresh contiguous tensor of like's shape and dtype (whatever like's strides), not requiring grad.
Tensor zeros_like(const Tensor& like);
Tensor ones_like(const Tensor& like);
Tensor full_like(const Tensor& like, double value);
// start, start + step, ... below end (like Python's range).
Tensor arange(double start, double end, double step = 1, TensorOptions options = {});
Tensor arange(int64_t end, TensorOptions options = {.dtype = DType::Int64});
// `steps` evenly spaced values from start to end inclusive.
Tensor linspace(double start, double end, int64_t steps, TensorOptions options = {});
// n x n identity matrix.
Tensor eye(int64_t n, TensorOptions options = {});

// Printing like PyTorch 1.13: tensor([[1.5000, 2.2500], ...], requires_grad=True); more than 1000
// elements are summarised with "...".
std::string to_string(const Tensor& tensor);
std::ostream& operator<<(std::ostream& os, const Tensor& tensor);

}  // namespace tapegrad

template <> struct fmt::formatter<tapegrad::Tensor> : fmt::formatter<std::string_view> {
    template <typename FormatContext> auto format(const tapegrad::Tensor& tensor, FormatContext& ctx) const {
        return fmt::formatter<std::string_view>::format(tapegrad::to_string(tensor), ctx);
    }
};
