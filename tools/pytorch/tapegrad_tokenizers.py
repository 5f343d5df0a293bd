"""tapegrad's tokenizers and vocabularies, rebuilt from the JSON a checkpoint's metadata holds.

Each mirrors its C++ original rule for rule, so that a sentence becomes the same ids here as in
`translate translate`:
  char  data/char_tokenizer.cpp   one token per code point
  word  data/word_tokenizer.cpp   whitespace and punctuation splitting, and its spacing rule back
  bpe   data/bpe_tokenizer.cpp    merges applied lowest rank first, "</w>" on each word's last symbol
  Vocab data/vocab.h              ids 0..3 are <pad>, <bos>, <eos>, <unk>; unknown tokens become <unk>
Errors raise ValueError naming the JSON's problem; the caller prefixes the file and metadata key.
"""
import json

PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3
SPECIAL_TOKENS = ["<pad>", "<bos>", "<eos>", "<unk>"]
MAX_VOCAB = 1_000_000
MAX_TOKEN_BYTES = 64 * 1024
END_OF_WORD = "</w>"


def is_whitespace(code_point):
    """Unicode White_Space, exactly data/utf8.cpp's is_whitespace (str.isspace differs: it counts U+001C..1F)."""
    c = ord(code_point)
    return (0x09 <= c <= 0x0D or c in (0x20, 0x85, 0xA0, 0x1680) or 0x2000 <= c <= 0x200A
            or c in (0x2028, 0x2029, 0x202F, 0x205F, 0x3000))


def check_text(text):
    """Python strings may hold lone surrogates (undecodable command-line bytes); tapegrad refuses invalid UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"invalid UTF-8 at character {error.start} of the text") from None


class CharTokenizer:
    name = "char"

    def tokenize(self, text):
        check_text(text)
        return list(text)  # a Python str is a sequence of code points

    def detokenize(self, tokens):
        return "".join(tokens)


# data/word_tokenizer.cpp's punctuation classes.
CLOSING = ".,!?;:)]}…”»"
OPENING = "([{„“«¿¡"
NEUTRAL = "\"–—"


class WordTokenizer:
    name = "word"

    def tokenize(self, text):
        check_text(text)
        tokens, word = [], []

        def end_word():
            if word:
                tokens.append("".join(word))
                word.clear()

        for i, c in enumerate(text):
            between_digits = 0 < i < len(text) - 1 and "0" <= text[i - 1] <= "9" and "0" <= text[i + 1] <= "9"
            if is_whitespace(c):
                end_word()
            elif c in CLOSING + OPENING + NEUTRAL and not (between_digits and c in ".,:"):
                end_word()
                word.append(c)
                end_word()
            else:
                word.append(c)
        end_word()
        return tokens

    def detokenize(self, tokens):
        text, previous_opens = "", True  # nothing goes before the first token
        for token in tokens:
            if not previous_opens and not (len(token) == 1 and token in CLOSING):
                text += " "
            text += token
            previous_opens = len(token) == 1 and token in OPENING
        return text


class BpeTokenizer:
    name = "bpe"

    def __init__(self, merges):
        self.rank = {}
        for i, (left, right) in enumerate(merges):
            if not left or not right:
                raise ValueError(f"merge {i} has an empty side: ({left!r}, {right!r})")
            self.rank.setdefault((left, right), i)  # a repeated merge keeps its first rank

    def encode_word(self, word):
        symbols = list(word)
        if symbols:
            symbols[-1] += END_OF_WORD
        while len(symbols) > 1:
            ranked = [(self.rank[pair], pair) for pair in zip(symbols, symbols[1:]) if pair in self.rank]
            if not ranked:
                break
            best = min(ranked)[1]
            merged, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == best:
                    merged.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            symbols = merged
        return symbols

    def tokenize(self, text):
        check_text(text)
        words, word = [], ""
        for c in text:
            if is_whitespace(c):
                if word:
                    words.append(word)
                word = ""
            else:
                word += c
        if word:
            words.append(word)
        return [symbol for w in words for symbol in self.encode_word(w)]

    def detokenize(self, tokens):
        text = ""
        for token in tokens:
            text += token[:-len(END_OF_WORD)] + " " if token.endswith(END_OF_WORD) else token
        return text[:-1] if text.endswith(" ") else text


def tokenizer_from_json(text):
    """The tokenizer a checkpoint's source_tokenizer / target_tokenizer metadata describes."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error})") from None
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
        raise ValueError(f"expected an object with a string \"kind\", got {text[:80]}")
    kind = value["kind"]
    if kind in ("char", "word"):
        if value != {"kind": kind}:
            raise ValueError(f"expected {{\"kind\": \"{kind}\"}}, got {text[:80]}")
        return CharTokenizer() if kind == "char" else WordTokenizer()
    if kind == "bpe":
        if value.get("version") != 1 or value.get("end_of_word") != END_OF_WORD:
            raise ValueError(f"bpe: unsupported version {value.get('version')} or end_of_word "
                             f"{value.get('end_of_word')!r} (expected 1 and {END_OF_WORD!r})")
        merges = value.get("merges")
        if not isinstance(merges, list):
            raise ValueError("bpe: missing \"merges\" array")
        for i, merge in enumerate(merges):
            if not (isinstance(merge, list) and len(merge) == 2 and all(isinstance(s, str) for s in merge)):
                raise ValueError(f"bpe: merge {i} is not a pair of strings: {json.dumps(merge)[:80]}")
        return BpeTokenizer([tuple(merge) for merge in merges])
    raise ValueError(f"unknown kind '{kind}'; known: char, word, bpe")


class Vocab:
    def __init__(self, tokens):
        if tokens[:4] != SPECIAL_TOKENS:
            raise ValueError(f"the first four tokens must be {SPECIAL_TOKENS}, got {tokens[:4]}")
        self.tokens = tokens
        self.ids = {}
        for i, token in enumerate(tokens):
            if token in self.ids:
                raise ValueError(f"token {i} {token!r} repeats token {self.ids[token]}")
            self.ids[token] = i

    def __len__(self):
        return len(self.tokens)

    def encode(self, tokens):
        return [self.ids.get(token, UNK_ID) for token in tokens]

    def output_tokens(self, ids):
        """Ids -> tokens, stopping at EOS and dropping BOS and PAD (examples/translate Language::tokens)."""
        out = []
        for i in ids:
            if i == EOS_ID:
                break
            if i not in (BOS_ID, PAD_ID):
                out.append(self.tokens[i])
        return out


def vocab_from_json(text):
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error})") from None
    if not isinstance(value, dict) or value.get("format") != "tapegrad.vocab":
        raise ValueError("expected an object with \"format\": \"tapegrad.vocab\"")
    if value.get("version") != 1:
        raise ValueError(f"unsupported version {value.get('version')}, expected 1")
    tokens = value.get("tokens")
    if not isinstance(tokens, list):
        raise ValueError("missing \"tokens\" array")
    if len(tokens) > MAX_VOCAB:
        raise ValueError(f"\"tokens\": {len(tokens)} tokens, more than the limit of {MAX_VOCAB}")
    for i, token in enumerate(tokens):
        if not isinstance(token, str):
            raise ValueError(f"token {i} is not a string: {json.dumps(token)[:80]}")
        if len(token.encode("utf-8", "surrogatepass")) > MAX_TOKEN_BYTES:
            raise ValueError(f"token {i} is longer than {MAX_TOKEN_BYTES} bytes")
    return Vocab(tokens)


class Language:
    """One side of the translation: text -> ids and ids -> text, as examples/translate/experiment.h."""

    def __init__(self, tokenizer, vocab):
        self.tokenizer = tokenizer
        self.vocab = vocab

    def encode(self, text):
        return self.vocab.encode(self.tokenizer.tokenize(text))

    def decode(self, ids):
        return self.tokenizer.detokenize(self.vocab.output_tokens(ids))
