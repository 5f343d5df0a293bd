#!/usr/bin/python3
"""A PyTorch model as a tapegrad translate checkpoint: `translate translate --checkpoint OUT` then uses it.

    tools/pytorch/from_torch.py --template runs/dates --state-dict finetuned.pt --output runs/from-torch
    tools/pytorch/from_torch.py --template runs/dates --torch-init 0 --output runs/torch-init

The template checkpoint gives the config and the tokenizers and vocabularies (a model is only usable with the
vocabulary it was trained on); the weights come from a TapegradTransformer state_dict (what to_torch.py
--save-state-dict writes, or torch.save(model.state_dict()) after training the model in PyTorch), loaded
strictly, or from a new TapegradTransformer with torch's initialisation (--torch-init SEED). A template for
another model size: `translate train --task dates --embed-dim 128 --max-steps 1 --checkpoint tmpl`.
"""
import argparse
import os
import sys

import torch

from tapegrad_checkpoint import (CHECKPOINT_FILE, CheckpointError, build_torch_model, read_checkpoint, translate,
                                 write_checkpoint)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--template", required=True, metavar="DIR", help="a checkpoint giving config and tokenizers")
    parser.add_argument("--output", required=True, metavar="DIR", help="the checkpoint directory to write")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--state-dict", metavar="FILE.pt", help="a TapegradTransformer state_dict (torch.save)")
    source.add_argument("--torch-init", type=int, metavar="SEED", help="a new model, torch's init, this seed")
    parser.add_argument("--force", action="store_true", help="replace a checkpoint already in --output")
    parser.add_argument("--sentence", action="append", default=[],
                        help="print the torch model's greedy translation of this sentence (repeatable)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        template = read_checkpoint(args.template)
        if os.path.exists(os.path.join(args.output, CHECKPOINT_FILE)) and not args.force:
            raise CheckpointError(f"{args.output}: holds a checkpoint already; give --force to replace it")
        if args.torch_init is not None:
            torch.manual_seed(args.torch_init)
        model = build_torch_model(template)
        if args.state_dict:
            try:
                state = torch.load(args.state_dict, map_location="cpu", weights_only=True)
            except Exception as error:  # torch raises several kinds for a file it cannot read
                raise CheckpointError(f"{args.state_dict}: not a torch state_dict file: {error}") from None
            if not isinstance(state, dict):
                raise CheckpointError(f"{args.state_dict}: holds a {type(state).__name__}, not a state_dict")
            try:
                model.load_state_dict(state, strict=True)
            except RuntimeError as error:
                raise CheckpointError(f"{args.state_dict}: does not fit the model of {template.file}'s config: "
                                      f"{error}") from None
        model.eval()
        origin = f"PyTorch state_dict {args.state_dict}" if args.state_dict else f"PyTorch init, seed {args.torch_init}"
        write_checkpoint(args.output, template, model, converted_from=origin)
        print(f"{os.path.join(args.output, CHECKPOINT_FILE)}: written from {origin}, with the config and "
              f"tokenizers of {template.file}", file=sys.stderr)
        for i, sentence in enumerate(args.sentence):
            print(translate(model, template, sentence, f"sentence {i + 1}"), flush=True)
    except CheckpointError as error:
        sys.exit(f"from_torch.py: {error}")


if __name__ == "__main__":
    main()
