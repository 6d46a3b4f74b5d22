"""A small, explainable, CPU-only detector.

It measures signals tied to the tells the lessons teach (`signals/face.py` and the modules it
runs) and the traces that editing leaves (`signals/editing.py`) on footage decoded once
(`footage.py`), and combines them into two calibrated scores, face manipulation and editing
(`scoring.py`). Every measurement says what it measured, in which unit, and why it matters, so a
result explains itself.

A library: it imports neither Django nor the rest of media_library. Container rules, weights and
tell categories come in as plain arguments and data (see docs/detector.md, "A library, and its
boundary").
"""
