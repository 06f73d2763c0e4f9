"""Who someone is and who is calling: passwords and their hashes, accounts disabled or not,
sessions' generations (``credentials``), signing in (``signin``), sign-in methods per
organization (local password, OIDC, LDAP/AD; CAS and 政务钉钉/企业微信/飞书 免登 are accepted in the
configuration but not yet served), the mapping of an outside identity to one person of the
chart, two factors, and the open API's tokens and system clients. docs/sign-in.md tells a
bureau's IT how to connect; docs/security.md maps it to 等保 三级.
"""
