"""SGEMM GFLOP/s of tapegrad's fast and reference kernels next to PyTorch (OpenBLAS), shape by shape.

usage (from the repository root, after building build/bin/bench):
  python3 bench/compare_sgemm.py --bench build/bin/bench --threads 1 2 [--rounds 3] [--out F.json]

The machines we measure on are shared and noisy, so each shape is measured by both sides back to back,
`rounds` times in alternation, each measurement starting only once the CPUs have been idle for a moment
(another process on a core turns every OpenMP fork/join into a wait for a scheduler slice), and the
table reports each side's best round: ratios measured side by side, as ../shared/bench/README.md asks.
PyTorch runs with the environment of ../shared/bench/torch-ref (OpenBLAS, freed memory kept by malloc)
and its timing protocol (common.time_fn, median of 7 repeats).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "bench")

# (name, batch, M, N, K, trans_a, trans_b): C[M,N] = op(A)[M,K] @ op(B)[K,N]. The square and Transformer
# forward shapes are sgemm.py's; the others are their backward forms and attention's batched products.
SHAPES = [(f"square {s}", 1, s, s, s, False, False) for s in (256, 512, 1024, 2048)] + [
    ("ff1 d=256 x@W", 1, 1024, 1024, 256, False, False),
    ("ff2 d=256 x@W", 1, 1024, 256, 1024, False, False),
    ("qkv d=256 x@W", 1, 1024, 768, 256, False, False),
    ("proj d=256 x@W", 1, 1024, 256, 256, False, False),
    ("ff1 d=128 x@W", 1, 1024, 512, 128, False, False),
    ("vocab 8000 x@W", 1, 2048, 8000, 256, False, False),
    ("ff1 d=256 x@Wt (Linear)", 1, 1024, 1024, 256, False, True),
    ("vocab 8000 x@Wt (Linear)", 1, 2048, 8000, 256, False, True),
    ("ff1 d=256 dW=xt@dy", 1, 256, 1024, 1024, True, False),
    ("vocab dW=xt@dy", 1, 256, 8000, 2048, True, False),
    ("vocab dx=dy@W", 1, 2048, 256, 8000, False, False),
    ("attn q@kt  256x(32,32,32)", 256, 32, 32, 32, False, True),
    ("attn p@v   256x(32,32,32)", 256, 32, 32, 32, False, False),
    ("attn q@kt  128x(64,64,16)", 128, 64, 64, 16, False, True),
    ("attn dq=ds@k 128x(64,16,64)", 128, 64, 16, 64, False, False),
    ("attn dk=dst@q 128x(64,16,64)", 128, 64, 16, 64, True, False),
]


def reexec_with_torch_ref_environment():
    """The environment ../shared/bench/torch-ref gives PyTorch; set before the interpreter starts."""
    if os.environ.get("BENCH_BLAS_VARIANT"):
        return
    env = dict(os.environ, MALLOC_MMAP_MAX_="0", MALLOC_TRIM_THRESHOLD_="68719476736",
               BENCH_BLAS_VARIANT="system+heap")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                 "OPENBLAS_NUM_THREADS"):
        env.pop(name, None)
    os.execve("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv, env)


def cpu_times():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return fields[3] + fields[4], sum(fields)  # idle + iowait, total


def wait_for_idle(threshold=0.9, window=0.3, timeout=120.0):
    """Waits until the CPUs were at least `threshold` idle over `window` seconds; False after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        idle0, total0 = cpu_times()
        time.sleep(window)
        idle1, total1 = cpu_times()
        if (idle1 - idle0) >= threshold * max(total1 - total0, 1):
            return True
        if time.monotonic() > deadline:
            return False


def ours(bench, batch, m, n, k, trans_a, trans_b, threads, kernels):
    command = [bench, "sgemm", "--m", str(m), "--n", str(n), "--k", str(k), "--batch", str(batch),
               "--threads", str(threads), "--kernels", kernels, "--repeats", "7"]
    command += ["--trans-a"] * trans_a + ["--trans-b"] * trans_b
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)["gflops"]


def torch_gflops(torch, time_fn, batch, m, n, k, trans_a, trans_b):
    a = torch.randn(batch, k, m).transpose(1, 2) if trans_a else torch.randn(batch, m, k)
    b = torch.randn(batch, n, k).transpose(1, 2) if trans_b else torch.randn(batch, k, n)
    fn = (lambda: torch.mm(a[0], b[0])) if batch == 1 else (lambda: torch.bmm(a, b))
    return 2.0 * batch * m * n * k / time_fn(fn, min_time=0.2, repeats=7, warmup=2)["median"] / 1e9


def main():
    reexec_with_torch_ref_environment()
    sys.path.insert(0, SHARED)
    import torch
    from common import time_fn, env_info

    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", default="build/bin/bench")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-reference", action="store_true", help="do not time the (slow) reference kernel")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    torch.manual_seed(0)
    rows = []
    print("| shape | threads | fast | reference | PyTorch | fast / PyTorch |")
    print("|---|---|---|---|---|---|")
    for threads in args.threads:
        torch.set_num_threads(threads)
        for name, batch, m, n, k, trans_a, trans_b in SHAPES:
            fast, reference, theirs = [], [], []
            quiet = True
            for _ in range(args.rounds):
                quiet &= wait_for_idle()
                fast.append(ours(args.bench, batch, m, n, k, trans_a, trans_b, threads, "fast"))
                quiet &= wait_for_idle()
                theirs.append(torch_gflops(torch, time_fn, batch, m, n, k, trans_a, trans_b))
            if not args.skip_reference:
                quiet &= wait_for_idle()
                reference.append(ours(args.bench, batch, m, n, k, trans_a, trans_b, threads, "reference"))
            row = {"shape": name + ("" if quiet else " (busy machine)"), "batch": batch, "m": m, "n": n, "k": k,
                   "trans_a": trans_a, "trans_b": trans_b, "threads": threads, "fast": max(fast),
                   "pytorch": max(theirs), "reference": max(reference) if reference else None,
                   "rounds": {"fast": fast, "pytorch": theirs, "reference": reference}}
            rows.append(row)
            reference_text = f"{row['reference']:.1f}" if reference else "-"
            print(f"| {name} | {threads} | {row['fast']:.1f} | {reference_text} | {row['pytorch']:.1f} | "
                  f"{row['fast'] / row['pytorch']:.2f} |", flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"env": env_info(), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
