// The OpenID provider of the sign-in tests: the npm package oidc-provider (OpenID Certified),
// with its own development login and consent pages, on 127.0.0.1:PORT. Started by
// tests/identity/servers.py; never used outside the tests (devInteractions accepts any password).
//
// PORT       port to listen on (127.0.0.1 only)
// ACCOUNTS   JSON: {"login": {"email": ..., "employee_number": ..., "name": ...}, ...};
//            a login not listed still signs in, with only its sub and preferred_username
// CLIENTS    JSON list of clients: [{"client_id", "client_secret"}]; any redirect URI on
//            127.0.0.1 or approvals.test is allowed (the test apps listen on random ports)
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 0);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');
const clients = JSON.parse(process.env.CLIENTS || '[]').map((c) => ({
  redirect_uris: ['http://approvals.test/signin/callback'],
  post_logout_redirect_uris: ['http://approvals.test/login'],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...c,
}));

const provider = new Provider(issuer, {
  clients,
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email'],
  claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'employee_number'], email: ['email'] },
  conformIdTokenClaims: false, // the claims go into the ID token, where the app reads them
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ['approvals-test-only'] },
  ttl: { IdToken: 3600, AccessToken: 3600, Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60 },
  async findAccount(ctx, id) {
    const known = accounts[id] || {};
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, ...known };
      },
    };
  },
});
provider.proxy = false;

// the test apps listen on random ports: any loopback redirect is theirs
const loopback = (uri) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(uri) || uri.startsWith('http://approvals.test/');
provider.Client.prototype.redirectUriAllowed = function allowed(uri) { return loopback(uri); };
provider.Client.prototype.postLogoutRedirectUriAllowed = function allowed(uri) { return loopback(uri); };

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
