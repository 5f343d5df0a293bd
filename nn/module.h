// Module: the base of every layer and model. A module owns parameters (tensors the optimizer trains),
// buffers (state that is saved but not trained) and child modules, each registered under a name, so
// that every parameter has a dotted path such as "decoder.layers.0.cross_attention.q_proj.weight" —
// the names checkpoints, debugging and reference tests use.
//
// Modules are non-copyable: the registry holds handles to the very tensors the module computes with,
// and a copy would silently share them. Hold modules by std::shared_ptr.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/autograd.h"

namespace tapegrad::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
public:
    Module() = default;
    virtual ~Module() = default;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    // The module's type, as printed: "Linear", "MultiHeadAttention", ...
    virtual std::string type_name() const = 0;
    // Its settings, printed after the type: "in_features=4, out_features=2, bias=true".
    virtual std::string extra_repr() const { return ""; }

    // Every parameter of this module and its descendants, dotted names, in registration order.
    NamedTensors named_parameters() const;
    std::vector<Tensor> parameters() const;
    NamedTensors named_buffers() const;
    // The random number generators modules draw from (dropout masks), by dotted name, so that a
    // checkpoint can save their states and a resumed run draws the same masks.
    std::vector<std::pair<std::string, Generator*>> named_generators();
    // This module ("") and every descendant, by dotted path.
    std::vector<std::pair<std::string, Module*>> named_modules();
    // Total number of trainable elements.
    int64_t parameter_count() const;

    // Training mode switches dropout on; eval() switches it off. Applies to every descendant.
    void train(bool on = true);
    void eval() { train(false); }
    bool is_training() const { return training_; }

    // Forgets every parameter's accumulated gradient.
    void zero_grad();

    // Converts every parameter and floating buffer to dtype in place (float64 for gradient checks).
    // The handles the module holds stay valid: the tensors change, not the module's references.
    void to(DType dtype);

    // Parameters then buffers, by dotted name: what a checkpoint stores.
    NamedTensors state_dict() const;
    // Copies values into the existing tensors. Checks every name, shape and dtype first and throws
    // one std::invalid_argument listing every mismatch (missing, unexpected, wrong shape, wrong dtype).
    void load_state_dict(const NamedTensors& state, bool strict = true);

    // The printed tree: each module with its settings, parameter shapes and counts.
    std::string to_string() const;

protected:
    // Registers a trainable tensor (its requires_grad is switched on) and returns the handle to keep.
    Tensor register_parameter(const std::string& name, Tensor value);
    // Registers saved, untrained state (a positional-encoding table, for example).
    Tensor register_buffer(const std::string& name, Tensor value);
    // Registers a generator the module owns (it must live as long as the module).
    void register_generator(const std::string& name, Generator& generator);
    template <typename M>
    std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
        add_child(name, module);
        return module;
    }

private:
    void add_child(const std::string& name, std::shared_ptr<Module> module);
    void check_new_name(const std::string& name) const;
    void collect(const std::string& prefix, NamedTensors& out, bool buffers) const;
    void print(std::string& out, const std::string& name, int depth) const;

    NamedTensors parameters_;
    NamedTensors buffers_;
    std::vector<std::pair<std::string, Generator*>> generators_;
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
    bool training_ = true;
};

// An indexed list of modules registered as "0", "1", ... (the encoder's and decoder's layer stacks).
class ModuleList : public Module {
public:
    std::string type_name() const override { return "ModuleList"; }
    template <typename M>
    std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
        items_.push_back(module);
        return register_module(std::to_string(items_.size() - 1), std::move(module));
    }
    std::size_t size() const { return items_.size(); }
    std::shared_ptr<Module> operator[](std::size_t index) const { return items_.at(index); }
    template <typename M> std::shared_ptr<M> at(std::size_t index) const {
        return std::dynamic_pointer_cast<M>(items_.at(index));
    }

private:
    std::vector<std::shared_ptr<Module>> items_;
};

// Prints module.to_string().
std::ostream& operator<<(std::ostream& os, const Module& module);

}  // namespace tapegrad::nn
