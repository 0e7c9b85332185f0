"""Which architecture a weights file fits, from its keys and shapes against meta-device models."""

from __future__ import annotations

import pytest
import torch
from shared_data import RESNET18_WEIGHTS

from inspector.core.backbones.catalogue import meta_model
from inspector.core.backbones.detect import candidates, detect_backbone, fits

needs_file = pytest.mark.skipif(not RESNET18_WEIGHTS.is_file(), reason=f"shared data missing: {RESNET18_WEIGHTS}")


def _state(timm_name: str, upto: str | None = None) -> dict[str, torch.Tensor]:
    """A state dict with the model's shapes (zeros on cpu), cut before the first key of ``upto``."""
    out = {}
    for key, value in meta_model(timm_name).state_dict().items():
        if upto is not None and key.startswith(upto):
            break
        out[key] = torch.zeros(value.shape, dtype=value.dtype)
    return out


def test_a_cut_file_fits_its_own_architecture_not_a_deeper_sibling():
    state = _state("resnet18", upto="layer4")
    fit = fits(state, "resnet18")
    assert fit is not None and not fit.complete and fit.covered < fit.total
    assert fits(state, "resnet34") is None  # same key names, but resnet34's layer3.2... would be missing
    assert fits(state, "resnet50") is None  # bottleneck shapes differ
    assert fits(_state("resnet34"), "resnet34").complete


def test_detect_ranks_and_uses_only(tmp_path):
    from safetensors.torch import save_file

    path = tmp_path / "some_backbone.safetensors"
    save_file(_state("resnet34", upto="fc"), str(path))
    found = detect_backbone(path, only=["resnet18", "resnet34", "resnet50", "wide_resnet50_2"])
    assert [f.timm_name for f in found] == ["resnet34"]


@needs_file
def test_the_shared_resnet18_file_is_detected_as_resnet18():
    found = detect_backbone(RESNET18_WEIGHTS)
    assert found and found[0].timm_name == "resnet18" and found[0].name == "resnet18"


@needs_file
def test_no_other_first_conv_candidate_fits_the_resnet18_file():
    from inspector.core.backbones.weights import read_state_dict

    state = read_state_dict(RESNET18_WEIGHTS)
    tail = [name for tier, name in candidates(RESNET18_WEIGHTS, state) if tier == 2]
    assert "resnet34" in tail
    found = detect_backbone(RESNET18_WEIGHTS, state, only=tail)
    # resnetblur18 has resnet18's tensors exactly (its blur filter is no parameter): the keys cannot tell
    # them apart, which is why the name and reference tiers come first
    assert {f.timm_name for f in found} <= {"resnet18", "resnetblur18"} and "resnet34" not in str(found)
