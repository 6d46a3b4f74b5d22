"""A small, explainable, CPU-only detector.

It measures signals tied to the tells the lessons teach (`signals/face.py`) and the traces that
editing leaves (`signals/editing.py`) on footage decoded once (`footage.py`), and combines them
into two calibrated scores, face manipulation and editing (`scoring.py`). Every measurement
says what it measured, in which unit, and why it matters, so a result explains itself.
"""
