// The tape inspector, for learners: print what the tape recorded, or draw it with Graphviz.
//
//   Tensor y = (x * w).sum();
//   std::cout << format_tape();                    // one line per entry: op, inputs, output, bytes
//   std::ofstream("tape.dot") << tape_to_dot();    // dot -Tsvg tape.dot > tape.svg
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "autograd/tape.h"

namespace tapegrad {

// Names to show for some tensors (typically the leaves: {{x, "x"}, {w, "w"}}).
using TensorNames = std::vector<std::pair<Tensor, std::string>>;

// A table of the tape in execution order:
//   #0  mul      inputs [2, 3] x, [2, 3] w     -> [2, 3]   24 B
std::string format_tape(const Tape& tape = Tape::current(), const TensorNames& names = {});

// A Graphviz digraph: leaves as boxes, ops as ellipses, edges labelled with shapes, in tape order.
std::string tape_to_dot(const Tape& tape = Tape::current(), const TensorNames& names = {});

}  // namespace tapegrad
