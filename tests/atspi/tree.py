#!/usr/bin/python3
"""Prints the accessibility tree of one running application as assistive
technology sees it over AT-SPI: one JSON object per line with the node's
depth, role and accessible name, depth first.

    /usr/bin/python3 tests/atspi/tree.py PID

Needs the Debian packages python3-pyatspi and at-spi2-core, and the same
D-Bus session as the application (its AT-SPI bus is found through it).
Exits 2 when no application with that process id is on the bus.
"""
import json
import sys

import pyatspi

MAX_DEPTH = 80


def walk(node, depth):
    if node is None or depth > MAX_DEPTH:
        return
    try:
        role = node.getRoleName()
        name = node.name or ""
        states = node.getState()
        focused = states.contains(pyatspi.STATE_FOCUSED)
        children = node.childCount
    except Exception:  # a node that went away while we walked
        return
    print(json.dumps({"depth": depth, "role": role, "name": name, "focused": focused}))
    for index in range(children):
        try:
            child = node.getChildAtIndex(index)
        except Exception:
            continue
        walk(child, depth + 1)


def main():
    pid = int(sys.argv[1])
    desktop = pyatspi.Registry.getDesktop(0)
    for app in desktop:
        try:
            if app is not None and app.get_process_id() == pid:
                walk(app, 0)
                return 0
        except Exception:
            continue
    print(f"no application with process id {pid} on the AT-SPI bus", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
