"""The Qt-free engine: images in; features, memory bank, scores, maps, metrics and models on disk out."""
