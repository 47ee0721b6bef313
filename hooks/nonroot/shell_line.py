"""A start command given as a shell line (`python manage.py migrate && gunicorn app.wsgi`).

Exec form has no shell: split into words, `&&` and `;` would reach the program as arguments.
A shell line therefore runs as `sh -c LINE`, with its last command `exec`'d so that the
service replaces the shell: it becomes the process the engine signals (docker stop's SIGTERM
reaches it, not a shell that ignores it) and nothing stays behind as its parent.

Only reads text; knows nothing of stacks or families.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Operators that end one command of a list, outside quotes and parentheses.
_LIST_OPERATORS = ("&&", "||", ";", "\n")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=(?:'[^']*'|\"(?:[^\"\\]|\\.)*\"|[^\s'\"])*\s+")


@dataclass(frozen=True)
class ShellLine:
    """A shell line cut before its last command: what runs first (with its operators), the
    last command, and whether that command can be exec'd (not in a pipeline or background)."""

    head: str
    last: str
    execs: bool

    @property
    def script(self) -> str:
        """The line for `sh -c`, its last command exec'd where it can be (after any VAR=value
        words: sh exports them to the command it execs)."""
        command = _after_assignments(self.last)
        last = self.last
        if self.execs and not re.match(r"exec(\s|$)", command):
            last = f"{self.last[:len(self.last) - len(command)]}exec {command}"
        return f"{self.head} {last}".strip()


def _after_assignments(command: str) -> str:
    """COMMAND without its leading VAR=value words (`exec` goes after them: sh exports them)."""
    rest = command
    while True:
        match = _ASSIGNMENT.match(rest)
        if not match:
            return rest
        rest = rest[match.end():]


def _operators(line: str) -> list[tuple[int, int, str]]:
    """(start, end, operator) of the operators at the top level of LINE: outside quotes,
    `$(…)`, backquotes and parentheses; a comment ends the line."""
    found: list[tuple[int, int, str]] = []
    quote, depth, index = "", 0, 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\" and quote != "'":
                index += 1
            elif char == quote:
                quote = ""
        elif char == "\\":
            index += 1
        elif char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and char == "#" and (index == 0 or line[index - 1].isspace()):
            break
        elif depth == 0 and line.startswith(("&&", "||"), index):
            found.append((index, index + 2, line[index:index + 2]))
            index += 2
            continue
        elif depth == 0 and char in ";|&\n":
            found.append((index, index + 1, char))
        index += 1
    return found


def parse(line: str) -> ShellLine:
    """LINE cut before its last command (the head keeps its operators, so `script` gives
    back the same line with `exec` added)."""
    operators = _operators(line)
    ends = [op for op in operators if op[2] in _LIST_OPERATORS]
    cut = ends[-1][1] if ends else 0
    head, last = line[:cut].strip(), line[cut:].strip()
    execs = bool(last) and not any(op[0] >= cut and op[2] in ("|", "&") for op in operators)
    return ShellLine(head=head, last=last, execs=execs)


def step_commands(line: str) -> list[str]:
    """The commands that run before the last one (start-up steps such as migrations)."""
    commands, start = [], 0
    for begin, end, operator in _operators(line):
        if operator in _LIST_OPERATORS:
            commands.append(line[start:begin].strip())
            start = end
    return [command for command in commands if command]


def argv(line: str) -> tuple[str, str, str]:
    """The exec-form command that runs LINE."""
    return ("sh", "-c", parse(line).script)
