# SPDX-License-Identifier: Apache-2.0
"""1-bit weights: ±1 matrices packed 8 to a byte, LSB first (as src/model/packed_bits.h)."""
import numpy as np


def pack_bits(signs):
    """±1 (or ≥0 → +1, <0 → −1) matrix [rows, cols] → U8 [rows, ceil(cols/8)], LSB first."""
    s = np.asarray(signs)
    rows, cols = s.shape
    bits = (s >= 0).astype(np.uint8)
    pad = (-cols) % 8
    if pad:
        bits = np.concatenate([bits, np.zeros((rows, pad), np.uint8)], axis=1)
    return np.packbits(bits.reshape(rows, -1, 8), axis=2, bitorder="little").reshape(rows, -1)


def unpack_bits(packed, cols):
    """U8 [rows, ceil(cols/8)] → int8 ±1 [rows, cols]."""
    p = np.asarray(packed, dtype=np.uint8)
    bits = np.unpackbits(p, axis=1, bitorder="little")[:, :cols]
    return (bits.astype(np.int8) * 2 - 1)
