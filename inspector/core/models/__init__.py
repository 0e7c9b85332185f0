"""The anomaly models (PatchCore, PaDiM, Gaussian) behind one interface (``base``), found by kind in ``registry``."""
