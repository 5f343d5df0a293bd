#!/usr/bin/env python3
"""The docs-anchors test: every link from the docs to a line of code points at the line it names.

A line anchor carries its target: the first `code span` in the link's text is a symbol (or a fragment of
code) that the cited line must hold, and hold it there and nowhere else that could be meant:

    [`scaled_dot_product_attention`](../nn/attention.cpp#L64)               the line of the definition
    [`TransformerEncoderLayer::forward`](../nn/transformer_encoder.cpp#L41-L55)    a range: its first line
    [`mask table: bool true blocks…`](../tests/nn/test_attention.cpp#L172)   "…" at the end: a prefix

Where a symbol is: on the one line of the file that holds it; if several do, on the one of them that
defines something (a line that starts in column 0 and is not a comment, a preprocessor line or a closing
brace: `Tensor causal_mask(`, `TEST_CASE(`, `class Foo`; in Python a `def` or `class` line). Two such
lines are ambiguous: the doc must name the symbol more precisely (`Class::method`, or a longer fragment
of the line). Whitespace runs compare equal, and `\\|` (a `|` escaped in a table cell) is `|`.

A range `#La-Lb` whose first line opens a `{` block ends where that block closes (for a function, its
closing brace): that is checked, and --fix recomputes it. A range whose first line opens no block keeps
its length under --fix.

Every other relative link (with no line) must name a file that exists, and so must every code span in
prose that is a repository path (`nn/attention.cpp`, `optim/adam.{h,cpp}`, `autograd/tape.*`,
`examples/translate/`). A line number written in prose (`attention.cpp:64`) is an error: it cannot be
checked, so it must be a link with a symbol.

    check_anchors.py SOURCE_DIR           exits 1 and lists every problem (doc:line: what and how to mend it)
    check_anchors.py SOURCE_DIR --fix     moves every anchor to the line its symbol is on now, rewrites the
                                          docs, then lists what it could not mend (exit 1 if anything)
    check_anchors.py --self-test          checks the checker on a made-up tree

Markdown files are every *.md under SOURCE_DIR outside hidden folders and build trees (a folder holding
CMakeCache.txt); fenced code blocks are skipped.
"""
import glob
import os
import pathlib
import re
import sys

LINK = re.compile(r"\[((?:[^\[\]`]|`[^`]*`|\[[^\]]*\])*)\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`]+)`")
LINE_ANCHOR = re.compile(r"^L(\d+)(?:-L(\d+))?$")
PROSE_LINE_NUMBER = re.compile(r"(?<![\w/.-])([\w/.-]+\.(?:cpp|h|hpp|py|cmake|sh|txt|md)):(\d+)\b")
PATH_SPAN = re.compile(r"^[\w.*{},/-]+$")


def markdown_files(root):
    for directory, folders, files in os.walk(root):
        here = pathlib.Path(directory)
        folders[:] = [folder for folder in sorted(folders)
                      if not folder.startswith(".") and not (here / folder / "CMakeCache.txt").exists()]
        for name in sorted(files):
            if name.endswith(".md"):
                yield here / name


def prose_lines(text):
    """(line number, line) of every line outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def normalise(text):
    return " ".join(text.replace("\\|", "|").split())


def symbol_pattern(symbol):
    """A regex for the symbol on a whitespace-normalised line; a trailing … or ... makes it a prefix."""
    prefix = symbol.endswith(("…", "..."))
    core = normalise(symbol.rstrip(".…"))
    pattern = re.escape(core).replace(r"\ ", " ")
    if re.match(r"\w", core):
        pattern = r"(?<!\w)" + pattern
    if re.search(r"\w$", core) and not prefix:
        pattern += r"(?!\w)"
    return core, re.compile(pattern)


def is_definition(line, suffix):
    if suffix == ".py":
        return re.match(r"\s*(def|class)\s", line) is not None or (line[:1].strip() != "" and not line.startswith("#"))
    if not line[:1].strip():
        return False
    return not line.lstrip().startswith(("//", "/*", "*", "#", "}"))


def locate(symbol, lines, suffix):
    """(line number or None, why not): where the symbol is in the file, by the rules above."""
    core, pattern = symbol_pattern(symbol)
    if not core:
        return None, "the symbol is empty"
    found = [number for number, line in enumerate(lines, 1) if pattern.search(normalise(line))]
    if len(found) == 1:
        return found[0], ""
    if not found:
        return None, "is on no line of the file"
    definitions = [number for number in found if is_definition(lines[number - 1], suffix)]
    if len(definitions) == 1:
        return definitions[0], ""
    listed = ", ".join(map(str, definitions or found))
    return None, (f"is ambiguous: on lines {', '.join(map(str, found))}, of which "
                  f"{'lines ' + listed + ' define' if definitions else 'none defines'} something; "
                  f"name it more precisely (Class::method, or a longer fragment of the line)")


def code_only(line):
    """The line without string and character literals and comments, for counting braces."""
    line = re.sub(r'"(?:\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(?:\\.|[^'\\])*'", "''", line)
    return line.split("//", 1)[0]


def block_end(lines, start, suffix):
    """The line where the { block opened by the statement starting at `start` closes, or None."""
    if suffix not in (".cpp", ".h", ".hpp", ".cc"):
        return None
    depth, opened = 0, False
    for number in range(start, len(lines) + 1):
        for char in code_only(lines[number - 1]):
            if char == "{":
                depth, opened = depth + 1, True
            elif char == "}":
                depth -= 1
            elif char == ";" and not opened and depth == 0:
                return None  # a statement or declaration: opens no block
        if opened and depth <= 0:
            return number
    return None


class Anchor:
    def __init__(self, doc, line_number, text, target, span):
        self.doc, self.line_number, self.text, self.target, self.span = doc, line_number, text, target, span


def links(doc, text):
    """Every relative link of the doc: Anchor(doc, line, text, target, (start, end) of the target in text)."""
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    for number, line in prose_lines(text):
        for match in LINK.finditer(line):
            target = match.group(2)
            if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # a URL, or a heading of the same page
            start = offsets[number - 1] + match.start(2)
            yield Anchor(doc, number, match.group(1), target, (start, start + len(target)))


def expand_braces(path):
    match = re.search(r"\{([^{}]*)\}", path)
    if not match:
        return [path]
    return [expanded for choice in match.group(1).split(",")
            for expanded in expand_braces(path[:match.start()] + choice + path[match.end():])]


def check_doc(root, doc, top_folders, fix):
    """(problems, fixed text or None) for one markdown file."""
    text = doc.read_text(encoding="utf-8")
    name = doc.relative_to(root).as_posix()
    problems, edits = [], []
    file_cache = {}

    def source_lines(path):
        if path not in file_cache:
            file_cache[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return file_cache[path]

    for anchor in links(doc, text):
        where = f"{name}:{anchor.line_number}"
        path_part, _, fragment = anchor.target.partition("#")
        path = (doc.parent / path_part).resolve() if path_part else doc.resolve()
        shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        if not path.exists():
            problems.append(f"{where}: links to {shown}, which does not exist")
            continue
        line_anchor = LINE_ANCHOR.match(fragment)
        if not line_anchor:
            continue
        symbol_span = CODE_SPAN.search(anchor.text)
        if not symbol_span:
            problems.append(f"{where}: the anchor {anchor.target} names no symbol: write "
                            f"[`symbol`]({anchor.target}) with the symbol or code that its line holds")
            continue
        symbol = symbol_span.group(1)
        lines = source_lines(path)
        first = int(line_anchor.group(1))
        last = int(line_anchor.group(2)) if line_anchor.group(2) else None
        found, why = locate(symbol, lines, path.suffix)
        if found is None:
            problems.append(f"{where}: `{symbol}` {why} ({shown}, anchor #{fragment})")
            continue
        new_first = found
        new_last = None
        if last is not None:
            block = block_end(lines, found, path.suffix)
            new_last = block if block is not None else found + (last - first)
        if new_last is not None and new_last > len(lines):
            problems.append(f"{where}: the range #{fragment} moved to `{symbol}` at line {found} would end at "
                            f"line {new_last}, past the end of {shown} ({len(lines)} lines)")
            continue
        if (new_first, new_last) == (first, last):
            continue
        new_fragment = f"L{new_first}" + (f"-L{new_last}" if new_last is not None else "")
        if fix:
            start, end = anchor.span
            edits.append((start, end, f"{path_part}#{new_fragment}"))
        else:
            problems.append(f"{where}: `{symbol}` is at {shown}#{new_fragment}, not #{fragment}")

    for number, line in prose_lines(text):
        without_links = LINK.sub(lambda match: match.group(1), line)
        for match in PROSE_LINE_NUMBER.finditer(without_links):
            problems.append(f"{name}:{number}: '{match.group(0)}' cites a line that no test can check: write it "
                            f"as a link [`symbol`]({match.group(1)}#L{match.group(2)}), relative to this doc")
        for match in CODE_SPAN.finditer(without_links):
            span = match.group(1)
            if "/" not in span or not PATH_SPAN.match(span) or span.split("/")[0] not in top_folders:
                continue
            missing = [path for path in expand_braces(span) if not glob.glob(str(root / path))]
            if missing:
                problems.append(f"{name}:{number}: names `{span}`, but {', '.join(missing)} does not exist")

    fixed = None
    if edits:
        fixed = text
        for start, end, replacement in sorted(edits, reverse=True):
            fixed = fixed[:start] + replacement + fixed[end:]
    return problems, fixed


def check(root, fix=False):
    """(problems, number of line anchors seen, docs rewritten)."""
    root = pathlib.Path(root).resolve()
    top_folders = {entry.name for entry in root.iterdir()
                   if entry.is_dir() and not entry.name.startswith(".") and not (entry / "CMakeCache.txt").exists()}
    problems, rewritten, anchors = [], [], 0
    for doc in markdown_files(root):
        anchors += sum(1 for anchor in links(doc, doc.read_text(encoding="utf-8"))
                       if LINE_ANCHOR.match(anchor.target.partition("#")[2]))
        doc_problems, fixed = check_doc(root, doc, top_folders, fix)
        problems += doc_problems
        if fixed is not None:
            doc.write_text(fixed, encoding="utf-8")
            rewritten.append(doc.relative_to(root).as_posix())
    return problems, anchors, rewritten


def self_test():
    """A made-up tree: a source file, a doc with every kind of anchor; check, fix, check again."""
    import tempfile
    source = ("// a.cpp: two functions\n"
              "#include \"a.h\"\n"
              "\n"
              "int helper(int x) { return x; }\n"
              "\n"
              "int twice(int x) {\n"
              "    const char* s = \"{ not a brace\";\n"
              "    return helper(x) * 2;\n"
              "}\n"
              "\n"
              "int thrice(int x) {\n"
              "    return helper(x) * 3;  // helper again\n"
              "}\n")
    doc = ("# Doc\n"
           "[`twice`](../src/a.cpp#L6-L9) [`return helper(x) * 2`](../src/a.cpp#L8)\n"  # right
           "[`thrice`](../src/a.cpp#L1) [`int thrice`](../src/a.cpp#L9-L10)\n"      # off: a line, a block range
           "[`helper(x) * 3`](../src/a.cpp#L2-L3)\n"                                # off: a plain range
           "[here](../src/a.cpp#L4) [`return helper`](../src/a.cpp#L8)\n"           # no symbol; ambiguous
           "[`gone`](../src/a.cpp#L4) [missing](../src/b.cpp) `src/c.{cpp,h}` `src/a.cpp` a.cpp:4\n"
           "```\n[`ignored`](../src/a.cpp#L99) `src/nothing.cpp`\n```\n")
    with tempfile.TemporaryDirectory() as directory:
        root = pathlib.Path(directory)
        (root / "src").mkdir()
        (root / "docs").mkdir()
        (root / "build").mkdir()
        (root / "build" / "CMakeCache.txt").write_text("")
        (root / "build" / "stale.md").write_text("[`x`](nowhere.cpp#L1)\n")  # a build tree: not read
        (root / "src" / "a.cpp").write_text(source, encoding="utf-8")
        (root / "docs" / "doc.md").write_text(doc, encoding="utf-8")
        problems, anchors, _ = check(root)
        assert anchors == 8, anchors
        expected = ["docs/doc.md:3: `thrice` is at src/a.cpp#L11, not #L1",
                    "docs/doc.md:3: `int thrice` is at src/a.cpp#L11-L13, not #L9-L10",
                    "docs/doc.md:4: `helper(x) * 3` is at src/a.cpp#L12-L13, not #L2-L3",
                    "docs/doc.md:5: the anchor ../src/a.cpp#L4 names no symbol",
                    "docs/doc.md:5: `return helper` is ambiguous: on lines 8, 12",
                    "docs/doc.md:6: `gone` is on no line of the file",
                    "docs/doc.md:6: links to src/b.cpp, which does not exist",
                    "docs/doc.md:6: 'a.cpp:4' cites a line that no test can check",
                    "docs/doc.md:6: names `src/c.{cpp,h}`, but src/c.cpp, src/c.h does not exist"]
        assert len(problems) == len(expected), "\n".join(problems)
        for problem, start in zip(problems, expected):
            assert problem.startswith(start), (problem, start)
        problems, _, rewritten = check(root, fix=True)
        assert rewritten == ["docs/doc.md"], rewritten
        assert len(problems) == 6, "\n".join(problems)  # the six it cannot mend remain, nothing else
        text = (root / "docs" / "doc.md").read_text(encoding="utf-8")
        assert "[`thrice`](../src/a.cpp#L11) [`int thrice`](../src/a.cpp#L11-L13)" in text, text
        assert "[`helper(x) * 3`](../src/a.cpp#L12-L13)" in text, text
        assert "[`twice`](../src/a.cpp#L6-L9)" in text and "#L99" in text, text
        assert check(root, fix=True)[2] == [], "a second --fix changes nothing"
    print("docs anchors self-test: moved lines, block and plain ranges, missing symbols and files, "
          "ambiguity and prose line numbers are reported; --fix mends what it can")
    return 0


def main():
    arguments = sys.argv[1:]
    if arguments == ["--self-test"]:
        return self_test()
    fix = "--fix" in arguments
    arguments = [argument for argument in arguments if argument != "--fix"]
    if len(arguments) != 1:
        sys.exit(__doc__)
    problems, anchors, rewritten = check(arguments[0], fix)
    for doc in rewritten:
        print(f"rewrote the anchors of {doc}")
    for problem in problems:
        print(problem)
    print(f"docs anchors: {anchors} line anchors checked, {len(problems)} problem(s)")
    if problems and not fix:
        print(f"To move every anchor whose symbol has moved (and end every block range where its block ends), "
              f"run\n    python3 {pathlib.Path(__file__).resolve()} {pathlib.Path(arguments[0]).resolve()} --fix\n"
              f"Other problems need the doc edited by hand; each message says how.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
