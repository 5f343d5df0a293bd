#!/usr/bin/python3
"""PyTorch's side of build/bin/bench: the same subcommands, configs, protocols and JSON keys, so that
bench/compare can put the two side by side (ratios measured in one run, alternately).

  bench/pytorch_reference.py train-step --config tiny|small|base --threads 2 [--repeats R] [--warmup 3]
  bench/pytorch_reference.py attention --batch 32 --heads 8 --len 64 --dim 256 [--causal] --threads 2
  bench/pytorch_reference.py sgemm --m 1024 --n 1024 --k 1024 [--trans-a] [--trans-b] [--batch 1] --threads 2
  bench/pytorch_reference.py learn-reverse --threads 2 [--cap 300]

Each prints one JSON line on stdout (learn-reverse also prints progress on stderr). Run it with Debian's
/usr/bin/python3 (apt-get install -y python3-torch libopenblas0-openmp). bench/compare runs it in the
environment of ../shared/bench/torch-ref, PyTorch's strongest configuration here: OpenBLAS, and glibc malloc
told to keep freed memory (MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736), since PyTorch 1.13 has no
CPU caching allocator and fresh pages are expensive.

The model is the one ../shared/bench/model.py defines (tapegrad's bench/reference_model.h builds the same):
post-norm torch.nn.Transformer (batch_first, ReLU, dropout 0.1, final encoder and decoder LayerNorm),
embeddings N(0, 1/d)·√d + sinusoidal positions, an untied output Linear, cross-entropy with ignore_index =
PAD averaged over the non-PAD labels, Adam(betas (0.9, 0.98), eps 1e-9), and one step = forward + loss +
backward + optimizer step + zero_grad. Timings follow bench/bench.cpp's protocols line for line.
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, BOS, EOS = 0, 1, 2
# greedy_decode's encoder fast path warns on every evaluation that nested tensors are a prototype.
warnings.filterwarnings("ignore", message="The PyTorch API of nested tensors")

CONFIGS = {
    "tiny": dict(embed_dim=64, num_heads=4, num_encoder_layers=2, num_decoder_layers=2, ff_dim=256,
                 source_vocab_size=64, target_vocab_size=64, batch=64, source_length=16, target_length=16),
    "small": dict(embed_dim=128, num_heads=4, num_encoder_layers=3, num_decoder_layers=3, ff_dim=512,
                  source_vocab_size=1000, target_vocab_size=1000, batch=32, source_length=32, target_length=32),
    "base": dict(embed_dim=256, num_heads=8, num_encoder_layers=3, num_decoder_layers=3, ff_dim=1024,
                 source_vocab_size=8000, target_vocab_size=8000, batch=32, source_length=64, target_length=64),
}
DROPOUT = 0.1


def sinusoidal_positions(max_len, d):
    """PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...) (Vaswani et al. 2017, §3.5)."""
    position = torch.arange(max_len, dtype=torch.float32)[:, None]
    frequency = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
    table = torch.zeros(max_len, d)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency)
    return table


class Seq2SeqTransformer(nn.Module):
    def __init__(self, embed_dim, num_heads, num_encoder_layers, num_decoder_layers, ff_dim, source_vocab_size,
                 target_vocab_size, dropout=DROPOUT, max_len=512, **_):
        super().__init__()
        self.scale = math.sqrt(embed_dim)
        self.source_embedding = nn.Embedding(source_vocab_size, embed_dim)
        self.target_embedding = nn.Embedding(target_vocab_size, embed_dim)
        # N(0, 1/d), so that after the √d scale the tokens have the unit scale of the positions they are added to.
        for embedding in (self.source_embedding, self.target_embedding):
            nn.init.normal_(embedding.weight, std=embed_dim ** -0.5)
        self.register_buffer("positions", sinusoidal_positions(max_len, embed_dim))
        self.dropout = nn.Dropout(dropout)
        # Post-norm (norm_first=False) and ReLU are nn.Transformer's defaults; it adds the final LayerNorms.
        self.transformer = nn.Transformer(d_model=embed_dim, nhead=num_heads, num_encoder_layers=num_encoder_layers,
                                          num_decoder_layers=num_decoder_layers, dim_feedforward=ff_dim,
                                          dropout=dropout, batch_first=True)
        self.output_projection = nn.Linear(embed_dim, target_vocab_size)

    def embed(self, embedding, tokens):  # (B, L) -> (B, L, E)
        return self.dropout(embedding(tokens) * self.scale + self.positions[: tokens.size(1)])

    def forward(self, source, target_input):  # (B, S), (B, T) -> logits (B, T, V)
        source_padding = source == PAD
        causal = nn.Transformer.generate_square_subsequent_mask(target_input.size(1))
        states = self.transformer(self.embed(self.source_embedding, source),
                                  self.embed(self.target_embedding, target_input), tgt_mask=causal,
                                  src_key_padding_mask=source_padding, tgt_key_padding_mask=target_input == PAD,
                                  memory_key_padding_mask=source_padding)
        return self.output_projection(states)

    @torch.no_grad()
    def greedy_decode(self, source, max_len):
        """(B, S) -> (B, ≤ max_len) generated ids, PAD after each row's EOS. Re-runs the decoder on the prefix
        every step (torch.nn.TransformerDecoder has no key/value cache)."""
        source_padding = source == PAD
        memory = self.transformer.encoder(self.embed(self.source_embedding, source),
                                          src_key_padding_mask=source_padding)
        # In eval mode under no_grad, torch 1.13's encoder fast path (nested tensors) drops the columns that
        # are PAD in every row; the padding mask must be cut to the memory it returns.
        source_padding = source_padding[:, : memory.size(1)]
        generated = torch.full((source.size(0), 1), BOS, dtype=torch.long)
        finished = torch.zeros(source.size(0), dtype=torch.bool)
        for _ in range(max_len):
            causal = nn.Transformer.generate_square_subsequent_mask(generated.size(1))
            states = self.transformer.decoder(self.embed(self.target_embedding, generated), memory, tgt_mask=causal,
                                              memory_key_padding_mask=source_padding)
            next_token = self.output_projection(states[:, -1]).argmax(-1)
            next_token = torch.where(finished, torch.full_like(next_token, PAD), next_token)
            generated = torch.cat([generated, next_token[:, None]], 1)
            finished |= next_token == EOS
            if bool(finished.all()):
                break
        return generated[:, 1:]


def adam(model, lr=1e-3):
    return torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.98), eps=1e-9)


def train_step(model, optimizer, source, target_input, labels):
    logits = model(source, target_input)
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=PAD)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return float(loss)


def matmul_flops_per_step(c):
    """model.py's count: Linear layers, Q·Kᵀ, weights·V and the output projection; 2 FLOPs per multiply-add;
    a step is 3× the forward."""
    d, ff, B, S, T = c["embed_dim"], c["ff_dim"], c["batch"], c["source_length"], c["target_length"]
    encoder_layer = B * S * (4 * d * d + 2 * d * ff) + 2 * B * S * S * d
    decoder_layer = (B * T * (4 * d * d + 2 * d * ff) + 2 * B * T * T * d
                     + B * T * 2 * d * d + B * S * 2 * d * d + 2 * B * T * S * d)
    forward_macs = (c["num_encoder_layers"] * encoder_layer + c["num_decoder_layers"] * decoder_layer
                    + B * T * d * c["target_vocab_size"])
    return 3 * 2 * forward_macs


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def summarize(samples):
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples)}


def time_calls(run, repeats, min_sample_ms=20.0):
    """bench.cpp's time_calls: a warm-up call, then `repeats` samples of as many back-to-back calls as last
    min_sample_ms; per-call ms, median and fastest."""
    start = time.perf_counter()
    run()
    first_ms = max((time.perf_counter() - start) * 1e3, 1e-4)
    calls = max(1, int(min_sample_ms / first_ms))
    samples = []
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        for _ in range(calls):
            run()
        samples.append((time.perf_counter() - start) * 1e3 / calls)
    s = summarize(samples)
    return s["median"], s["min"]


def print_json_line(record):
    record["torch"] = torch.__version__
    print(json.dumps(record, sort_keys=True), flush=True)


def train_step_main(args):
    c = CONFIGS[args.config]
    repeats = args.repeats or (10 if args.config == "base" else 20)
    rss_before_model_mib = peak_rss_mib()  # Python and torch alone: what the step adds is the rest
    torch.manual_seed(0)
    model = Seq2SeqTransformer(**c)
    model.train()
    optimizer = adam(model)
    # Four batches of random full-length sequences, tokens uniform in [3, V): no padding, masks still passed.
    generator = torch.Generator().manual_seed(1)
    batches = []
    for _ in range(4):
        source = torch.randint(3, c["source_vocab_size"], (c["batch"], c["source_length"]), generator=generator)
        target = torch.randint(3, c["target_vocab_size"], (c["batch"], c["target_length"] + 1), generator=generator)
        batches.append((source, target[:, :-1].contiguous(), target[:, 1:].contiguous()))
    step = 0
    loss = 0.0
    for _ in range(args.warmup):
        loss = train_step(model, optimizer, *batches[step % 4])
        step += 1
    step_ms = []
    for _ in range(repeats):
        start = time.perf_counter()
        loss = train_step(model, optimizer, *batches[step % 4])
        step_ms.append((time.perf_counter() - start) * 1e3)
        step += 1
    s = summarize(step_ms)
    tokens = c["batch"] * c["target_length"]
    flops = matmul_flops_per_step(c)
    print_json_line({"bench": "train-step", "config": args.config, "threads": args.threads,
                     "params": sum(p.numel() for p in model.parameters()), "warmup_steps": args.warmup,
                     "steps": repeats, "step_ms_median": s["median"], "step_ms_min": s["min"],
                     "step_ms_max": s["max"], "tgt_tokens_per_step": tokens,
                     "tgt_tokens_per_s": tokens / (s["median"] * 1e-3), "matmul_gflop_per_step": flops / 1e9,
                     "gflops": flops / (s["median"] * 1e-3) / 1e9, "peak_rss_mib": peak_rss_mib(),
                     "rss_before_model_mib": rss_before_model_mib, "final_loss": loss})


def attention_main(args):
    """One torch.nn.MultiheadAttention(dim, heads, dropout 0, batch_first) self-attention call with
    need_weights=False, as ../shared/bench/mha.py times it: forward under no_grad, and forward + backward of a
    fixed output gradient after forgetting the gradients (set_to_none)."""
    torch.manual_seed(0)
    B, L, E = args.batch, args.len, args.dim
    attention = nn.MultiheadAttention(E, args.heads, dropout=0.0, batch_first=True)
    attention.train()
    x = torch.randn(B, L, E)
    x_with_grad = x.clone().requires_grad_(True)
    doutput = torch.randn(B, L, E)
    mask = nn.Transformer.generate_square_subsequent_mask(L) if args.causal else None

    def forward():
        with torch.no_grad():
            attention(x, x, x, attn_mask=mask, need_weights=False)

    def forward_backward():
        x_with_grad.grad = None
        attention.zero_grad(set_to_none=True)
        output = attention(x_with_grad, x_with_grad, x_with_grad, attn_mask=mask, need_weights=False)[0]
        output.backward(doutput)

    forward_ms, forward_ms_min = time_calls(forward, args.repeats, args.min_sample_ms)
    backward_ms, backward_ms_min = time_calls(forward_backward, args.repeats, args.min_sample_ms)
    forward_flops = 2.0 * B * L * (4 * E * E + 2 * L * E)
    print_json_line({"bench": "attention", "batch": B, "heads": args.heads, "len": L, "dim": E,
                     "causal": args.causal, "threads": args.threads, "forward_ms": forward_ms,
                     "forward_ms_min": forward_ms_min, "forward_backward_ms": backward_ms,
                     "forward_backward_ms_min": backward_ms_min,
                     "forward_gflops": forward_flops / (forward_ms * 1e-3) / 1e9,
                     "forward_backward_gflops": 3 * forward_flops / (backward_ms * 1e-3) / 1e9})


def sgemm_main(args):
    """C (m x n) = op(A) · op(B), transposed operands as views (read in place by BLAS); torch.mm, or torch.bmm
    for --batch > 1."""
    torch.manual_seed(0)
    b, m, n, k = args.batch, args.m, args.n, args.k
    a = torch.rand(b, k, m).transpose(1, 2) if args.trans_a else torch.rand(b, m, k)
    bm = torch.rand(b, n, k).transpose(1, 2) if args.trans_b else torch.rand(b, k, n)
    run = (lambda: torch.mm(a[0], bm[0])) if b == 1 else (lambda: torch.bmm(a, bm))
    ms, ms_min = time_calls(run, args.repeats)
    flops = 2.0 * b * m * n * k
    print_json_line({"bench": "sgemm", "m": m, "n": n, "k": k, "batch": b, "trans_a": args.trans_a,
                     "trans_b": args.trans_b, "threads": args.threads, "kernels": "pytorch",
                     "ms_median": ms, "ms_min": ms_min, "gflops": flops / (ms * 1e-3) / 1e9,
                     "gflops_best": flops / (ms_min * 1e-3) / 1e9})


REVERSE_LENGTH = 16  # S = T: at most 14 tokens, plus BOS (decoder input) or EOS (labels)


def reversal_batch(n, generator):
    """Tokens uniform in 3..63, length uniform in 8..14. source: tokens padded to 16; y = BOS + reversed +
    EOS padded to 17; returns source, y[:, :16] (decoder input), y[:, 1:] (labels)."""
    lengths = torch.randint(8, 15, (n,), generator=generator)
    tokens = torch.randint(3, 64, (n, 14), generator=generator)
    source = torch.full((n, REVERSE_LENGTH), PAD, dtype=torch.long)
    y = torch.full((n, REVERSE_LENGTH + 1), PAD, dtype=torch.long)
    y[:, 0] = BOS
    for row in range(n):
        length = int(lengths[row])
        source[row, :length] = tokens[row, :length]
        y[row, 1:length + 1] = tokens[row, :length].flip(0)
        y[row, length + 1] = EOS
    return source, y[:, :REVERSE_LENGTH].contiguous(), y[:, 1:].contiguous()


def exact_match(model, source, labels):
    """Fraction of rows whose greedy output, up to and including EOS (PAD after it), equals the labels."""
    model.eval()
    generated = model.greedy_decode(source, REVERSE_LENGTH)
    model.train()
    padded = torch.full_like(labels, PAD)
    padded[:, : generated.size(1)] = generated
    return float((padded == labels).all(1).float().mean())


def learn_reverse_main(args):
    torch.manual_seed(0)
    model = Seq2SeqTransformer(**CONFIGS["tiny"])
    model.train()
    optimizer = adam(model, lr=args.lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / args.warmup))
    train_generator = torch.Generator().manual_seed(1)
    held_out_source, _, held_out_labels = reversal_batch(500, torch.Generator().manual_seed(12345))
    curve, train_s, wall_s, exact, loss, step, reached = [], 0.0, 0.0, 0.0, 0.0, 0, False
    start = time.perf_counter()
    while True:
        batch = reversal_batch(CONFIGS["tiny"]["batch"], train_generator)  # in wall_s, not in train_s
        step_start = time.perf_counter()
        loss = train_step(model, optimizer, *batch)
        scheduler.step()
        step += 1
        train_s += time.perf_counter() - step_start
        if step % args.eval_every:
            continue
        exact = exact_match(model, held_out_source, held_out_labels)
        wall_s = time.perf_counter() - start
        curve.append({"step": step, "train_s": round(train_s, 2), "wall_s": round(wall_s, 2),
                      "loss": round(loss, 4), "exact_match": exact})
        print(f"step {step:5d} train {train_s:6.1f}s wall {wall_s:6.1f}s loss {loss:.4f} exact {exact:.3f}",
              file=sys.stderr, flush=True)
        if exact >= args.target:
            reached = True
            break
        if wall_s >= args.cap:
            break
    print_json_line({"bench": "learn-reverse", "threads": args.threads, "target": args.target, "steps": step,
                     "train_s": train_s, "wall_s": wall_s, "exact_match": exact, "reached": reached,
                     "final_loss": loss, "peak_rss_mib": peak_rss_mib(), "curve": curve})


def warn_outside_reference_environment():
    """Says so on stderr when this process lacks ../shared/bench/torch-ref's environment, which bench/compare
    sets: a forced OpenBLAS core (OPENBLAS_CORETYPE=Haswell, say) loses AVX-512 and slows every matmul, and
    without the malloc settings freed memory goes back to the system and is paged in again each step."""
    problems = [f"{name} is set" for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if name in os.environ]
    problems += [f"{name} is not {value}" for name, value in (("MALLOC_MMAP_MAX_", "0"),
                                                               ("MALLOC_TRIM_THRESHOLD_", "68719476736"))
                 if os.environ.get(name) != value]
    if problems:
        print(f"pytorch_reference.py: not PyTorch's reference environment ({', '.join(problems)}); "
              "bench/compare runs it in that environment", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("train-step", help="one training step of a reference Transformer")
    p.add_argument("--config", required=True, choices=list(CONFIGS))
    p.add_argument("--repeats", type=int, default=0, help="timed steps (0: 20, or 10 for base)")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    p.set_defaults(run=train_step_main)

    p = commands.add_parser("attention", help="one MultiheadAttention self-attention call, fwd and fwd+bwd")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--heads", type=int, default=8)
    p.add_argument("--len", type=int, default=64)
    p.add_argument("--dim", type=int, default=256, help="the embed dimension E (head size E/H)")
    p.add_argument("--causal", action="store_true")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--min-sample-ms", type=float, default=100.0)
    p.set_defaults(run=attention_main)

    p = commands.add_parser("sgemm", help="float32 matrix product GFLOP/s (OpenBLAS through torch.mm/bmm)")
    for name in ("m", "n", "k"):
        p.add_argument(f"--{name}", type=int, required=True)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--trans-a", action="store_true")
    p.add_argument("--trans-b", action="store_true")
    p.add_argument("--repeats", type=int, default=7)
    p.set_defaults(run=sgemm_main)

    p = commands.add_parser("learn-reverse", help="seconds of training to 95%% exact match on reversal")
    p.add_argument("--cap", type=float, default=300.0, help="wall seconds, checked at evaluations")
    p.add_argument("--target", type=float, default=0.95)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=100)
    p.set_defaults(run=learn_reverse_main)

    for p in commands.choices.values():
        p.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    warn_outside_reference_environment()
    torch.set_num_threads(args.threads)
    args.run(args)


if __name__ == "__main__":
    main()
