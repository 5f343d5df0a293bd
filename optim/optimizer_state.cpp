// The optimizer's checkpoint: state_dict() writes the per-parameter state as named tensors and the
// hyper-parameters as metadata; load_state_dict() checks all of it before restoring any of it.
#include "optim/optimizer.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <stdexcept>

#include "autograd/tape.h"

namespace tapegrad::optim {

namespace {

// Shortest text that parses back to the same double (fmt's default for floating point).
std::string format_value(double value) { return fmt::format("{}", value); }

// from_chars, unlike strtod, does not depend on the locale.
std::optional<double> parse_double(const std::string& text) {
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<int64_t> parse_int(const std::string& text) {
    int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

using HyperValue = std::variant<double, bool, std::array<double, 2>>;

std::string format_hyper(const HyperValue& value) {
    if (auto* number = std::get_if<double>(&value)) return format_value(*number);
    if (auto* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
    const auto& pair = std::get<std::array<double, 2>>(value);
    return format_value(pair[0]) + "," + format_value(pair[1]);
}

// Parses `text` as the same kind of value as `like`.
std::optional<HyperValue> parse_hyper(const std::string& text, const HyperValue& like) {
    if (std::holds_alternative<double>(like)) {
        if (auto number = parse_double(text)) return HyperValue(*number);
    } else if (std::holds_alternative<bool>(like)) {
        if (text == "true" || text == "false") return HyperValue(text == "true");
    } else if (auto comma = text.find(','); comma != std::string::npos) {
        auto first = parse_double(text.substr(0, comma)), second = parse_double(text.substr(comma + 1));
        if (first && second) return HyperValue(std::array<double, 2>{*first, *second});
    }
    return std::nullopt;
}

HyperValue read_hyper(const std::variant<double*, bool*, std::array<double, 2>*>& pointer) {
    return std::visit([](auto* p) { return HyperValue(*p); }, pointer);
}

void write_hyper(const std::variant<double*, bool*, std::array<double, 2>*>& pointer, const HyperValue& value) {
    std::visit([&](auto* p) { *p = std::get<std::remove_pointer_t<decltype(p)>>(value); }, pointer);
}

}  // namespace

OptimizerState Optimizer::state_dict(const std::string& prefix) const {
    OptimizerState out;
    auto& meta = out.metadata;
    meta[prefix + ".type"] = type_;
    meta[prefix + ".step"] = std::to_string(step_count_);
    // hyper_parameters() hands out pointers for load_state_dict to write through; here they are only read.
    for (const HyperParameter& hyper : const_cast<Optimizer*>(this)->hyper_parameters())
        meta[prefix + "." + hyper.name] = format_hyper(read_hyper(hyper.value));
    meta[prefix + ".param_groups"] = std::to_string(groups_.size());
    for (std::size_t g = 0; g < groups_.size(); ++g) {
        const Group& group = groups_[g];
        const std::string group_prefix = fmt::format("{}.param_groups.{}.", prefix, g);
        meta[group_prefix + "lr"] = format_value(group.lr);
        meta[group_prefix + "weight_decay"] = format_value(group.weight_decay);
        meta[group_prefix + "params"] = std::to_string(group.params.size());
        for (std::size_t i = 0; i < group.params.size(); ++i) {
            const ParamState& state = group.states[i];
            if (state.step == 0) continue;  // never updated: no state, as in PyTorch
            const std::string key = prefix + "." + group.keys[i] + ".";
            out.tensors.emplace_back(key + "step", scalar_tensor(static_cast<double>(state.step), {.dtype = DType::Int64}));
            for (const auto& [name, buffer] : state.buffers) out.tensors.emplace_back(key + name, buffer);
        }
    }
    return out;
}

void Optimizer::load_state_dict(const NamedTensorList& tensors, const SafetensorsMetadata& metadata,
                                const std::string& prefix) {
    const std::string context = type_ + ".load_state_dict";
    auto meta = [&](const std::string& name) -> const std::string* {
        auto it = metadata.find(prefix + "." + name);
        return it == metadata.end() ? nullptr : &it->second;
    };
    const std::string* type = meta("type");
    if (!type)
        throw std::invalid_argument(fmt::format("{}: the checkpoint holds no optimizer state (metadata key '{}.type' "
                                                "is missing)", context, prefix));
    if (*type != type_)
        throw std::invalid_argument(
            fmt::format("{}: the checkpoint holds {} state, this optimizer is {}", context, *type, type_));

    std::vector<std::string> problems;
    auto read = [&](const std::string& name, auto parse) {
        const std::string* text = meta(name);
        auto value = text ? parse(*text) : std::nullopt;
        if (!value) problems.push_back(text ? fmt::format("metadata '{}.{}' = '{}' is malformed", prefix, name, *text)
                                            : fmt::format("metadata '{}.{}' is missing", prefix, name));
        return value;
    };
    const auto step_count = read("step", parse_int);
    const std::vector<HyperParameter> hypers = hyper_parameters();
    std::vector<std::optional<HyperValue>> loaded;
    for (const HyperParameter& hyper : hypers) {
        const HyperValue like = read_hyper(hyper.value);
        loaded.push_back(read(hyper.name, [&](const std::string& text) { return parse_hyper(text, like); }));
    }
    const auto group_count = read("param_groups", parse_int);
    std::vector<std::pair<double, double>> group_settings(groups_.size());
    if (group_count && *group_count != static_cast<int64_t>(groups_.size()))
        problems.push_back(fmt::format("the checkpoint has {} parameter groups, this optimizer {}", *group_count,
                                       groups_.size()));
    for (std::size_t g = 0; g < groups_.size() && group_count && *group_count == int64_t(groups_.size()); ++g) {
        const std::string group_prefix = fmt::format("param_groups.{}.", g);
        auto lr = read(group_prefix + "lr", parse_double);
        auto weight_decay = read(group_prefix + "weight_decay", parse_double);
        auto count = read(group_prefix + "params", parse_int);
        if ((lr && !(*lr >= 0)) || (weight_decay && !(*weight_decay >= 0)))
            problems.push_back(fmt::format("param_groups[{}] has a negative lr or weight_decay", g));
        if (count && *count != static_cast<int64_t>(groups_[g].params.size()))
            problems.push_back(fmt::format("param_groups[{}] has {} parameters in the checkpoint, {} here", g, *count,
                                           groups_[g].params.size()));
        group_settings[g] = {lr.value_or(0), weight_decay.value_or(0)};
    }
    auto fail = [&] {
        std::string message = fmt::format("{}: {} problem(s) with the checkpoint:", context, problems.size());
        for (const std::string& problem : problems) message += "\n  " + problem;
        throw std::invalid_argument(message);
    };
    // Which buffers to expect depends on the hyper-parameters (amsgrad, centered, ...): stop here
    // without them; otherwise adopt the saved ones, and put the current ones back if anything fails.
    if (std::ranges::any_of(loaded, [](const auto& value) { return !value.has_value(); })) fail();
    std::vector<HyperValue> previous;
    for (std::size_t h = 0; h < hypers.size(); ++h) {
        previous.push_back(read_hyper(hypers[h].value));
        write_hyper(hypers[h].value, *loaded[h]);
    }
    auto restore_options = [&] {
        for (std::size_t h = 0; h < hypers.size(); ++h) write_hyper(hypers[h].value, previous[h]);
    };
    try {
        validate_options();
    } catch (const std::invalid_argument& error) {
        restore_options();
        problems.push_back(fmt::format("saved hyper-parameters are invalid: {}", error.what()));
        fail();
    }
    const std::vector<std::string> expected = state_names();

    // Saved state grouped by parameter key: key -> (state name -> tensor).
    std::map<std::string, std::map<std::string, Tensor>> saved;
    std::map<std::string, const Tensor*> params;
    for (const Group& group : groups_)
        for (std::size_t i = 0; i < group.keys.size(); ++i) params[group.keys[i]] = &group.params[i];
    for (const auto& [name, tensor] : tensors) {
        if (!name.starts_with(prefix + ".")) continue;
        const std::string rest = name.substr(prefix.size() + 1);
        const std::size_t dot = rest.rfind('.');
        if (dot == std::string::npos || !params.contains(rest.substr(0, dot))) {
            problems.push_back(fmt::format("unexpected '{}': no parameter has that key", name));
            continue;
        }
        saved[rest.substr(0, dot)][rest.substr(dot + 1)] = tensor;
    }
    for (const auto& [key, entries] : saved) {
        const Tensor& param = *params.at(key);
        const std::string where = prefix + "." + key + ".";
        auto step = entries.find("step");
        if (step == entries.end())
            problems.push_back(fmt::format("missing '{}step'", where));
        else if (step->second.dtype() != DType::Int64 || step->second.numel() != 1 || step->second.item() < 1)
            problems.push_back(fmt::format("'{}step' must be one int64 >= 1", where));
        for (const std::string& name : expected) {
            auto found = entries.find(name);
            if (found == entries.end()) {
                problems.push_back(fmt::format("missing '{}{}'", where, name));
            } else if (found->second.shape() != param.shape() || found->second.dtype() != param.dtype()) {
                problems.push_back(fmt::format("'{}{}' is {} {}, the parameter is {} {}", where, name,
                                               shape_string(found->second.shape()), dtype_name(found->second.dtype()),
                                               shape_string(param.shape()), dtype_name(param.dtype())));
            }
        }
        for (const auto& [name, tensor] : entries)
            if (name != "step" && std::find(expected.begin(), expected.end(), name) == expected.end())
                problems.push_back(fmt::format("unexpected '{}{}': {} keeps no such state", where, name, type_));
    }
    if (!problems.empty()) {
        restore_options();
        fail();
    }

    // Everything checked: commit. Buffers are copied, so the optimizer never shares them with the caller.
    NoGradGuard no_grad;
    for (std::size_t g = 0; g < groups_.size(); ++g) {
        Group& group = groups_[g];
        std::tie(group.lr, group.weight_decay) = group_settings[g];
        for (std::size_t i = 0; i < group.keys.size(); ++i) {
            ParamState state;
            if (auto it = saved.find(group.keys[i]); it != saved.end()) {
                state.step = static_cast<int64_t>(it->second.at("step").item());
                for (const std::string& name : expected) {
                    const Tensor& source = it->second.at(name);
                    Tensor copy = empty(source.shape(), {.dtype = source.dtype()});
                    copy.copy_(source);
                    state.buffers.emplace_back(name, copy);
                }
            }
            group.states[i] = std::move(state);
        }
    }
    step_count_ = *step_count;
}

}  // namespace tapegrad::optim
