"""``python -m bench [--quick | --smoke] [--only NAME ...]``: run the benchmarks.

Progress goes to standard error; the run ends with one line of JSON on standard output.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import time

from bench.context import Context
from bench.environment import machine, postgres_server
from bench.harness import Report, say

# Run in this order: the ones on their own small databases first, then those
# that share the generated company.
BENCHMARKS = (
    "commands",
    "lag",
    "feeds",
    "rebuild",
    "backstage",
    "reads",
    "postgraphile",
    "asof",
    "scale",
    "memory",
    "wbr",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a smaller company, fewer repeats")
    size.add_argument(
        "--smoke",
        action="store_true",
        help="the smallest sizes, once each: proves every benchmark runs (figures mean nothing)",
    )
    parser.add_argument(
        "--only", nargs="+", choices=BENCHMARKS, metavar="NAME", help=f"among {BENCHMARKS}"
    )
    parser.add_argument("--database-url", help="a PostgreSQL server to create databases on")
    parser.add_argument(
        "--keep-company", action="store_true", help="keep the generated company's database"
    )
    parser.add_argument(
        "--company-url", help="run on a company kept by an earlier run instead of generating one"
    )
    args = parser.parse_args(argv)
    # Stopped from outside, still stop the servers and drop the databases it made.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    report = Report(mode, machine())
    started = time.perf_counter()
    with postgres_server(args.database_url) as server_url:
        context = Context(mode=mode, server_url=server_url, keep_company=args.keep_company)
        if args.company_url:
            context.reuse_company(args.company_url)
        with context.session():
            say(f"flywheel bench, {mode} mode ({context.scale.label}) on {server_url}")
            for name in args.only or BENCHMARKS:
                say(f"== {name}")
                report.running = name
                module = importlib.import_module(f"bench.{name}")
                begun = time.perf_counter()
                try:
                    module.run(context, report)
                except Exception as error:  # one broken benchmark must not hide the others
                    report.failed(name, error)
                say(f"== {name}: {time.perf_counter() - begun:.0f}s")
    report.machine["seconds"] = round(time.perf_counter() - started, 1)
    print(report.json_line(), flush=True)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
