"""The CJK font for Chinese text in figures, wherever a figure is drawn.

Chinese labels need a font with CJK glyphs. The font file ships in the PyPI package
``mplfonts`` (Noto Sans CJK SC); :func:`register_cjk_font` registers it with matplotlib's
font manager from the package folder, so nothing is downloaded and no system font is
needed. A report sets the CJK font for all its figures once
(:func:`perfmodel.reporting.plotting.setup`); a chart drawn in a notebook of one's own, with
``lang="zh"``, uses it through :func:`cjk_when_zh` without that set-up and without changing
matplotlib's settings for the user's other figures.
"""
from __future__ import annotations

import contextlib
import functools
import importlib.util
from pathlib import Path

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
CJK_FONT_NAME = "Noto Sans CJK SC"

_registered: str | None = None


def cjk_font_path() -> Path | None:
    """Return the path of the bundled Noto Sans CJK SC font file, or None when absent.

    Returns
    -------
    pathlib.Path or None
        ``<site-packages>/mplfonts/fonts/NotoSansCJKsc-Regular.otf`` when the ``mplfonts``
        package is installed (it is not imported: only its folder is used).

    Examples
    --------
    >>> path = cjk_font_path()
    >>> path is None or path.name == "NotoSansCJKsc-Regular.otf"
    True
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "fonts" / CJK_FONT_FILE
        if path.is_file():
            return path
    return None


def register_cjk_font() -> str | None:
    """Register the CJK font with matplotlib once.

    Returns
    -------
    str or None
        The font family name to use (``"Noto Sans CJK SC"``), or None when the font file
        is not installed.

    Examples
    --------
    >>> register_cjk_font() in (None, "Noto Sans CJK SC")
    True
    """
    global _registered
    if _registered:
        return _registered
    path = cjk_font_path()
    if path is None:
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    _registered = font_manager.FontProperties(fname=str(path)).get_name()
    return _registered


@contextlib.contextmanager
def cjk_fonts(*, lang: str = "en"):
    """Within the block, text created in Chinese figures uses the CJK font.

    With ``lang="zh"`` the block runs with the CJK font (then DejaVu Sans) as the concrete
    font family, so every title, label, tick and legend created in it keeps that font when
    the figure is drawn later; matplotlib's settings are restored at the end. Nothing
    changes for English, when the font is not installed, or when the report set-up has
    already made the CJK font the first sans-serif font.

    Yields
    ------
    str or None
        The CJK family name in use, or None when nothing was changed.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> with cjk_fonts(lang="zh") as family:
    ...     fig, ax = plt.subplots()
    ...     title = ax.set_title("客户满意度")
    >>> family in (None, "Noto Sans CJK SC")
    True
    >>> family is None or title.get_fontname() == "Noto Sans CJK SC"
    True
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt

    cjk = register_cjk_font() if lang == "zh" else None
    rc = plt.rcParams
    ready = cjk is not None and list(rc["font.family"]) == ["sans-serif"] and list(rc["font.sans-serif"])[:1] == [cjk]
    if cjk is None or ready:
        yield None
        return
    with plt.rc_context({"font.family": [cjk, "DejaVu Sans"], "axes.unicode_minus": False}):
        yield cjk


def _first_ticks(fig) -> None:
    # Ticks are made when a figure is drawn, as copies of each axis' first tick: making the
    # first ones now gives the later ones the font in use.
    for ax in getattr(fig, "axes", []):
        for axis in (ax.xaxis, ax.yaxis):
            axis.get_major_ticks(), axis.get_minor_ticks()


def cjk_when_zh(func):
    """Decorate a plotting function taking ``lang=``: with ``lang="zh"`` it draws with the CJK font.

    The function runs inside :func:`cjk_fonts`; the figure it returns (or the figure of the
    axes it returns) has its first ticks made in the block, so tick labels drawn later use
    the font too.

    Returns
    -------
    callable
        The wrapped function (same name, docstring and signature).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> @cjk_when_zh
    ... def chart(*, lang="en"):
    ...     fig, ax = plt.subplots()
    ...     ax.set_title("客户满意度" if lang == "zh" else "Customer satisfaction")
    ...     return fig
    >>> fig = chart(lang="zh")
    >>> register_cjk_font() is None or fig.axes[0].title.get_fontname() == "Noto Sans CJK SC"
    True
    >>> plt.close(fig)
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with cjk_fonts(lang=kwargs.get("lang", "en")) as family:
            out = func(*args, **kwargs)
            if family is not None:
                from matplotlib.figure import Figure

                _first_ticks(out if isinstance(out, Figure) else getattr(out, "figure", None))
        return out

    return wrapper
