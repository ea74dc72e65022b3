"""The PySide6 desktop app: the only package that imports Qt."""

from readinglist.gui import qtfix

qtfix.install()
