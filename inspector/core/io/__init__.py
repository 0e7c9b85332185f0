"""Files in and out: image reading, input geometry, atomic writes, locks, versioned JSON, heatmap overlays, user
folders."""
