"""Presenter mode: the notebooks in Voilà, for class.

    python -m tools.present [--port PORT] [--no-browser] [--notebooks DIR]  (make present)

Starts Voilà on 127.0.0.1 (nothing outside this computer can reach it) and opens
its first page: the lecture's notebooks in reading order with what each teaches.
Each notebook opens as its prose, figures and live labs, without code cells; the
cells tagged ``presenter-skip`` (exercises, their checks and solutions, outputs only
a reader of code needs) are neither run nor shown. The look and the tag rule live
in the Voilà template share/jupyter/voila/templates/presenter/, found through
JUPYTER_PATH; this script adds the list of notebooks and the previous/next links.
Stop it with Ctrl+C.
"""

import argparse
import os
import pathlib
import sys

from tools.site_catalogue import NOTEBOOKS, README, catalogue

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARE = ROOT / "share" / "jupyter"  # holds voila/templates/presenter
TEMPLATE = "presenter"
COURSE = "Lecture 24: Cross Entropy Loss"


def lecture_hook(entries):
    """A Voilà ``page_config_hook`` that puts the notebook list (the tree page) and the
    previous/next notebook (a notebook page) into the page's ``lecture`` config."""
    listing = [{"path": e.path.name, "number": e.number, "title": e.title,
                "label": e.label, "summary": e.summary} for e in entries]
    position = {e.path.name: i for i, e in enumerate(entries)}

    def hook(page_config, *, base_url, notebook_path="", **_):
        def link(i):
            if not 0 <= i < len(listing):
                return None
            return {"href": f"{base_url}voila/render/{listing[i]['path']}",
                    "label": listing[i]["label"]}

        lecture = {"course": COURSE, "index": f"{base_url}voila/tree",
                   "notebooks": listing}
        here = position.get(pathlib.PurePosixPath(notebook_path or "").name)
        if here is not None:
            lecture.update(prev=link(here - 1), next=link(here + 1))
        page_config["lecture"] = lecture
        return page_config  # the notebook handler uses the returned value

    return hook


def voila_argv(notebooks, port, open_browser):
    return [str(notebooks), "--Voila.ip=127.0.0.1", f"--port={port}",
            f"--template={TEMPLATE}", "--VoilaConfiguration.classic_tree=True",
            "--Voila.open_browser=" + str(bool(open_browser)),
            # a notebook whose cell fails says so on the page, with the traceback
            "--VoilaConfiguration.show_tracebacks=True"]


def use_template_dir(env=os.environ):
    """Put this repository's share/jupyter first on JUPYTER_PATH (Voilà finds its
    templates there), keeping whatever the user had."""
    paths = [str(SHARE), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
    env["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--notebooks", type=pathlib.Path, default=NOTEBOOKS,
                        help="the folder of notebooks to present (default: notebooks/)")
    args = parser.parse_args(argv)

    use_template_dir()
    # The kernels pick their backend from `%matplotlib widget`, not from a caller's.
    os.environ.pop("MPLBACKEND", None)
    from traitlets.config import Config
    from voila.app import Voila

    config = Config()
    config.VoilaConfiguration.page_config_hook = lecture_hook(
        catalogue(args.notebooks, README))
    Voila.launch_instance(argv=voila_argv(args.notebooks.resolve(), args.port,
                                          not args.no_browser), config=config)


if __name__ == "__main__":
    sys.exit(main())
