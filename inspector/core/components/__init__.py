"""The paper's building blocks: patch features, coreset, memory bank, nearest-neighbour search, anomaly maps,
Gaussian statistics, tiling."""
