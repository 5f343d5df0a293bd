// Module: registration by name, traversal, modes, dtype conversion, state dicts and the printed tree.
#include "nn/module.h"

#include <map>
#include <ostream>
#include <stdexcept>

#include "autograd/loops/copy.h"

namespace tapegrad::nn {

void Module::check_new_name(const std::string& name) const {
    if (name.empty() || name.find('.') != std::string::npos)
        throw std::invalid_argument(fmt::format("{}: invalid name '{}' (non-empty, without dots)", type_name(), name));
    auto taken = [&](const auto& list) {
        for (const auto& [existing, value] : list)
            if (existing == name) return true;
        return false;
    };
    if (taken(parameters_) || taken(buffers_) || taken(children_))
        throw std::invalid_argument(fmt::format("{}: the name '{}' is already registered", type_name(), name));
}

Tensor Module::register_parameter(const std::string& name, Tensor value) {
    check_new_name(name);
    if (!value.defined() || !is_floating(value.dtype()))
        throw std::invalid_argument(fmt::format("{}: parameter '{}' must be a floating-point tensor", type_name(), name));
    value = value.detach();
    value.requires_grad_(true);
    parameters_.emplace_back(name, value);
    return value;
}

Tensor Module::register_buffer(const std::string& name, Tensor value) {
    check_new_name(name);
    buffers_.emplace_back(name, value.detach());
    return buffers_.back().second;
}

void Module::register_generator(const std::string& name, Generator& generator) {
    for (const auto& [existing, g] : generators_)
        if (existing == name)
            throw std::invalid_argument(fmt::format("{}: the generator '{}' is already registered", type_name(), name));
    generators_.emplace_back(name, &generator);
}

std::vector<std::pair<std::string, Generator*>> Module::named_generators() {
    std::vector<std::pair<std::string, Generator*>> out = generators_;
    for (const auto& [name, child] : children_)
        for (const auto& [path, generator] : child->named_generators()) out.emplace_back(name + "." + path, generator);
    return out;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
    check_new_name(name);
    if (!module) throw std::invalid_argument(fmt::format("{}: submodule '{}' is null", type_name(), name));
    children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix, NamedTensors& out, bool buffers) const {
    for (const auto& [name, tensor] : buffers ? buffers_ : parameters_) out.emplace_back(prefix + name, tensor);
    for (const auto& [name, child] : children_) child->collect(prefix + name + ".", out, buffers);
}

NamedTensors Module::named_parameters() const {
    NamedTensors out;
    collect("", out, false);
    return out;
}

std::vector<Tensor> Module::parameters() const {
    std::vector<Tensor> out;
    for (auto& [name, tensor] : named_parameters()) out.push_back(tensor);
    return out;
}

NamedTensors Module::named_buffers() const {
    NamedTensors out;
    collect("", out, true);
    return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
    std::vector<std::pair<std::string, Module*>> out{{"", this}};
    for (const auto& [name, child] : children_)
        for (const auto& [path, module] : child->named_modules()) out.emplace_back(path.empty() ? name : name + "." + path, module);
    return out;
}

int64_t Module::parameter_count() const {
    int64_t count = 0;
    for (const auto& [name, tensor] : named_parameters()) count += tensor.numel();
    return count;
}

void Module::train(bool on) {
    training_ = on;
    for (const auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
    for (const auto& [name, tensor] : named_parameters()) tensor.zero_grad();
}

void Module::to(DType dtype) {
    if (!is_floating(dtype))
        throw std::invalid_argument(fmt::format(
            "Module::to: a module's parameters are float32 or float64, not {}{}", dtype_name(dtype),
            dtype == DType::BFloat16 ? " (for bfloat16 products keep float32 weights and train under autocast)" : ""));
    auto convert = [dtype](const Tensor& tensor) {
        if (!is_floating(tensor.dtype()) || tensor.dtype() == dtype) return;
        Tensor converted = empty(tensor.shape(), {.dtype = dtype});
        loops::copy_into(converted, tensor);
        TensorImpl& impl = tensor.impl();  // swap the data under the same handle
        impl.storage = converted.impl().storage;
        impl.strides = converted.strides();
        impl.offset = 0;
        impl.dtype = dtype;
        impl.grad.reset();
    };
    for (const auto& [name, tensor] : named_parameters()) convert(tensor);
    for (const auto& [name, tensor] : named_buffers()) convert(tensor);
}

NamedTensors Module::state_dict() const {
    NamedTensors out = named_parameters();
    for (auto& entry : named_buffers()) out.push_back(entry);
    return out;
}

void Module::load_state_dict(const NamedTensors& state, bool strict) {
    std::map<std::string, Tensor> given(state.begin(), state.end());
    std::vector<std::string> problems;
    NamedTensors own = state_dict();
    for (const auto& [name, tensor] : own) {
        auto it = given.find(name);
        if (it == given.end()) {
            if (strict) problems.push_back(fmt::format("missing '{}' {}", name, shape_string(tensor.shape())));
            continue;
        }
        if (it->second.shape() != tensor.shape())
            problems.push_back(fmt::format("'{}': expected shape {}, got {}", name, shape_string(tensor.shape()),
                                           shape_string(it->second.shape())));
        else if (it->second.dtype() != tensor.dtype())
            problems.push_back(fmt::format("'{}': expected dtype {}, got {}", name, dtype_name(tensor.dtype()),
                                           dtype_name(it->second.dtype())));
        given.erase(it);
    }
    if (strict)
        for (const auto& [name, tensor] : given) problems.push_back(fmt::format("unexpected '{}'", name));
    if (!problems.empty()) {
        std::string message = fmt::format("load_state_dict: {} mismatch(es) loading into {}:", problems.size(), type_name());
        for (const std::string& problem : problems) message += "\n  " + problem;
        throw std::invalid_argument(message);
    }
    std::map<std::string, Tensor> values(state.begin(), state.end());
    for (const auto& [name, tensor] : own)
        if (auto it = values.find(name); it != values.end()) loops::copy_into(tensor, it->second);
}

void Module::print(std::string& out, const std::string& name, int depth) const {
    const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
    int64_t own = 0;
    for (const auto& [n, tensor] : parameters_) own += tensor.numel();
    const int64_t total = parameter_count();
    out += fmt::format("{}{}{}({}){}\n", indent, name.empty() ? "" : "(" + name + "): ", type_name(), extra_repr(),
                       total > 0 ? fmt::format("  [{} parameters]", total) : "");
    for (const auto& [n, tensor] : parameters_)
        out += fmt::format("{}  {}: {} {}\n", indent, n, shape_string(tensor.shape()), dtype_name(tensor.dtype()));
    for (const auto& [n, child] : children_) child->print(out, n, depth + 1);
}

std::string Module::to_string() const {
    std::string out;
    print(out, "", 0);
    return out;
}

std::ostream& operator<<(std::ostream& os, const Module& module) { return os << module.to_string(); }

}  // namespace tapegrad::nn
