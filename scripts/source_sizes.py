#!/usr/bin/env python3
"""Source file sizes under src/, unit-test modules excluded: the largest files and the median.

Usage: scripts/source_sizes.py [N]   (prints the N largest, default 15)
"""
import pathlib
import statistics
import sys


def code_lines(path):
    text = path.read_text()
    at = text.find("#[cfg(test)]\nmod ")
    return (text if at < 0 else text[:at]).count("\n")


files = [p for p in pathlib.Path("src").rglob("*.rs") if p.stem not in ("tests", "test_support")]
sizes = sorted(((code_lines(p), str(p)) for p in files), reverse=True)
for n, p in sizes[: int(sys.argv[1]) if len(sys.argv) > 1 else 15]:
    print(f"{n:6} {p}")
small = sum(1 for n, _ in sizes if n <= 150)
print(f"files {len(sizes)} ({small} of 150 lines or fewer), median {statistics.median(n for n, _ in sizes)}, largest {sizes[0][0]}")
