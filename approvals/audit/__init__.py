"""The audit: the hash chain every action writes (``chain``), signed checkpoints, the trail
check against the rows, search for inspectors, the access log, and the copy verifications of
printed forms. docs/security.md says what they promise.
"""
