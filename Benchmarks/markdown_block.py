#!/usr/bin/env python3
"""Replaces the block of a Markdown page between `<!-- NAME:begin -->` and
`<!-- NAME:end -->` (the markers stay). The benchmark report and the soak write their
tables into docs/benchmarks.md with it.

usage: markdown_block.py FILE NAME CONTENT"""
import sys


def replace(path, name, content):
    begin, end = "<!-- %s:begin -->" % name, "<!-- %s:end -->" % name
    with open(path) as file:
        text = file.read()
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise SystemExit("markdown_block.py: %s has no single %s … %s block" % (path, begin, end))
    start, stop = text.index(begin) + len(begin), text.index(end)
    with open(path, "w") as file:
        file.write(text[:start] + "\n" + content.rstrip("\n") + "\n" + text[stop:])


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    replace(*sys.argv[1:])
