// Small collectives on plain numbers.
#include "distributed/collectives.h"

#include <functional>
#include <stdexcept>

#include <boost/mpi/collectives/all_gather.hpp>
#include <boost/mpi/collectives/all_reduce.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tapegrad::distributed {

void sum_across_ranks(std::vector<double>& values, const boost::mpi::communicator& comm) {
    const std::vector<int64_t> sizes = gather_from_all_ranks(static_cast<int64_t>(values.size()), comm);
    for (int64_t size : sizes)
        if (size != sizes[0])
            throw std::invalid_argument(
                fmt::format("sum_across_ranks: ranks passed vectors of different lengths {}", sizes));
    if (values.empty()) return;
    boost::mpi::all_reduce(comm, boost::mpi::inplace(values.data()), static_cast<int>(values.size()),
                           std::plus<double>());
}

bool any_rank(bool flag, const boost::mpi::communicator& comm) {
    int value = flag ? 1 : 0;
    boost::mpi::all_reduce(comm, boost::mpi::inplace(value), boost::mpi::maximum<int>());
    return value != 0;
}

std::vector<uint64_t> gather_from_all_ranks(uint64_t value, const boost::mpi::communicator& comm) {
    std::vector<uint64_t> values;
    boost::mpi::all_gather(comm, value, values);
    return values;
}

std::vector<int64_t> gather_from_all_ranks(int64_t value, const boost::mpi::communicator& comm) {
    std::vector<int64_t> values;
    boost::mpi::all_gather(comm, value, values);
    return values;
}

std::vector<std::vector<uint64_t>> gather_from_all_ranks(const std::vector<uint64_t>& values,
                                                         const boost::mpi::communicator& comm) {
    const std::vector<int64_t> sizes = gather_from_all_ranks(static_cast<int64_t>(values.size()), comm);
    for (int64_t size : sizes)
        if (size != sizes[0])
            throw std::invalid_argument(
                fmt::format("gather_from_all_ranks: ranks passed vectors of different lengths {}", sizes));
    std::vector<uint64_t> flat(values.size() * sizes.size());
    if (!values.empty())
        boost::mpi::all_gather(comm, values.data(), static_cast<int>(values.size()), flat.data());
    std::vector<std::vector<uint64_t>> by_rank;
    for (std::size_t rank = 0; rank < sizes.size(); ++rank)
        by_rank.emplace_back(flat.begin() + static_cast<std::ptrdiff_t>(rank * values.size()),
                             flat.begin() + static_cast<std::ptrdiff_t>((rank + 1) * values.size()));
    return by_rank;
}

}  // namespace tapegrad::distributed
