// bfloat16: the top half of a float32. One sign bit, float32's 8 exponent bits (so the same range, up to
// ~3.4e38) and 7 of its 23 fraction bits (so about 2-3 significant decimal digits).
//
//   float32   s eeeeeeee fffffff ffffffffffffffff
//   bfloat16  s eeeeeeee fffffff
//
// Widening to float32 is exact: append 16 zero bits. Narrowing rounds to nearest, ties to even, on the 16
// bits that are dropped: add 0x7FFF plus the lowest kept bit, then truncate. That carry may ripple into the
// exponent, which is right (the largest fractions round up to the next power of two, and the largest finite
// numbers to infinity). A NaN must not be rounded (the carry could turn it into infinity), so it becomes
// the quiet NaN of its sign.
//
// This header is the one place the rounding is written; the GEMM packing, the tensor dtype and the
// safetensors reader all call it.
#pragma once

#include <bit>
#include <concepts>
#include <cstdint>

namespace tapegrad {

struct bfloat16 {
    uint16_t bits = 0;

    constexpr bfloat16() = default;
    // Rounds to nearest, ties to even; NaN stays NaN (and keeps its sign).
    explicit constexpr bfloat16(float value) : bits(round_to_bfloat16_bits(value)) {}
    // Rounds once, from the double itself: going through float would round twice, and a double just above
    // a tie between two bfloat16 values could round to the tie in float and then to the even neighbour.
    explicit constexpr bfloat16(double value) : bits(round_to_bfloat16_bits(round_to_odd_float(value))) {}
    // Integers go through double, exact up to 2^53 (beyond it a bfloat16 keeps 8 significant bits anyway).
    template <std::integral Integer>
        requires(!std::same_as<Integer, bool>)
    explicit constexpr bfloat16(Integer value) : bfloat16(static_cast<double>(value)) {}
    explicit constexpr bfloat16(bool value) : bits(value ? uint16_t{0x3F80} : uint16_t{0}) {}  // 1.0 or 0.0

    static constexpr bfloat16 from_bits(uint16_t raw) {
        bfloat16 result;
        result.bits = raw;
        return result;
    }

    // Exact: every bfloat16 is a float32.
    constexpr operator float() const { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

    static constexpr uint16_t round_to_bfloat16_bits(float value) {
        const uint32_t word = std::bit_cast<uint32_t>(value);
        if ((word & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((word >> 16) | 0x0040u);  // quiet NaN
        const uint32_t lowest_kept_bit = (word >> 16) & 1u;
        return static_cast<uint16_t>((word + 0x7FFFu + lowest_kept_bit) >> 16);
    }

    // The float nearest `value` rounding toward zero, with its last bit forced to 1 when it is not exact
    // ("round to odd"). Rounding that float to bfloat16 then gives the correctly rounded bfloat16 of the
    // double (round-to-odd to a format with at least two more bits than the final one is innocuous:
    // Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to odd",
    // IEEE Trans. Computers 57(4), 2008). float has 24 significant bits, bfloat16 8.
    static constexpr float round_to_odd_float(double value) {
        if (value != value) return static_cast<float>(value);  // NaN
        float nearest = static_cast<float>(value);
        if (static_cast<double>(nearest) == value) return nearest;  // exact (and ±inf)
        // Toward zero: step back one float if rounding to nearest went away from zero (also from ±inf).
        const bool went_away = value > 0 ? static_cast<double>(nearest) > value : static_cast<double>(nearest) < value;
        if (went_away) nearest = std::bit_cast<float>(std::bit_cast<uint32_t>(nearest) - 1u);
        return std::bit_cast<float>(std::bit_cast<uint32_t>(nearest) | 1u);
    }
};

static_assert(sizeof(bfloat16) == 2);

// out[i] = the float32 holding bfloat16(in[i]): round, then widen, in one pass over float32 bits. The same
// rounding as the constructor, written without a branch (NaN picked by a mask) so the compiler vectorises
// it; autocast calls it for every product input (autograd/autocast.cpp, where the readable two-step
// to(BFloat16).to(Float32) is the reference it is checked against). `in` and `out` may be the same array.
inline void round_to_bfloat16_values(const float* in, float* out, int64_t count) {
#pragma omp parallel for simd schedule(static) if (count > (int64_t{1} << 16))
    for (int64_t i = 0; i < count; ++i) {
        const uint32_t word = std::bit_cast<uint32_t>(in[i]);
        const uint32_t rounded = (word + 0x7FFFu + ((word >> 16) & 1u)) & 0xFFFF0000u;
        const uint32_t quiet_nan = (word | 0x00400000u) & 0xFFFF0000u;
        const bool is_nan = (word & 0x7FFFFFFFu) > 0x7F800000u;
        out[i] = std::bit_cast<float>(is_nan ? quiet_nan : rounded);
    }
}

// Whether this CPU multiplies bfloat16 pairs into float32 in hardware (AVX512_BF16's VDPBF16PS), the
// instruction that makes bfloat16 products twice as fast as float32 ones. Without it they run on the
// portable path: float32 products of bfloat16-rounded inputs, the same numbers at float32 speed.
inline bool cpu_has_bfloat16_dot_product() {
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_cpu_supports("avx512bf16");
#else
    return false;
#endif
}

}  // namespace tapegrad
