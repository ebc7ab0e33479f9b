#!/usr/bin/env python3
"""Prints the complete C program of README.md's "Using the core from C" (its first ```c
block), which toolchain/capi-check.sh builds as it is printed. Run from the repository root."""
import re
import sys

section = open("README.md").read().split("## Using the core from C", 1)
program = re.search(r"```c\n(.*?)```", section[1], re.S) if len(section) == 2 else None
if not program:
    sys.exit("readme_program.py: README.md has no ```c block under \"## Using the core from C\"")
sys.stdout.write(program.group(1))
