"""Who gets a new lead when each lead has an owner: the rep with the fewest leads, or the next rep
in turn, among the reps who are present (not on time off, already hired, not yet departed).

Both are plain data structures the desk keeps up to date as it goes, so choosing a rep costs the
same whatever the size of the team.
"""

from __future__ import annotations

ABSENT = 1 << 62  # the key of a rep who is away: above every present rep's


class LoadBoard:
    """The load of each rep (leads waiting for them or in an attempt with them) and who is present;
    the present rep with the least load, ties to the lowest rep, at once.

    A segment tree over the reps, stored as one flat list of keys: a leaf holds `load * size +
    rep` (or ABSENT), so one integer comparison orders by load and then by rep, and each node
    holds the smallest key beneath it. A change walks up from its leaf while it changes a node.
    """

    def __init__(self, reps: int) -> None:
        size = 1
        while size < reps:
            size *= 2
        self.reps, self.size, self.mask = reps, size, size - 1
        self.loads = [0] * reps
        self.present = [True] * reps
        tree = [ABSENT] * (2 * size)
        tree[size : size + reps] = range(reps)
        for node in range(size - 1, 0, -1):
            left, right = tree[2 * node], tree[2 * node + 1]
            tree[node] = left if left < right else right
        self.tree = tree

    def load(self, rep: int) -> int:
        return self.loads[rep]

    def add(self, rep: int, delta: int) -> None:
        """`delta` more leads for the rep (twice an attempt under least_loaded: `_set` inlined)."""
        load = self.loads[rep] + delta
        self.loads[rep] = load
        if not self.present[rep]:
            return
        tree, size = self.tree, self.size
        node = rep + size
        key = load * size + rep
        tree[node] = key
        while node > 1:
            other = tree[node ^ 1]
            if other < key:
                key = other
            node >>= 1
            if tree[node] == key:
                return
            tree[node] = key

    def set_present(self, rep: int, present: bool) -> None:
        """The rep is back (their load counts again) or away (skipped, their load kept)."""
        if self.present[rep] != present:
            self.present[rep] = present
            self._set(rep, self.loads[rep] * self.size + rep if present else ABSENT)

    def least(self) -> int:
        """The present rep with the smallest load, the lowest of them on a tie; -1 if nobody is
        present."""
        key = self.tree[1]
        return -1 if key >= ABSENT else key & self.mask

    def _set(self, rep: int, key: int) -> None:
        tree = self.tree
        node = rep + self.size
        tree[node] = key
        while node > 1:
            other = tree[node ^ 1]
            if other < key:
                key = other
            node >>= 1
            if tree[node] == key:
                return  # this node, and so every one above it, is unchanged
            tree[node] = key


class RoundRobin:
    """Reps in turn, skipping those who are away (as lead-routing tools do): with everyone present,
    0, 1, …, reps - 1, 0, …; a rep who is back takes their turn when it comes round again."""

    def __init__(self, reps: int) -> None:
        self.reps = reps
        self.present = [True] * reps
        self.count = reps  # reps present
        self.turn = 0  # the rep whose turn is next, if present

    def set_present(self, rep: int, present: bool) -> None:
        if self.present[rep] != present:
            self.present[rep] = present
            self.count += 1 if present else -1

    def next(self) -> int:
        """The next present rep in turn (-1 if nobody is present): at most one pass of the team,
        and one step when the rep whose turn it is is present."""
        if not self.count:
            return -1
        rep, present = self.turn, self.present
        while not present[rep]:
            rep += 1
            if rep == self.reps:
                rep = 0
        self.turn = rep + 1 if rep + 1 < self.reps else 0
        return rep
