// hello_tape: the first program a learner reads. It shows the tape recording a tiny expression, then
// trains a two-layer network through the tape to fit y = sin(3x), printing the loss as it falls.
//   hello_tape [--dot FILE]   also writes the tape as a Graphviz graph (dot -Tsvg FILE > tape.svg)
#include <cmath>
#include <fstream>
#include <iostream>
#include <string>

#include "autograd/autograd.h"

using namespace tapegrad;

int main(int argc, char** argv) {
    // 1. A tiny expression, its tape, and the reverse walk.
    Tensor x = tensor({1.0, 2.0, 3.0}, {.requires_grad = true});
    Tensor w = tensor({0.5, -1.0, 2.0}, {.requires_grad = true});
    Tensor loss = tanh(x * w).sum();
    std::cout << "The expression tanh(x * w).sum() records this tape:\n"
              << format_tape(Tape::current(), {{x, "x"}, {w, "w"}});
    if (argc == 3 && std::string(argv[1]) == "--dot") {
        std::ofstream(argv[2]) << tape_to_dot(Tape::current(), {{x, "x"}, {w, "w"}});
        std::cout << "wrote the tape's graph to " << argv[2] << "\n";
    }
    loss.backward();  // walks the tape in reverse, applying each entry's backward
    std::cout << "loss = " << loss << "\ndloss/dx = " << x.grad() << "\ndloss/dw = " << w.grad() << "\n\n";

    // 2. A two-layer network fitted to y = sin(3x) with plain gradient descent.
    Generator generator(0);
    const int64_t hidden = 32;
    const Tensor inputs = linspace(-1, 1, 64).reshape({64, 1});  // (N, 1)
    std::vector<double> sine;
    for (double v : inputs.to_vector<double>()) sine.push_back(std::sin(3 * v));
    const Tensor targets = from_vector(sine, {64, 1}, {});  // (N, 1)

    Tensor w1 = normal({1, hidden}, 0, 1.0, generator).requires_grad_();
    Tensor b1 = zeros({hidden}, {.requires_grad = true});
    Tensor w2 = normal({hidden, 1}, 0, 1.0 / std::sqrt(hidden), generator).requires_grad_();
    Tensor b2 = zeros({1}, {.requires_grad = true});
    const double lr = 0.1;
    for (int step = 0; step <= 2000; ++step) {
        Tensor prediction = matmul(tanh(matmul(inputs, w1) + b1), w2) + b2;
        Tensor mse = mse_loss(prediction, targets);
        mse.backward();
        {
            NoGradGuard no_grad;  // the update itself must not be recorded
            for (Tensor* p : {&w1, &b1, &w2, &b2}) {
                p->copy_(*p - p->grad() * lr);
                p->zero_grad();
            }
        }
        if (step % 250 == 0) std::cout << "step " << step << "  loss " << mse.item() << "\n";
    }
    return 0;
}
