// DataParallel: distributed/ when tapegrad is built with MPI and it is active, a world of one otherwise.
#include "examples/translate/data_parallel.h"

#ifdef TAPEGRAD_HAS_DISTRIBUTED
#include "distributed/distributed.h"
#endif

namespace tapegrad::translate {

#ifdef TAPEGRAD_HAS_DISTRIBUTED
struct DataParallel::Reducer {
    distributed::GradientReducer reducer;
};

DataParallel::DataParallel() : rank_(distributed::world_rank()), world_size_(distributed::world_size()) {}
DataParallel::~DataParallel() = default;

void DataParallel::broadcast_parameters(nn::Module& module) {
    if (world_size_ > 1) distributed::broadcast_parameters(module);
}
void DataParallel::reduce_gradients_of(const std::vector<Tensor>& parameters) {
    if (world_size_ > 1) reducer_ = std::make_unique<Reducer>(Reducer{distributed::GradientReducer(parameters)});
}
double DataParallel::average_gradients(double local_tokens) {
    return reducer_ ? reducer_->reducer.average_gradients(local_tokens) : local_tokens;
}
double DataParallel::sum(double value) {
    if (world_size_ == 1) return value;
    std::vector<double> values{value};
    distributed::sum_across_ranks(values);
    return values[0];
}
bool DataParallel::any(bool flag) { return world_size_ > 1 ? distributed::any_rank(flag) : flag; }
void DataParallel::check_parameters_in_sync(const nn::Module& module, int64_t step) {
    if (world_size_ > 1) distributed::check_parameters_in_sync(module, step);
}
bool DataParallel::same_on_all_ranks(uint64_t value) {
    if (world_size_ == 1) return true;
    for (uint64_t other : distributed::gather_from_all_ranks(value))
        if (other != value) return false;
    return true;
}
uint64_t DataParallel::parameter_checksum(const nn::Module& module) const {
    return distributed::parameter_checksum(module);
}
std::vector<std::vector<uint64_t>> DataParallel::gather(const std::vector<uint64_t>& values) {
    return world_size_ > 1 ? distributed::gather_from_all_ranks(values) : std::vector<std::vector<uint64_t>>{values};
}
#else
struct DataParallel::Reducer {};

DataParallel::DataParallel() = default;
DataParallel::~DataParallel() = default;
void DataParallel::broadcast_parameters(nn::Module&) {}
void DataParallel::reduce_gradients_of(const std::vector<Tensor>&) {}
double DataParallel::average_gradients(double local_tokens) { return local_tokens; }
double DataParallel::sum(double value) { return value; }
bool DataParallel::any(bool flag) { return flag; }
void DataParallel::check_parameters_in_sync(const nn::Module&, int64_t) {}
bool DataParallel::same_on_all_ranks(uint64_t) { return true; }
uint64_t DataParallel::parameter_checksum(const nn::Module&) const { return 0; }
std::vector<std::vector<uint64_t>> DataParallel::gather(const std::vector<uint64_t>& values) { return {values}; }
#endif

}  // namespace tapegrad::translate
