"""A progress bar for symdyn's ``progress(done, total, stage)`` reports, drawn by tqdm.

The reports of a certified computation already form one monotone count across its precision
reruns (:class:`symdyn.precise.certified.RunProgress`), so one bar with one ETA covers the whole
of it. The bar is a notebook widget in Jupyter (when ipywidgets is installed; tqdm's text bar in the
cell otherwise) and a one-line text bar in a terminal; it stays silent when stderr is not a
terminal (a pipe, a log file, CI) unless asked for, and appears only after ``delay`` seconds, so a
quick computation prints nothing.

>>> bar = ProgressBar(enabled=False)
>>> bar(5, 10, "run at 120 bits"); bar.close()
>>> bar.count
5
"""

from __future__ import annotations

import sys


def in_notebook() -> bool:
    """True inside a Jupyter kernel (an IPython kernel app is running)."""
    ipython = sys.modules.get("IPython")
    try:
        shell = ipython.get_ipython() if ipython is not None else None
    except AttributeError:
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _bar_class():
    """tqdm's notebook widget inside Jupyter with ipywidgets, its text bar everywhere else."""
    if in_notebook():
        try:
            import ipywidgets  # noqa: F401 (the widget needs it)
            from tqdm.notebook import tqdm
            return tqdm
        except ImportError:
            pass
    from tqdm.std import tqdm
    return tqdm


class ProgressBar:
    """``progress(done, total, stage)`` drawn as one tqdm bar (count, ETA, the stage as its label).

    ``enabled=None`` (default): on in Jupyter and when stderr is a terminal, off otherwise.
    ``done`` never goes back on the bar (a report below the current count is held at it), and
    ``total`` may grow (a third precision run). Use as a context manager or call :meth:`close`.
    """

    def __init__(self, enabled: bool | None = None, *, delay: float = 0.5, unit: str = "",
                 desc: str | None = None, stream=None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            enabled = in_notebook() or bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled, self.delay, self.unit, self.desc = enabled, delay, unit, desc
        self.count, self.bar = 0, None

    def __call__(self, done: int, total: int, stage: str = "") -> None:
        self.count = max(self.count, int(done))
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = _bar_class()(total=int(total), file=self.stream, delay=self.delay, unit=self.unit,
                                    desc=self.desc, dynamic_ncols=True, leave=False)
        if int(total) != self.bar.total:
            self.bar.total = int(total)
        if stage:
            self.bar.set_postfix_str(stage[:40], refresh=False)
        self.bar.update(self.count - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
