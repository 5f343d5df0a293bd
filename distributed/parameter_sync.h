// Keeping every rank's copy of the model identical: broadcast_parameters() makes them equal at the
// start, parameter_checksum() / check_parameters_in_sync() verify that they stayed equal.
//
// Data-parallel training relies on every rank holding bitwise the same parameters: each rank applies the
// same optimizer step to the same averaged gradient, so equal parameters stay equal — unless something
// breaks the symmetry (a rank that loaded another checkpoint, non-deterministic reduction, a bug), and
// then the ranks silently train different models. The periodic check turns that into an error.
#pragma once

#include <cstdint>
#include <stdexcept>

#include <boost/mpi/communicator.hpp>

#include "nn/module.h"

namespace tapegrad::distributed {

// Copies root's parameters and buffers (state_dict() order) into every other rank's module, in place:
// the handles the module and its optimizer hold stay valid. One MPI_Bcast per tensor — it runs once, at
// the start, so its call count does not matter. Throws std::invalid_argument when the ranks' modules do
// not have the same tensors (names, shapes and dtypes are compared through a checksum first), or when
// root is not a rank of comm.
void broadcast_parameters(nn::Module& module, int root = 0, const boost::mpi::communicator& comm = {});

// A 64-bit FNV-1a hash of the bytes of every parameter and buffer, with their names and shapes: equal
// modules give equal checksums; any differing bit almost surely changes it.
uint64_t parameter_checksum(const nn::Module& module);

// Thrown when ranks hold different parameters.
class ParametersDiverged : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Compares parameter_checksum() across ranks (one all-gather); throws ParametersDiverged on every rank,
// naming `step` and each rank's checksum, when they differ.
void check_parameters_in_sync(const nn::Module& module, int64_t step, const boost::mpi::communicator& comm = {});

}  // namespace tapegrad::distributed
