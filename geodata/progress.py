"""A plain-text progress indicator for long builds (printed to stderr, no dependencies)."""

from __future__ import annotations

import sys
import time


class TextProgress:
    """Callable ``(step, fraction)`` that prints ``[#####.....]  50% step (1.2 s)`` lines to stderr."""

    def __init__(self, label: str, stream=None, width: int = 20) -> None:
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self.t0 = time.perf_counter()

    def __call__(self, step: str, fraction: float) -> None:
        n = int(round(fraction * self.width))
        bar = "#" * n + "." * (self.width - n)
        print(
            f"{self.label} [{bar}] {fraction:4.0%} {step} ({time.perf_counter() - self.t0:.1f} s)",
            file=self.stream,
            flush=True,
        )
