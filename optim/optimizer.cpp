// Optimizer base: parameter groups and the step loop over parameters with a gradient (the
// checkpoint format is in optimizer_state.cpp).
#include "optim/optimizer.h"

#include <algorithm>

#include <cmath>
#include <set>
#include <stdexcept>

#include "autograd/tape.h"

namespace tapegrad::optim {

// ---- Parameter lists ----

ParamGroups::ParamGroups(std::vector<Tensor> params) : groups{ParamGroup{.params = std::move(params)}} {}
ParamGroups::ParamGroups(std::initializer_list<Tensor> params) : groups{ParamGroup{.params = params}} {}
ParamGroups::ParamGroups(std::vector<ParamGroup> groups) : groups(std::move(groups)) {}
ParamGroups::ParamGroups(std::initializer_list<ParamGroup> groups) : groups(groups) {}
ParamGroups::ParamGroups(const NamedTensorList& named_parameters) {
    ParamGroup group;
    for (const auto& [name, param] : named_parameters) {
        group.names.push_back(name);
        group.params.push_back(param);
    }
    groups.push_back(std::move(group));
}

const Tensor& ParamState::buffer(const std::string& name) const {
    for (const auto& [buffer_name, tensor] : buffers)
        if (buffer_name == name) return tensor;
    throw std::logic_error(fmt::format("optimizer state has no buffer '{}'", name));
}

// ---- Validation helpers ----

void check_non_negative(const std::string& type, const char* option, double value) {
    if (!(value >= 0.0) || std::isinf(value))  // also rejects NaN and inf
        throw std::invalid_argument(fmt::format("{}: {} must be a finite value >= 0, got {}", type, option, value));
}

void check_positive(const std::string& type, const char* option, double value) {
    if (!(value > 0.0) || std::isinf(value))
        throw std::invalid_argument(fmt::format("{}: {} must be a finite value > 0, got {}", type, option, value));
}

void check_unit_interval(const std::string& type, const char* option, double value) {
    if (!(value >= 0.0 && value < 1.0))
        throw std::invalid_argument(fmt::format("{}: {} must be in [0, 1), got {}", type, option, value));
}

// ---- Construction ----

Optimizer::Optimizer(std::string type, ParamGroups params, double lr, double weight_decay) : type_(std::move(type)) {
    if (params.groups.empty()) throw std::invalid_argument(fmt::format("{}: got no parameter groups", type_));
    std::set<const TensorImpl*> seen;
    std::set<std::string> keys;
    for (std::size_t g = 0; g < params.groups.size(); ++g) {
        ParamGroup& spec = params.groups[g];
        const std::string where = fmt::format("param_groups[{}]", g);
        if (spec.params.empty()) throw std::invalid_argument(fmt::format("{}: {} has no parameters", type_, where));
        if (!spec.names.empty() && spec.names.size() != spec.params.size())
            throw std::invalid_argument(fmt::format("{}: {} has {} names for {} parameters", type_, where,
                                                    spec.names.size(), spec.params.size()));
        Group group;
        group.lr = spec.lr.value_or(lr);
        group.weight_decay = spec.weight_decay.value_or(weight_decay);
        check_non_negative(type_, (where + ".lr").c_str(), group.lr);
        check_non_negative(type_, (where + ".weight_decay").c_str(), group.weight_decay);
        for (std::size_t i = 0; i < spec.params.size(); ++i) {
            const Tensor& param = spec.params[i];
            const std::string key = spec.names.empty() ? fmt::format("{}.{}", g, i) : spec.names[i];
            if (!param.defined() || !is_floating(param.dtype()) || !param.is_leaf() || !param.is_contiguous())
                throw std::invalid_argument(fmt::format(
                    "{}: parameter '{}' must be a defined, contiguous float32/float64 leaf tensor", type_, key));
            if (!seen.insert(&param.impl()).second)
                throw std::invalid_argument(
                    fmt::format("{}: parameter '{}' appears more than once in the parameter groups", type_, key));
            if (key.empty() || !keys.insert(key).second)
                throw std::invalid_argument(fmt::format("{}: parameter name '{}' is empty or not unique", type_, key));
            group.params.push_back(param);
            group.keys.push_back(key);
        }
        group.states.resize(group.params.size());
        groups_.push_back(std::move(group));
    }
}

// ---- Training ----

void Optimizer::init_state(const Tensor& param, ParamState& state) const {
    for (const std::string& name : state_names())
        state.buffers.emplace_back(name, full(param.shape(), initial_state_value(name), {.dtype = param.dtype()}));
}

void Optimizer::step() {
    NoGradGuard no_grad;
    // Check every parameter first, so that a bad one does not leave the others half updated.
    for (const Group& group : groups_)
        for (std::size_t i = 0; i < group.params.size(); ++i) {
            const Tensor& param = group.params[i];
            const Tensor grad = param.grad();
            if (!grad.defined()) continue;
            if (grad.shape() != param.shape() || grad.dtype() != param.dtype())
                throw std::invalid_argument(fmt::format(
                    "{}.step: parameter '{}' is {} {} but its grad is {} {}", type_, group.keys[i],
                    shape_string(param.shape()), dtype_name(param.dtype()), shape_string(grad.shape()),
                    dtype_name(grad.dtype())));
            if (!param.is_contiguous())
                throw std::invalid_argument(
                    fmt::format("{}.step: parameter '{}' is no longer contiguous", type_, group.keys[i]));
            const ParamState& state = group.states[i];
            if (!state.buffers.empty() && state.buffers.front().second.dtype() != param.dtype())
                throw std::invalid_argument(fmt::format(
                    "{}.step: parameter '{}' is now {} but its optimizer state is {} (convert the model "
                    "before creating the optimizer)",
                    type_, group.keys[i], dtype_name(param.dtype()),
                    dtype_name(state.buffers.front().second.dtype())));
        }
    // Bookkeeping first, in order (state creation allocates); then the updates, which touch only their
    // own parameter and state, run in parallel across parameters — largest first, so that the threads
    // finish together. A model's many small tensors would each be too small to split.
    struct Work {
        const Tensor* param;
        Tensor grad;
        ParamState* state;
        double lr, weight_decay;
    };
    std::vector<Work> work;
    int64_t elements = 0;
    for (Group& group : groups_)
        for (std::size_t i = 0; i < group.params.size(); ++i) {
            const Tensor& param = group.params[i];
            const Tensor grad = param.grad();
            if (!grad.defined()) continue;
            ParamState& state = group.states[i];
            if (state.step == 0 && state.buffers.empty()) init_state(param, state);
            ++state.step;
            work.push_back({&param, grad.contiguous(), &state, group.lr, group.weight_decay});
            elements += param.numel();
        }
    std::stable_sort(work.begin(), work.end(), [](const Work& a, const Work& b) { return a.param->numel() > b.param->numel(); });
    const auto count = static_cast<int64_t>(work.size());
#pragma omp parallel for schedule(dynamic) if (count > 1 && elements > 65536)
    for (int64_t w = 0; w < count; ++w)
        update(*work[w].param, work[w].grad, *work[w].state, work[w].lr, work[w].weight_decay);
    ++step_count_;
}

void Optimizer::zero_grad() {
    for (const Group& group : groups_)
        for (const Tensor& param : group.params) param.zero_grad();
}

void Optimizer::set_lr(double lr) {
    for (std::size_t g = 0; g < groups_.size(); ++g) set_lr(g, lr);
}

void Optimizer::set_lr(std::size_t group, double lr) {
    check_non_negative(type_, "lr", lr);
    groups_.at(group).lr = lr;
}

double Optimizer::lr(std::size_t group) const { return groups_.at(group).lr; }
double Optimizer::weight_decay(std::size_t group) const { return groups_.at(group).weight_decay; }
const std::vector<Tensor>& Optimizer::params(std::size_t group) const { return groups_.at(group).params; }

const ParamState& Optimizer::state(const std::string& key) const {
    for (const Group& group : groups_)
        for (std::size_t i = 0; i < group.keys.size(); ++i)
            if (group.keys[i] == key) return group.states[i];
    throw std::out_of_range(fmt::format("{}: no parameter with key '{}'", type_, key));
}

}  // namespace tapegrad::optim
