"""Who is calling: accounts, sign-in methods, and the open API's tokens and system clients."""
