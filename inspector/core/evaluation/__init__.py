"""Metrics (AUROC, PRO, F1) and evaluation on a labelled folder in the MVTec AD layout."""
