"""Backbones: the catalogue of timm models, weights files and their cache, the layer extractor, and ``build`` that
composes them."""
