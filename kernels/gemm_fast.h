// The fast GEMM: packed panels, a register-blocked micro-kernel per ISA, cache blocking and OpenMP.
//
// gemm() (gemm.h) calls gemm_fast with the best ISA this CPU supports; tests and benchmarks may call a
// specific ISA's path directly. The algorithm (Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication", 2008, as in BLIS):
//   for each NC-column block of B, each KC-deep slice:      pack B (KC x NC) into NR-wide panels, shared
//     for each MC-row block of A (split over threads):     pack A (MC x KC) into MR-row panels, per thread
//       for each NR panel of B, each MR panel of A:        micro-kernel: MR x NR tile of C in registers
// Small problems (the attention heads' T x D matrices) skip the packing: the micro-kernel reads A in
// place, and B in place when its rows are contiguous, and the batch is split over threads instead.
// float64 always uses the portable micro-kernel (it exists for gradchecks).
#pragma once

#include <string_view>

#include "kernels/gemm.h"

namespace tapegrad::kernels {

enum class GemmIsa { Portable, Avx2, Avx512 };

std::string_view gemm_isa_name(GemmIsa isa);
// Whether this CPU (and OS) can run the ISA's micro-kernel: avx2 + fma, or avx512f + fma.
bool gemm_isa_supported(GemmIsa isa);
// The fastest supported ISA, asked of the CPU once.
GemmIsa gemm_best_isa();

// Same contract as gemm(). Throws std::invalid_argument when the CPU lacks `isa`.
template <typename T>
void gemm_fast(const GemmShape& shape, const GemmOperand<T>& a, const GemmOperand<T>& b, const GemmOutput<T>& c,
               bool accumulate = false, GemmIsa isa = gemm_best_isa());

}  // namespace tapegrad::kernels
