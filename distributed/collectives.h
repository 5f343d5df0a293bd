// Small collectives on plain numbers, for the bookkeeping around a training step: global sums (tokens,
// the token-weighted loss), "does any rank want to stop", and gathering one value from every rank.
// Each is one MPI call; every rank of `comm` must make the same calls in the same order.
#pragma once

#include <cstdint>
#include <vector>

#include <boost/mpi/communicator.hpp>

namespace tapegrad::distributed {

// Replaces values[i] on every rank by the sum over ranks of values[i] (MPI_Allreduce, MPI_SUM). Throws
// std::invalid_argument when ranks pass vectors of different lengths (checked: a mismatch would
// otherwise read past the shorter buffer).
void sum_across_ranks(std::vector<double>& values, const boost::mpi::communicator& comm = {});

// True on every rank when `flag` is true on at least one (a logical-or all-reduce): how ranks agree on
// stopping when only one of them (the one that validates, or whose clock ran out) decided it.
bool any_rank(bool flag, const boost::mpi::communicator& comm = {});

// value from every rank, indexed by rank.
std::vector<uint64_t> gather_from_all_ranks(uint64_t value, const boost::mpi::communicator& comm = {});
std::vector<int64_t> gather_from_all_ranks(int64_t value, const boost::mpi::communicator& comm = {});
// values from every rank, indexed by rank; every rank must pass the same number of values (checked:
// std::invalid_argument names the lengths).
std::vector<std::vector<uint64_t>> gather_from_all_ranks(const std::vector<uint64_t>& values,
                                                         const boost::mpi::communicator& comm = {});

}  // namespace tapegrad::distributed
