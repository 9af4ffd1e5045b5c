// An OpenID Connect provider for the browser tests, as HelseID would act
// for a public client: /connect/authorize takes the authorization code
// request with PKCE (S256) and, the user being signed in already, sends
// the browser back with a code; /connect/token gives an RS256 access token
// for that code and the verifier whose digest was the challenge, once.
// The key is the test's (PEM, its public half in the gateway's JWKS).
import { createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const b64url = (buffer) => Buffer.from(buffer).toString('base64url');

export function startIdp({ port, keyPem, kid, clientId, redirectUri, audience, claims }) {
  const issuer = `http://127.0.0.1:${port}`;
  const key = createPrivateKey(readFileSync(keyPem));
  const codes = new Map(); // code -> { challenge, redirectUri }
  const seen = { authorize: 0, token: 0 };

  function token() {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'RS256', kid, typ: 'at+jwt' }));
    const payload = b64url(JSON.stringify({ iss: issuer, aud: audience, iat: now, nbf: now, exp: now + 600, ...claims }));
    return `${header}.${payload}.${b64url(sign('sha256', Buffer.from(`${header}.${payload}`), key))}`;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url, issuer);
    const refuse = (status, error) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
      res.end(JSON.stringify({ error }));
    };
    if (req.method === 'GET' && url.pathname === '/connect/authorize') {
      seen.authorize++;
      const q = url.searchParams;
      if (q.get('response_type') !== 'code' || q.get('client_id') !== clientId ||
          q.get('redirect_uri') !== redirectUri || q.get('code_challenge_method') !== 'S256' ||
          !q.get('code_challenge') || !q.get('state'))
        return refuse(400, 'invalid_request');
      const code = b64url(randomBytes(16));
      codes.set(code, { challenge: q.get('code_challenge'), redirectUri: q.get('redirect_uri') });
      res.writeHead(302, { Location: `${redirectUri}?code=${code}&state=${encodeURIComponent(q.get('state'))}` });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/connect/token') {
      seen.token++;
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const pending = codes.get(form.get('code'));
        codes.delete(form.get('code')); // once
        const digest = b64url(createHash('sha256').update(form.get('code_verifier') || '').digest());
        if (form.get('grant_type') !== 'authorization_code' || form.get('client_id') !== clientId ||
            !pending || pending.redirectUri !== form.get('redirect_uri') || pending.challenge !== digest)
          return refuse(400, 'invalid_grant');
        res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
        res.end(JSON.stringify({ access_token: token(), token_type: 'Bearer', expires_in: 600 }));
      });
      return undefined;
    }
    return refuse(404, 'not_found');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, seen })));
}
