#!/usr/bin/env python3
"""Helper of scripts/bench-vs-peers.sh: measures the machine's other load around a command, and
turns the raw outputs of both sides into one Markdown table of ratios against the targets of the
performance issue.

  peer-ratios.py load LOAD.json -- CMD [ARG...]
      Runs CMD (stdout and stderr pass through) and writes to LOAD.json the CPU, in cores, that
      OTHER processes used meanwhile (from /proc/stat minus CMD's own CPU time, the same measure
      as scripts/peers/timing.py's other load). Exits with CMD's exit code.

  peer-ratios.py table --threads N --models MODELS.json... [--models-load LOAD.json]
      [--peers PEERS.json... | --peers-missing WHY] [--peers-load LOAD.json]
      [--decode-neurona OUT.txt... --decode-pillow OUT.txt... | --decode-missing WHY]
      [--decode-note TEXT] [--placements FILE] [--header TEXT ...] [--out FILE]
      Prints the table (and writes it to FILE). MODELS.json is `neurona-bench models --format
      json`; PEERS.json is scripts/peers/reference-models.py --json
      (with scripts/peers/efficientnet.py's figures merged in); the decode files are the outputs of
      `neurona-bench decode` and scripts/bench-decode-pillow.py on the same images.
      --models, --peers and the decode files repeat, one per round: the table then gives the
      median figures and each ratio's median over the rounds with its range. --placements FILE
      has a line "ROUND SIDE BEFORE AFTER" per run (SIDE Neurona or peers; the cores' round
      trip in ns before and after it, scripts/core-round-trip.c); the table then adds the
      ratio over the rounds in which both sides stayed on one die, and over those in which
      both stayed on two (the VMs' placement moves both sides' two-core figures by up to 2.7×,
      README).

Deliberately left out: any timing of its own. Every figure comes from the tools above.
"""
import json
import os
import statistics
import subprocess
import sys
import time

# Other processes' CPU above this many cores during a figure makes it suspect.
LOAD_CAVEAT_CORES = 0.25

# A round trip between the two cores below this many ns: one die (about 60); above: two (300+).
ONE_DIE_BELOW_NS = 150

# (work, unit, Neurona key, peer section, peer figure, minimum ratio) for the model rows; the
# peer figure is looked up as "<section>/t<threads>/<figure>" in the peers' JSON.
MODEL_ROWS = [
    ("UNet infer bs1", "img/s", "unet_infer_bs1", "ort", "unet/infer_bs1", 1.0),
    ("UNet infer bs8", "img/s", "unet_infer_bs8", "ort", "unet/infer_bs8", 1.0),
    ("UNet train bs8", "img/s", "unet_train_bs8", "torch", "unet/train_bs8", 1.5),
    ("FashionNet infer bs1", "img/s", "fashionnet_infer_bs1", "ort", "fashionnet/infer_bs1", 1.0),
    ("FashionNet infer bs256", "img/s", "fashionnet_infer_bs256", "ort",
     "fashionnet/infer_bs256", 1.0),
    ("FashionNet train bs64", "samples/s", "fashionnet_train_bs64", "torch",
     "fashionnet/train_bs64", 1.5),
    ("EfficientNet-Lite0 224² infer bs1", "img/s", "efficientnet_infer_bs1", "ort",
     "efficientnet/infer_bs1", 1.0),
    ("EfficientNet-Lite0 224² infer bs32", "img/s", "efficientnet_infer_bs32", "ort",
     "efficientnet/infer_bs32", 1.0),
]
PEER_NAMES = {"ort": "onnxruntime", "torch": "PyTorch eager"}

# The person model has no peer: an absolute goal in frames per second.
PERSON_ROW = ("Person 256² infer bs1", "frames/s", "person_infer_bs1", 400.0)

# (work, task, format) for the decode rows: 1 thread, images per CPU-second on both sides (the
# figure least moved by other load; README's decode row uses it too), minimum ratio 1.0.
DECODE_ROWS = [
    ("PNG 512² decode", "decode", "PNG"),
    ("JPEG 512² decode", "decode", "JPEG"),
    ("PNG 512² decode + resize 256²", "decode+resize256", "PNG"),
    ("JPEG 512² decode + resize 256²", "decode+resize256", "JPEG"),
    ("JPEG 512² decode + resize 256², DCT-scaled", "decode+resize256-draft", "JPEG"),
]
DECODE_THREADS = "1cpu"
DECODE_TARGET = 1.0


# ------------------------------------------------------------------ load ---
def cpu_snapshot():
    """(busy seconds of all CPUs, wall seconds), or None without /proc/stat."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    busy = v[0] + v[1] + v[2] + v[5] + v[6]  # user nice system irq softirq
    return busy / os.sysconf("SC_CLK_TCK"), time.perf_counter()


def children_cpu():
    t = os.times()
    return t.children_user + t.children_system


def run_with_load(load_path, command):
    before, own_before = cpu_snapshot(), children_cpu()
    code = subprocess.call(command)
    after, own = cpu_snapshot(), children_cpu() - own_before
    result = {"command": command, "exit": code}
    if before and after:
        wall = max(after[1] - before[1], 1e-9)
        result["wall_s"] = wall
        # /proc/stat counts in clock ticks (10 ms): under a second the figure is noise.
        if wall >= 1.0:
            other = ((after[0] - before[0]) - own) / wall
            result["other_load"] = min(max(0.0, other), float(os.cpu_count() or 1))
    with open(load_path, "w") as f:
        json.dump(result, f)
    return code


# ----------------------------------------------------------------- table ---
def read_json(path):
    """The JSON object in a file, tolerating lines printed before or after it."""
    with open(path) as f:
        text = f.read()
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError(f"{path}: no JSON object")
    return json.loads(text[start:end + 1])


def read_results(path):
    """{(task, format, threads): images/s} from RESULT lines of the decode harnesses."""
    out = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 5 and parts[0] == "RESULT":
                try:
                    out[(parts[1], parts[2], parts[3])] = float(parts[4])
                except ValueError:
                    pass
    return out


def figure(x):
    if x is None:
        return "—"
    return f"{x:,.0f}".replace(",", " ") if x >= 100 else f"{x:.1f}"


def ratio_cells(ours, theirs, target):
    """(ratio, met?) cells; a missing side leaves both open."""
    if ours is None or theirs is None or theirs <= 0:
        return "—", "—"
    r = ours / theirs
    return f"{r:.2f}×", "yes" if r >= target else "**no**"


def run_load(path):
    """Other processes' cores during a whole command's run (None when unknown)."""
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f).get("other_load")


def is_loaded(load):
    return load is not None and load > LOAD_CAVEAT_CORES


def load_note(name, path):
    """A caveat line for a whole command's run, if other processes were busy during it."""
    load = run_load(path)
    if not is_loaded(load):
        return None
    return (f"{name}: other processes used {load:.2f} cores on average during the run; "
            "its figures are likely low.")


def round_of(path):
    """The round a raw file belongs to: its name ends in -N.json, or round 1."""
    stem = os.path.basename(path).rsplit(".", 1)[0]
    tail = stem.rsplit("-", 1)[-1]
    return int(tail) if "-" in stem and tail.isdigit() else 1


def read_placements(path):
    """{round: "one die" | "two dies"} for the rounds in which both sides' runs started and
    ended in the same placement, from --placements' lines "ROUND SIDE BEFORE AFTER"."""
    if not path or not os.path.exists(path):
        return {}
    classes = {}
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) != 4:
                continue
            for ns in fields[2:]:
                classes.setdefault(int(fields[0]), set()).add(
                    "one die" if float(ns) < ONE_DIE_BELOW_NS else "two dies")
    return {r: c.pop() for r, c in classes.items() if len(c) == 1}


def like_with_like(ours_by_round, theirs_by_round, placed):
    """The ratio cell over rounds with both sides in one placement: '1.12× one die (2)', and
    the two-die figure beside it when there are such rounds; '—' when none."""
    cells = []
    for where in ("one die", "two dies"):
        ratios = [ours_by_round[r] / theirs_by_round[r] for r in placed
                  if placed[r] == where and ours_by_round.get(r) and theirs_by_round.get(r)]
        if ratios:
            cells.append(f"{statistics.median(ratios):.2f}× {where} ({len(ratios)})")
    return ", ".join(cells) or "—"


def build_table(a):
    rows, caveats, met, total, unsure = [], [], 0, 0, 0
    placed = read_placements(a.placements)
    # One file per round (--rounds): figures are medians over the rounds, ratios the median
    # of each round's own ratio, with their range.
    model_paths = [p for p in a.models if os.path.exists(p)]
    peer_paths = [p for p in a.peers if os.path.exists(p)]
    rounds = [read_json(p) for p in model_paths]
    peer_rounds = [read_json(p) for p in peer_paths]
    peers = peer_rounds[0] if peer_rounds else None
    peers_missing = a.peers_missing or (None if peers else "the peer scripts gave no results")

    def median_of(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    def add(work, ours, peer, theirs, target_text, target, absolute=False, loaded=False,
            ratios=None, paired="—"):
        """One row; `loaded` marks a verdict taken while other processes were busy (†);
        `ratios`, one per round, replace ours/theirs as the ratio when there are several."""
        nonlocal met, total, unsure
        if absolute:
            ratio = "—"
            ok = "—" if ours is None else ("yes" if ours >= target else "**no**")
        elif ratios and len(ratios) > 1:
            r = statistics.median(ratios)
            ratio = f"{r:.2f}× ({min(ratios):.2f}–{max(ratios):.2f})"
            ok = "yes" if r >= target else "**no**"
        else:
            ratio, ok = ratio_cells(ours, theirs, target)
        if ok != "—":
            total += 1
            met += ok == "yes"
            if loaded:
                unsure += 1
                ok += " †"
        rows.append(f"| {work} | {figure(ours)} | {peer} | {figure(theirs)} | {ratio} | "
                    + (f"{paired} | " if placed else "") + f"{target_text} | {ok} |")

    # Neurona's models run has one load figure for the whole run; the peer scripts one per figure.
    models_loaded = is_loaded(run_load(a.models_load))
    for work, unit, key, section, name, target in MODEL_ROWS:
        peer_key = f"{section}/t{a.threads}/{name}"
        entry = (peers or {}).get(peer_key)
        peer_loaded = bool(entry and entry.get("other_load")
                           and is_loaded(statistics.median(entry["other_load"])))
        ours_by_round = [r.get(key) for r in rounds]
        theirs_by_round = [(p.get(peer_key) or {}).get("median") for p in peer_rounds]
        theirs = median_of(theirs_by_round)
        ratios = [o / t for o, t in zip(ours_by_round, theirs_by_round) if o and t]
        paired = like_with_like(
            {round_of(p): r.get(key) for p, r in zip(model_paths, rounds)},
            {round_of(p): (r.get(peer_key) or {}).get("median")
             for p, r in zip(peer_paths, peer_rounds)}, placed)
        if peers is not None and entry is None:
            peer = f"{PEER_NAMES[section]} (not measured)"
        elif peers is None:
            peer = f"{PEER_NAMES[section]} (missing)"
        else:
            peer = PEER_NAMES[section]
        add(f"{work} ({unit})", median_of(ours_by_round), peer, theirs,
            f"≥{target:.1f}× {PEER_NAMES[section]}", target,
            loaded=models_loaded or peer_loaded, ratios=ratios, paired=paired)
    work, unit, key, goal = PERSON_ROW
    add(f"{work} ({unit})", median_of([r.get(key) for r in rounds]), "— (no peer)", None,
        f"≥{goal:.0f} {unit}", goal, absolute=True, loaded=models_loaded)

    # Decode files likewise one per round, paired by round.
    ours_dec = {round_of(p): read_results(p) for p in a.decode_neurona if os.path.exists(p)}
    theirs_dec = {round_of(p): read_results(p) for p in a.decode_pillow if os.path.exists(p)}
    decode_peer = "Pillow" if theirs_dec else "Pillow (missing)"
    for work, task, fmt in DECODE_ROWS:
        key = (task, fmt, DECODE_THREADS)
        ours = {r: v.get(key) for r, v in ours_dec.items()}
        theirs = {r: v.get(key) for r, v in theirs_dec.items()}
        ratios = [ours[r] / theirs[r] for r in ours if ours[r] and theirs.get(r)]
        add(f"{work} (img/CPU-s, 1 thread)", median_of(ours.values()), decode_peer,
            median_of(theirs.values()), f"≥{DECODE_TARGET:.1f}× Pillow", DECODE_TARGET,
            ratios=ratios)

    # Decode rows are per CPU-second on both sides, which other load barely moves: no †.

    # Caveats: what is missing, and which figures were taken under other load.
    if placed:
        caveats.append("Same placement: the median ratio over the rounds in which both sides' "
                       "runs began and ended with the cores on one die (round trip under "
                       f"{ONE_DIE_BELOW_NS} ns), and over those on two; (n) rounds each. A "
                       "placement that changes and changes back during a run is not seen (a "
                       "probe while the cores are busy would measure the scheduler, not the "
                       "cache).")
    if peers_missing:
        caveats.append(f"Model peers missing: {peers_missing}.")
    if a.decode_missing:
        caveats.append(f"Decode peer missing: {a.decode_missing}.")
    if a.decode_note:
        caveats.append(a.decode_note)
    loaded = []
    for k, v in (peers or {}).items():
        if isinstance(v, dict) and v.get("other_load"):
            median = statistics.median(v["other_load"])
            if median > LOAD_CAVEAT_CORES:
                loaded.append(f"{k} {median:.2f}")
    if loaded:
        caveats.append("The peer scripts measured other load (median cores per figure, over "
                       f"{LOAD_CAVEAT_CORES}): " + ", ".join(loaded)
                       + ". Figures taken under load are low, and ratios against them unsure.")
    for name, path in (("Neurona models", a.models_load), ("peer scripts", a.peers_load),
                       ("Neurona decode", a.decode_neurona_load),
                       ("Pillow decode", a.decode_pillow_load)):
        note = load_note(name, path)
        if note:
            caveats.append(note)

    lines = list(a.header or [])
    if peers and "meta" in peers:
        m = peers["meta"]
        lines.append(f"Peers: torch {m.get('torch')} ({m.get('torch_cpu_capability')}), "
                     f"onnxruntime {m.get('onnxruntime')}, Pillow {m.get('pillow')}, "
                     f"numpy {m.get('numpy')}, Python {m.get('python')}.")
    header = ("| work | Neurona | peer | peer figure | ratio | "
              + ("same placement | " if placed else "") + "target | met? |")
    lines += ["", header, "|---|---:|---|---:|---:|" + ("---:|" if placed else "") + "---|---|",
              *rows, "",
              f"{met} of {total} measured targets met."
              + (f" {unsure} of these verdicts (†) were taken while other processes used over "
                 f"{LOAD_CAVEAT_CORES} cores, and are unsure." if unsure else "")]
    if caveats:
        lines += [""] + [f"- {c}" for c in caveats]
    return "\n".join(lines) + "\n"


def parse_table_args(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="peer-ratios.py table")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--models", action="append", default=[])
    ap.add_argument("--models-load")
    ap.add_argument("--peers", action="append", default=[])
    ap.add_argument("--peers-missing")
    ap.add_argument("--peers-load")
    ap.add_argument("--decode-neurona", action="append", default=[])
    ap.add_argument("--decode-neurona-load")
    ap.add_argument("--decode-pillow", action="append", default=[])
    ap.add_argument("--decode-pillow-load")
    ap.add_argument("--decode-missing")
    ap.add_argument("--decode-note")
    ap.add_argument("--placements")
    ap.add_argument("--header", action="append")
    ap.add_argument("--out")
    return ap.parse_args(argv)


def main(argv):
    if len(argv) >= 4 and argv[0] == "load" and argv[2] == "--":
        return run_with_load(argv[1], argv[3:])
    if argv and argv[0] == "table":
        a = parse_table_args(argv[1:])
        text = build_table(a)
        sys.stdout.write(text)
        if a.out:
            with open(a.out, "w") as f:
                f.write(text)
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
