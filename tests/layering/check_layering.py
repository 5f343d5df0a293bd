#!/usr/bin/env python3
"""The layering test: every project #include must point down (or sideways within a layer), never up.

The table of layers is not written here: it is the one a reader sees in docs/architecture.md, between
the markers `<!-- layers: begin -->` and `<!-- layers: end -->`. Each row names a layer, the files it
holds (path prefixes or file globs, in backquotes) and the layers its files may include. A file belongs
to the first row one of whose patterns matches it; a file that matches no row is an error too, so a new
folder cannot slip past the table.

    check_layering.py SOURCE_DIR          exits 1 and lists every violation (file:line: what and why)
    check_layering.py --self-test         checks the checker: a made-up tree with one back-edge must fail
"""
import fnmatch
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE_SUFFIXES = {".h", ".hpp", ".cpp", ".cc"}


def read_table(architecture_md):
    """[(layer, [patterns], {allowed layers})] in table order, from docs/architecture.md."""
    text = architecture_md.read_text(encoding="utf-8")
    match = re.search(r"<!-- layers: begin -->(.*?)<!-- layers: end -->", text, re.S)
    if not match:
        sys.exit(f"{architecture_md}: no '<!-- layers: begin -->' ... '<!-- layers: end -->' table")
    rows = []
    for line_number, line in enumerate(match.group(1).splitlines(), 1):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("layer", "") or set(cells[0]) <= set("-: "):
            continue
        layer, files, may_include = cells
        patterns = re.findall(r"`([^`]+)`", files)
        if not patterns:
            sys.exit(f"{architecture_md}: layer '{layer}' lists no files in backquotes")
        allowed = {name.strip() for name in may_include.split(",") if name.strip() not in ("", "—", "-", "nothing")}
        rows.append((layer, patterns, allowed))
    names = {layer for layer, _, _ in rows}
    for layer, _, allowed in rows:
        unknown = allowed - names
        if unknown:
            sys.exit(f"{architecture_md}: layer '{layer}' may include unknown layers {sorted(unknown)}")
    return rows


def matches(path, pattern):
    if pattern.endswith("/"):
        return path.startswith(pattern)
    return fnmatch.fnmatchcase(path, pattern)


def layer_of(path, rows):
    for layer, patterns, _ in rows:
        if any(matches(path, pattern) for pattern in patterns):
            return layer
    return None


def project_files(root, rows):
    """Every source file under the folders the table names (build trees and fixtures are not sources)."""
    top_folders = {pattern.split("/")[0] for _, patterns, _ in rows for pattern in patterns}
    for folder in sorted(top_folders):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and path.is_file():
                yield path.relative_to(root).as_posix()


def check(root):
    rows = read_table(root / "docs" / "architecture.md")
    allowed = {layer: may for layer, _, may in rows}
    problems = []
    checked = 0
    for path in project_files(root, rows):
        layer = layer_of(path, rows)
        if layer is None:
            problems.append(f"{path}: belongs to no layer of docs/architecture.md's table")
            continue
        for line_number, line in enumerate((root / path).read_text(encoding="utf-8").splitlines(), 1):
            include = INCLUDE.match(line)
            if not include or not (root / include.group(1)).is_file():
                continue  # a system or third-party header, or one relative to the including file
            target = include.group(1)
            target_layer = layer_of(target, rows)
            checked += 1
            if target_layer is None or target_layer == layer or target_layer in allowed[layer]:
                continue
            problems.append(f"{path}:{line_number}: includes {target} (layer '{target_layer}'), which layer "
                            f"'{layer}' may not see; it may include: {', '.join(sorted(allowed[layer])) or 'nothing'}")
    return problems, checked


def self_test():
    """A tiny tree with a table of two layers, one legal include and one that points up."""
    import tempfile
    with tempfile.TemporaryDirectory() as directory:
        root = pathlib.Path(directory)
        (root / "docs").mkdir()
        (root / "docs" / "architecture.md").write_text(
            "<!-- layers: begin -->\n| layer | files | may include |\n|---|---|---|\n"
            "| low | `low/` | — |\n| high | `high/` | low |\n<!-- layers: end -->\n", encoding="utf-8")
        for folder in ("low", "high"):
            (root / folder).mkdir()
        (root / "low" / "a.h").write_text('#include "high/b.h"\n', encoding="utf-8")  # up: forbidden
        (root / "high" / "b.h").write_text('#include "low/a.h"\n#include <vector>\n', encoding="utf-8")
        problems, checked = check(root)
        assert checked == 2, checked
        assert len(problems) == 1 and problems[0].startswith("low/a.h:1: includes high/b.h"), problems
        (root / "stray").mkdir()
        (root / "docs" / "architecture.md").write_text(
            (root / "docs" / "architecture.md").read_text().replace("| high | `high/`", "| high | `high/`, `stray/`"))
        (root / "stray" / "c.cpp").write_text("", encoding="utf-8")
        (root / "low" / "a.h").write_text("", encoding="utf-8")
        assert check(root)[0] == [], check(root)[0]
    print("layering self-test: a back-edge is reported with its file, line and layers; a clean tree passes")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    problems, checked = check(pathlib.Path(sys.argv[1]).resolve())
    for problem in problems:
        print(problem)
    print(f"layering: {checked} project includes checked, {len(problems)} violation(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
