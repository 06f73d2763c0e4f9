"""The one expression language of a process definition, checked when loaded, never ``eval``-ed.

Gateway conditions, ``required_if`` rules, multi-instance cardinalities and completion
conditions and timer expressions are all written in it (docs/processes.md, "Expressions").
An expression is parsed with Python's own parser (``ast``, no code runs) and every node must
be in an allow-list: literals, variables, comparisons, ``and``/``or``/``not``, ``in``,
arithmetic and calls of the functions in ``FUNCTIONS``. The allowed nodes are then turned
into closures once per expression text, so evaluation runs no Python source, reads no
builtins, reaches no attribute, and costs less than the ``eval`` it replaces.

Why our own allow-list rather than ``simpleeval``: the definition must be refused when it is
loaded, whatever branch a request would take, so a checker must see the whole tree anyway
(``simpleeval`` finds a forbidden construct only on the branch it evaluates, and allows
attributes, subscripts and, in its compound mode, comprehensions unless told otherwise). One
table here defines the language for both the check and the evaluation, so they cannot drift.

Sizes are bounded: text and lists to ``MAX_LENGTH`` items, whole numbers to ``MAX_INT``, and a
power is refused before it is computed, so ``'a' * 10**9`` or ``10**10**10`` fail at once.
"""

from __future__ import annotations

import ast
import operator
import warnings
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from approvals.errors import ApprovalsError

MAX_SOURCE = 1000  # characters of one expression
MAX_DEPTH = 32  # nesting of the parsed tree
MAX_LENGTH = 100_000  # characters of a text, items of a list, made by an expression
MAX_INT = 2**63  # magnitude of a whole number made by an expression

Evaluator = Callable[[Mapping[str, Any]], Any]


class ExpressionError(ApprovalsError):
    """An expression is outside the language, or failed on the values it was given."""


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def days_between(a: date | str | None, b: date | str | None) -> int | None:
    """Whole days from ``a`` to ``b``; None when either is unknown (a preview may omit dates)."""
    first, second = _as_date(a), _as_date(b)
    if first is None or second is None:
        return None
    return (second - first).days


# The variable a caller sets to the organization's working calendar (approvals/process/calendar.py)
# for working_days; a name the language refuses (it starts with "_"), so no process can read it.
CALENDAR = "__calendar__"


def working_days(calendar: Any, a: date | str | None, b: date | str | None) -> int | None:
    """Working days from ``a`` to ``b``, both counted (a trip Monday to Friday: 5); None when
    either is unknown. Only where the caller gives the organization's calendar (computed fields)."""
    first, second = _as_date(a), _as_date(b)
    if first is None or second is None:
        return None
    if calendar is None:
        raise ExpressionError("working_days counts with the organization's calendar, which only a computed "
                              "field's value has: compute the days in a field and read the field here")
    return int(calendar.between(first - timedelta(days=1), second))


# name -> (function, number of positional arguments). Adding one here documents it in
# docs/processes.md ("Expressions") too. Those in NEEDS_CALENDAR get the calendar first.
FUNCTIONS: dict[str, tuple[Callable[..., Any], int]] = {"days_between": (days_between, 2),
                                                        "working_days": (working_days, 2)}
NEEDS_CALENDAR = frozenset({"working_days"})


def allowed_functions() -> str:
    return ", ".join(sorted(FUNCTIONS))


# ---- bounded operators -------------------------------------------------------------------


def _bounded(value: Any) -> Any:
    if isinstance(value, int) and abs(value) > MAX_INT:
        raise ExpressionError(f"a number larger than {MAX_INT} (2**63)")
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_LENGTH:
        raise ExpressionError(f"a text or list longer than {MAX_LENGTH}")
    return value


def _mul(a: Any, b: Any) -> Any:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        # [[x] * n] * n == ... would compare n * n items: only text is repeated
        raise ExpressionError("'*' repeats only text, not lists")
    for seq, times in ((a, b), (b, a)):
        if isinstance(seq, str) and isinstance(times, int) and len(seq) * times > MAX_LENGTH:
            raise ExpressionError(f"a text longer than {MAX_LENGTH}")
    return _bounded(a * b)


def _pow(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        if (abs(a).bit_length() - 1) * b > MAX_INT.bit_length():
            raise ExpressionError(f"a number larger than {MAX_INT} (2**63)")
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        raise ExpressionError("'**' needs two numbers")
    return _bounded(a**b)


def _mod(a: Any, b: Any) -> Any:
    if isinstance(a, str):  # '%0999999999d' % 1 would build a gigabyte of text
        raise ExpressionError("'%' formats text in Python; only numbers may use '%' here")
    return _bounded(a % b)


def _arith(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    return lambda a, b: _bounded(op(a, b))


BINARY: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", _arith(operator.add)), ast.Sub: ("-", _arith(operator.sub)), ast.Mult: ("*", _mul),
    ast.Div: ("/", operator.truediv), ast.FloorDiv: ("//", _arith(operator.floordiv)),
    ast.Mod: ("%", _mod), ast.Pow: ("**", _pow),
}
UNARY: dict[type, tuple[str, Callable[[Any], Any]]] = {
    ast.Not: ("not", operator.not_), ast.USub: ("-", operator.neg), ast.UAdd: ("+", operator.pos),
}
COMPARE: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Eq: ("==", operator.eq), ast.NotEq: ("!=", operator.ne), ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le), ast.Gt: (">", operator.gt), ast.GtE: (">=", operator.ge),
    ast.In: ("in", lambda a, b: a in b), ast.NotIn: ("not in", lambda a, b: a not in b),
    ast.Is: ("is", operator.is_), ast.IsNot: ("is not", operator.is_not),
}
OPERATORS = {ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>",
             ast.MatMult: "@", ast.Invert: "~"}
REFUSED = {  # how the constructs people try first are named in the error
    ast.Attribute: "attribute access ('.')", ast.Subscript: "a subscript ('[...]')", ast.Lambda: "lambda",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension", ast.JoinedStr: "an f-string", ast.NamedExpr: "':='",
    ast.IfExp: "'... if ... else ...'", ast.Dict: "a dict", ast.Set: "a set", ast.Starred: "'*' unpacking",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "a slice",
}


# ---- compiling the allowed nodes into closures --------------------------------------------


def _refuse(node: ast.AST) -> ExpressionError:
    what = f"attribute access ('.{node.attr}')" if isinstance(node, ast.Attribute) else REFUSED.get(type(node))
    if what is None:
        op = getattr(node, "op", None)
        what = f"operator {OPERATORS.get(type(op), type(op).__name__)!r}" if op is not None else type(node).__name__
    return ExpressionError(f"{what} is not allowed")


def _reserved(tree: ast.AST) -> None:
    """Name a ``_``/dunder name first: it is what an attack on the evaluator reaches for."""
    for node in ast.walk(tree):
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
        if name.startswith("_"):
            raise ExpressionError(f"{name!r} is not an allowed name; allowed functions: {allowed_functions()}")


def _name(node: ast.Name) -> Evaluator:
    name = node.id

    def load(variables: Mapping[str, Any]) -> Any:
        try:
            return variables[name]
        except KeyError:
            raise ExpressionError(f"{name!r} has no value here") from None
    return load


def _constant(node: ast.Constant) -> Evaluator:
    value = node.value
    if value is not None and not isinstance(value, (bool, int, float, str)):
        raise ExpressionError(f"the literal {value!r} is not allowed (numbers, text, True, False, None)")
    _bounded(value)
    return lambda variables: value


def _call(node: ast.Call) -> Evaluator:
    if not isinstance(node.func, ast.Name):
        raise _refuse(node.func) if type(node.func) in REFUSED else ExpressionError(
            f"only the functions {allowed_functions()} may be called")
    name = node.func.id
    if name not in FUNCTIONS:
        raise ExpressionError(f"{name!r} is not an allowed function; allowed functions: {allowed_functions()}")
    function, arity = FUNCTIONS[name]
    if node.keywords or len(node.args) != arity:
        raise ExpressionError(f"{name} takes {arity} arguments, given by position")
    args = [_compile(a) for a in node.args]
    if name in NEEDS_CALENDAR:
        return lambda variables: function(variables.get(CALENDAR), *(a(variables) for a in args))
    return lambda variables: function(*(a(variables) for a in args))


def _sequence(node: ast.Tuple | ast.List) -> Evaluator:
    items = [_compile(e) for e in node.elts]
    make = tuple if isinstance(node, ast.Tuple) else list
    return lambda variables: make(i(variables) for i in items)


def _boolop(node: ast.BoolOp) -> Evaluator:
    values = [_compile(v) for v in node.values]
    if isinstance(node.op, ast.And):
        def both(variables: Mapping[str, Any]) -> Any:
            result = True
            for v in values:
                result = v(variables)
                if not result:
                    return result
            return result
        return both

    def either(variables: Mapping[str, Any]) -> Any:
        result = False
        for v in values:
            result = v(variables)
            if result:
                return result
        return result
    return either


def _binop(node: ast.BinOp) -> Evaluator:
    if type(node.op) not in BINARY:
        raise _refuse(node)
    op = BINARY[type(node.op)][1]
    left, right = _compile(node.left), _compile(node.right)
    return lambda variables: op(left(variables), right(variables))


def _unaryop(node: ast.UnaryOp) -> Evaluator:
    if type(node.op) not in UNARY:
        raise _refuse(node)
    op, operand = UNARY[type(node.op)][1], _compile(node.operand)
    return lambda variables: op(operand(variables))


def _compare(node: ast.Compare) -> Evaluator:
    ops: list[tuple[Callable[[Any, Any], Any], Evaluator]] = []
    for cmpop, operand in zip(node.ops, node.comparators, strict=True):
        if isinstance(cmpop, (ast.Is, ast.IsNot)) and not _is_none(operand):
            raise ExpressionError(f"'{COMPARE[type(cmpop)][0]}' only compares with None; use == or != for values")
        ops.append((COMPARE[type(cmpop)][1], _compile(operand)))
    first = _compile(node.left)
    if len(ops) == 1:
        [(test, right)] = ops
        return lambda variables: test(first(variables), right(variables))

    def chained(variables: Mapping[str, Any]) -> bool:
        left = first(variables)
        for check, operand_of in ops:
            value = operand_of(variables)
            if not check(left, value):
                return False
            left = value
        return True
    return chained


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


COMPILERS: dict[type, Callable[[Any], Evaluator]] = {
    ast.Name: _name, ast.Constant: _constant, ast.Call: _call, ast.Tuple: _sequence, ast.List: _sequence,
    ast.BoolOp: _boolop, ast.BinOp: _binop, ast.UnaryOp: _unaryop, ast.Compare: _compare,
}


def _compile(node: ast.AST) -> Evaluator:
    compiler = COMPILERS.get(type(node))
    if compiler is None:
        raise _refuse(node)
    return compiler(node)


def _depth(tree: ast.AST) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


class Expression:
    """A checked expression: the variables it reads, and a fast, bounded evaluation."""

    def __init__(self, source: str, tree: ast.Expression) -> None:
        self.source = source
        nodes = list(ast.walk(tree))
        called = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
        self.names = frozenset(n.id for n in nodes if isinstance(n, ast.Name) and id(n) not in called)
        self._evaluate = _compile(tree.body)
        for node in nodes:  # work out constant parts (10**10**10) now: bounded, so refused at once
            if isinstance(node, (ast.BinOp, ast.UnaryOp)) and not any(
                    isinstance(n, ast.Name) for n in ast.walk(node)):
                _compile(node)({})

    def __call__(self, variables: Mapping[str, Any]) -> Any:
        try:
            return self._evaluate(variables)
        except ExpressionError as exc:
            raise ExpressionError(f"{self.source!r}: {exc}") from None
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise ExpressionError(f"{self.source!r}: {exc}") from exc


@lru_cache(maxsize=2048)
def compile_expression(source: str) -> Expression:
    """Check ``source`` against the language and prepare it; ExpressionError says what is refused."""
    text = source.strip()
    if not text:
        raise ExpressionError("is empty")
    if len(text) > MAX_SOURCE:
        raise ExpressionError(f"is longer than {MAX_SOURCE} characters")
    try:
        with warnings.catch_warnings():  # '\d' in a literal warns; refuse it with the reason instead
            warnings.simplefilter("error")
            tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"is not an expression: {exc.msg} at column {exc.offset}") from None
    except Warning as exc:
        raise ExpressionError(f"is not a clean expression: {exc}") from None
    _reserved(tree)
    if _depth(tree) > MAX_DEPTH:
        raise ExpressionError(f"is nested more than {MAX_DEPTH} levels deep")
    try:
        return Expression(text, tree)
    except (TypeError, ValueError, ArithmeticError) as exc:  # a constant part fails whatever the values
        raise ExpressionError(f"fails whatever the values: {exc}") from exc


def evaluate(expression: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate an expression of the language (form rules, gateways, cardinalities, timers)."""
    return compile_expression(expression)(variables)
