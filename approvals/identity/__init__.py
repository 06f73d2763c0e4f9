"""Identity: passwords and their hashes, accounts disabled or not, sessions' generations
(``credentials``) and signing in (``signin``). New sign-in methods land here.
"""
