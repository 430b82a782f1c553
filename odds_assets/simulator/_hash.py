"""Integer hashing that makes the simulated world a pure function of (seed, keys).

Every random choice in the simulator is ``uniform(seed, *keys)`` of small integers, never a
stateful RNG, so any event, market or tick can be computed on its own, in any order, and two
simulators with the same seed agree exactly. splitmix64's finaliser is enough: we need good
mixing, not cryptographic strength, and pure-int arithmetic avoids building byte strings.
"""

from __future__ import annotations

import math

import numpy as np

M64 = (1 << 64) - 1
_INV64 = 1.0 / float(1 << 64)


def mix(x: int) -> int:
    """splitmix64 finaliser of ``x`` (any int, reduced to 64 bits)."""
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


_MIX_ADD = np.uint64(0x9E3779B97F4A7C15)
_MIX_M1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def mix_array(x: np.ndarray) -> np.ndarray:
    """``mix`` of every element of a ``uint64`` array (numpy's unsigned arithmetic wraps modulo 2**64,
    which is exactly ``mix``'s masking)."""
    x = x + _MIX_ADD
    x = (x ^ (x >> _S30)) * _MIX_M1
    x = (x ^ (x >> _S27)) * _MIX_M2
    out: np.ndarray = x ^ (x >> _S31)
    return out


def h(*parts: int) -> int:
    """A 64-bit hash of a tuple of ints (order matters).

    Parts are folded FNV-style (xor, then multiply by an odd constant: a bijection per step) and the
    result gets one full avalanche; one ``mix`` per call instead of one per part, since this is the
    simulator's hottest function."""
    x = 0x243F6A8885A308D3
    for p in parts:
        x = ((x ^ (p & M64)) * 0x9E3779B97F4A7C15) & M64
    # mix(x), inlined (this is the simulator's hottest function)
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def uniform(*parts: int) -> float:
    """A float in [0, 1) derived from ``parts``."""
    return h(*parts) * _INV64


def normal(*parts: int) -> float:
    """A standard normal variate derived from ``parts`` (Box-Muller on two hashed uniforms)."""
    x = h(*parts)
    u1 = ((x >> 32) + 0.5) / 4294967296.0
    u2 = ((x & 0xFFFFFFFF) + 0.5) / 4294967296.0
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def choice_index(n: int, *parts: int) -> int:
    """An index in ``range(n)`` derived from ``parts``."""
    return h(*parts) % n


def str_key(s: str) -> int:
    """A stable int for a short string (Python's ``hash`` is salted per process, so never use it)."""
    x = 0xCBF29CE484222325
    for b in s.encode():
        x = ((x ^ b) * 0x100000001B3) & M64
    return x
