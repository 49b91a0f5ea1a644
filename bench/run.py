"""Run the benchmarks of bench/: all of them, or the ones named.

    run.py [name...] [options]

A name is a benchmark file without ``bench_`` and ``.py`` (``phone_lookup``); the
options, from the first argument starting with ``-``, are passed to every benchmark run:
``run.py phone_lookup --clients 10000``. Each benchmark runs in its own Python process.
"""

import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main(argv):
    split = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    names = [name.removeprefix("bench_").removesuffix(".py") for name in argv[:split]]
    options = argv[split:]
    available = sorted(path.stem.removeprefix("bench_") for path in BENCH_DIR.glob("bench_*.py"))
    unknown = [name for name in names if name not in available]
    if unknown:
        sys.exit(f"unknown benchmark: {', '.join(unknown)} (available: {', '.join(available)})")
    failed = []
    for name in names or available:
        print(f"==> bench {name}", flush=True)
        script = BENCH_DIR / f"bench_{name}.py"
        if subprocess.call([sys.executable, str(script), *options], cwd=BENCH_DIR.parent):
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
