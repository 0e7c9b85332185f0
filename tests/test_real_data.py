"""The real method on real data: ImageNet resnet18 weights and MVTec AD bottle images from ../shared/data.

Skipped, with the reason, where that folder is absent. Kept small (a subset of bottle) so the suite stays
fast; the full figures come from ``inspector evaluate`` and ``benchmarks/bench_patchcore.py``.
"""

from __future__ import annotations

import numpy as np
from shared_data import BOTTLE, RESNET18_WEIGHTS, needs_shared_data

from inspector.core.evaluation.metrics import image_auroc, pixel_auroc
from inspector.core.io.images import find_images
from inspector.core.models.patchcore import PatchCore, PatchCoreConfig

pytestmark = needs_shared_data


def test_imagenet_resnet18_patchcore_separates_broken_bottles():
    train, _ = find_images([BOTTLE / "train" / "good"])
    goods, _ = find_images([BOTTLE / "test" / "good"])
    broken, _ = find_images([BOTTLE / "test" / "broken_large"])
    model = PatchCore(PatchCoreConfig(backbone="resnet18", layers=["layer2", "layer3"],
                                      weights=str(RESNET18_WEIGHTS), coreset_ratio=0.01, device="cpu"))
    report = model.fit(train[::5])  # 42 images
    assert report.n_train == 42 and model.memory_bank.shape == (int(42 * 784 * 0.01), 1024)
    preds = list(model.predict(goods[:8] + broken[:8]))
    scores = np.array([p.score for p in preds])
    assert image_auroc(scores, np.array([0] * 8 + [1] * 8)) >= 0.95

    from inspector.core.io.images import read_image

    masks = [model.preprocessor.mask(read_image(BOTTLE / "ground_truth" / "broken_large" / f"{p.stem}_mask.png")[:, :, 0])
             for p in broken[:8]]
    assert pixel_auroc(np.stack([p.anomaly_map for p in preds[8:]]), np.stack(masks)) >= 0.9
