#!/usr/bin/env python3
"""Fails when a source file includes a layer above its own, or Beast outside http/ and aws/.

The layers, highest first (ARCHITECTURE.md says what each owns):

    app (and src/main.cpp)  wires the service together
    http                    the Beast server: acceptor, session
    api                     pre-checks, routing, handlers, admin API
    auth, jobs              callers and policies; scheduler, notifier, Select (peers)
    store                   the only shared mutable state, its model types and journal
    aws                     AWS's own protocols and clients: SigV4, tree hash, SNS, S3
    core                    config, clock, ids, errors, logging, metrics, faults

A file may include its own layer and any layer below it; peers may not include each
other. One exception: `http/message.hpp` holds the plain request/response value types the
server hands to the api layer (no Beast in them), so api and below may include it.

Usage: check_layers.py [ROOT]     check the tree under ROOT (default: the repository)
       check_layers.py --self-test  check that the checker itself catches violations
"""
import pathlib
import re
import sys
import tempfile

RANK = {"core": 0, "aws": 1, "store": 2, "auth": 3, "jobs": 3, "api": 4, "http": 5, "app": 6}
SHARED_HEADERS = {"http/message.hpp"}
BEAST_LAYERS = {"http", "aws"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def layer_of(path: pathlib.Path, root: pathlib.Path):
    """The layer a file under src/ or include/glacier/ belongs to, or None."""
    rel = path.relative_to(root)
    parts = rel.parts
    if parts[:1] == ("src",):
        rest = parts[1:]
    elif parts[:2] == ("include", "glacier"):
        rest = parts[2:]
    else:
        return None
    if len(rest) == 1:
        return "app" if rest[0] == "main.cpp" else "loose"
    return rest[0]


def check(root: pathlib.Path):
    problems = []
    files = sorted(p for d in ("src", "include/glacier") for p in (root / d).rglob("*")
                   if p.suffix in (".cpp", ".hpp"))
    for path in files:
        layer = layer_of(path, root)
        rel = path.relative_to(root)
        if layer not in RANK:
            problems.append(f"{rel}: not in a layer folder ({', '.join(sorted(RANK))})")
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for bracket, target in INCLUDE.findall(text):
            if target.startswith("boost/beast") and layer not in BEAST_LAYERS:
                problems.append(f"{rel}: includes <{target}>; only http/ and aws/ may use Beast")
            if bracket != '"':
                continue
            if target.startswith("glacier/"):
                inner = target[len("glacier/"):]
            elif layer_of(path, root) and (path.parent / target).exists():
                inner = str((path.parent / target).resolve().relative_to(
                    (root / ("src" if rel.parts[0] == "src" else "include/glacier")).resolve()))
            else:
                continue
            if inner in SHARED_HEADERS:
                continue
            target_layer = inner.split("/")[0] if "/" in inner else "app"
            if target_layer not in RANK:
                problems.append(f"{rel}: includes \"{target}\", which is in no layer")
            elif target_layer != layer and RANK[target_layer] >= RANK[layer]:
                kind = "a peer layer" if RANK[target_layer] == RANK[layer] else "a higher layer"
                problems.append(f"{rel}: {layer}/ includes \"{target}\" from {kind} ({target_layer}/)")
    return problems


def self_test():
    cases = {
        "src/store/bad.cpp": ('#include "glacier/api/call.hpp"\n', "higher layer"),
        "src/jobs/bad.cpp": ('#include "glacier/auth/caller.hpp"\n', "peer layer"),
        "src/core/bad.cpp": ('#include "glacier/aws/sigv4.hpp"\n', "higher layer"),
        "src/api/bad.cpp": ("#include <boost/beast/http.hpp>\n", "Beast"),
        "src/loose.cpp": ("\n", "not in a layer folder"),
    }
    failures = 0
    for name, (text, expected) in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            (root / "include/glacier").mkdir(parents=True)
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            found = check(root)
            if not any(expected in p for p in found):
                print(f"self-test: {name} was not flagged as {expected!r}: {found}")
                failures += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        (root / "src/api").mkdir(parents=True)
        (root / "include/glacier").mkdir(parents=True)
        (root / "src/api/ok.cpp").write_text(
            '#include "glacier/http/message.hpp"\n#include "glacier/store/store.hpp"\n'
            '#include "glacier/core/error.hpp"\n#include <boost/asio.hpp>\n')
        found = check(root)
        if found:
            print(f"self-test: allowed includes were flagged: {found}")
            failures += 1
    print("self-test:", "failed" if failures else "ok")
    return 1 if failures else 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
    problems = check(root.resolve())
    for p in problems:
        print(p)
    print(f"check_layers: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
