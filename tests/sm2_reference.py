"""SM2 verification on any prime curve, in plain Python, for one job: checking the worked
example of GB/T 32918.2 (Annex A), which is on a test curve the production libraries (GmSSL,
OpenSSL) do not take. Slow and test-only; approvals/crypto never uses it."""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[int, int] | None


@dataclass(frozen=True)
class PrimeCurve:
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int

    def add(self, one: Point, two: Point) -> Point:
        if one is None:
            return two
        if two is None:
            return one
        (x1, y1), (x2, y2) = one, two
        if x1 == x2 and (y1 + y2) % self.p == 0:
            return None
        if one == two:
            slope = (3 * x1 * x1 + self.a) * pow(2 * y1, -1, self.p) % self.p
        else:
            slope = (y2 - y1) * pow(x2 - x1, -1, self.p) % self.p
        x3 = (slope * slope - x1 - x2) % self.p
        return x3, (slope * (x1 - x3) - y1) % self.p

    def times(self, k: int, point: Point) -> Point:
        result: Point = None
        while k:
            if k & 1:
                result = self.add(result, point)
            point, k = self.add(point, point), k >> 1
        return result


def verify(curve: PrimeCurve, public: tuple[int, int], e: int, r: int, s: int) -> bool:
    """GB/T 32918.2 §7.1 steps B1-B7 for the digest ``e`` = SM3(Z || M)."""
    if not (1 <= r < curve.n and 1 <= s < curve.n):
        return False
    t = (r + s) % curve.n
    if t == 0:
        return False
    point = curve.add(curve.times(s, (curve.gx, curve.gy)), curve.times(t, public))
    return point is not None and (e + point[0]) % curve.n == r
