import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

/** `oauth.issue`: a first-party login service asks for the first token pair of a new grant. */
export class IssueMessageDto {
  // A NUL must not reach PostgreSQL, which refuses it in the client lookup (a server_error).
  @IsString() @IsNotEmpty() @MaxLength(64) @Matches(NO_CONTROL_CHARACTERS, { message: 'client_id must not contain control characters' })
  client_id: string;

  @IsString() @IsNotEmpty() @MaxLength(255) @Matches(NO_CONTROL_CHARACTERS, { message: 'subject must not contain control characters' })
  subject: string;

  @IsOptional() @IsString() @MaxLength(1000)
  scope?: string;
}
