"""Inspector: unsupervised visual inspection for production lines."""

import os as _os

# torch and faiss-cpu each bring their own OpenMP runtime. With the default (active) wait policy the idle
# threads of one spin while the other computes, and on a small PC they take turns at the cores: measured on
# 2 cores, PatchCore inference was 9x slower at batch 1 (1246 -> 139 ms/image) and 2x slower at batch 8.
# Passive waiting must be set before either library loads, hence here, before anything imports them.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")



def _return_large_frees_to_the_os() -> None:
    """glibc keeps freed blocks below a threshold that grows with every large free (up to 32 MB) in its heap
    arenas, one per thread, and the backbone's and patch features' per-batch temporaries (1-30 MB each, from
    torch, OpenVINO and numpy threads) piled up there: peak RSS grew with the number of training images.
    A fixed 4 MB threshold maps such blocks and unmaps them when freed (60 bottle images: 1428 -> 1191 MB)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 4 * 1024 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # not glibc (Windows, macOS, musl): their allocators behave otherwise
        pass


if _os.environ.get("INSPECTOR_MALLOC_DEFAULTS") != "1":
    _return_large_frees_to_the_os()

__version__ = "0.1.0"
