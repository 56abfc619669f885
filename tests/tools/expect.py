#!/usr/bin/python3
"""Runs a command and checks its exit code and output, as a user would see them.

usage: expect.py --exit N [--stdout REGEX] [--stderr REGEX] [--empty-stdout] -- COMMAND...
Regexes are searched (re.search, DOTALL). Exits 0 when every expectation holds.
"""
import argparse
import re
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--exit", type=int, required=True)
    parser.add_argument("--stdout", action="append", default=[])
    parser.add_argument("--stderr", action="append", default=[])
    parser.add_argument("--empty-stdout", action="store_true")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    problems = []
    if result.returncode != args.exit:
        problems.append(f"exit code {result.returncode}, expected {args.exit}")
    for pattern in args.stdout:
        if not re.search(pattern, result.stdout, re.DOTALL):
            problems.append(f"stdout does not match {pattern!r}")
    for pattern in args.stderr:
        if not re.search(pattern, result.stderr, re.DOTALL):
            problems.append(f"stderr does not match {pattern!r}")
    if args.empty_stdout and result.stdout:
        problems.append("stdout is not empty")
    if problems:
        print("command:", " ".join(command))
        print("stdout:", result.stdout[-3000:])
        print("stderr:", result.stderr[-3000:])
        print("\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
