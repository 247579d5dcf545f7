"""How every peer script of scripts/peers/ times a call: warm up, size a sample to about
`sample_s` seconds, take `samples` samples; report the median rate with its range and, per
sample, how many cores other processes used meanwhile (the VM is shared: a figure taken while
something else ran is low, and scripts/peer-ratios.py flags it)."""
import os
import statistics
import time

_TICKS = os.sysconf("SC_CLK_TCK")


def _snapshot():
    """(all CPUs' busy seconds, this process's CPU seconds, wall seconds)."""
    try:
        with open("/proc/stat") as f:
            user, nice, system, _idle, _iowait, irq, softirq = map(int, f.readline().split()[1:8])
        busy = (user + nice + system + irq + softirq) / _TICKS
    except OSError:
        busy = 0.0
    own = os.times()
    return busy, own.user + own.system, time.perf_counter()


def measure(call, items, samples=7, sample_s=0.5, warmup=3):
    """Rates of `call` (items per second) as {"median", "min", "max", "samples", "other_load"}."""
    for _ in range(warmup):
        call()
    start = time.perf_counter()
    call()
    once = max(time.perf_counter() - start, 1e-9)
    repeats = max(1, int(sample_s / once))
    rates, other = [], []
    for _ in range(samples):
        before = _snapshot()
        for _ in range(repeats):
            call()
        after = _snapshot()
        wall = max(after[2] - before[2], 1e-9)
        rates.append(items * repeats / wall)
        other.append(max(0.0, ((after[0] - before[0]) - (after[1] - before[1])) / wall))
    return {"median": statistics.median(rates), "min": min(rates), "max": max(rates),
            "samples": rates, "other_load": other}
