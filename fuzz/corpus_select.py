#!/usr/bin/env python3
"""Picks a small corpus from a libFuzzer merge control file (scripts/fuzz uses it).

libFuzzer 14's -merge=1 keeps every input that adds a feature, in size order: hundreds of files
for a target with many error paths. This picks greedily instead: the seeds (seed-*) and the
regression inputs (regress-*) first, then, until --max files, the input that adds the most
features not yet covered (the smaller on ties). Inputs that crashed or timed out during the merge
(no features recorded) and inputs over --max-bytes are left out.

  corpus_select.py [--max 50] [--max-bytes 10240] CONTROL_FILE OUT_DIR
"""
import argparse
import os
import shutil
import sys


def parse(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    count = int(lines[0])
    files = lines[2:2 + count]
    features = {}
    for line in lines[2 + count:]:
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "FT":
            features[int(parts[1])] = set(int(x) for x in parts[2:])
    return files, features


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=50)
    parser.add_argument("--max-bytes", type=int, default=10240)
    parser.add_argument("control_file")
    parser.add_argument("out_dir")
    args = parser.parse_args()

    files, features = parse(args.control_file)
    by_name = {}  # one per base name: libFuzzer names inputs by content hash
    for i, path in enumerate(files):
        if i in features and os.path.basename(path) not in by_name:
            if os.path.getsize(path) <= args.max_bytes or os.path.basename(path).startswith(("seed-", "regress-")):
                by_name[os.path.basename(path)] = i
    kept = [n for n in by_name if n.startswith(("seed-", "regress-"))]
    covered = set()
    for n in kept:
        covered |= features[by_name[n]]
    candidates = {n: features[by_name[n]] for n in by_name if n not in kept}
    sizes = {n: os.path.getsize(files[by_name[n]]) for n in candidates}
    total = set(covered)
    for f in candidates.values():
        total |= f
    chosen = []
    while len(kept) + len(chosen) < args.max and candidates:
        best = max(candidates, key=lambda n: (len(candidates[n] - covered), -sizes[n]))
        gain = len(candidates[best] - covered)
        if gain == 0:
            break
        chosen.append(best)
        covered |= candidates.pop(best)

    os.makedirs(args.out_dir, exist_ok=True)
    for n in kept + chosen:
        shutil.copyfile(files[by_name[n]], os.path.join(args.out_dir, n))
    print(f"   corpus: {len(kept)} seeds + {len(chosen)} found inputs cover "
          f"{len(covered)} of the {len(total)} features seen")


if __name__ == "__main__":
    sys.exit(main())
