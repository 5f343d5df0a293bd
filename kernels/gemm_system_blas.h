// Optional: the system BLAS (cblas_sgemm / cblas_dgemm, e.g. OpenBLAS) behind the same gemm() interface,
// to compare our kernels with it inside one program and one model.
//
// Built in with the CMake option -DTAPEGRAD_SYSTEM_BLAS=ON (it needs a CBLAS, e.g. Debian's
// libopenblas-openmp-dev). Such a build then runs every GEMM through the system BLAS by default, and the
// environment variable TAPEGRAD_GEMM chooses at run time:
//   TAPEGRAD_GEMM=blas       the system BLAS (the default when built in)
//   TAPEGRAD_GEMM=tapegrad   our own kernels (gemm_fast.h; the default, and the only choice, otherwise)
// `bench train-step --gemm blas|tapegrad` and `bench sgemm --gemm ...` show both side by side.
//
// BLAS takes matrices with a unit stride along rows or columns; an operand with neither (or a product
// BLAS cannot express, such as a broadcast read with stride 0 inside a matrix) still runs on our kernels.
// Only TAPEGRAD_KERNELS=fast and =check use the backend (check compares it with the reference);
// =reference runs the readable reference kernels as always.
#pragma once

#include <string_view>

#include "kernels/gemm.h"

namespace tapegrad::kernels {

enum class GemmBackend { Tapegrad, SystemBlas };

// Was this build made with -DTAPEGRAD_SYSTEM_BLAS=ON?
bool system_blas_available();
// The backend in force: the last set_gemm_backend(), else TAPEGRAD_GEMM (read once), else the system BLAS
// when built in. Throws std::invalid_argument for an unknown TAPEGRAD_GEMM, or for "blas" when not built in.
GemmBackend gemm_backend();
// Throws std::invalid_argument when asked for the system BLAS in a build without it.
void set_gemm_backend(GemmBackend backend);
// "tapegrad" / "blas" -> the backend; anything else throws std::invalid_argument naming the text.
GemmBackend parse_gemm_backend(std::string_view text);
std::string_view gemm_backend_name(GemmBackend backend);

// One gemm() through cblas_?gemm, problem by problem (OpenMP across problems when there are several).
// Returns false, having done nothing, when BLAS cannot express the operands or the build has no BLAS.
template <typename T>
bool gemm_system_blas(const GemmShape& shape, const GemmOperand<T>& a, const GemmOperand<T>& b, const GemmOutput<T>& c,
                      bool accumulate);

}  // namespace tapegrad::kernels
