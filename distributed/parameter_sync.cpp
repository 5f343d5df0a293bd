// broadcast_parameters, parameter_checksum, check_parameters_in_sync.
#include "distributed/parameter_sync.h"

#include <cstring>

#include <boost/mpi/collectives/broadcast.hpp>
#include <fmt/format.h>

#include "distributed/collectives.h"

namespace tapegrad::distributed {
namespace {

// FNV-1a, 64 bit: h = (h xor byte) * 1099511628211, from offset basis 14695981039346656037.
struct Fnv1a {
    uint64_t hash = 14695981039346656037ull;
    void add(const void* data, std::size_t bytes) {
        const auto* p = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < bytes; ++i) hash = (hash ^ p[i]) * 1099511628211ull;
    }
};

// The checksum of what a module is made of (names, shapes, dtypes), not of its values.
uint64_t structure_checksum(const nn::NamedTensors& tensors) {
    Fnv1a fnv;
    for (const auto& [name, tensor] : tensors) {
        fnv.add(name.data(), name.size());
        for (int64_t extent : tensor.shape()) fnv.add(&extent, sizeof extent);
        const auto dtype = static_cast<int>(tensor.dtype());
        fnv.add(&dtype, sizeof dtype);
    }
    return fnv.hash;
}

std::string describe_checksums(const std::vector<uint64_t>& checksums) {
    std::string text;
    for (std::size_t rank = 0; rank < checksums.size(); ++rank)
        text += fmt::format("{}rank {}: {:016x}", rank ? ", " : "", rank, checksums[rank]);
    return text;
}

}  // namespace

void broadcast_parameters(nn::Module& module, int root, const boost::mpi::communicator& comm) {
    if (root < 0 || root >= comm.size())
        throw std::invalid_argument(
            fmt::format("broadcast_parameters: root {} is not a rank of a communicator of size {}", root, comm.size()));
    const nn::NamedTensors tensors = module.state_dict();
    const std::vector<uint64_t> structures = gather_from_all_ranks(structure_checksum(tensors), comm);
    for (std::size_t rank = 0; rank < structures.size(); ++rank)
        if (structures[rank] != structures[static_cast<std::size_t>(root)])
            throw std::invalid_argument(fmt::format(
                "broadcast_parameters: rank {} has a module with other parameter names, shapes or dtypes than "
                "root rank {} (structure checksums {})",
                rank, root, describe_checksums(structures)));
    for (const auto& [name, tensor] : tensors) {
        // Parameters own their storage contiguously; a view would need packing before and after.
        if (!tensor.is_contiguous())
            throw std::invalid_argument(
                fmt::format("broadcast_parameters: '{}' is not contiguous (shape {})", name, shape_string(tensor.shape())));
        auto* bytes = static_cast<char*>(tensor.raw_data());
        boost::mpi::broadcast(comm, bytes, static_cast<int>(tensor.numel() * dtype_size(tensor.dtype())), root);
    }
}

uint64_t parameter_checksum(const nn::Module& module) {
    const nn::NamedTensors tensors = module.state_dict();
    Fnv1a fnv;
    fnv.hash = structure_checksum(tensors);
    for (const auto& [name, tensor] : tensors) {
        const Tensor packed = tensor.contiguous();
        fnv.add(packed.raw_data(), static_cast<std::size_t>(packed.numel()) * dtype_size(packed.dtype()));
    }
    return fnv.hash;
}

void check_parameters_in_sync(const nn::Module& module, int64_t step, const boost::mpi::communicator& comm) {
    const std::vector<uint64_t> checksums = gather_from_all_ranks(parameter_checksum(module), comm);
    for (uint64_t checksum : checksums)
        if (checksum != checksums[0])
            throw ParametersDiverged(fmt::format(
                "the ranks' parameters diverged at step {}: parameter checksums {}", step,
                describe_checksums(checksums)));
}

}  // namespace tapegrad::distributed
