#!/usr/bin/python3
"""PyTorch both ways: tapegrad -> torch and torch -> tapegrad give the same logits and the same translations.

    test_pytorch_interop.py --translate build/bin/translate --logits build/bin/tapegrad_logits [--work-dir DIR]

1. tapegrad -> torch. `translate train` trains three tiny models (a few seconds each): post-norm with the char
   tokenizer; pre-norm with tied embeddings and BPE; the word tokenizer on en-pl. tools/pytorch/ loads each
   strictly into torch. For a few sentences: the source ids agree (the tokenizers mirror tapegrad's), torch's
   logits on BOS + tapegrad's greedy output match tapegrad's (both its cached decode steps and its
   teacher-forced forward; the first step's row and every row) within 1e-5, as do those of one padded batch
   of all the sentences (the padding masks), and torch's greedy translations equal `translate translate`'s.
2. torch -> tapegrad. The first model is fine-tuned in torch (Adam, dropout on), saved as a state_dict and
   written as a checkpoint by from_torch.py; a new torch-initialised model of the second config is written by
   from_torch.py --torch-init. `translate translate` and the logits of tapegrad must match torch's again, and
   the written checkpoint reads back bit for bit.
3. Errors: an LSTM checkpoint, a checkpoint without target_vocab, a state_dict missing a tensor are refused with
   a message naming the file and the field.
Exits 77 (CTest: skipped) with the reason when /usr/bin/python3 cannot import torch.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "pytorch")
TOLERANCE = 1e-5  # max |logit difference|, float32 throughout
SKIP = 77

# Small models that train in a few seconds on 2 cores; dropout stays on in training.
# One thread everywhere: CTest runs other tests beside this one, and OpenMP's barriers suffer most from that.
TINY = ["--embed-dim", "32", "--heads", "2", "--ff-dim", "64", "--batch-size", "32", "--warmup", "100",
        "--lr", "3e-3", "--eval-every", "100000", "--checkpoint-every", "100000", "--threads", "1"]
MODELS = {
    "post-norm, char": ["--task", "dates", "--examples", "3000", "--max-steps", "600", "--layers", "1"],
    "pre-norm, tied, bpe": ["--task", "dates", "--examples", "3000", "--max-steps", "600", "--pre-norm",
                            "--tie-embeddings", "--tokenizer", "bpe", "--bpe-merges", "60", "--layers", "2"],
    "word, en-pl": ["--task", "en-pl", "--examples", "1500", "--max-steps", "150", "--tokenizer", "word",
                    "--max-len", "40"],
}
SENTENCES = {
    "post-norm, char": ["27 Nov 2026", "Friday, November 27, 2026", "3/4/99", "the 14th of July 1989"],
    "pre-norm, tied, bpe": ["27 Nov 2026", "12/25/2041", "the 3rd of April 1999"],
    # Two sentences of the validation split (words the vocabulary knows) are added to these.
    "word, en-pl": ["the old dog did not see the small cat.", "Yesterday, the boy's cat (3.5 kg) slept!",
                    "a \"strange\" word: zyzzyva"],
}

failures = []


def check(condition, message):
    message = message if len(message) <= 300 else message[:300] + "…"
    print(("ok    " if condition else "FAIL  ") + message, flush=True)
    if not condition:
        failures.append(message)


def run(command, expect_success=True):
    result = subprocess.run(command, capture_output=True, text=True)
    if expect_success and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def run_tool(script, argv):
    """tools/pytorch/SCRIPT.py's main(argv) in this process (no second torch import): (exit code, stdout,
    standard error or the exit message)."""
    import contextlib
    import importlib
    import io
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            importlib.import_module(script).main(argv)
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
            if isinstance(exit.code, str):
                err.write(exit.code + "\n")
    return code, out.getvalue(), err.getvalue()


def max_diff(a, b):
    return float((a - b).abs().max()) if a.numel() else 0.0


def tapegrad_numbers(args, directory, sentences):
    return json.loads(run([args.logits, directory] + sentences).stdout)


def translate_cli(args, directory, sentences):
    out = run([args.translate, "translate", "--checkpoint", directory, "--threads", "1"] + sentences).stdout
    return out.split("\n")[: len(sentences)]


def compare(args, name, directory, model, checkpoint, sentences, measured):
    """Tokenization, logits (cached steps, teacher-forced, padded batch) and greedy outputs of one model."""
    import torch
    from tapegrad_checkpoint import source_ids, translate
    from torch_transformer import greedy_decode
    numbers = tapegrad_numbers(args, directory, sentences)
    first, every, sources, targets = 0.0, 0.0, [], []
    for sentence, ours in zip(sentences, numbers["sentences"]):
        ids = source_ids(checkpoint, sentence)
        check(ids == ours["source"], f"{name}: {sentence!r}: source ids equal tapegrad's {ours['source']}")
        output = greedy_decode(model, ids, checkpoint.fields["max_len"] - 1)
        check(output == ours["output"], f"{name}: {sentence!r}: torch's greedy ids equal tapegrad's")
        target_input = [1] + ours["output"]
        with torch.no_grad():
            logits = model(torch.tensor([ids]), torch.tensor([target_input]))[0]  # (T, V)
        for kind in ("step_logits", "forward_logits"):
            theirs = torch.tensor(ours[kind])
            first = max(first, max_diff(logits[0], theirs[0]))
            every = max(every, max_diff(logits, theirs))
        sources.append(ids)
        targets.append(target_input)
    # One padded batch of every sentence: the source and target padding masks.
    width_s, width_t = max(map(len, sources)), max(map(len, targets))
    source = torch.tensor([s + [0] * (width_s - len(s)) for s in sources])
    target = torch.tensor([t + [0] * (width_t - len(t)) for t in targets])
    with torch.no_grad():
        logits = model(source, target)
    batch = max(max_diff(logits[b, : len(t)], torch.tensor(numbers["batch_logits"][b])[: len(t)])
                for b, t in enumerate(targets))
    check(first <= TOLERANCE, f"{name}: first-step logits, max |torch − tapegrad| = {first:.2e} ≤ {TOLERANCE}")
    check(every <= TOLERANCE, f"{name}: every step's logits, max |torch − tapegrad| = {every:.2e} ≤ {TOLERANCE}")
    check(batch <= TOLERANCE, f"{name}: a padded batch's logits, max |torch − tapegrad| = {batch:.2e} ≤ {TOLERANCE}")
    theirs = translate_cli(args, directory, sentences)
    ours = [translate(model, checkpoint, s) for s in sentences]
    check(ours == theirs, f"{name}: greedy translations equal `translate translate`'s: {theirs}")
    measured[name] = {"first_step": first, "every_step": every, "padded_batch": batch}
    return numbers


def tapegrad_to_torch(args, work, measured):
    from tapegrad_checkpoint import load_torch_model, read_checkpoint
    for name, options in MODELS.items():
        directory = os.path.join(work, name.replace(", ", "-"))
        started = time.time()
        run([args.translate, "train", "--checkpoint", directory] + TINY + options)
        print(f"      trained '{name}' in {time.time() - started:.1f} s", flush=True)
        checkpoint = read_checkpoint(directory)
        model = load_torch_model(checkpoint)
        sentences = SENTENCES[name]
        if name == "word, en-pl":
            with open(os.path.join(directory, "valid.tsv"), encoding="utf-8") as file:
                sentences = sentences + [line.split("\t")[0] for line in file][:2]
        compare(args, f"tapegrad -> torch, {name}", directory, model, checkpoint, sentences, measured)
    # The command-line tool prints the same translations and saves a state_dict.
    directory = os.path.join(work, "post-norm-char")
    state_dict = os.path.join(work, "post-norm-char.pt")
    sentences = SENTENCES["post-norm, char"][:2]
    result = run([sys.executable, os.path.join(TOOLS, "to_torch.py"), directory, "--threads", "1",
                  "--save-state-dict", state_dict]
                 + [a for s in sentences for a in ("--sentence", s)])
    check(result.stdout.split("\n")[:2] == translate_cli(args, directory, sentences),
          f"to_torch.py prints `translate translate`'s translations: {result.stdout.split(chr(10))[:2]}")
    check(os.path.isfile(state_dict), "to_torch.py --save-state-dict wrote a state_dict")


def fine_tune(model, checkpoint, steps=30):
    """Trains the torch model a little on the checkpoint's validation split: weights only torch produced."""
    import torch
    torch.manual_seed(0)
    with open(os.path.join(checkpoint.directory, "valid.tsv"), encoding="utf-8") as file:
        pairs = [line.rstrip("\n").split("\t")[:2] for line in file if "\t" in line]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for step in range(steps):
        batch = pairs[(step * 16) % len(pairs):][:16]
        sources = [checkpoint.source.encode(s) for s, _ in batch]
        targets = [[1] + checkpoint.target.encode(t) + [2] for _, t in batch]
        source = torch.tensor([s + [0] * (max(map(len, sources)) - len(s)) for s in sources])
        target = torch.tensor([t + [0] * (max(map(len, targets)) - len(t)) for t in targets])
        logits = model(source, target[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), target[:, 1:].reshape(-1),
                                                 ignore_index=0)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.eval()


def torch_to_tapegrad(args, work, measured):
    import torch
    from tapegrad_checkpoint import build_torch_model, load_torch_model, read_checkpoint, save_state_dict
    from_torch = [sys.executable, os.path.join(TOOLS, "from_torch.py"), "--threads", "1"]
    # A model trained further in torch, back into tapegrad through a state_dict.
    template = read_checkpoint(os.path.join(work, "post-norm-char"))
    model = fine_tune(load_torch_model(template), template)
    moved = max(max_diff(a, b) for a, b in zip(model.state_dict().values(), load_torch_model(template).state_dict().values()))
    check(moved > 1e-3, f"fine-tuning in torch moved the weights (max |Δw| = {moved:.3f})")
    state_dict = os.path.join(work, "fine-tuned.pt")
    save_state_dict(model, state_dict)
    written = os.path.join(work, "from-torch")
    run(from_torch + ["--template", template.directory, "--state-dict", state_dict, "--output", written])
    compare(args, "torch -> tapegrad, fine-tuned", written, model, read_checkpoint(written),
            SENTENCES["post-norm, char"], measured)
    result = run([args.translate, "eval", "--checkpoint", written, "--threads", "1"])
    check(json.loads(result.stdout.strip().split("\n")[-1])["sentences"] > 0,
          "`translate eval` scores the test split of the written checkpoint")
    # A new torch-initialised model of the pre-norm, tied config, written by from_torch.py itself.
    template = read_checkpoint(os.path.join(work, "pre-norm-tied-bpe"))
    written = os.path.join(work, "torch-init")
    code, _, message = run_tool("from_torch", ["--threads", "1", "--template", template.directory,
                                               "--torch-init", "7", "--output", written])
    check(code == 0, f"from_torch.py --torch-init wrote {written}: {message.strip()}")
    torch.manual_seed(7)
    model = build_torch_model(template).eval()
    back = load_torch_model(read_checkpoint(written))
    check(all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), back.state_dict().values())),
          "torch -> checkpoint -> torch gives every tensor back bit for bit")
    compare(args, "torch -> tapegrad, torch init", written, model, read_checkpoint(written),
            SENTENCES["pre-norm, tied, bpe"][:2], measured)


def refusals(args, work):
    import torch
    from safetensors_file import read_safetensors, write_safetensors
    to_torch = [sys.executable, os.path.join(TOOLS, "to_torch.py"), "--threads", "1"]
    lstm = os.path.join(work, "lstm")  # the one refusal run as a separate process: the exit code and message
    run([args.translate, "train", "--checkpoint", lstm, "--architecture", "lstm", "--max-steps", "1",
         "--examples", "100", "--embed-dim", "8", "--layers", "1", "--eval-every", "10", "--threads", "1"])
    result = run(to_torch + [lstm, "--sentence", "27 Nov 2026"], expect_success=False)
    check(result.returncode == 1 and "checkpoint.safetensors: config: architecture: 'lstm'" in result.stderr,
          f"an LSTM checkpoint is refused: {result.stderr.strip()}")
    source = os.path.join(work, "post-norm-char", "checkpoint.safetensors")
    contents = read_safetensors(source)
    broken = os.path.join(work, "no-vocab")
    os.makedirs(broken)
    write_safetensors(os.path.join(broken, "checkpoint.safetensors"),
                      [(n, contents.tensor(n)) for n in contents.names()],
                      {k: v for k, v in contents.metadata.items() if k != "target_vocab"})
    code, _, message = run_tool("to_torch", [broken, "--sentence", "27 Nov 2026"])
    check(code == 1 and "no-vocab/checkpoint.safetensors: not a translate checkpoint (metadata 'target_vocab' is "
          "missing)" in message, f"a checkpoint without target_vocab is refused: {message.strip()}")
    state = torch.load(os.path.join(work, "post-norm-char.pt"))
    del state["transformer.decoder.norm.bias"]
    partial = os.path.join(work, "partial.pt")
    torch.save(state, partial)
    code, _, message = run_tool("from_torch", ["--threads", "1", "--template", os.path.join(work, "post-norm-char"),
                                               "--state-dict", partial, "--output", os.path.join(work, "partial")])
    check(code == 1 and "partial.pt: does not fit the model" in message and "transformer.decoder.norm.bias" in message
          and not os.path.exists(os.path.join(work, "partial")),
          f"a state_dict missing a tensor is refused, nothing written: {' '.join(message.split())}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--translate", required=True, help="the translate executable")
    parser.add_argument("--logits", required=True, help="the tapegrad_logits executable (tests/interop/)")
    parser.add_argument("--work-dir", default=None, help="where the temporary checkpoints go")
    parser.add_argument("--keep", action="store_true", help="keep the temporary checkpoints")
    args = parser.parse_args()
    try:
        import torch
    except ImportError as error:
        print(f"SKIP: {sys.executable} cannot import torch ({error}); install Debian's python3-torch "
              f"(scripts/install-deps does) to run the PyTorch interop test")
        return SKIP
    torch.set_num_threads(1)
    os.environ["OMP_NUM_THREADS"] = "1"  # tapegrad_logits
    sys.path.insert(0, TOOLS)
    print(f"torch {torch.__version__}", flush=True)
    started = time.time()
    work = tempfile.mkdtemp(prefix="interop-", dir=args.work_dir)
    measured = {}
    try:
        tapegrad_to_torch(args, work, measured)
        torch_to_tapegrad(args, work, measured)
        refusals(args, work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"max_abs_logit_difference": measured, "seconds": round(time.time() - started, 1)}))
    if failures:
        print(f"{len(failures)} check(s) failed:\n  " + "\n  ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
