// Distance kernels shared by the index implementations (internal header of rlrec_index).
//
// dot(a, b, n) and l2_squared(a, b, n) over float vectors, chosen once at run time: an AVX2+FMA
// version when the CPU has both, a portable version otherwise. The binary stays portable (no
// -march=native needed) and still uses 256-bit FMA on the machines we run on. The two versions sum
// in different orders, so their results can differ in the last bits.
#pragma once

#include <cstddef>

namespace rlrec::index::kernels {

using VectorFn = float (*)(const float* a, const float* b, size_t n);

// The best implementation for this CPU (resolved once, thread-safe).
VectorFn dot_fn();
VectorFn l2_squared_fn();

// hnswlib's distance signature; `param` points to the dimension (a size_t).
using DistFn = float (*)(const void* a, const void* b, const void* param);
DistFn neg_dot_dist_fn();     // -<a, b>  (lower = closer, as hnswlib expects)
DistFn l2_squared_dist_fn();  // ||a - b||^2

// "avx2+fma" or "generic": what dot_fn()/l2_squared_fn() resolved to (for bench output).
const char* kernel_name();

// The portable versions (exposed for tests that compare both).
float dot_generic(const float* a, const float* b, size_t n);
float l2_squared_generic(const float* a, const float* b, size_t n);

}  // namespace rlrec::index::kernels
