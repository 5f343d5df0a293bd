// The tape inspector: a printed table and a Graphviz picture of what the tape recorded.
#include "autograd/inspect.h"

#include <map>

namespace tapegrad {
namespace {

class Namer {
public:
    Namer(const Tape& tape, const TensorNames& names) {
        for (const auto& [tensor, name] : names) names_[&tensor.impl()] = name;
        for (std::size_t i = 0; i < tape.entries().size(); ++i)
            if (!names_.count(&tape.entries()[i].output.impl())) names_[&tape.entries()[i].output.impl()] = fmt::format("t{}", i);
    }
    std::string operator()(const Tensor& t) {
        auto it = names_.find(&t.impl());
        if (it != names_.end()) return it->second;
        return names_[&t.impl()] = fmt::format("leaf{}", leaves_++);
    }

private:
    std::map<const TensorImpl*, std::string> names_;
    int leaves_ = 0;
};

std::size_t bytes_of(const Tensor& t) { return static_cast<std::size_t>(t.numel()) * dtype_size(t.dtype()); }

}  // namespace

std::string format_tape(const Tape& tape, const TensorNames& names) {
    Namer name(tape, names);
    std::string out = fmt::format("tape: {} entries\n", tape.size());
    std::size_t total = 0;
    for (std::size_t i = 0; i < tape.entries().size(); ++i) {
        const TapeEntry& entry = tape.entries()[i];
        std::string inputs;
        for (const Tensor& in : entry.inputs)
            if (in.defined()) inputs += fmt::format("{}{} {}", inputs.empty() ? "" : ", ", name(in), shape_string(in.shape()));
        total += bytes_of(entry.output);
        out += fmt::format("  #{:<3} {:<14} {:<40} -> {} {}  {} B\n", i, entry.op, inputs, name(entry.output),
                           shape_string(entry.output.shape()), bytes_of(entry.output));
    }
    out += fmt::format("outputs held by the tape: {} B\n", total);
    return out;
}

std::string tape_to_dot(const Tape& tape, const TensorNames& names) {
    Namer name(tape, names);
    std::string out = "digraph tape {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
    std::map<const TensorImpl*, bool> drawn;
    auto tensor_node = [&](const Tensor& t, bool leaf) {
        if (drawn[&t.impl()]) return;
        drawn[&t.impl()] = true;
        out += fmt::format("  \"{}\" [shape={}, label=\"{}\\n{}\"];\n", name(t), leaf ? "box" : "note", name(t),
                           shape_string(t.shape()));
    };
    for (std::size_t i = 0; i < tape.entries().size(); ++i) {
        const TapeEntry& entry = tape.entries()[i];
        out += fmt::format("  \"op{}\" [shape=ellipse, style=filled, fillcolor=\"#dde8f5\", label=\"#{} {}\"];\n", i, i, entry.op);
        for (const Tensor& in : entry.inputs) {
            if (!in.defined()) continue;
            tensor_node(in, in.is_leaf());
            out += fmt::format("  \"{}\" -> \"op{}\";\n", name(in), i);
        }
        tensor_node(entry.output, false);
        out += fmt::format("  \"op{}\" -> \"{}\";\n", i, name(entry.output));
    }
    out += "}\n";
    return out;
}

}  // namespace tapegrad
