#!/usr/bin/env python3
"""Benchmark results for bench/run: one JSON file per scenario, and a PNG chart of each.

  results.py write FILE SCENARIO TITLE MACHINE COMMAND  < lines of METRIC<TAB>TARGET<TAB>VALUE<TAB>UNIT
  results.py chart FILE.json...                         (a FILE.png beside each)

A value that is not a number (a tool that failed prints "-") is kept as null, so a chart shows a gap
instead of the run being lost.
"""
import datetime
import json
import sys


def number(text):
    try:
        return float(text.rstrip("%"))
    except ValueError:
        return None


def write(path, scenario, title, machine, command):
    results = []
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            raise SystemExit(f"{path}: result line needs METRIC TARGET VALUE, got {line!r}")
        metric, target, value = fields[:3]
        unit = fields[3] if len(fields) > 3 else ""
        results.append({"metric": metric, "target": target, "value": number(value), "raw": value, "unit": unit})
    doc = {
        "scenario": scenario,
        "title": title,
        "machine": machine,
        "command": command,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "results": results,
    }
    with open(path, "w") as out:
        json.dump(doc, out, indent=2)
        out.write("\n")


def chart(paths):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("results.py: matplotlib missing (apt python3-matplotlib); no charts drawn", file=sys.stderr)
        return
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        if not isinstance(doc, dict) or "results" not in doc:
            continue  # another tool's JSON (JMH writes its own format)
        metrics = list(dict.fromkeys(r["metric"] for r in doc["results"]))
        if not metrics:
            continue
        fig, axes = plt.subplots(len(metrics), 1, figsize=(8, 1.6 + 1.5 * len(metrics)), squeeze=False)
        for ax, metric in zip(axes[:, 0], metrics):
            rows = [r for r in doc["results"] if r["metric"] == metric]
            targets = [r["target"] for r in rows]
            values = [r["value"] if r["value"] is not None else 0 for r in rows]
            colours = ["#d62728" if t.startswith("switchboard") else "#7f7f7f" for t in targets]
            ax.barh(targets, values, color=colours)
            unit = rows[0]["unit"]
            ax.set_title(f"{metric}" + (f" ({unit})" if unit else ""), fontsize=9, loc="left")
            ax.tick_params(labelsize=8)
            for y, r in enumerate(rows):
                ax.text(values[y], y, " " + r["raw"], va="center", fontsize=7)
            ax.invert_yaxis()
        fig.suptitle(doc["title"] + "\n" + doc["machine"], fontsize=9)
        fig.tight_layout()
        png = path[:-len(".json")] + ".png" if path.endswith(".json") else path + ".png"
        fig.savefig(png, dpi=110)
        plt.close(fig)
        print(png)


def main(argv):
    if len(argv) >= 7 and argv[1] == "write":
        write(*argv[2:7])
    elif len(argv) >= 3 and argv[1] == "chart":
        chart(argv[2:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
