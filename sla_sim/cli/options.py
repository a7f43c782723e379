"""The options every command that runs replications takes, declared once: `common_options` adds
them to a command, which receives them as one `Common`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import click

from sla_sim.experiments.budget import MAX_REPLICATIONS


@dataclass(frozen=True)
class Common:
    """How a command runs its replications and shows its result."""

    replications: int
    seed: int
    jobs: int | None
    executor: str
    address: str | None
    as_json: bool


FLAGS = ("--replications", "--seed", "--jobs", "--executor", "--address", "--json")
"""The flags `common_options` adds, in the order --help lists them."""

EXECUTORS = ("local", "dask")


def _options(replications: int, per: str, shown: str) -> list[Callable[[Any], Any]]:
    return [
        click.option(
            "--replications",
            "-n",
            default=replications,
            show_default=True,
            type=click.IntRange(min=2, max=MAX_REPLICATIONS),
            help=f"Replications per {per} (at most {MAX_REPLICATIONS:,}).",
        ),
        click.option(
            "--seed",
            default=0,
            show_default=True,
            type=click.IntRange(min=0),
            help="Seed of every random stream: the same seed gives the same numbers.",
        ),
        click.option(
            "--jobs",
            "-j",
            default=None,
            type=click.IntRange(min=1),
            help="Worker processes [default: all cores].",
        ),
        click.option(
            "--executor",
            default="local",
            show_default=True,
            type=click.Choice(EXECUTORS),
            help="Where replications run: a local process pool or a Dask cluster.",
        ),
        click.option(
            "--address",
            default=None,
            help="Dask scheduler, e.g. tcp://HOST:8786 [default: a local Dask cluster].",
        ),
        click.option(
            "--json", "as_json", is_flag=True, help=f"Print the {shown} as one JSON document."
        ),
    ]


def common_options(
    replications: int, *, per: str = "scenario or point", shown: str = "result"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the common options (`replications` by default) to a command, which then takes them as
    one keyword argument `common`; `per` and `shown` word the help of -n and --json."""
    names = [f.name for f in fields(Common)]

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def with_common(*args: Any, **kwargs: Any) -> Any:
            common = Common(**{name: kwargs.pop(name) for name in names})
            return command(*args, common=common, **kwargs)

        decorated: Callable[..., Any] = with_common
        for option in reversed(_options(replications, per, shown)):
            decorated = option(decorated)
        return decorated

    return decorate


def out_folder(files: str) -> Callable[[Any], Any]:
    """`--out DIR`: the folder a command writes `files` into."""
    return click.option(
        "--out", type=click.Path(file_okay=False, path_type=Path), help=f"Folder for {files}."
    )


def html_page(what: str) -> Callable[[Any], Any]:
    """`--html FILE` (as `html_file`): a page of `what` that opens offline."""
    return click.option(
        "--html",
        "html_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"Write {what} as a page that opens offline.",
    )
