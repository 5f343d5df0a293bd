"""A tapegrad translate checkpoint in PyTorch, and a PyTorch model as a tapegrad checkpoint.

    checkpoint = read_checkpoint("runs/dates")             # the directory `translate train` wrote
    model = load_torch_model(checkpoint)                   # TapegradTransformer, loaded strictly, in eval mode
    translate(model, checkpoint, "27 Nov 2026")            # greedy, as `translate translate`
    write_checkpoint("runs/from-torch", checkpoint, model)  # back: a directory `translate` loads

A checkpoint directory holds checkpoint.safetensors, whose metadata carries the config (JSON), both
tokenizers and vocabularies (JSON), the trainer state and the splits, and the tensors "model.<name>" (and
"optimizer.<...>"). tapegrad's names are torch.nn.Transformer's, under "transformer.", except that tapegrad
keeps each attention's q_proj, k_proj, v_proj where torch packs them into one in_proj_weight (3E, E) and
in_proj_bias (3E) — rows [0, E) the query's, [E, 2E) the key's, [2E, 3E) the value's.

Errors raise CheckpointError naming the file and the field: "DIR/checkpoint.safetensors: config: ...".
Only the Transformer architecture is covered (not --architecture lstm or lstm-attention).
"""
import json
import os

import torch

from safetensors_file import SafetensorsError, read_safetensors, write_file_atomically, write_safetensors
from tapegrad_tokenizers import Language, tokenizer_from_json, vocab_from_json
from torch_transformer import TapegradTransformer, greedy_decode

FORMAT = "tapegrad-translate-checkpoint-1"  # examples/translate/checkpoint.h kCheckpointFormat
CHECKPOINT_FILE = "checkpoint.safetensors"
SPLIT_FILES = ("valid.tsv", "test.tsv")
REQUIRED_METADATA = ("format", "config", "source_tokenizer", "source_vocab", "target_tokenizer", "target_vocab")

# The config fields the model needs, with TrainConfig's defaults (a field missing from a saved config keeps its
# default, as in tapegrad) and ranges (examples/translate/config.cpp).
INT_FIELDS = {"encoder_layers": (2, 1, 64), "decoder_layers": (2, 1, 64), "embed_dim": (64, 1, 4096),
              "num_heads": (4, 1, 256), "ff_dim": (256, 1, 16384), "max_len": (256, 3, 4096)}
BOOL_FIELDS = {"pre_norm": False, "tie_embeddings": False}


class CheckpointError(Exception):
    pass


class Checkpoint:
    """What read_checkpoint found: the file, its metadata, the config (a dict), both languages, the tensors."""

    def __init__(self, directory, contents, config, fields, source, target):
        self.directory = str(directory)
        self.file = os.path.join(self.directory, CHECKPOINT_FILE)
        self.contents = contents  # safetensors_file.SafetensorsFile
        self.metadata = contents.metadata
        self.config = config      # the whole config
        self.fields = fields      # the model's settings from it, checked, with defaults (_config_fields)
        self.source = source
        self.target = target

    def model_names(self):
        """The model's tensor names without "model.", in the file's order (tapegrad's module order)."""
        return [name[len("model."):] for name in self.contents.names() if name.startswith("model.")]

    def model_state(self):
        return {name: self.contents.tensor("model." + name) for name in self.model_names()}


def _config_fields(config, file):
    """The model settings of a config dict, type- and range-checked, defaults for missing fields."""
    def fail(field, problem):
        raise CheckpointError(f"{file}: config: {field}: {problem}")

    architecture = config.get("architecture", "transformer")
    if architecture != "transformer":
        raise CheckpointError(
            f"{file}: config: architecture: '{architecture}': only the Transformer has a PyTorch equivalent here "
            f"(torch.nn.Transformer); --architecture lstm and lstm-attention checkpoints are not covered")
    fields = {}
    for key, (default, low, high) in INT_FIELDS.items():
        value = config.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            fail(key, f"{json.dumps(value)[:40]} is not an integer in [{low}, {high}]")
        fields[key] = value
    for key, default in BOOL_FIELDS.items():
        value = config.get(key, default)
        if not isinstance(value, bool):
            fail(key, f"{json.dumps(value)[:40]} is not true or false")
        fields[key] = value
    dropout = config.get("dropout", 0.1)
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        fail("dropout", f"{json.dumps(dropout)[:40]} is not a number in [0, 1)")
    fields["dropout"] = float(dropout)
    # examples/translate/model.cpp always builds ReLU feed-forward blocks; a config naming another is refused.
    fields["activation"] = config.get("activation", "relu")
    if fields["activation"] not in ("relu", "gelu"):
        fail("activation", f"'{fields['activation']}' is not relu or gelu")
    if fields["embed_dim"] % fields["num_heads"]:
        fail("embed_dim", f"{fields['embed_dim']} is not a multiple of num_heads {fields['num_heads']}")
    return fields


def read_checkpoint(directory):
    """Reads DIR/checkpoint.safetensors: the format, the config, the tokenizers and vocabularies."""
    file = os.path.join(str(directory), CHECKPOINT_FILE)
    if not os.path.exists(file):
        raise CheckpointError(f"no checkpoint in '{directory}' (expected {file})")
    try:
        contents = read_safetensors(file)
    except SafetensorsError as error:
        raise CheckpointError(str(error)) from None
    metadata = contents.metadata
    for key in REQUIRED_METADATA:
        if key not in metadata:
            raise CheckpointError(f"{file}: not a translate checkpoint (metadata '{key}' is missing)")
    if metadata["format"] != FORMAT:
        raise CheckpointError(f"{file}: format: '{metadata['format']}' is not the one this script reads ('{FORMAT}')")
    try:
        config = json.loads(metadata["config"])
    except json.JSONDecodeError as error:
        raise CheckpointError(f"{file}: config: not valid JSON ({error})") from None
    if not isinstance(config, dict):
        raise CheckpointError(f"{file}: config: not a JSON object")
    languages = []
    for side in ("source", "target"):
        try:
            tokenizer = tokenizer_from_json(metadata[f"{side}_tokenizer"])
        except ValueError as error:
            raise CheckpointError(f"{file}: {side}_tokenizer: {error}") from None
        try:
            vocab = vocab_from_json(metadata[f"{side}_vocab"])
        except ValueError as error:
            raise CheckpointError(f"{file}: {side}_vocab: {error}") from None
        languages.append(Language(tokenizer, vocab))
    return Checkpoint(directory, contents, config, _config_fields(config, file), *languages)


def build_torch_model(checkpoint):
    """A TapegradTransformer of the checkpoint's config and vocabulary sizes, with torch's own initial values."""
    f = checkpoint.fields
    return TapegradTransformer(
        source_vocab_size=len(checkpoint.source.vocab), target_vocab_size=len(checkpoint.target.vocab),
        embed_dim=f["embed_dim"], num_heads=f["num_heads"], num_encoder_layers=f["encoder_layers"],
        num_decoder_layers=f["decoder_layers"], ff_dim=f["ff_dim"], dropout=f["dropout"],
        activation=f["activation"], norm_first=f["pre_norm"], max_len=f["max_len"],
        tie_target_embeddings=f["tie_embeddings"])


QKV = ("q_proj", "k_proj", "v_proj")


def tapegrad_to_torch_names(state, where):
    """tapegrad's model tensors (name -> tensor) as TapegradTransformer's state dict: the stacks under
    "transformer.", each attention's q/k/v projections packed into in_proj_weight and in_proj_bias."""
    torch_state, packs = {}, {}
    for name, tensor in state.items():
        parts = name.split(".")
        if len(parts) >= 3 and parts[-2] in QKV:
            attention, kind = ".".join(parts[:-2]), parts[-1]   # "encoder.layers.0.self_attn", "weight"
            packs.setdefault((attention, kind), {})[parts[-2]] = tensor
            continue
        torch_state[("transformer." + name) if parts[0] in ("encoder", "decoder") else name] = tensor
    for (attention, kind), projections in packs.items():
        missing = [p for p in QKV if p not in projections]
        if missing:
            raise CheckpointError(f"{where}: {attention}: has {', '.join(sorted(projections))} but no "
                                  f"{', '.join(missing)} ({kind}): cannot pack in_proj_{kind}")
        torch_state[f"transformer.{attention}.in_proj_{kind}"] = torch.cat([projections[p] for p in QKV], 0)
    return torch_state


def torch_to_tapegrad_names(torch_state, where):
    """The inverse: a TapegradTransformer state dict as tapegrad's names, in_proj_* split in three along rows."""
    state = {}
    for name, tensor in torch_state.items():
        own = name[len("transformer."):] if name.startswith("transformer.") else name
        parts = own.split(".")
        if parts[-1] in ("in_proj_weight", "in_proj_bias"):
            if tensor.size(0) % 3:
                raise CheckpointError(f"{where}: {name}: {tensor.size(0)} rows, not 3·E (query, key, value)")
            kind = parts[-1][len("in_proj_"):]
            for projection, part in zip(QKV, torch.chunk(tensor, 3, dim=0)):
                state[".".join(parts[:-1] + [projection, kind])] = part.contiguous()
        else:
            state[own] = tensor
    return state


def load_torch_model(checkpoint):
    """The checkpoint's model in PyTorch: built from the config, every tensor mapped and loaded with
    load_state_dict(strict=True) (a tensor too many or too few is an error), in eval mode (no dropout)."""
    model = build_torch_model(checkpoint)
    state = checkpoint.model_state()
    for name, tensor in state.items():
        if tensor.dtype != torch.float32:
            raise CheckpointError(f"{checkpoint.file}: model.{name}: dtype {tensor.dtype}, expected float32 (F32)")
    try:
        model.load_state_dict(tapegrad_to_torch_names(state, checkpoint.file), strict=True)
    except RuntimeError as error:
        raise CheckpointError(f"{checkpoint.file}: the tensors do not fit the model its config describes: "
                              f"{error}") from None
    return model.eval()


def source_ids(checkpoint, sentence, where="sentence"):
    """The source ids of a sentence, with `translate translate`'s checks (UTF-8, at most max_len tokens)."""
    try:
        ids = checkpoint.source.encode(sentence)
    except ValueError as error:
        raise CheckpointError(f"{where}: {error}") from None
    if len(ids) > checkpoint.fields["max_len"]:
        raise CheckpointError(f"{where}: the sentence is {len(ids)} tokens long; the model reads at most "
                              f"{checkpoint.fields['max_len']} (its max_len)")
    return ids


def translate(model, checkpoint, sentence, where="sentence"):
    """Greedy translation, as `translate translate`: at most max_len − 1 output tokens; "" for an empty source."""
    ids = source_ids(checkpoint, sentence, where)
    if not ids:
        return ""
    return checkpoint.target.decode(greedy_decode(model, ids, checkpoint.fields["max_len"] - 1))


def write_checkpoint(directory, template, model, converted_from="a PyTorch model"):
    """Writes `model` (a TapegradTransformer of the template's config) as a checkpoint directory that
    `translate translate|eval|explain --checkpoint DIR` loads: the template's config, tokenizers, vocabularies and
    stored splits (valid.tsv, test.tsv copied), the model's tensors under tapegrad's names, in the template's
    order and checked against its shapes, and no optimizer state (the weights did not come from tapegrad's
    optimizer, so `train --resume` cannot continue it). Files are written atomically, the splits first."""
    directory = str(directory)
    if os.path.abspath(directory) == os.path.abspath(template.directory):
        raise CheckpointError(f"{directory}: is the template checkpoint itself; write to another directory")
    where = os.path.join(directory, CHECKPOINT_FILE)
    state = torch_to_tapegrad_names({k: v.detach().to("cpu", torch.float32) for k, v in model.state_dict().items()},
                                    where)
    expected = {name: template.contents.shape("model." + name) for name in template.model_names()}
    unexpected = sorted(set(state) - set(expected))
    missing = sorted(set(expected) - set(state))
    if unexpected or missing:
        raise CheckpointError(f"{where}: the model's tensors are not the template's ({template.file}): "
                              f"missing {missing or 'none'}, unexpected {unexpected or 'none'}")
    for name, shape in expected.items():
        if list(state[name].shape) != shape:
            raise CheckpointError(f"{where}: model.{name}: shape {list(state[name].shape)}, but the template's "
                                  f"config needs {shape}")
    os.makedirs(directory, exist_ok=True)
    metadata = {key: template.metadata[key] for key in REQUIRED_METADATA}
    metadata["trainer_state"] = json.dumps({"step": 0, "train_seconds": 0, "loader_epoch": 0,
                                            "loader_batch_index": 0, "world_size": 1})
    metadata["converted_from"] = converted_from
    if "splits" in template.metadata and all(os.path.isfile(os.path.join(template.directory, f)) for f in SPLIT_FILES):
        for split in SPLIT_FILES:
            with open(os.path.join(template.directory, split), "rb") as file:
                write_file_atomically(os.path.join(directory, split), file.read())
        metadata["splits"] = template.metadata["splits"]
    write_safetensors(where, [("model." + name, state[name]) for name in expected], metadata)
    write_file_atomically(os.path.join(directory, "config.json"), (metadata["config"] + "\n").encode("utf-8"))


def save_state_dict(model, path):
    """torch.save(model.state_dict()) to a temporary file renamed over `path`."""
    temporary = f"{path}.tmp{os.getpid()}"
    try:
        torch.save(model.state_dict(), temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


__all__ = ["CheckpointError", "Checkpoint", "read_checkpoint", "build_torch_model", "load_torch_model",
           "tapegrad_to_torch_names", "torch_to_tapegrad_names", "source_ids", "translate", "write_checkpoint",
           "save_state_dict"]
