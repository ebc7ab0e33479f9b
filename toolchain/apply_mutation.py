#!/usr/bin/env python3
"""Applies one line of toolchain/mutations.tsv to a file: replaces the exact text, which
must occur once (\\n in either text is a line break). toolchain/mutate.sh calls it.

usage: apply_mutation.py FILE SEARCH REPLACE
       apply_mutation.py --check MUTATIONS.TSV   every line's text occurs once in its file
                                                  (run from the repository root)"""
import sys


def occurrences(path, search):
    try:
        return open(path).read().count(search.replace("\\n", "\n"))
    except OSError:
        return 0


def check(tsv):
    stale = []
    for line in open(tsv).read().split("\n"):
        if not line or line.startswith("#"):
            continue
        name, path, search, _ = line.split("\t")
        count = occurrences(path, search)
        if count != 1:
            stale.append("%s: its text is found %d times in %s" % (name, count, path))
    for message in stale:
        print(message)
    return 1 if stale else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(check(sys.argv[2]))
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    path, search, replace = sys.argv[1], sys.argv[2].replace("\\n", "\n"), sys.argv[3].replace("\\n", "\n")
    text = open(path).read()
    if text.count(search) != 1:
        sys.exit("mutation text found %d times in %s" % (text.count(search), path))
    open(path, "w").write(text.replace(search, replace))
