import { Get, NotFoundException, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { OAuthController } from '../oauth/oauth-controller.decorator';
import { setNoStore } from '../oauth/no-store';
import { AuthorizeService } from './authorize.service';

/** RFC 6749 §3.1 authorization endpoint; the user logs in at the login application, not here. */
@OAuthController('authorize')
export class AuthorizeController {
  constructor(private readonly authorize: AuthorizeService) {}

  @Get('authorize')
  async authorizationRequest(@Req() req: Request, @Res() res: Response): Promise<void> {
    // Without a login application there is no one to authenticate the user: the endpoint is off.
    if (!this.authorize.enabled) throw new NotFoundException();
    const outcome = await this.authorize.authorize(new URLSearchParams(rawQuery(req)));
    setNoStore(res);
    res.setHeader('Referrer-Policy', 'no-referrer');
    if ('redirectTo' in outcome) {
      res.status(302).setHeader('Location', outcome.redirectTo);
      res.end();
      return;
    }
    // Its CSP (frame-ancestors 'none' included) comes from securityHeaders, as for every response.
    res.status(400);
    res.type('html').send(errorPage(outcome.errorPage));
  }
}

/** The query string as sent: repeated parameters must be seen, not merged by a query parser. */
function rawQuery(req: Request): string {
  const index = req.originalUrl.indexOf('?');
  return index === -1 ? '' : req.originalUrl.slice(index + 1);
}

function errorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Invalid authorization request</title></head>
<body><h1>Invalid authorization request</h1><p>${escapeHtml(message)}</p></body></html>\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
