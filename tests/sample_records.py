"""Bank text the tests share: one valid implement record, which each test edits to make the
case it needs."""

IMPLEMENT_RECORD = """\
items:
  - id: mse
    version: 1
    kind: implement
    topic: regression
    prompt: p
    function: mse_loss
    args: [{name: y_true, kind: real}, {name: y_pred, kind: real}]
    family: regression
    output: loss
    params:
      - {name: delta, default: 1.0, domain: "> 0", try: [0.5, 2.0]}
    scale_arg: y_pred
    plot:
      kind: loss
      slices:
        - {axis: error, inputs: error}
    rules:
      - {id: empty-batch, text: "An empty batch returns 0.0."}
    contract: c
    starter: "def mse_loss(y_true, y_pred):\\n    pass\\n"
    solution: "def mse_loss(y_true, y_pred):\\n    return 0.0\\n"
    hints: [a, b, c]
    debrief: d
    mutants: []
"""
