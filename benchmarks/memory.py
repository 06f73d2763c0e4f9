"""Run in its own process: serve N actions, print "actions RSS_MB" every 500 actions."""

from __future__ import annotations

import sys

from benchmarks import workload


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * 4096 / 1024 / 1024


def main(path: str, actions: int) -> None:
    app = workload.engine_app(f"sqlite:///{path}")
    who = workload.applicant(app)
    done = 0
    while done < actions:
        workload.engine_flow(app, who)
        done += 4
        if done % 500 == 0:
            print(done, f"{rss_mb():.2f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
