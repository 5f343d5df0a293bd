// Printing tensors the way PyTorch does (torch/_tensor_str.py with the default print options), so
// that output can be compared with a Python session line by line.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "autograd/tensor.h"

namespace tapegrad {
namespace {

// PyTorch's default print options.
constexpr int kPrecision = 4;         // digits after the decimal point
constexpr int64_t kThreshold = 1000;  // more elements than this are summarized with "..."
constexpr int64_t kEdgeItems = 3;     // elements kept at each end of a summarized dimension
constexpr int kLineWidth = 80;        // rows of numbers wrap before this column
constexpr int kIndent = 7;            // the width of "tensor("

// How every element of one tensor is written: all share one mode and one width, so columns line up.
// Only the elements that will be shown decide (a summarized tensor's hidden middle does not).
class Formatter {
public:
    Formatter(DType dtype, const std::vector<double>& floats, const std::vector<std::string>& others)
        : floating_(is_floating_point_format(dtype)) {
        if (!floating_) {
            for (const std::string& text : others) width_ = std::max(width_, text.size());
            return;
        }
        // Like PyTorch, zeros, nan and inf take no part in choosing the mode or the width.
        std::vector<double> finite;
        for (double v : floats)
            if (std::isfinite(v) && v != 0) finite.push_back(std::abs(v));
        if (finite.empty()) return;
        const auto [min, max] = std::minmax_element(finite.begin(), finite.end());
        int_mode_ = std::all_of(finite.begin(), finite.end(), [](double v) { return v == std::ceil(v); });
        // Scientific notation when fixed point would hide digits: a wide range, huge values, or
        // (for non-integers) tiny ones.
        sci_mode_ = *max / *min > 1000.0 || *max > 1e8 || (!int_mode_ && *min < 1e-4);
        for (double v : floats) {
            if (!std::isfinite(v) || v == 0) continue;
            // Integer mode adds a trailing "." to show the dtype is floating, hence the + 1.
            const std::size_t len = sci_mode_  ? fmt::format("{:.{}e}", v, kPrecision).size()
                                    : int_mode_ ? fmt::format("{:.0f}", v).size() + 1
                                                : fmt::format("{:.{}f}", v, kPrecision).size();
            width_ = std::max(width_, len);
        }
    }

    std::size_t width() const { return width_; }

    // A floating value, right-aligned to the common width.
    std::string format(double v) const {
        std::string text;
        if (std::isnan(v)) text = "nan";  // Python never prints "-nan"
        else if (sci_mode_) text = fmt::format("{:.{}e}", v, kPrecision);
        else if (int_mode_) text = fmt::format("{:.0f}", v) + (std::isinf(v) ? "" : ".");
        else text = fmt::format("{:.{}f}", v, kPrecision);
        return pad(text);
    }
    // An integer or bool, already written out, right-aligned to the common width.
    std::string pad(const std::string& text) const {
        return std::string(width_ > text.size() ? width_ - text.size() : 0, ' ') + text;
    }

private:
    bool floating_;
    bool int_mode_ = true;
    bool sci_mode_ = false;
    std::size_t width_ = 1;
};

// Writes one tensor of element type T: walks its strides (so views print without a copy) and keeps
// only the edge items of long dimensions when summarizing.
template <typename T> class Printer {
public:
    explicit Printer(const Tensor& tensor)
        : base_(tensor.data<T>()), shape_(tensor.shape()), strides_(tensor.strides()),
          summarize_(tensor.numel() > kThreshold) {
        std::vector<double> floats;
        std::vector<std::string> others;
        visit_shown(0, 0, [&](const T& value) {
            if constexpr (is_floating_point_type_v<T>) floats.push_back(static_cast<double>(value));
            else others.push_back(plain(value));
        });
        formatter_.emplace(tensor.dtype(), floats, others);
    }

    std::string print() const {
        if (shape_.empty()) return element(base_[0]);
        return print_axis(0, 0, kIndent);
    }

private:
    static std::string plain(const T& value) {
        if constexpr (std::is_same_v<T, bool>) return value ? "True" : "False";
        else return fmt::format("{}", value);
    }
    std::string element(const T& value) const {
        if constexpr (is_floating_point_type_v<T>) return formatter_->format(static_cast<double>(value));
        else return formatter_->pad(plain(value));
    }

    // The indices of `axis` that are shown: all of them, or the first and last kEdgeItems.
    std::vector<int64_t> shown_indices(std::size_t axis) const {
        const int64_t n = shape_[axis];
        std::vector<int64_t> indices;
        for (int64_t i = 0; i < n; ++i)
            if (!elided(n) || i < kEdgeItems || i >= n - kEdgeItems) indices.push_back(i);
        return indices;
    }
    bool elided(int64_t size) const { return summarize_ && size > 2 * kEdgeItems; }

    template <typename Fn> void visit_shown(std::size_t axis, int64_t offset, Fn&& fn) const {
        if (axis == shape_.size()) return fn(base_[offset]);
        for (int64_t i : shown_indices(axis)) visit_shown(axis + 1, offset + i * strides_[axis], fn);
    }

    // One "[...]" for the sub-tensor at `offset` whose outermost axis is `axis`; `indent` is the column
    // its "[" sits at, so continuation lines start one column to its right.
    std::string print_axis(std::size_t axis, int64_t offset, int indent) const {
        const std::string continuation = std::string(static_cast<std::size_t>(indent + 1), ' ');
        const int64_t size = shape_[axis];
        std::vector<std::string> items;
        const bool last_axis = axis + 1 == shape_.size();
        for (int64_t i : shown_indices(axis)) {
            if (elided(size) && i == size - kEdgeItems) items.push_back(last_axis ? " ..." : "...");
            const int64_t at = offset + i * strides_[axis];
            items.push_back(last_axis ? element(base_[at]) : print_axis(axis + 1, at, indent + 1));
        }
        if (!last_axis) {
            // Sub-tensors are separated by one blank line per remaining dimension beyond the first.
            const std::string separator = "," + std::string(shape_.size() - axis - 1, '\n') + continuation;
            return "[" + fmt::format("{}", fmt::join(items, separator)) + "]";
        }
        // A row wraps to as many elements (each with ", ") as fit within the line width.
        const auto per_line = static_cast<std::size_t>(std::max(
            1.0, std::floor(double(kLineWidth - indent) / double(formatter_->width() + 2))));
        std::vector<std::string> lines;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i % per_line == 0) lines.emplace_back();
            else lines.back() += ", ";
            lines.back() += items[i];
        }
        return "[" + fmt::format("{}", fmt::join(lines, ",\n" + continuation)) + "]";
    }

    const T* base_;
    Shape shape_, strides_;
    bool summarize_;
    std::optional<Formatter> formatter_;
};

// Appends ", suffix" to the text, or moves it to its own line when it would pass the line width
// (PyTorch's _add_suffixes, including its way of measuring the last line).
std::string add_suffixes(const std::string& text, const std::vector<std::string>& suffixes) {
    std::string out = text;
    const std::size_t newline = text.rfind('\n');
    std::size_t last_line = newline == std::string::npos ? text.size() + 2 : text.size() - newline + 1;
    for (const std::string& suffix : suffixes) {
        if (last_line + suffix.size() + 2 > static_cast<std::size_t>(kLineWidth)) {
            out += ",\n" + std::string(kIndent, ' ') + suffix;
            last_line = kIndent + suffix.size();
        } else {
            out += ", " + suffix;
            last_line += suffix.size() + 2;
        }
    }
    return out + ")";
}

}  // namespace

std::string to_string(const Tensor& tensor) {
    if (!tensor.defined()) return "tensor(undefined)";
    std::vector<std::string> suffixes;
    std::string body;
    if (tensor.numel() == 0) {
        // Nothing shows the shape or the dtype of an empty tensor, so both are spelled out (as NumPy does).
        if (tensor.dim() != 1) suffixes.push_back(fmt::format("size=({})", fmt::join(tensor.shape(), ", ")));
        if (tensor.dtype() != DType::Float32) suffixes.push_back(fmt::format("dtype={}", dtype_name(tensor.dtype())));
        body = "[]";
    } else {
        // float32 is the default dtype, and int64 and bool show in the values themselves; float64 and bfloat16
        // print alike (4 decimals, as PyTorch does) and need the suffix.
        if (tensor.dtype() == DType::Float64 || tensor.dtype() == DType::BFloat16) suffixes.push_back(fmt::format("dtype={}", dtype_name(tensor.dtype())));
        body = visit_dtype(tensor.dtype(), [&]<typename T>() { return Printer<T>(tensor).print(); });
    }
    if (tensor.requires_grad()) suffixes.push_back("requires_grad=True");
    return add_suffixes("tensor(" + body, suffixes);
}

std::ostream& operator<<(std::ostream& os, const Tensor& tensor) { return os << to_string(tensor); }

}  // namespace tapegrad
