"""How many torch intra-op threads a fit or a prediction uses.

Small recurrent layers run many tiny kernels; each is split over torch's
intra-op threads, which then wait for one another. On a quiet 2-core machine two
threads train a 64-unit LSTM about 1.4x faster than one, but as soon as another
process keeps a core busy, the thread that loses its core stalls the other and
the same work runs 3x to 50x slower (``benchmarks/bench_threads.py``). So with
``n_threads='auto'`` skrnn watches how busy the CPUs it may run on are with
*other* processes while it works, and uses fewer threads when they would
contend.

torch's thread count is global to the process: :func:`thread_scope` changes it
only inside skrnn's own calls and puts the caller's value back when the last
concurrent call returns.
"""

import os
import threading
import time
from contextlib import contextmanager

import torch

_lock = threading.Lock()
_active = 0
_saved = None

# Seconds of work over which the load of other processes is measured before a
# decision: long enough for /proc/stat's 10 ms ticks, short for a fit.
MEASURE_SECONDS = 0.1
# A decision younger than this is where the next call starts, so that short
# calls (a predict after a fit) do not each begin with a contended interval.
REMEMBER_SECONDS = 30.0
_last_choice = None  # (threads, time.monotonic())
# Use t threads when other processes leave at least t - 0.25 CPUs free.
_MARGIN = 0.25


@contextmanager
def thread_scope():
    """Restore torch's thread count after the outermost of concurrent calls.

    Yields the caller's thread count (the most skrnn uses with ``'auto'``).
    """
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = torch.get_num_threads()
        _active += 1
        caller = _saved
    try:
        yield caller
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and torch.get_num_threads() != _saved:
                torch.set_num_threads(_saved)


@contextmanager
def single_thread():
    """Run the block on one torch thread, then put the count back.

    For computations whose rounding depends on the thread count (the QR
    factorisation of an orthogonal initialisation differed by 2e-7 between one
    and two threads, and a fit then ended 35 epochs apart at test accuracies
    0.73 and 0.83), run outside a fit's own thread setting: their result is
    then the same whatever count the caller has set."""
    previous = torch.get_num_threads()
    if previous != 1:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if previous != 1:
            torch.set_num_threads(previous)


def _cpus():
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return None


def _read_cpu_times(cpus):
    """(busy ticks, all ticks) summed over ``cpus`` from /proc/stat, or None."""
    try:
        with open("/proc/stat") as file:
            lines = [line.split() for line in file if line.startswith("cpu")]
    except OSError:
        return None
    wanted = {f"cpu{i}" for i in cpus}
    busy = total = 0
    for fields in lines:
        if fields[0] in wanted:
            # user nice system idle iowait irq softirq steal
            ticks = [int(v) for v in fields[1:9]]
            total += sum(ticks)
            busy += sum(ticks) - ticks[3] - ticks[4]
    return (busy, total) if total else None


class LoadProbe:
    """CPUs kept busy by other processes between two calls, on Linux.

    Busy time of the CPUs this process may run on (``/proc/stat``) minus this
    process's own CPU time. Elsewhere :meth:`others` returns None.
    """

    def __init__(self):
        self.cpus = _cpus()
        self.start = self._sample()

    def _sample(self):
        if self.cpus is None:
            return None
        ticks = _read_cpu_times(self.cpus)
        if ticks is None:
            return None
        # process_time: this process's CPU time at clock resolution (os.times
        # counts in 10 ms ticks, a tenth of a measuring interval).
        return ticks, time.process_time(), time.monotonic()

    def elapsed(self):
        return 0.0 if self.start is None else time.monotonic() - self.start[2]

    def others(self):
        """Mean number of CPUs busy with other processes since the start."""
        now = self._sample()
        if now is None or self.start is None:
            return None
        (busy0, total0), own0, _ = self.start
        (busy1, total1), own1, _ = now
        if total1 <= total0:
            return None
        # Fractions of all ticks of our CPUs, times their number.
        n_cpus = len(self.cpus)
        busy = n_cpus * (busy1 - busy0) / (total1 - total0)
        wall = self.elapsed()
        own = (own1 - own0) / wall if wall > 0 else 0.0
        return max(0.0, busy - own)


def threads_for_load(ceiling, n_cpus, others):
    """The most threads, up to ``ceiling``, that the other processes leave room for."""
    free = n_cpus - others + _MARGIN
    return max(1, min(ceiling, int(free)))


class ThreadGovernor:
    """Sets torch's thread count for one fit or prediction.

    ``n_threads`` is the estimator's parameter: None leaves the count alone, an
    int sets it, ``'auto'`` starts at the caller's count (or at the last
    decision, if recent) and, once ``MEASURE_SECONDS`` of work have passed (and
    again after each further interval), lowers or raises it (never above the
    caller's count) to what the other processes leave free.
    """

    def __init__(self, n_threads, ceiling):
        self.ceiling = ceiling
        self.probe = None
        if n_threads == "auto":
            if ceiling > 1:
                self.probe = LoadProbe()
                if self.probe.start is None:
                    self.probe = None
            last = _last_choice
            if self.probe is not None and last is not None:
                if time.monotonic() - last[1] < REMEMBER_SECONDS:
                    torch.set_num_threads(min(ceiling, last[0]))
        elif n_threads is not None:
            torch.set_num_threads(n_threads)

    def step(self):
        """Call between batches: cheap unless a measuring interval has ended."""
        if self.probe is None or self.probe.elapsed() < MEASURE_SECONDS:
            return
        global _last_choice
        others = self.probe.others()
        if others is not None:
            wanted = threads_for_load(self.ceiling, len(self.probe.cpus), others)
            if wanted != torch.get_num_threads():
                torch.set_num_threads(wanted)
            _last_choice = (wanted, time.monotonic())
        self.probe = LoadProbe()
