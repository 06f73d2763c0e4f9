"""Who someone is: sign-in methods per organization (local password, OIDC, LDAP/AD, CAS,
政务钉钉/企业微信/飞书 免登), the mapping of an outside identity to one person of the chart,
two factors, and the directory as a people source. docs/sign-in.md tells a bureau's IT how to
connect; docs/security.md maps it to 等保 三级."""
