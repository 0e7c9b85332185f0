"""The Qt desktop application (PySide6 + pyqtgraph). Start it with ``inspector`` or ``python -m inspector``."""
