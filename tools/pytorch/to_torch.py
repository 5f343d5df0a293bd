#!/usr/bin/python3
"""A tapegrad translate checkpoint in PyTorch: build the equivalent torch model, load it strictly, translate.

    tools/pytorch/to_torch.py runs/dates --sentence "27 Nov 2026" --sentence "3/4/99"
    tools/pytorch/to_torch.py runs/dates --save-state-dict dates.pt      # torch.save(model.state_dict())

Prints one greedy translation a line (as `translate translate --checkpoint runs/dates`), reading the
sentences from standard input, a line each, when none is given. Only Transformer checkpoints are covered.
"""
import argparse
import sys

import torch

from tapegrad_checkpoint import (CheckpointError, load_torch_model, read_checkpoint, save_state_dict, source_ids,
                                 translate)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint", metavar="CHECKPOINT_DIR", help="a directory `translate train` wrote")
    parser.add_argument("--sentence", action="append", default=[], help="a sentence to translate (repeatable)")
    parser.add_argument("--save-state-dict", metavar="FILE.pt",
                        help="also save the torch model's state_dict (written to a temporary file, then renamed)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        checkpoint = read_checkpoint(args.checkpoint)
        model = load_torch_model(checkpoint)
        print(f"{checkpoint.file}: {len(checkpoint.model_names())} tensors loaded strictly into "
              f"{type(model).__name__} ({sum(p.numel() for p in model.parameters())} parameters)", file=sys.stderr)
        if args.save_state_dict:
            save_state_dict(model, args.save_state_dict)
        if args.sentence:
            sentences = [(s, f"sentence {i + 1}") for i, s in enumerate(args.sentence)]
        elif not args.save_state_dict:
            sentences = [(line.rstrip("\n"), f"stdin:{i + 1}") for i, line in enumerate(sys.stdin) if line.strip("\n")]
        else:
            sentences = []
        # Every sentence is checked before the first is translated, as `translate translate` does.
        for sentence, where in sentences:
            source_ids(checkpoint, sentence, where)
        for sentence, where in sentences:
            print(translate(model, checkpoint, sentence, where), flush=True)
    except CheckpointError as error:
        sys.exit(f"to_torch.py: {error}")


if __name__ == "__main__":
    main()
