"""Writes the SDL to `schema.graphql`, or with `--check` fails when that file has drifted.

python -m schema.export [--check]
"""

import argparse
import difflib
import sys
from pathlib import Path

from strawberry.printer import print_schema

from schema import build_schema

SDL_PATH = Path(__file__).resolve().parent.parent / "schema.graphql"


def sdl() -> str:
    return print_schema(build_schema(introspection=True)) + "\n"


def drift(path: Path) -> str:
    """A unified diff from the file to the code's schema; empty when they agree."""
    committed = path.read_text() if path.exists() else ""
    lines = difflib.unified_diff(
        committed.splitlines(keepends=True),
        sdl().splitlines(keepends=True),
        fromfile=path.name,
        tofile="schema (code)",
    )
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schema.export", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 with a diff on drift")
    args = parser.parse_args(argv)
    if not args.check:
        SDL_PATH.write_text(sdl())
        print(f"Wrote {SDL_PATH}")
        return 0
    diff = drift(SDL_PATH)
    if diff:
        sys.stdout.write(diff)
        print(f"{SDL_PATH.name} is out of date: run `make schema`.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
