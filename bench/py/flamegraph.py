#!/usr/bin/env python3
"""A flame graph (PNG) of JFR execution samples, for machines without async-profiler.

Usage: flamegraph.py RECORDING.jfr OUT.png TITLE [THREAD-SUBSTRING]

Reads the recording's jdk.ExecutionSample events through the JDK's `jfr print`, keeps the samples of
threads whose name contains THREAD-SUBSTRING (default: switchboard-worker, the event loops), and
draws them the usual way: the root at the bottom, each frame as wide as the share of samples it
appears in, callees stacked above callers, ordered by name so equal stacks merge. Also prints the
top frames by self time, which is what the text of docs/benchmarks.md quotes.
"""
import collections
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MIN_SHARE = 0.004  # frames narrower than this are not drawn (nor their callees)


def samples(recording, thread):
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "128", recording],
                          check=True, capture_output=True, text=True).stdout
    for event in text.split("jdk.ExecutionSample {")[1:]:
        if thread not in event:
            continue
        frames = re.findall(r"^\s+([\w.$<>/]+)\(", event, re.M)
        if frames:
            yield list(reversed(frames))


def short(frame):
    """io.netty.handler.codec.http2.HpackDecoder.decode -> HpackDecoder.decode"""
    parts = frame.split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else frame


def tree(stacks):
    root = {"n": 0, "kids": {}}
    for stack in stacks:
        root["n"] += 1
        node = root
        for f in stack:
            node = node["kids"].setdefault(f, {"n": 0, "kids": {}})
            node["n"] += 1
    return root


def draw(root, out, title):
    total = root["n"]
    depth = [0]
    rects = []

    def walk(node, x, level):
        depth[0] = max(depth[0], level)
        for name in sorted(node["kids"]):
            kid = node["kids"][name]
            w = kid["n"] / total
            if w >= MIN_SHARE:
                rects.append((x, level, w, name))
                walk(kid, x, level + 1)
            x += w

    walk(root, 0.0, 0)
    fig, ax = plt.subplots(figsize=(16, max(4, 0.22 * (depth[0] + 2))))
    palette = ["#e8743b", "#f2a65a", "#eac435", "#d9573b", "#f0b67f"]
    for x, level, w, name in rects:
        color = "#7fb3d5" if name.startswith("io.switchboard.") else palette[sum(map(ord, name)) % len(palette)]
        name = short(name)
        ax.add_patch(plt.Rectangle((x, level), w, 0.95, facecolor=color, edgecolor="white", linewidth=0.3))
        if w > 0.04:
            label = f"{name} {100 * w:.0f}%"
            room = int(w * 190)  # characters that fit at this font size and figure width
            ax.text(x + 0.002, level + 0.45, label if len(label) <= room else label[:max(room - 1, 1)] + "…",
                    fontsize=6, va="center", clip_on=True)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, depth[0] + 1)
    ax.set_yticks([])
    ax.set_xlabel(f"share of {total} samples (blue: Switchboard's own classes)")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main():
    recording, out, title = sys.argv[1:4]
    thread = sys.argv[4] if len(sys.argv) > 4 else "switchboard-worker"
    stacks = list(samples(recording, thread))
    if not stacks:
        sys.exit(f"no execution samples of threads named *{thread}* in {recording}")
    draw(tree(stacks), out, title)
    self_time = collections.Counter(short(s[-1]) for s in stacks)
    print(f"{len(stacks)} samples; top frames by self time:")
    for name, n in self_time.most_common(12):
        print(f"  {100 * n / len(stacks):5.1f}%  {name}")


if __name__ == "__main__":
    main()
