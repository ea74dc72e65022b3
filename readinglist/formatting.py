"""Small text formats shared by the command line, the backups listing and the desktop app."""


def human_size(size: int) -> str:
    """A byte count as people read it: ``512 bytes``, ``764.0 KB``, ``1.2 GB``."""
    value = float(size)
    for unit in ("bytes", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
