function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body { font-family: system-ui, sans-serif; max-width: 22rem; margin: 4rem auto; }</style></head>
<body>${body}</body></html>
`;
}

export function loginPage(challenge: string, clientName: string, scope: string, problem?: string): string {
  return page(
    'Sign in',
    `<h1>Sign in to ${escapeHtml(clientName)}</h1>
${scope ? `<p>It asks for: ${escapeHtml(scope)}</p>` : ''}
${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="login">
  <input type="hidden" name="login_challenge" value="${escapeHtml(challenge)}">
  <label for="username">Username</label> <input id="username" name="username" type="text" autocomplete="username" autofocus>
  <button type="submit" name="action" value="accept">Sign in</button>
  <button type="submit" name="action" value="deny">Cancel</button>
</form>`,
  );
}

export function errorPage(message: string): string {
  return page('Sign-in failed', `<h1>Sign-in failed</h1><p>${escapeHtml(message)}</p>`);
}
