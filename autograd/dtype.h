// Element types a tensor can hold, and the one place that turns a run-time dtype into a C++ type.
#pragma once

#include <cstdint>
#include <string_view>

namespace tapegrad {

// Float32 trains; Float64 exists so that finite-difference gradient checks are exact;
// Int64 holds token ids and indices; Bool holds masks (stored one byte per element).
enum class DType { Float32, Float64, Int64, Bool };

constexpr std::string_view dtype_name(DType dtype) {
    switch (dtype) {
        case DType::Float32: return "float32";
        case DType::Float64: return "float64";
        case DType::Int64: return "int64";
        case DType::Bool: return "bool";
    }
    return "?";
}

constexpr std::size_t dtype_size(DType dtype) {
    switch (dtype) {
        case DType::Float32: return 4;
        case DType::Float64: return 8;
        case DType::Int64: return 8;
        case DType::Bool: return 1;
    }
    return 0;
}

constexpr bool is_floating(DType dtype) { return dtype == DType::Float32 || dtype == DType::Float64; }

// The C++ type behind each dtype. Bool is stored as one byte so that a mask can be viewed as bytes.
template <typename T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<bool>() { return DType::Bool; }

// Calls fn.template operator()<T>() with T the C++ type of dtype: kernels are written once as
// templates and this is the single switch that picks the instantiation.
//   visit_dtype(t.dtype(), [&]<typename T>() { fill<T>(t); });
template <typename Fn> decltype(auto) visit_dtype(DType dtype, Fn&& fn) {
    switch (dtype) {
        case DType::Float32: return fn.template operator()<float>();
        case DType::Float64: return fn.template operator()<double>();
        case DType::Int64: return fn.template operator()<int64_t>();
        case DType::Bool: return fn.template operator()<bool>();
    }
    return fn.template operator()<float>();
}

// The same without Bool, for arithmetic (bool + bool is not arithmetic; callers reject Bool first).
template <typename Fn> decltype(auto) visit_numeric(DType dtype, Fn&& fn) {
    if (dtype == DType::Float64) return fn.template operator()<double>();
    if (dtype == DType::Int64) return fn.template operator()<int64_t>();
    return fn.template operator()<float>();
}

// The same, for kernels that only make sense on floating point (exp, softmax, matmul, ...).
template <typename Fn> decltype(auto) visit_floating(DType dtype, Fn&& fn) {
    if (dtype == DType::Float64) return fn.template operator()<double>();
    return fn.template operator()<float>();
}

}  // namespace tapegrad
