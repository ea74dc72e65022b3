"""Every user action of the window, declared once with its shortcuts (menus and help read it)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

Key = QKeySequence.StandardKey


class ActionId(enum.Enum):
    IMPORT = enum.auto()
    OPEN_SAMPLE = enum.auto()
    EXPORT = enum.auto()
    EXPORT_SELECTION = enum.auto()
    BACK_UP = enum.auto()
    RESTORE = enum.auto()
    SETTINGS = enum.auto()
    QUIT = enum.auto()

    UNDO = enum.auto()
    PASTE_DIGEST = enum.auto()
    FIND = enum.auto()
    CLEAR_SEARCH = enum.auto()
    SELECT_ALL = enum.auto()

    NEXT = enum.auto()
    PREVIOUS = enum.auto()
    STAR = enum.auto()
    TOGGLE_READ = enum.auto()
    MARK_SELECTION_READ = enum.auto()
    MARK_SELECTION_UNREAD = enum.auto()
    EDIT_NOTE = enum.auto()
    EDIT_TAGS = enum.auto()
    PAGE_ABSTRACT = enum.auto()
    PAGE_ABSTRACT_BACK = enum.auto()
    OPEN_LINK = enum.auto()
    OPEN_HUGGING_FACE = enum.auto()
    SEARCH_ARXIV = enum.auto()
    DELETE = enum.auto()
    BACK_TO_LIST = enum.auto()

    FOCUS_SIDEBAR = enum.auto()
    BIGGER_TEXT = enum.auto()
    SMALLER_TEXT = enum.auto()
    DEFAULT_TEXT = enum.auto()

    SHORTCUTS = enum.auto()
    ABOUT = enum.auto()


@dataclass(frozen=True, slots=True)
class ActionSpec:
    text: str
    group: str  # the heading it is listed under in the shortcuts help and its menu
    shortcuts: tuple[QKeySequence.StandardKey | str, ...] = ()
    tip: str = ""
    role: QAction.MenuRole = QAction.MenuRole.NoRole


ROLE = QAction.MenuRole

SPECS: dict[ActionId, ActionSpec] = {
    ActionId.IMPORT: ActionSpec(
        "&Import Digests…", "File", (Key.Open,), "Import digest files or folders into the library"
    ),
    ActionId.OPEN_SAMPLE: ActionSpec(
        "Import the &Sample Digest", "File", (), "Import the small digest shipped with the app"
    ),
    ActionId.EXPORT: ActionSpec("&Export…", "File", ("Ctrl+E",), "Export papers to a file"),
    ActionId.EXPORT_SELECTION: ActionSpec(
        "Export &Selection…", "File", ("Ctrl+Shift+E",), "Export the selected papers"
    ),
    ActionId.BACK_UP: ActionSpec("&Back Up Now", "File", (), "Copy the library to a backup file"),
    ActionId.RESTORE: ActionSpec("&Restore from Backup…", "File", (), "Replace the library"),
    ActionId.SETTINGS: ActionSpec(
        "Se&ttings…", "File", (Key.Preferences, "Ctrl+,"), role=ROLE.PreferencesRole
    ),
    ActionId.QUIT: ActionSpec("&Quit", "File", (Key.Quit, "Ctrl+Q"), role=ROLE.QuitRole),
    ActionId.UNDO: ActionSpec("&Undo", "Edit", (Key.Undo,), "Undo the last change of state"),
    # Text fields claim Ctrl+V for themselves (ShortcutOverride): this fires in the list.
    ActionId.PASTE_DIGEST: ActionSpec(
        "&Paste Digest", "Edit", (Key.Paste,), "Import the digest text on the clipboard"
    ),
    ActionId.FIND: ActionSpec("&Search", "Edit", (Key.Find, "/"), "Search the library"),
    ActionId.CLEAR_SEARCH: ActionSpec("&Clear Search", "Edit", ("Ctrl+Shift+F",)),
    ActionId.SELECT_ALL: ActionSpec("Select &All", "Edit", (Key.SelectAll,)),
    ActionId.NEXT: ActionSpec("&Next Paper", "Reading", ("J",)),
    ActionId.PREVIOUS: ActionSpec("&Previous Paper", "Reading", ("K",)),
    ActionId.STAR: ActionSpec("&Star / Unstar", "Reading", ("S",)),
    ActionId.TOGGLE_READ: ActionSpec("Mark &Read / Unread", "Reading", ("R",)),
    ActionId.MARK_SELECTION_READ: ActionSpec("Mark Selection R&ead", "Reading", ("Shift+R",)),
    ActionId.MARK_SELECTION_UNREAD: ActionSpec("Mark Selection &Unread", "Reading", ("Shift+U",)),
    ActionId.EDIT_NOTE: ActionSpec("Edit &Note", "Reading", ("N",)),
    ActionId.EDIT_TAGS: ActionSpec("Edit &Tags", "Reading", ("T",)),
    ActionId.PAGE_ABSTRACT: ActionSpec("Page the Abstract &Down", "Reading", ("Space",)),
    ActionId.PAGE_ABSTRACT_BACK: ActionSpec("Page the Abstract &Up", "Reading", ("Shift+Space",)),
    ActionId.OPEN_LINK: ActionSpec("&Open First Link", "Reading", ("O",)),
    ActionId.OPEN_HUGGING_FACE: ActionSpec(
        "Open on &Hugging Face", "Reading", ("H",), "The paper's Hugging Face page (or a search)"
    ),
    ActionId.SEARCH_ARXIV: ActionSpec(
        "Search on ar&Xiv", "Reading", ("X",), "The paper's arXiv page (or a title search)"
    ),
    # Del only: the standard Delete key also binds Ctrl+D on X11, too easy to hit by accident.
    ActionId.DELETE: ActionSpec(
        "&Delete", "Reading", ("Del",), "Delete the selected papers (Ctrl+Z brings them back)"
    ),
    ActionId.BACK_TO_LIST: ActionSpec("Back to the &List", "Reading", ("Esc",)),
    ActionId.FOCUS_SIDEBAR: ActionSpec("Go to the Si&debar", "View", ("Ctrl+1",)),
    ActionId.BIGGER_TEXT: ActionSpec("&Bigger Text", "View", (Key.ZoomIn, "Ctrl+=")),
    ActionId.SMALLER_TEXT: ActionSpec("&Smaller Text", "View", (Key.ZoomOut,)),
    ActionId.DEFAULT_TEXT: ActionSpec("&Default Text Size", "View", ("Ctrl+0",)),
    ActionId.SHORTCUTS: ActionSpec("&Keyboard Shortcuts", "Help", ("?", Key.HelpContents, "F1")),
    ActionId.ABOUT: ActionSpec("&About Reading List", "Help", (), role=ROLE.AboutRole),
}

MENUS: dict[str, tuple[ActionId | None, ...]] = {
    "&File": (
        ActionId.IMPORT, ActionId.OPEN_SAMPLE, None, ActionId.EXPORT, ActionId.EXPORT_SELECTION,
        None, ActionId.BACK_UP, ActionId.RESTORE, None, ActionId.SETTINGS, None, ActionId.QUIT,
    ),
    "&Edit": (
        ActionId.UNDO, None, ActionId.PASTE_DIGEST, None, ActionId.FIND, ActionId.CLEAR_SEARCH,
        ActionId.SELECT_ALL,
    ),
    "&Paper": (
        ActionId.NEXT, ActionId.PREVIOUS, None, ActionId.STAR, ActionId.TOGGLE_READ,
        ActionId.MARK_SELECTION_READ, ActionId.MARK_SELECTION_UNREAD, None, ActionId.EDIT_NOTE,
        ActionId.EDIT_TAGS, None, ActionId.PAGE_ABSTRACT, ActionId.PAGE_ABSTRACT_BACK,
        ActionId.OPEN_LINK, ActionId.OPEN_HUGGING_FACE, ActionId.SEARCH_ARXIV,
        ActionId.BACK_TO_LIST, None, ActionId.DELETE,
    ),
    "&View": (
        ActionId.FOCUS_SIDEBAR, None, ActionId.BIGGER_TEXT, ActionId.SMALLER_TEXT,
        ActionId.DEFAULT_TEXT,
    ),
    "&Help": (ActionId.SHORTCUTS, None, ActionId.ABOUT),
}


def _sequences(spec: ActionSpec) -> list[QKeySequence]:
    found: list[QKeySequence] = []
    for shortcut in spec.shortcuts:
        if isinstance(shortcut, QKeySequence.StandardKey):
            candidates = QKeySequence.keyBindings(shortcut)
        else:
            candidates = [QKeySequence(shortcut)]
        for sequence in candidates:
            if not sequence.isEmpty() and sequence not in found:
                found.append(sequence)
    return found


class ActionRegistry:
    """The window's QActions, one per :class:`ActionId`, added to ``owner`` so shortcuts work.

    Single-letter shortcuts (``j``, ``s``...) do not fire while a text field has focus:
    text widgets claim printable keys first (Qt's ShortcutOverride), so typing stays typing.
    """

    def __init__(self, owner: QWidget) -> None:
        self._actions: dict[ActionId, QAction] = {}
        for action_id, spec in SPECS.items():
            action = QAction(spec.text, owner)
            action.setObjectName(action_id.name.lower())
            action.setShortcuts(_sequences(spec))
            action.setMenuRole(spec.role)
            if spec.tip:
                action.setStatusTip(spec.tip)
                action.setToolTip(spec.tip)
            owner.addAction(action)
            self._actions[action_id] = action

    def __getitem__(self, action_id: ActionId) -> QAction:
        return self._actions[action_id]

    def connect(self, action_id: ActionId, slot) -> None:
        self._actions[action_id].triggered.connect(lambda _checked=False: slot())

    def help_rows(self) -> list[tuple[str, str, str]]:
        """(group, action text without mnemonics, shortcuts as the user types them)."""
        rows = []
        for action_id, spec in SPECS.items():
            sequences = self._actions[action_id].shortcuts()
            if not sequences:
                continue
            keys = ", ".join(dict.fromkeys(_typed(s) for s in sequences if _on_keyboard(s)))
            rows.append((spec.group, spec.text.replace("&", "").rstrip("…"), keys))
        return rows


# Keys every keyboard has; a standard key may also bind dedicated keys ("Open", "Find",
# "Zoom In", "Help") that few keyboards have: the help lists only what the user can press.
_PLAIN_KEYS = {
    Qt.Key.Key_Escape, Qt.Key.Key_Space, Qt.Key.Key_Tab, Qt.Key.Key_Return, Qt.Key.Key_Enter,
    Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left,
    Qt.Key.Key_Right, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Home, Qt.Key.Key_End,
}


def _on_keyboard(sequence: QKeySequence) -> bool:
    if sequence.isEmpty():
        return False
    key = sequence[0].key()
    return (key.value < Qt.Key.Key_Escape.value or key in _PLAIN_KEYS
            or Qt.Key.Key_F1.value <= key.value <= Qt.Key.Key_F12.value)


def _typed(sequence: QKeySequence) -> str:
    """The sequence as the user types it: a bare letter in lower case (j, not J)."""
    text = sequence.toString(QKeySequence.SequenceFormat.NativeText)
    combo = sequence[0]
    if (sequence.count() == 1 and len(text) == 1 and text.isalpha()
            and combo.keyboardModifiers() == Qt.KeyboardModifier.NoModifier):
        return text.lower()
    return text
