# SPDX-License-Identifier: BSD-3-Clause
"""What every ``biosynth`` subcommand shares: the parser class, the options declared
once (duration, sampling rate, record count, seed, device, output), the output checks,
the seed note for files without provenance, comma-separated name lists and the one-line
error handling with its exit codes.

The library is imported inside the functions that need it, as in every CLI module:
``biosynth --help`` and argument errors then answer without loading the library.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

EXIT_OK = 0
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130

#: Errors that end a command with one line on stderr and EXIT_USER_ERROR. OSError
#: covers unreadable, missing, read-only and not-a-folder paths; MemoryError an input
#: or request too large for this machine.
USER_ERRORS = (ValueError, TypeError, OSError, ImportError, RuntimeError, MemoryError)

#: The environment variable naming the folder of real recordings kept outside the
#: package (biosynth.datasets.REAL_DATA_ENV, kept in step by a test; the CLI does not
#: import the library before it needs it).
REAL_DATA_ENV = "BIOSYNTH_REAL_DATA"

#: Help of REAL arguments, shared by the commands that read real recordings.
REAL_HELP = "real recording (file or sample:NAME)"

#: Epilog paragraph of the commands that read real recordings.
REAL_DATA_NOTE = (
    f"Real recordings that are not shipped with biosynth live in the folder named by the environment "
    f"variable {REAL_DATA_ENV} (the benchmark suites read theirs from there); give their paths, "
    f"e.g. ${REAL_DATA_ENV}/NAME.edf."
)


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` as one line and exit with :data:`EXIT_USER_ERROR`.

        Parameters
        ----------
        message : str
            What was wrong with the command line.
        """
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def command(
    sub: Any, name: str, summary: str, description: str, examples: Sequence[str], *, note: str | None = None
) -> argparse.ArgumentParser:
    """Add a subcommand whose help ends with runnable examples.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        What ``add_subparsers`` returned.
    name : str
        The subcommand's name.
    summary : str
        One line for the parent's list of commands.
    description : str
        The paragraph at the top of the subcommand's ``--help``.
    examples : sequence of str
        Command lines shown at the end of ``--help``.
    note : str or None, default=None
        A paragraph printed after the examples.

    Returns
    -------
    parser : ArgumentParser
        The subcommand's parser.
    """
    label = "example" if len(examples) == 1 else "examples"
    epilog = f"{label}:\n" + "\n".join(f"  {e}" for e in examples)
    if note is not None:
        epilog += "\n\n" + textwrap.fill(note, width=90, break_on_hyphens=False)
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


# --- options declared once -------------------------------------------------------------


def add_duration(
    parser: argparse.ArgumentParser, *, default: float | None, help_text: str | None = None, prefix: str = ""
) -> None:
    """``--duration``: record length in s.

    Parameters
    ----------
    parser : ArgumentParser
        The parser to add the option to.
    default : float or None
        Value when the option is not given.
    help_text : str or None, default=None
        Help text; None says "record length in s (default DEFAULT)".
    prefix : str, default=""
        Prefix of the attribute the value is stored in (``"model_"``: ``args.model_duration``).
    """
    text = help_text if help_text is not None else f"record length in s (default {default:g})"
    parser.add_argument(
        "--duration", type=float, default=default, help=text, dest=f"{prefix}duration", metavar="DURATION"
    )


def add_sfreq(parser: argparse.ArgumentParser, *, default: float | None, help_text: str | None = None) -> None:
    """``--sfreq``: sampling rate in Hz.

    Parameters
    ----------
    parser : ArgumentParser
        The parser to add the option to.
    default : float or None
        Value when the option is not given.
    help_text : str or None, default=None
        Help text; None says "sampling rate in Hz (default DEFAULT)".
    """
    text = help_text if help_text is not None else f"sampling rate in Hz (default {default:g})"
    parser.add_argument("--sfreq", type=float, default=default, help=text)


def add_n_records(
    parser: argparse.ArgumentParser, *, default: int = 1, help_text: str | None = None, prefix: str = ""
) -> None:
    """``--n-records``: how many records.

    Parameters
    ----------
    parser : ArgumentParser
        The parser to add the option to.
    default : int, default=1
        Value when the option is not given.
    help_text : str or None, default=None
        Help text; None says "number of records (default DEFAULT)".
    prefix : str, default=""
        Prefix of the attribute the value is stored in (``"model_"``: ``args.model_n_records``).
    """
    text = help_text if help_text is not None else f"number of records (default {default})"
    parser.add_argument(
        "--n-records", type=int, default=default, help=text, dest=f"{prefix}n_records", metavar="N_RECORDS"
    )


def add_seed(
    parser: argparse.ArgumentParser, *, default: int | None = None, help_text: str | None = None, prefix: str = ""
) -> None:
    """``--seed``: root of the random streams.

    Parameters
    ----------
    parser : ArgumentParser
        The parser to add the option to.
    default : int or None, default=None
        Value when the option is not given (None: fresh entropy, kept in the output).
    help_text : str or None, default=None
        Help text; None says the fresh seed is stored in the file.
    prefix : str, default=""
        Prefix of the attribute the value is stored in (``"model_"``: ``args.model_seed``).
    """
    text = help_text if help_text is not None else "random seed (default: fresh, stored in the file)"
    parser.add_argument("--seed", type=int, default=default, help=text, dest=f"{prefix}seed", metavar="SEED")


def add_device(parser: argparse.ArgumentParser, *, help_text: str | None = None, prefix: str = "") -> None:
    """``--device``: ``cpu`` or a torch device.

    Parameters
    ----------
    parser : ArgumentParser
        The parser to add the option to.
    help_text : str or None, default=None
        Help text; None names the choices and the torch extra.
    prefix : str, default=""
        Prefix of the attribute the value is stored in (``"model_"``: ``args.model_device``).
    """
    text = help_text if help_text is not None else "'cpu' or a torch device such as 'cuda' (torch extra)"
    parser.add_argument("--device", default="cpu", help=text, dest=f"{prefix}device", metavar="DEVICE")


def add_output(
    parser: argparse.ArgumentParser, *, required: bool = True, help_text: str = "output file", prefix: str = ""
) -> None:
    """``-o/--out`` and ``--overwrite``.

    Parameters
    ----------
    parser : ArgumentParser
        The parser to add the options to.
    required : bool, default=True
        Whether ``--out`` must be given.
    help_text : str, default="output file"
        Help text of ``--out``.
    prefix : str, default=""
        Prefix of the attributes the values are stored in (``"model_"``: ``args.model_out``).
    """
    parser.add_argument("-o", "--out", type=Path, required=required, help=help_text, dest=f"{prefix}out", metavar="OUT")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace the output if it exists", dest=f"{prefix}overwrite"
    )


# --- shared checks and messages --------------------------------------------------------


def add_window(parser: argparse.ArgumentParser, option: str, help_text: str) -> None:
    """Add ``option START STOP``: a time window in seconds (default: the whole recording)."""
    parser.add_argument(
        option, type=float, nargs=2, default=None, metavar=("START", "STOP"), help=help_text + " (default: all)"
    )


def open_window(spec: str, window: list[float] | None, option: str) -> Any:
    """Read ``spec`` (a file or ``sample:NAME``) and keep the ``window`` (s) that ``option`` gave."""
    from biosynth.datasets import open_signals
    from biosynth.signals import crop

    signals = open_signals(spec)
    if window is None:
        return signals
    start, stop = window
    try:
        return crop(signals, start, stop)
    except ValueError as err:
        raise ValueError(f"{option} {start:g} {stop:g}: {one_line(err)}") from None


def name_list(option: str, text: str) -> list[str]:
    """A comma-separated option as names; empty or repeated names are an error.

    Parameters
    ----------
    option : str
        The option's name, for the error message (``"--channels"``).
    text : str
        What the user gave.

    Returns
    -------
    names : list of str
    """
    names = [name.strip() for name in text.split(",")]
    if not text.strip() or any(not name for name in names):
        raise ValueError(f"{option} must be comma-separated names, got {text!r}.")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"{option} names each item once; {repeated} repeat in {text!r}.")
    return names


def check_generate_output(out: Path, *, n_records: int, overwrite: bool) -> None:
    """``--out`` may be written, and holds all the records asked for (EDF/BDF hold one).

    Parameters
    ----------
    out : Path
        The output file.
    n_records : int
        Records that will be written.
    overwrite : bool
        Whether an existing file may be replaced.
    """
    from biosynth.signals import check_writable

    check_writable(out, overwrite=overwrite)
    if out.suffix.lower() in (".edf", ".bdf") and n_records != 1:
        raise ValueError(f"--out {out.suffix} holds one recording; use .nc, .zarr or .npz for --n-records > 1.")


def note_seed_outside_file(out: Path, seed: int | None, data: Any) -> None:
    """EDF/BDF keep no provenance: print the fresh seed so the data can be regenerated.

    Parameters
    ----------
    out : Path
        The written file.
    seed : int or None
        The ``--seed`` the user gave.
    data : DataArray
        The written signals (their provenance holds the seed drawn).
    """
    if seed is None and out.suffix.lower() in (".edf", ".bdf"):
        entropy = data.attrs["provenance"]["seed"]["entropy"]
        print(f"{out.suffix} keeps no provenance; to regenerate these data pass --seed {entropy}")


def event_counts(events: Any) -> str:
    """``"3 spike, 2 ripple"``: the rows of an events table per type.

    Parameters
    ----------
    events : DataFrame
        Events table with a ``type`` column.

    Returns
    -------
    text : str
        Empty for an empty table.
    """
    return ", ".join(f"{n} {k}" for k, n in events["type"].value_counts().sort_index().items())


def one_line(err: BaseException) -> str:
    """The first line of an error's message; the exception name where it has none.

    Parameters
    ----------
    err : BaseException
        The error a handler raised.

    Returns
    -------
    message : str
    """
    if isinstance(err, MemoryError):
        return "not enough memory for this request; ask for fewer records, channels or a shorter duration."
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def generate_kind(
    kinds: Any,
    name: str,
    summary: str,
    description: str,
    examples: Sequence[str],
    *,
    duration: float,
    sfreq: float | None,
    sfreq_help: str | None = None,
) -> argparse.ArgumentParser:
    """A kind of ``biosynth generate`` with the options every kind opens with.

    Parameters
    ----------
    kinds : argparse._SubParsersAction
        The kinds of ``biosynth generate``.
    name, summary, description, examples
        As for :func:`command`.
    duration : float
        Default of ``--duration``, in s.
    sfreq : float or None
        Default of ``--sfreq``, in Hz.
    sfreq_help : str or None, default=None
        Help of ``--sfreq`` when the default text does not fit.

    Returns
    -------
    parser : ArgumentParser
        With ``--duration``, ``--sfreq`` and ``--n-records``; the kind adds its own
        options, then :func:`finish_generate_kind`.
    """
    parser = command(kinds, name, summary, description, examples)
    add_duration(parser, default=duration)
    add_sfreq(parser, default=sfreq, help_text=sfreq_help)
    add_n_records(parser)
    return parser


def finish_generate_kind(
    parser: argparse.ArgumentParser,
    run: Callable[[argparse.Namespace], int],
    *,
    output_help: str,
    output_required: bool = True,
    seed_help: str | None = None,
) -> argparse.ArgumentParser:
    """The options every kind of ``biosynth generate`` closes with, and its handler.

    Parameters
    ----------
    parser : ArgumentParser
        The kind's parser, from :func:`generate_kind`.
    run : callable
        The kind's handler: parsed command line -> exit code.
    output_help : str
        Help of ``--out``.
    output_required : bool, default=True
        Whether ``--out`` is required.
    seed_help : str or None, default=None
        Help of ``--seed`` when the default text does not fit.

    Returns
    -------
    parser : ArgumentParser
        With ``--seed``, ``--device``, ``--out`` and ``--overwrite``.
    """
    add_seed(parser, help_text=seed_help)
    add_device(parser)
    add_output(parser, required=output_required, help_text=output_help)
    parser.set_defaults(run_kind=run)
    return parser
