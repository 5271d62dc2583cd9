"""One record per task: every registry derived from it agrees with it and with the Python
parts (references, input families, plot builders), and a bad record is reported with its
file and line."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest
from sample_records import IMPLEMENT_RECORD as GOOD

from lossdrill.bank.loader import load_files
from lossdrill.bank.schema import ARG_KINDS, Domain
from lossdrill.bank.tasks import builtin_tasks, task_ids, with_role
from lossdrill.checker.families import FAMILIES
from lossdrill.checker.tasks import TASKS
from lossdrill.plotting.slices import AXES, BUILDERS
from lossdrill.plotting.slices import TASKS as PLOT_TASKS
from lossdrill.references import REFERENCES

ITEMS = builtin_tasks()
IDS = list(ITEMS)


def test_every_registry_has_exactly_the_tasks_of_the_records():
    assert IDS and IDS == task_ids()
    assert set(TASKS) == set(PLOT_TASKS) == set(IDS)
    assert {item.function for item in ITEMS.values()} == set(REFERENCES)
    assert len({item.function for item in ITEMS.values()}) == len(IDS)


@pytest.mark.parametrize("task_id", IDS)
def test_the_record_matches_its_reference_family_sweep_and_plot(task_id):
    item = ITEMS[task_id]
    record = item.record
    assert record is not None
    # the reference's signature: the record's arguments, then keyword-only hyperparameters
    sig = inspect.signature(REFERENCES[item.function])
    positional = [p.name for p in sig.parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    keyword = {p.name: p.default for p in sig.parameters.values() if p.kind is p.KEYWORD_ONLY}
    assert positional == list(record.arg_names)
    assert keyword == {p.name: p.default for p in record.params}
    # the family makes inputs of the kinds the record states
    family = FAMILIES[record.family]
    assert family.kinds == tuple(a.kind for a in record.args)
    assert all(a.kind in ARG_KINDS for a in record.args)
    assert bool(record.magnitude) == (family.magnitude is not None)
    # every hyperparameter value the checker uses lies in the stated domain
    for p in record.params:
        assert p.default in p.domain and all(v in p.domain for v in p.tries)
    # the checker's spec says what the record says
    spec = TASKS[task_id]
    assert spec.function == item.function and spec.args == record.arg_names
    assert spec.output == record.output and spec.scale_arg == record.scale_arg
    assert f"def {item.function}(" in item.starter
    # the sweep's inputs call the reference
    if spec.sweep is not None:
        for x in (spec.sweep.xs[0], spec.sweep.xs[-1]):
            assert np.all(np.isfinite(spec.reference()(*spec.sweep.build(x))))
    # the plot slices use known axes and builders that call the reference
    assert record.slices
    for s in record.slices:
        assert s.axis in AXES and s.inputs in BUILDERS
        for v in s.variants:
            fixed = {k: v.conditions[k] for k in s.fixed}
            x = AXES[s.axis].samples(5)[2]
            assert np.all(
                np.isfinite(
                    REFERENCES[item.function](*BUILDERS[s.inputs](x, v.conditions), **fixed)
                )
            )
    # rules and roles
    assert record.rules and len({r.id for r in record.rules}) == len(record.rules)
    for other in (record.gradient_task, record.next_task):
        assert other == "" or other in ITEMS
    for m in item.mutants:
        assert m.note == "" or m.note.strip() == m.note


@pytest.mark.parametrize("task_id", [t for t in IDS if ITEMS[t].record.gradient_task])
def test_a_gradient_task_is_the_derivative_of_its_loss(task_id):
    """Central differences of the loss (one sample, so no reduction) against the gradient task's
    reference: the follow-up really is this loss's gradient."""
    loss = REFERENCES[ITEMS[task_id].function]
    grad_item = ITEMS[ITEMS[task_id].record.gradient_task]
    grad = REFERENCES[grad_item.function]
    kinds = [a.kind for a in ITEMS[task_id].record.args]
    if kinds == ["real", "real"]:
        y, x = np.array([0.3]), np.array([1.7])
    elif kinds == ["binary", "real"]:
        y, x = np.array([1.0]), np.array([0.8])
    else:  # one-hot rows and logits
        y, x = np.array([[0.0, 1.0, 0.0]]), np.array([[0.5, -0.2, 1.1]])
    h = 1e-6
    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = (loss(y, up) - loss(y, down)) / (2 * h)
    # a mean over rows: one row, so the loss's derivative is the per-sample gradient
    np.testing.assert_allclose(grad(y, x), numeric, rtol=1e-5, atol=1e-7)


def test_readiness_roles_name_their_tasks_in_the_checklist_order():
    assert with_role("speed") == ("mse", "mae", "bce")
    assert with_role("stability") == ("bce", "cce", "focal", "softmax")
    assert with_role("gradient") == ("bce-grad", "cce-grad")
    # a loaded bank's own records give the same answer (without reading the files again)
    bank = load_files(sorted({Path(item.file) for item in ITEMS.values()}))
    assert with_role("speed", bank) == ("mse", "mae", "bce")


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("[0, 1]", [0.0, 0.5, 1.0], [-0.1, 1.1]),
        ("(0, 1)", [0.5], [0.0, 1.0]),
        ("[0, 1)", [0.0], [1.0]),
        (">= 0", [0.0, 1e9], [-1e-9]),
        ("> 0", [1e-12], [0.0]),
        ("[-1, 1]", [-1.0, 1.0], [-1.5]),
    ],
)
def test_domains_mean_what_they_say(text, inside, outside):
    domain = Domain.parse(text)
    assert all(v in domain for v in inside)
    assert not any(v in domain for v in outside)


@pytest.mark.parametrize("text", ["0..1", "[1, 0]", "> zero", "", "[0, 1"])
def test_a_malformed_domain_is_refused(text):
    with pytest.raises(ValueError):
        Domain.parse(text)


def _load(tmp_path, text):
    path = tmp_path / "tasks.yaml"
    path.write_text(text)
    return path, load_files([path])


def test_a_good_record_loads_with_its_types(tmp_path):
    _, bank = _load(tmp_path, GOOD)
    assert bank.errors == []
    record = bank.implement("mse").record
    assert record.arg_names == ("y_true", "y_pred")
    assert record.params[0].tries == (0.5, 2.0) and 3.0 in record.params[0].domain
    assert record.rules[0].id == "empty-batch"
    assert record.tolerance32.rtol == 1e-4  # the default when the record states none


@pytest.mark.parametrize(
    ("change", "line", "field", "message"),
    [
        (
            ("    family: regression\n", "    family: regression\n    colour: red\n"),
            10,
            "colour",
            "unknown field",
        ),
        (
            ('      - {id: empty-batch, text: "An empty batch returns 0.0."}\n', ""),
            2,
            "rules",
            "missing required field",
        ),
        (
            ('domain: "> 0"', 'domain: "[1, 3]"'),
            12,
            "params[0].try",
            "0.5 lies outside the domain [1, 3]",
        ),
        (
            ('domain: "> 0"', 'domain: "positive"'),
            12,
            "params[0].domain",
            "is not one of the forms",
        ),
        (("kind: real}]", "kind: complex}]"), 8, "args[1].kind", "must be one of"),
        (("scale_arg: y_pred", "scale_arg: z"), 13, "scale_arg", "must be one of the arguments"),
        (
            ("{axis: error, inputs: error}", "{axis: error, inputs: error, size: 3}"),
            17,
            "plot.slices[0].size",
            "unknown field",
        ),
    ],
)
def test_a_bad_record_is_reported_with_its_file_and_line(tmp_path, change, line, field, message):
    old, new = change
    text = (
        GOOD.replace(old, new)
        if old != '      - {id: empty-batch, text: "An empty batch returns 0.0."}\n'
        else (GOOD.replace("    rules:\n" + old, ""))
    )
    assert text != GOOD
    path, bank = _load(tmp_path, text)
    assert bank.implement("mse") is None
    (error,) = bank.errors
    assert (error.file, error.line, error.item_id, error.field) == (str(path), line, "mse", field)
    assert message in error.message


def test_an_item_without_a_record_only_adds_text(tmp_path):
    """A user's implement item may leave the whole record out (it adds text to a built-in
    task); one that gives part of it must give all of it."""
    start = GOOD.index("    args:")
    end = GOOD.index("    contract:")
    _, bank = _load(tmp_path, GOOD[:start] + GOOD[end:])
    assert bank.errors == [] and bank.implement("mse").record is None
    partial = GOOD[:start] + "    family: regression\n" + GOOD[end:]
    _, bank = _load(tmp_path, partial)
    (error,) = bank.errors
    assert error.field == "args" and error.message == "missing required field"


def test_the_checker_view_is_the_records_and_a_check_imports_no_bank_module(tmp_path):
    """The checker reads its plain-data view of the records (cached), not the items."""
    import subprocess
    import sys

    from lossdrill.bank.tasks import _build_view, _plain, checker_view

    assert checker_view() == _plain(_build_view())  # the same data, as JSON gives it back
    assert set(checker_view()) == set(IDS)
    code = (
        "import sys; from lossdrill.checker.tasks import TASKS; TASKS['focal'].cases(1); "
        "print(sorted(m for m in sys.modules if m in ('lossdrill.bank.schema', 'yaml')))"
    )
    for _ in range(2):  # building the view once, then from its cache
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
    assert out.stdout.strip() == "[]"


def test_the_implement_files_are_the_loaders_builtin_folder():
    from lossdrill.bank.loader import builtin_bank_dir
    from lossdrill.bank.tasks import implement_files

    assert implement_files() == sorted((builtin_bank_dir() / "implement").glob("*.yaml"))


@pytest.mark.parametrize(
    ("param", "field", "message"),
    [
        (
            '{name: delta, default: 1.0, domain: "> 0", try: [0.5, 2.0], type: integer}',
            "params[0].type",
            "must be one of",
        ),
        (
            '{name: delta, default: 1.0, domain: ">= 0", try: [], type: index}',
            "params[0].type",
            "needs 'try' values",
        ),
        (
            '{name: delta, default: 1.0, domain: ">= 0", try: [2.5], type: index}',
            "params[0].try",
            "2.5 is not a whole number",
        ),
        (
            '{name: delta, default: 0, domain: "[0, 2]", try: [1], type: bool}',
            "params[0].domain",
            "a bool's domain is '[0, 1]'",
        ),
    ],
)
def test_a_bad_hyperparameter_type_is_refused(tmp_path, param, field, message):
    text = GOOD.replace('{name: delta, default: 1.0, domain: "> 0", try: [0.5, 2.0]}', param)
    assert text != GOOD
    _, bank = _load(tmp_path, text)
    (error,) = bank.errors
    assert error.field == field and message in error.message, error


def test_index_and_bool_hyperparameters_load_with_their_type(tmp_path):
    text = GOOD.replace(
        '{name: delta, default: 1.0, domain: "> 0", try: [0.5, 2.0]}',
        '{name: blank, default: 0, domain: ">= 0", try: [1, 2], type: index}\n'
        '      - {name: full, default: 0, domain: "[0, 1]", try: [1], type: bool}',
    )
    _, bank = _load(tmp_path, text)
    assert bank.errors == []
    blank, full = bank.implement("mse").record.params
    assert (blank.type, full.type) == ("index", "bool")
    assert bank.implement("mse").record.params  # a plain float param defaults to "float":
    _, plain = _load(tmp_path, GOOD)
    assert plain.implement("mse").record.params[0].type == "float"


def test_the_checker_passes_index_and_bool_hyperparameters_with_their_type():
    """CTC's blank and masked CE's ignore_index are ints whose values are the record's own
    (never a domain end the inputs cannot honour); Gaussian NLL's full is a bool."""
    from lossdrill.checker.tasks import TASKS

    for task, name, named in (
        ("ctc", "blank", {0, 1, 2}),
        ("masked-ce", "ignore_index", {-100, 0}),
    ):
        p = next(p for p in TASKS[task].params if p.name == name)
        assert p.type == "index" and type(p.default) is int
        swept = {
            c.kwargs[name] for c in TASKS[task].cases() if c.group == "params" and name in c.kwargs
        }
        assert swept == named
    full = next(p for p in TASKS["gaussian-nll"].params if p.name == "full")
    assert full.type == "bool" and full.default is False and full.ends == (False, True)
