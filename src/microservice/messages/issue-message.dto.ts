import { IsNotEmpty, IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { hasControlCharacters } from 'nest-oauth-server';

const NoControlCharacters = (field: string) =>
  ValidateBy({ name: 'noControlCharacters', validator: { validate: (value) => typeof value === 'string' && !hasControlCharacters(value), defaultMessage: () => `${field} must not contain control characters` } });

/** `oauth.issue`: a first-party login service asks for the first token pair of a new grant. */
export class IssueMessageDto {
  // A NUL must not reach PostgreSQL, which refuses it in the client lookup (a server_error).
  @IsString() @IsNotEmpty() @MaxLength(64) @NoControlCharacters('client_id')
  client_id: string;

  @IsString() @IsNotEmpty() @MaxLength(255) @NoControlCharacters('subject')
  subject: string;

  @IsOptional() @IsString() @MaxLength(1000)
  scope?: string;
}
