#!/usr/bin/env python3
"""Applies one line of toolchain/mutations.tsv to a file: replaces the exact text, which
must occur once (\\n in either text is a line break). toolchain/mutate.sh calls it.

usage: apply_mutation.py FILE SEARCH REPLACE"""
import sys

if len(sys.argv) != 4:
    sys.exit(__doc__)
path, search, replace = sys.argv[1], sys.argv[2].replace("\\n", "\n"), sys.argv[3].replace("\\n", "\n")
text = open(path).read()
if text.count(search) != 1:
    sys.exit("mutation text found %d times in %s" % (text.count(search), path))
open(path, "w").write(text.replace(search, replace))
