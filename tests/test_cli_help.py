"""`nonroot ... --help` is complete: every argument and option has help, every option that
takes a value states its default, every command lists its exit codes, `new` covers adoption
and names every question -d can answer, and `verify`/`check` show `-- CMD`."""
from __future__ import annotations

import argparse

import pytest
import yaml

from helpers import ROOT, run_nonroot
from nonroot.cli import build_parser


def commands() -> dict[str, argparse.ArgumentParser]:
    """Every command's parser: {"verify": ..., "fleet update": ...}."""
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:  # argparse has no public walk of its subparsers
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    if not any(isinstance(a, argparse._SubParsersAction) for a in child._actions):
                        found[f"{prefix}{name}"] = child
                    walk(child, f"{prefix}{name} ")

    walk(build_parser(), "")
    return found


COMMANDS = sorted(commands())


@pytest.mark.parametrize("name", COMMANDS)
def test_every_argument_and_option_has_help(name):
    missing = [a.dest for a in commands()[name]._actions if not a.help]
    assert not missing, f"nonroot {name}: no help for {missing}"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_with_a_value_states_its_default(name):
    parser = commands()[name]
    for action in parser._actions:
        if action.option_strings and action.nargs != 0 and not isinstance(action, argparse._HelpAction):
            assert "default" in parser._get_formatter()._expand_help(action), f"nonroot {name} {action.dest}"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_lists_its_exit_codes(name):
    text = run_nonroot(*name.split(), "--help").stdout
    codes = text.split("exit codes:", 1)[1].split()
    assert {"0", "2", "130"} <= set(codes), text


def test_new_help_covers_adoption_and_names_every_question():
    text = run_nonroot("new", "--help").stdout
    assert "nonroot new ." in text and "adopt" in text
    questions = [n for n, spec in yaml.safe_load((ROOT / "copier.yml").read_text()).items()
                 if not n.startswith("_") and isinstance(spec, dict)]
    listed = text.split("answers (-d NAME=VALUE", 1)[1].split("exit codes:", 1)[0]
    assert [q for q in questions if q not in listed.replace(",", " ").split()] == []


@pytest.mark.parametrize("name", ["verify", "check"])
def test_usage_shows_the_command_after_two_dashes(name):
    assert "[-- CMD ...]" in run_nonroot(name, "--help").stdout.splitlines()[0]


@pytest.mark.parametrize("name", COMMANDS)
def test_help_fits_80_columns(name):
    text = run_nonroot(*name.split(), "--help", env={"COLUMNS": "80"}).stdout
    assert [line for line in text.splitlines() if len(line) > 80] == []
