import { BadRequestException, Body, Controller, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AccessTokenClaimsOf, RequireAccessToken } from 'nest-oauth-server';
import type { AccessTokenClaims } from 'nest-oauth-server';

interface Note {
  id: string;
  text: string;
}

/** The host's own JSON API (`/api/notes`), parsed by Nest's default JSON body parser. */
@Controller('notes')
export class NotesController {
  private readonly notes = new Map<string, Note>();

  @Post()
  create(@Body() body: { text?: unknown } | undefined): Note {
    if (typeof body?.text !== 'string' || body.text.trim() === '') throw new BadRequestException('text is required');
    const note = { id: randomUUID(), text: body.text };
    this.notes.set(note.id, note);
    return note;
  }

  /**
   * Protected by the OAuth server's access tokens: a missing, expired or revoked token is a 401
   * with WWW-Authenticate (RFC 6750 §3), a token without `read` a 403, whatever this app's filter.
   */
  @Get()
  @RequireAccessToken('read')
  list(@AccessTokenClaimsOf() claims: AccessTokenClaims): { reader: string; notes: Note[] } {
    return { reader: claims.sub, notes: [...this.notes.values()] };
  }

  @Get(':id')
  find(@Param('id') id: string): Note {
    const note = this.notes.get(id);
    if (note === undefined) throw new NotFoundException('No such note');
    return note;
  }
}
