"""The spilled memory bank returns exactly the rows that were appended."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from inspector.core.components.memory_bank import SpilledBank


def test_rows_come_back_exactly_in_the_asked_order():
    rows = [torch.randn(7, 16), torch.randn(5, 16)]
    with SpilledBank(16) as bank:
        for r in rows:
            bank.append(r)
        full = torch.cat(rows)
        idx = np.array([11, 0, 3, 7, 3])
        assert bank.rows == 12
        assert torch.equal(bank.read(idx), full[idx])
        with pytest.raises(IndexError):
            bank.read(np.array([12]))
        with pytest.raises(ValueError):
            bank.append(torch.zeros(2, 8))
