"""The shape of a curve: a judge's probabilities at the weights of a path (``claims.interpolation_profile``).

Values are plain numbers (floats, or anything ``float`` takes), one per point of the path, in order.
"""


def is_monotone(values, tolerance=0.02):
    """True if ``values`` only rise or only fall, allowing wiggles back of at most ``tolerance``.

    Measured against the running extreme: a rising sequence may never fall more than
    ``tolerance`` below its highest value so far (and a falling one likewise above its lowest).
    """
    v = [float(a) for a in values]
    if len(v) < 2:
        return True
    rising = v[-1] >= v[0]
    extreme = v[0]
    for a in v[1:]:
        extreme = max(extreme, a) if rising else min(extreme, a)
        if (extreme - a if rising else a - extreme) > tolerance:
            return False
    return True


def crossings(values, level=0.5, weights=None):
    """Where ``values`` cross ``level``: a list of positions (on ``weights``, default 0..1 evenly),
    found by linear interpolation between the two values either side. Touching is not crossing."""
    v = [float(a) for a in values]
    w = list(weights) if weights is not None else [i / max(1, len(v) - 1) for i in range(len(v))]
    found, side, last = [], None, None
    for i, a in enumerate(v):
        if a == level:
            continue
        s = a > level
        if side is not None and s != side:
            j = last
            found.append(w[j] + (w[i] - w[j]) * (level - v[j]) / (v[i] - v[j]))
        side, last = s, i
    return found
