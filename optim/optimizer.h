// Optimizer: the base every optimizer derives from. It owns the parameter groups and the
// per-parameter state (step count and buffers such as Adam's moments), runs step() over every
// parameter that has a gradient, and saves/restores that state as named tensors + string metadata
// so the optimizer goes into the same safetensors checkpoint as the model.
//
// A derived optimizer supplies four things: the names of its per-parameter buffers, its
// hyper-parameters (for checkpoints), their validation, and update(): one parameter's update as a
// plain loop over elements, written like the paper's pseudo-code.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "autograd/serialize/safetensors.h"
#include "autograd/tensor.h"

namespace tapegrad::optim {

// A set of parameters trained with the same settings. Unset overrides take the optimizer's value,
// e.g. no weight decay on biases and LayerNorm gains:
//   AdamW opt(std::vector<ParamGroup>{{.params = weights}, {.params = gains, .weight_decay = 0.0}}, {.lr = 3e-4});
struct ParamGroup {
    std::vector<Tensor> params;               // contiguous float32/float64 leaves
    std::vector<std::string> names = {};      // one per param (checkpoint keys), or empty: keys "<group>.<index>"
    std::optional<double> lr = {};            // this group's learning rate
    std::optional<double> weight_decay = {};  // this group's weight decay
};

// What an optimizer trains: a list of tensors, a module's named_parameters(), or explicit groups.
struct ParamGroups {
    ParamGroups(std::vector<Tensor> params);
    ParamGroups(std::initializer_list<Tensor> params);
    ParamGroups(const NamedTensorList& named_parameters);  // nn::Module::named_parameters()
    ParamGroups(std::vector<ParamGroup> groups);
    ParamGroups(std::initializer_list<ParamGroup> groups);

    std::vector<ParamGroup> groups;
};

// What an optimizer keeps for one parameter.
struct ParamState {
    int64_t step = 0;          // updates applied to this parameter (it is skipped while it has no grad)
    NamedTensorList buffers;   // in state_names() order; same shape and dtype as the parameter

    // The buffer called `name` (it exists: the base creates every buffer before the first update).
    const Tensor& buffer(const std::string& name) const;
};

// The optimizer's part of a checkpoint. Tensors are keyed "<prefix>.<param key>.<state name>"
// (e.g. "optimizer.decoder.out_proj.weight.exp_avg", "optimizer.0.1.step"), where the param key is
// the parameter's name or "<group>.<index>". Metadata holds the optimizer type, the step count,
// the hyper-parameters and each group's lr and weight_decay, as strings.
struct OptimizerState {
    NamedTensorList tensors;
    SafetensorsMetadata metadata;
};

class Optimizer {
public:
    virtual ~Optimizer() = default;
    Optimizer(const Optimizer&) = delete;
    Optimizer& operator=(const Optimizer&) = delete;

    // "SGD", "Adam", "AdamW", "RMSprop", "Adagrad" — as saved in checkpoints.
    const std::string& type_name() const { return type_; }

    // One update of every parameter whose grad is defined (the others are skipped, as in PyTorch).
    // Not recorded on the tape. Throws if a grad's shape or dtype differs from its parameter's.
    void step();
    // Forgets every parameter's gradient (grad() becomes undefined, like set_to_none=True).
    void zero_grad();
    // How many times step() ran.
    int64_t step_count() const { return step_count_; }

    // The first group's learning rate; set_lr(lr) sets every group's (what a Scheduler calls).
    double lr() const { return lr(0); }
    void set_lr(double lr);
    double lr(std::size_t group) const;
    void set_lr(std::size_t group, double lr);
    double weight_decay(std::size_t group) const;
    std::size_t group_count() const { return groups_.size(); }
    const std::vector<Tensor>& params(std::size_t group) const;

    // The state of a parameter (step 0 and no buffers before its first update). The checkpoint key
    // is its name or "<group>.<index>".
    const ParamState& state(const std::string& key) const;

    // Handles to the live state (not copies): save them before the next step().
    OptimizerState state_dict(const std::string& prefix = "optimizer") const;
    // Restores everything state_dict() saved — step counts, buffers (copied), hyper-parameters and
    // each group's lr and weight_decay, as PyTorch's load_state_dict does. `tensors` may be a whole
    // checkpoint: only keys under "<prefix>." are read. Every problem (another optimizer type,
    // different groups, missing or unexpected state, wrong shape or dtype, bad metadata) is checked
    // first and reported in one std::invalid_argument; the optimizer is unchanged when it throws.
    void load_state_dict(const NamedTensorList& tensors, const SafetensorsMetadata& metadata,
                         const std::string& prefix = "optimizer");
    void load_state_dict(const OptimizerState& state, const std::string& prefix = "optimizer") {
        load_state_dict(state.tensors, state.metadata, prefix);
    }

protected:
    // `lr` and `weight_decay` are the options' values, the defaults for groups that do not set them.
    Optimizer(std::string type, ParamGroups params, double lr, double weight_decay);

    // One hyper-parameter as written to checkpoint metadata under its PyTorch name.
    struct HyperParameter {
        std::string name;
        std::variant<double*, bool*, std::array<double, 2>*> value;
    };

    // The per-parameter buffers, in save order; may depend on the options (amsgrad, centered, ...).
    virtual std::vector<std::string> state_names() const = 0;
    // What each buffer starts as (0 except Adagrad's sum).
    virtual double initial_state_value(const std::string& /*name*/) const { return 0.0; }
    // Pointers into the options, for saving and restoring them.
    virtual std::vector<HyperParameter> hyper_parameters() = 0;
    // Throws std::invalid_argument naming the first bad option and its value.
    virtual void validate_options() const = 0;
    // One update of one parameter. grad is contiguous with param's shape and dtype; state.step
    // already counts this update; lr and weight_decay are the parameter's group's.
    virtual void update(const Tensor& param, const Tensor& grad, ParamState& state, double lr,
                        double weight_decay) = 0;

private:
    struct Group {
        std::vector<Tensor> params;
        std::vector<std::string> keys;  // checkpoint key of each param
        std::vector<ParamState> states;
        double lr = 0;
        double weight_decay = 0;
    };

    void init_state(const Tensor& param, ParamState& state) const;

    std::string type_;
    std::vector<Group> groups_;
    int64_t step_count_ = 0;
};

// Helpers for derived optimizers' validation: throw "<type>: <option> must be <rule>, got <value>".
void check_non_negative(const std::string& type, const char* option, double value);
void check_positive(const std::string& type, const char* option, double value);
void check_unit_interval(const std::string& type, const char* option, double value);  // [0, 1)

}  // namespace tapegrad::optim
