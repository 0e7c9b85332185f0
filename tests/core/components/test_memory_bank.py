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


def test_projected_rows_are_the_batches_projected_without_a_concatenating_copy():
    gen = torch.Generator().manual_seed(0)
    projection = torch.randn(16, 4, generator=gen)
    rows = [torch.randn(n, 16, generator=gen) for n in (7, 5, 4000, 300)]
    with SpilledBank(16, projection=projection) as bank:
        bank.reserve(20)  # an estimate that is too small: the array grows
        for r in rows:
            bank.append(r)
        got = bank.projected()
        assert got.shape == (4312, 4)
        assert torch.allclose(got, torch.cat(rows) @ projection, rtol=1e-5, atol=1e-5)
        assert got.data_ptr() == bank.projected().data_ptr()  # a view of the one array
    with SpilledBank(16) as bank:  # no projection: the rows themselves
        bank.reserve(100)
        for r in rows[:2]:
            bank.append(r)
        assert torch.equal(bank.projected(), torch.cat(rows[:2]))
