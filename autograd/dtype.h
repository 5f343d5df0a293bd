// Element types a tensor can hold, and the one place that turns a run-time dtype into a C++ type.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "kernels/bfloat16.h"

namespace tapegrad {

// Float32 trains; Float64 exists so that finite-difference gradient checks are exact;
// Int64 holds token ids and indices; Bool holds masks (stored one byte per element).
// BFloat16 is a storage type: tensors hold it, convert to and from it (differentiably), print it and save it,
// but no arithmetic runs in it — the products that use it (autocast) widen it to float32 as they go, and
// every other op refuses it with a message saying to convert (see kernels/bfloat16.h for the format).
enum class DType { Float32, Float64, Int64, Bool, BFloat16 };

constexpr std::string_view dtype_name(DType dtype) {
    switch (dtype) {
        case DType::Float32: return "float32";
        case DType::Float64: return "float64";
        case DType::Int64: return "int64";
        case DType::Bool: return "bool";
        case DType::BFloat16: return "bfloat16";
    }
    return "?";
}

constexpr std::size_t dtype_size(DType dtype) {
    switch (dtype) {
        case DType::Float32: return 4;
        case DType::Float64: return 8;
        case DType::Int64: return 8;
        case DType::Bool: return 1;
        case DType::BFloat16: return 2;
    }
    return 0;
}

// The floating dtypes arithmetic runs in.
constexpr bool is_floating(DType dtype) { return dtype == DType::Float32 || dtype == DType::Float64; }

// Every floating-point format, bfloat16 included: what can require grad, convert differentiably with
// to(), and prints as real numbers.
constexpr bool is_floating_point_format(DType dtype) { return is_floating(dtype) || dtype == DType::BFloat16; }

// The C++ types of is_floating_point_format, for kernels written once as templates.
template <typename T>
inline constexpr bool is_floating_point_type_v = std::is_same_v<T, float> || std::is_same_v<T, double> ||
                                                 std::is_same_v<T, bfloat16>;

// The error an op gives for a dtype it has no kernel for; it says how to get one it has.
inline std::invalid_argument unsupported_dtype_error(std::string_view op, DType dtype) {
    std::string message = std::string(op) + ": no " + std::string(dtype_name(dtype)) + " kernel";
    if (dtype == DType::BFloat16)
        message += " (bfloat16 is a storage type: convert with .to(DType::Float32), or let autocast do it)";
    if (dtype == DType::Bool) message += " (bool holds masks: convert with .to() first)";
    return std::invalid_argument(message);
}

// The C++ type behind each dtype. Bool is stored as one byte so that a mask can be viewed as bytes.
template <typename T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<bool>() { return DType::Bool; }
template <> constexpr DType dtype_of<bfloat16>() { return DType::BFloat16; }

// Calls fn.template operator()<T>() with T the C++ type of dtype: kernels are written once as
// templates and this is the single switch that picks the instantiation.
//   visit_dtype(t.dtype(), [&]<typename T>() { fill<T>(t); });
template <typename Fn> decltype(auto) visit_dtype(DType dtype, Fn&& fn) {
    switch (dtype) {
        case DType::Float32: return fn.template operator()<float>();
        case DType::Float64: return fn.template operator()<double>();
        case DType::Int64: return fn.template operator()<int64_t>();
        case DType::Bool: return fn.template operator()<bool>();
        case DType::BFloat16: return fn.template operator()<bfloat16>();
    }
    return fn.template operator()<float>();
}

// The same for arithmetic: Float32, Float64 and Int64 (bool + bool is not arithmetic, and bfloat16 is
// storage only). Callers name themselves in their own checks first; any other dtype that reaches here
// is refused rather than read as float.
template <typename Fn> decltype(auto) visit_numeric(DType dtype, Fn&& fn) {
    if (dtype == DType::Float64) return fn.template operator()<double>();
    if (dtype == DType::Int64) return fn.template operator()<int64_t>();
    if (dtype != DType::Float32) throw unsupported_dtype_error("arithmetic", dtype);
    return fn.template operator()<float>();
}

// The same, for kernels that only make sense on floating point (exp, softmax, matmul, ...).
template <typename Fn> decltype(auto) visit_floating(DType dtype, Fn&& fn) {
    if (dtype == DType::Float64) return fn.template operator()<double>();
    if (dtype != DType::Float32) throw unsupported_dtype_error("floating-point kernel", dtype);
    return fn.template operator()<float>();
}

}  // namespace tapegrad
