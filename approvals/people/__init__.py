"""People: who is who. The org charts (``orgchart/``: the immutable model, reading and
validating YAML, sources, role resolution), offices (who administers and who inspects) and
eligibility (who may hold or act on a step). Pure: no database, so ``process/`` can use them.
"""
