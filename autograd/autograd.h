// Everything in autograd/: tensors, the tape, every op, gradcheck. Include this to use tapegrad's core.
#pragma once

#include "autograd/allocator.h"
#include "autograd/anomaly.h"
#include "autograd/autocast.h"
#include "autograd/gradcheck.h"
#include "autograd/inspect.h"
#include "autograd/ops/accumulate_grad.h"
#include "autograd/ops/elementwise.h"
#include "autograd/ops/matmul.h"
#include "autograd/ops/nn_functional.h"
#include "autograd/ops/reduce.h"
#include "autograd/ops/shape_ops.h"
#include "autograd/profiler.h"
#include "autograd/random.h"
#include "autograd/tape.h"
#include "autograd/tensor.h"
